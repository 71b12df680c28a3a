/* test_utf8.c — UTF-8 validation, decoding and display width (src/utf8.c).
 * The widths are also compared, code point by code point, with glibc's
 * wcwidth() in the C.UTF-8 locale, an independent implementation. */
#define _XOPEN_SOURCE 700 /* wcwidth() */

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "base/utf8.h"
#include "test.h"

/* 1 if utf8_validate(s, len) fails at byte want (also with a NULL
 * bad_offset). */
static int bad_at(const char *s, size_t len, size_t want)
{
    size_t off = (size_t)-1;
    if (utf8_validate(s, len, &off) != -1) return 0;
    if (utf8_validate(s, len, NULL) != -1) return 0;
    if (off != want) printf("  bad_offset %zu, want %zu\n", off, want);
    return off == want;
}

static int ok(const char *s, size_t len)
{
    size_t off = 12345;
    return utf8_validate(s, len, &off) == 0 && off == 12345;
}

static void test_validate(void)
{
    CHECK("validate empty", ok("", 0));
    CHECK("validate ascii", ok("hello", 5));
    CHECK("validate embedded NUL", ok("a\0b", 3));
    CHECK("validate 2-byte é", ok("\xC3\xA9", 2));
    CHECK("validate 3-byte 我", ok("\xE6\x88\x91", 3));
    CHECK("validate 4-byte 😀", ok("\xF0\x9F\x98\x80", 4));
    CHECK("validate U+0080 lowest 2-byte", ok("\xC2\x80", 2));
    CHECK("validate U+0800 lowest 3-byte", ok("\xE0\xA0\x80", 3));
    CHECK("validate U+D7FF below surrogates", ok("\xED\x9F\xBF", 3));
    CHECK("validate U+E000 above surrogates", ok("\xEE\x80\x80", 3));
    CHECK("validate U+FFFF", ok("\xEF\xBF\xBF", 3));
    CHECK("validate U+10000 lowest 4-byte", ok("\xF0\x90\x80\x80", 4));
    CHECK("validate U+10FFFF highest", ok("\xF4\x8F\xBF\xBF", 4));
    CHECK("validate only len bytes are read", ok("ab\xFF", 2));

    CHECK("invalid overlong C0 80", bad_at("\xC0\x80", 2, 0));
    CHECK("invalid overlong C1 BF after text", bad_at("ab\xC1\xBF", 4, 2));
    CHECK("invalid overlong E0 80 80", bad_at("\xE0\x80\x80", 3, 0));
    CHECK("invalid overlong E0 9F BF", bad_at("x\xE0\x9F\xBF", 4, 1));
    CHECK("invalid overlong F0 80 80 80", bad_at("\xF0\x80\x80\x80", 4, 0));
    CHECK("invalid overlong F0 8F BF BF", bad_at("\xF0\x8F\xBF\xBF", 4, 0));
    CHECK("invalid surrogate ED A0 80", bad_at("\xED\xA0\x80", 3, 0));
    CHECK("invalid surrogate ED BF BF after é",
          bad_at("\xC3\xA9\xED\xBF\xBF", 5, 2));
    CHECK("invalid truncated E2 82", bad_at("\xE2\x82", 2, 0));
    CHECK("invalid truncated E2 82 after text", bad_at("abc\xE2\x82", 5, 3));
    CHECK("invalid truncated E2 82 then ASCII", bad_at("\xE2\x82x", 3, 0));
    CHECK("invalid truncated C3 at end", bad_at("caf\xC3", 4, 3));
    CHECK("invalid truncated F0 9F 98", bad_at("\xF0\x9F\x98", 3, 0));
    CHECK("invalid stray 80", bad_at("\x80", 1, 0));
    CHECK("invalid stray 80 after text", bad_at("abc\x80", 4, 3));
    CHECK("invalid extra continuation after é",
          bad_at("\xC3\xA9\xA9", 3, 2));
    CHECK("invalid F5 80 80 80", bad_at("\xF5\x80\x80\x80", 4, 0));
    CHECK("invalid F4 90 80 80 (> U+10FFFF)", bad_at("\xF4\x90\x80\x80", 4, 0));
    CHECK("invalid FE", bad_at("ok\xFE", 3, 2));
    CHECK("invalid FF", bad_at("\xFF", 1, 0));
    CHECK("invalid reports the first of two", bad_at("a\x80z\xFF", 4, 1));
}

static int dec(const char *s, size_t len, int want_n, uint32_t want_cp)
{
    uint32_t cp = 0;
    int n = utf8_decode(s, len, &cp);
    return n == want_n && cp == want_cp;
}

static void test_decode(void)
{
    CHECK("decode ascii", dec("A", 1, 1, 0x41));
    CHECK("decode NUL", dec("\0", 1, 1, 0));
    CHECK("decode é", dec("\xC3\xA9", 2, 2, 0xE9));
    CHECK("decode 我", dec("\xE6\x88\x91", 3, 3, 0x6211));
    CHECK("decode 😀", dec("\xF0\x9F\x98\x80", 4, 4, 0x1F600));
    CHECK("decode U+10FFFF", dec("\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF));
    CHECK("decode stray -> 1, U+FFFD", dec("\x80", 1, 1, 0xFFFD));
    CHECK("decode overlong -> 1, U+FFFD", dec("\xC0\x80", 2, 1, 0xFFFD));
    CHECK("decode surrogate -> 1, U+FFFD", dec("\xED\xA0\x80", 3, 1, 0xFFFD));
    CHECK("decode truncated by len -> 1, U+FFFD",
          dec("\xE6\x88\x91", 2, 1, 0xFFFD));
}

/* utf8_encode() writes the bytes written out above, and what it writes of
 * every code point (surrogates aside) validates and decodes back. */
static void test_encode(void)
{
    char b[4]; /* [4] */
    CHECK("encode A", utf8_encode(0x41, b) == 1 && b[0] == 'A');
    CHECK("encode é", utf8_encode(0xE9, b) == 2 && memcmp(b, "\xC3\xA9", 2) == 0);
    CHECK("encode 我", utf8_encode(0x6211, b) == 3 && memcmp(b, "\xE6\x88\x91", 3) == 0);
    CHECK("encode 😀", utf8_encode(0x1F600, b) == 4 && memcmp(b, "\xF0\x9F\x98\x80", 4) == 0);
    int ok = 1;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        uint32_t back;
        size_t bad;
        int n = utf8_encode(cp, b);
        if (utf8_validate(b, (size_t)n, &bad) != 0 || utf8_decode(b, (size_t)n, &back) != n || back != cp) ok = 0;
    }
    CHECK("encode: every code point round-trips", ok);
}

static void test_width(void)
{
    CHECK("cp_width a", utf8_cp_width('a') == 1);
    CHECK("cp_width NUL", utf8_cp_width(0) == 0);
    CHECK("cp_width TAB", utf8_cp_width('\t') == 0);
    CHECK("cp_width DEL", utf8_cp_width(0x7F) == 0);
    CHECK("cp_width C1 U+0085", utf8_cp_width(0x85) == 0);
    CHECK("cp_width NBSP", utf8_cp_width(0xA0) == 1);
    CHECK("cp_width U+0301 combining acute", utf8_cp_width(0x301) == 0);
    CHECK("cp_width U+036F last combining diacritic", utf8_cp_width(0x36F) == 0);
    CHECK("cp_width U+0370 after combining block", utf8_cp_width(0x370) == 1);
    CHECK("cp_width U+1AB0", utf8_cp_width(0x1AB0) == 0);
    CHECK("cp_width U+1DC0", utf8_cp_width(0x1DC0) == 0);
    CHECK("cp_width U+20E3 keycap", utf8_cp_width(0x20E3) == 0);
    CHECK("cp_width U+FE20", utf8_cp_width(0xFE20) == 0);
    CHECK("cp_width ZWJ", utf8_cp_width(0x200D) == 0);
    CHECK("cp_width ZWNJ", utf8_cp_width(0x200C) == 0);
    CHECK("cp_width VS16", utf8_cp_width(0xFE0F) == 0);
    CHECK("cp_width VS1", utf8_cp_width(0xFE00) == 0);
    CHECK("cp_width skin tone U+1F3FB", utf8_cp_width(0x1F3FB) == 0);
    CHECK("cp_width skin tone U+1F3FF", utf8_cp_width(0x1F3FF) == 0);
    CHECK("cp_width Hangul jamo U+1100", utf8_cp_width(0x1100) == 2);
    CHECK("cp_width Hangul jungseong U+1161", utf8_cp_width(0x1161) == 0);
    CHECK("cp_width 我", utf8_cp_width(0x6211) == 2);
    CHECK("cp_width U+303F is narrow", utf8_cp_width(0x303F) == 1);
    CHECK("cp_width U+3000 ideographic space", utf8_cp_width(0x3000) == 2);
    CHECK("cp_width hangul syllable 한", utf8_cp_width(0xD55C) == 2);
    CHECK("cp_width fullwidth Ａ", utf8_cp_width(0xFF21) == 2);
    CHECK("cp_width halfwidth ｱ", utf8_cp_width(0xFF71) == 1);
    CHECK("cp_width U+FFE0 fullwidth cent", utf8_cp_width(0xFFE0) == 2);
    CHECK("cp_width U+20000 CJK ext B", utf8_cp_width(0x20000) == 2);
    CHECK("cp_width U+3FFFD", utf8_cp_width(0x3FFFD) == 2);
    CHECK("cp_width 😀", utf8_cp_width(0x1F600) == 2);
    CHECK("cp_width 🚀", utf8_cp_width(0x1F680) == 2);
    CHECK("cp_width 🦙", utf8_cp_width(0x1F999) == 2);
    CHECK("cp_width ⌚ U+231A", utf8_cp_width(0x231A) == 2);
    CHECK("cp_width ✅ U+2705", utf8_cp_width(0x2705) == 2);
    CHECK("cp_width ❤ U+2764 (text presentation)", utf8_cp_width(0x2764) == 1);
    CHECK("cp_width ☺ U+263A (text presentation)", utf8_cp_width(0x263A) == 1);
    CHECK("cp_width © U+00A9", utf8_cp_width(0xA9) == 1);
    CHECK("cp_width Greek α", utf8_cp_width(0x3B1) == 1);
    CHECK("cp_width Hebrew point U+05B0", utf8_cp_width(0x5B0) == 0);
    CHECK("cp_width Devanagari sign U+0941", utf8_cp_width(0x941) == 0);

    CHECK("width a", utf8_width("a") == 1);
    CHECK("width é precomposed", utf8_width("\xC3\xA9") == 1);
    CHECK("width 我", utf8_width("\xE6\x88\x91") == 2);
    CHECK("width 😀", utf8_width("\xF0\x9F\x98\x80") == 2);
    CHECK("width e + U+0301", utf8_width("e\xCC\x81") == 1);
    CHECK("width 👍🏽", utf8_width("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD") == 2);
    CHECK("width 日本語", utf8_width("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E") == 6);
    CHECK("width 👨‍👩‍👧",
          utf8_width("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
                     "\xF0\x9F\x91\xA7") == 6);
    CHECK("width mixed 'ab 我c'", utf8_width("ab \xE6\x88\x91" "c") == 6);
    CHECK("width empty", utf8_width("") == 0);
    CHECK("width NULL", utf8_width(NULL) == 0);
    CHECK("width invalid byte counts as U+FFFD", utf8_width("a\xFF" "b") == 3);

    CHECK("prefix fits whole", utf8_prefix("ab\xC3\xA9", 4, 4) == 4);
    CHECK("prefix cut between characters", utf8_prefix("ab\xC3\xA9", 4, 2) == 2);
    CHECK("prefix not inside a 2-byte é", utf8_prefix("ab\xC3\xA9", 4, 3) == 2);
    CHECK("prefix not inside a 4-byte 😀 (3 of its bytes fit)", utf8_prefix("a\xF0\x9F\x98\x80", 5, 4) == 1);
    CHECK("prefix not inside 我 at its first byte", utf8_prefix("\xE6\x88\x91x", 4, 1) == 0);
    CHECK("prefix of max 0", utf8_prefix("abc", 3, 0) == 0);
}

/* Every code point against glibc's wcwidth() (C.UTF-8). Deliberate
 * difference: skin-tone modifiers U+1F3FB..1F3FF are 0 here (they merge into
 * the emoji before them), 2 in glibc. Code points glibc calls non-printable
 * (-1) are skipped. The tables were measured equal to glibc 2.36 (Debian 12);
 * another glibc knows another Unicode version, hence a small tolerance there.
 */
#if defined(__GLIBC__) && __GLIBC__ == 2 && __GLIBC_MINOR__ == 36
#define GLIBC_MAX_DIFFER 0
#else
#define GLIBC_MAX_DIFFER 16
#endif
static void test_against_glibc(void)
{
    long compared = 0, differ = 0;
    char name[80]; /* [80] check name */
    if (!setlocale(LC_CTYPE, "C.UTF-8")) {
        printf("SKIP width-vs-glibc: no C.UTF-8 locale\n");
        return;
    }
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        int g, m;
        if ((cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x1F3FB && cp <= 0x1F3FF))
            continue;
        g = wcwidth((wchar_t)cp);
        if (g < 0) continue;
        m = utf8_cp_width(cp);
        compared++;
        if (m != g) {
            if (differ < 10)
                printf("  U+%04X: ours %d, glibc %d\n", (unsigned)cp, m, g);
            differ++;
        }
    }
    printf("  width vs glibc wcwidth: %ld code points compared, %ld differ\n",
           compared, differ);
    CHECK("width vs glibc: >250000 printable code points compared",
          compared > 250000);
    snprintf(name, sizeof name, "width vs glibc: at most %d differ",
             GLIBC_MAX_DIFFER);
    CHECK(name, differ <= GLIBC_MAX_DIFFER);
    setlocale(LC_CTYPE, "C");
}

int main(void)
{
    test_validate();
    test_decode();
    test_encode();
    test_width();
    test_against_glibc();
    return test_done();
}
