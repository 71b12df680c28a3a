/* textesc.c — see textesc.h. */
#include "base/textesc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

int textesc_unsafe(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 1;
    if (cp < 0x61C) return 0; /* fast path */
    return cp == 0x61C || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFFFE || cp == 0xFFFF;
}

/* Decodes the code point at s; *bad is set for a byte that does not start
 * valid UTF-8 (utf8_decode() consumes 1 byte and gives U+FFFD for it, while
 * a real U+FFFD is 3 bytes). Returns the bytes consumed. */
static int next_cp(const char *s, uint32_t *cp, int *bad)
{
    int n = utf8_next(s, cp);
    *bad = n == 1 && *cp == 0xFFFD;
    return n;
}

int textesc_needed(const char *s)
{
    while (*s) {
        if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7F) { s++; continue; }
        uint32_t cp;
        int bad;
        s += next_cp(s, &cp, &bad);
        if (bad || textesc_unsafe(cp)) return 1;
    }
    return 0;
}

void textesc_put(attn_buf *out, const char *s)
{
    while (*s) {
        size_t plain = 0; /* a run of printable ASCII, copied at once */
        while ((unsigned char)s[plain] >= 0x20 && (unsigned char)s[plain] < 0x7F) plain++;
        if (plain) {
            buf_put(out, s, plain);
            s += plain;
            continue;
        }
        uint32_t cp;
        int bad, n = next_cp(s, &cp, &bad);
        if (bad) buf_printf(out, "\\x%02X", (unsigned char)*s);
        else if (textesc_unsafe(cp)) buf_printf(out, "\\u%04X", (unsigned)cp);
        else buf_put(out, s, (size_t)n);
        s += n;
    }
}

char *textesc_dup(const char *s)
{
    attn_buf b;
    buf_init(&b);
    buf_put(&b, "", 0);
    textesc_put(&b, s);
    if (b.failed) {
        buf_free(&b);
        return NULL;
    }
    return b.data;
}

void textesc_markup(attn_buf *out, const char *s)
{
    char *esc = NULL;
    if (textesc_needed(s) && !(s = esc = textesc_dup(s))) {
        out->failed = 1;
        return;
    }
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        default: buf_putc(out, *s);
        }
    }
    free(esc);
}

/* json_string() and json_string_html(): html adds the escapes of '<', '>'
 * and '&' and replaces bytes that are not UTF-8. */
static void json_string_mode(attn_buf *out, const char *s, int html)
{
    buf_putc(out, '"');
    while (*s) {
        unsigned char c = (unsigned char)*s;
        uint32_t cp;
        int bad, n = 1;
        if (c == '"' || c == '\\') {
            buf_putc(out, '\\');
            buf_putc(out, (char)c);
        } else if (c == '\n') {
            buf_puts(out, "\\n");
        } else if (c == '\t') {
            buf_puts(out, "\\t");
        } else if (c == '\r') {
            buf_puts(out, "\\r");
        } else if (html && (c == '<' || c == '>' || c == '&')) {
            buf_printf(out, "\\u%04X", (unsigned)c);
        } else if (c >= 0x20 && c < 0x7F) {
            buf_putc(out, (char)c);
        } else {
            n = next_cp(s, &cp, &bad);
            if (!bad && textesc_unsafe(cp)) buf_printf(out, "\\u%04X", (unsigned)cp);
            else if (bad && html) buf_puts(out, "\\uFFFD");
            else buf_put(out, s, (size_t)n); /* bad bytes pass through, as before */
        }
        s += n;
    }
    buf_putc(out, '"');
}

void json_string(attn_buf *out, const char *s) { json_string_mode(out, s, 0); }

void json_string_html(attn_buf *out, const char *s) { json_string_mode(out, s, 1); }
