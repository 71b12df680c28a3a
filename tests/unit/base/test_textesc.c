/* Unit tests: textesc.h, the one escaping of token texts for the screen,
 * CSV and figures, json_string() and its HTML form, and textesc_markup()
 * (SVG and HTML text). The escaped set is the one textesc.h
 * documents: C0, DEL and C1 controls, the bidi controls, U+2028/U+2029 and
 * U+FFFE/U+FFFF; each must come out as \uXXXX, bad bytes as \xHH. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/textesc.h"
#include "test.h"

/* UTF-8 of cp in s (at least 5 bytes); returns s. */
static char *utf8(uint32_t cp, char *s)
{
    if (cp < 0x80) { s[0] = (char)cp; s[1] = 0; }
    else if (cp < 0x800) { s[0] = (char)(0xC0 | cp >> 6); s[1] = (char)(0x80 | (cp & 0x3F)); s[2] = 0; }
    else if (cp < 0x10000) {
        s[0] = (char)(0xE0 | cp >> 12); s[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        s[2] = (char)(0x80 | (cp & 0x3F)); s[3] = 0;
    } else {
        s[0] = (char)(0xF0 | cp >> 18); s[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        s[2] = (char)(0x80 | (cp >> 6 & 0x3F)); s[3] = (char)(0x80 | (cp & 0x3F)); s[4] = 0;
    }
    return s;
}

static int in_spec(uint32_t cp)
{
    return cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
           cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFFFE || cp == 0xFFFF;
}

int main(void)
{
    /* every code point: escaped exactly when in the set, as \uXXXX */
    int wrong_set = 0, wrong_form = 0;
    for (uint32_t cp = 1; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        char s[8], want[16];
        utf8(cp, s);
        if (textesc_unsafe(cp) != in_spec(cp) || textesc_needed(s) != in_spec(cp)) wrong_set++;
        if (in_spec(cp)) snprintf(want, sizeof want, "\\u%04X", (unsigned)cp);
        else snprintf(want, sizeof want, "%s", s);
        char *e = textesc_dup(s);
        if (!e || strcmp(e, want) != 0) wrong_form++;
        free(e);
    }
    CHECK("set: every code point escaped iff in the documented set", wrong_set == 0);
    CHECK("form: \\uXXXX for the set, unchanged otherwise", wrong_form == 0);

    char *e = textesc_dup("a\xE2\x80\xAE" "cba");
    CHECK_STR("rlo-override", e, "a\\u202Ecba");
    free(e);
    e = textesc_dup("x\x1B[31my\x7F");
    CHECK_STR("escape-sequence", e, "x\\u001B[31my\\u007F");
    free(e);
    e = textesc_dup("a\xff" "b\xC3\xA9\xE6\x88");
    CHECK_STR("bad-bytes", e, "a\\xFFb\xC3\xA9\\xE6\\x88");
    free(e);
    e = textesc_dup("\xC2\x85\xC2\xA0");
    CHECK_STR("c1-nel-and-nbsp", e, "\\u0085\xC2\xA0");
    free(e);
    CHECK("plain-not-needed", !textesc_needed("the\xE2\x82\x80 cat \xF0\x9F\x98\x80"));
    CHECK("bad-byte-needed", textesc_needed("a\xC3"));

    /* textesc_to: the same escapes into a fixed buffer, cut before an
     * escape or a character that would not fit */
    char small[16];
    size_t n = textesc_to(small, sizeof small, "ab\x1B[2J\xE2\x80\xAE");
    CHECK_STR("to: escapes", small, "ab\\u001B[2J");
    CHECK("to: length", n == strlen(small));
    textesc_to(small, 9, "abc\xC3\xA9\xC3\xA9\xC3\xA9");
    CHECK_STR("to: cut at a character", small, "abc\xC3\xA9\xC3\xA9");
    textesc_to(small, 6, "a\x01");
    CHECK_STR("to: cut before an escape", small, "a");
    char big[64];
    textesc_to(big, sizeof big, "x\x1B[31my\x7F\xff");
    CHECK_STR("to: as textesc_dup", big, "x\\u001B[31my\\u007F\\xFF");

    /* textesc_quote: quoted, '"' and '\' backslashed, NUL bytes shown */
    char q[32];
    textesc_quote(q, sizeof q, "a\"b\\c\0d\x1B", 8);
    CHECK_STR("quote: escapes", q, "\"a\\\"b\\\\c\\u0000d\\u001B\"");
    textesc_quote(q, 12, "abcdefghijklmnop", 16);
    CHECK_STR("quote: cut with ...", q, "\"abcdef...\"");
    textesc_quote(q, sizeof q, "\xE2\x80\xAE" "evil\xC2", 8);
    CHECK_STR("quote: bidi and a bad byte", q, "\"\\u202Eevil\\xC2\"");

    /* attn_fail: every message is escaped, once (idempotent) */
    attn_error err = {0};
    attn_fail(&err, ATTN_EXIT_INPUT, "%s: unknown key \"%s\"", "m.json", "\x1B]0;title\x07\x1B[2J");
    CHECK_STR("attn_fail escapes", err.msg, "m.json: unknown key \"\\u001B]0;title\\u0007\\u001B[2J\"");
    CHECK("attn_fail code", err.code == ATTN_EXIT_INPUT);
    char again[sizeof err.msg];
    snprintf(again, sizeof again, "%s", err.msg);
    attn_fail(&err, ATTN_EXIT_INPUT, "%s", again);
    CHECK_STR("attn_fail idempotent", err.msg, again);
    char longer[2000];
    memset(longer, '\x01', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    attn_fail(&err, ATTN_EXIT_INPUT, "%s", longer);
    CHECK("attn_fail long: fits, whole escapes", strlen(err.msg) < sizeof err.msg && strlen(err.msg) % 6 == 0 &&
                                                    !textesc_needed(err.msg));

    attn_buf b;
    buf_init(&b);
    json_string(&b, "a\"b\\\n\t\x01\xE2\x80\xAE\xC3\xA9");
    CHECK_STR("json-string", b.data, "\"a\\\"b\\\\\\n\\t\\u0001\\u202E\xC3\xA9\"");
    buf_free(&b);

    /* in an HTML page: no '<' (so no "</script" or "<!--"), '>' and '&'
     * escaped too, bad bytes as U+FFFD; everything else as json_string */
    buf_init(&b);
    json_string_html(&b, "</script><!-- a&b \"q\" \xE2\x80\xAE\xff\xC3\xA9");
    CHECK_STR("json-string-html", b.data,
              "\"\\u003C/script\\u003E\\u003C!-- a\\u0026b \\\"q\\\" \\u202E\\uFFFD\xC3\xA9\"");
    CHECK("json-string-html-no-lt", !strchr(b.data, '<'));
    buf_free(&b);

    /* markup: textesc's escapes, then & < > " as references */
    buf_init(&b);
    textesc_markup(&b, "<img src=x onerror=\"a()\"> & 'q' \xE2\x80\xAE\x01");
    CHECK_STR("markup", b.data, "&lt;img src=x onerror=&quot;a()&quot;&gt; &amp; 'q' \\u202E\\u0001");
    buf_free(&b);
    return test_done();
}
