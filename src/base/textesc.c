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

/* The next character of s[0..len) (len >= 1) as it is written: its text
 * goes to out (at most 6 bytes: a \uXXXX escape), the bytes of s it stands
 * for to *used; returns the length of out. */
static size_t esc_next(const char *s, size_t len, char out[8], size_t *used)
{
    static const char hex[] = "0123456789ABCDEF";
    uint32_t cp;
    int n = utf8_decode(s, len, &cp);
    *used = (size_t)n;
    if (n == 1 && cp == 0xFFFD) { /* a byte that does not start valid UTF-8 */
        unsigned char c = (unsigned char)*s;
        memcpy(out, "\\x", 2);
        out[2] = hex[c >> 4];
        out[3] = hex[c & 15];
        return 4;
    }
    if (textesc_unsafe(cp)) {
        memcpy(out, "\\u", 2);
        for (int i = 0; i < 4; i++) out[2 + i] = hex[cp >> (12 - 4 * i) & 15];
        return 6;
    }
    memcpy(out, s, (size_t)n);
    return (size_t)n;
}

void textesc_put(attn_buf *out, const char *s)
{
    size_t len = strlen(s);
    while (len) {
        size_t plain = 0; /* a run of printable ASCII, copied at once */
        while (plain < len && (unsigned char)s[plain] >= 0x20 && (unsigned char)s[plain] < 0x7F) plain++;
        if (plain) {
            buf_put(out, s, plain);
            s += plain;
            len -= plain;
            continue;
        }
        char e[8];
        size_t used, n = esc_next(s, len, e, &used);
        buf_put(out, e, n);
        s += used;
        len -= used;
    }
}

size_t textesc_to(char *dst, size_t cap, const char *s)
{
    size_t o = 0, len = strlen(s);
    if (cap == 0) return 0;
    while (len) {
        char e[8];
        size_t used, n = esc_next(s, len, e, &used);
        if (o + n >= cap) break;
        memcpy(dst + o, e, n);
        o += n;
        s += used;
        len -= used;
    }
    dst[o] = '\0';
    return o;
}

void textesc_quote(char *dst, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    if (cap < 8) {
        if (cap) dst[0] = '\0';
        return;
    }
    dst[o++] = '"';
    while (len) {
        char e[8];
        size_t used, n;
        if (*s == '"' || *s == '\\') {
            e[0] = '\\';
            e[1] = *s;
            n = 2;
            used = 1;
        } else {
            n = esc_next(s, len, e, &used);
        }
        if (o + n + 5 > cap) { /* room for this, '"' and '\0', or for "...\"" */
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(dst + o, e, n);
        o += n;
        s += used;
        len -= used;
    }
    dst[o++] = '"';
    dst[o] = '\0';
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
