/* tokenize.c — the "words" tokenizer (see tokenize.h).
 *
 * Every code point falls in one class (cp_class below, first match wins):
 *   SEP    dropped, ends the token: ASCII whitespace (TAB LF VT FF CR SPACE),
 *          U+0085, U+00A0, U+1680, U+2000..200A, U+2028, U+2029, U+202F,
 *          U+205F, U+3000; also the other C0/C1 controls and DEL (never worth
 *          a token), U+200B ZERO WIDTH SPACE and U+FEFF (BOM).
 *   RI     regional indicators U+1F1E6..1F1FF: two in a row are one flag.
 *   EXT    zero-width code points (utf8_cp_width() == 0: combining marks,
 *          ZWJ, ZWNJ, variation selectors, skin-tone modifiers, tags, Hangul
 *          medial/final jamo): always stay with the token before them; at the
 *          start of a token (after a space) they make a token of their own.
 *   CJK    ideographs, kana, hangul syllables / leading jamo, bopomofo, Yi,
 *          half-width kana and hangul, ideographic iteration marks (cjk_tab):
 *          one token each (plus any EXT after them).
 *   PUNCT  punctuation, symbols and emoji: ASCII punctuation (including
 *          '_'), and punct_tab: every code point of general category P* or
 *          S* (Unicode 14.0) not in an earlier class, plus the "other number"
 *          signs ² ³ ¹ ¼ ½ ¾, U+2150..215F, U+2189, U+2460..24FF,
 *          U+2776..2793, U+3192..3195, U+3220..3229, U+3248..325F,
 *          U+3280..3289, U+32B1..32BF and U+1F100..1F10C (fractions, circled
 *          and parenthesised numbers). One token each, except that after a
 *          ZWJ another PUNCT code point continues the token, so an emoji ZWJ
 *          sequence (👨‍👩‍👧, 🏳️‍🌈, 😶‍🌫️) is one token.
 *   WORD   everything else: ASCII letters and digits and every other non-ASCII
 *          code point (letters of any script, digits, private use, U+00AD
 *          SOFT HYPHEN, which therefore stays inside a word).
 * A WORD token is a maximal run of WORD/EXT code points, also taking in
 *   - an apostrophe (' or U+2019) or hyphen ('-', U+2010, U+2011)
 *     followed by a WORD code point: "didn't", "rock'n'roll",
 *     "state-of-the-art"; "end-" is "end" "-", "--" is "-" "-";
 *   - a '.' or ',' between two ASCII digits, so numbers stay whole:
 *     "3.14", "1,000,000.5", "v1.2" (but "1, 2" is "1" "," "2").
 * punct_tab was generated with Python's unicodedata (Unicode 14.0): the
 * code points above, merged into sorted ranges bridging gaps made only of
 * unassigned code points or code points of the earlier classes (SEP, RI, EXT,
 * CJK, which cp_class() tests first, so that order must stay).
 *
 * Lowercasing (lower_cp) is a fixed table: A..Z, À..Þ except ×, the Latin
 * Extended-A pairs (İ U+0130 -> i, Ÿ U+0178 -> ÿ), Greek Ά..Ϋ (Σ -> σ even at
 * the end of a word) and Cyrillic Ѐ..Я. Every mapping keeps the UTF-8 length
 * except İ (2 bytes -> 1), so a lowercased text is never longer than its span.
 *
 * Memory: one malloc block holds tok[n] followed by all the token texts (each
 * NUL-terminated); tokens_free() frees that block. Any code that builds an
 * attn_tokens for tokens_free() must use the same layout.
 */
#include "text/tokenize.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

enum { C_SEP, C_RI, C_EXT, C_CJK, C_PUNCT, C_WORD };

/* Non-ASCII punctuation and symbols, sorted, disjoint. */
static const cp_range punct_tab[] = {
    {0x00A1, 0x00A9}, {0x00AB, 0x00AC}, {0x00AE, 0x00B4}, {0x00B6, 0x00B9},
    {0x00BB, 0x00BF}, {0x00D7, 0x00D7}, {0x00F7, 0x00F7}, {0x02C2, 0x02C5},
    {0x02D2, 0x02DF}, {0x02E5, 0x02EB}, {0x02ED, 0x02ED}, {0x02EF, 0x02FF},
    {0x0375, 0x0375}, {0x037E, 0x037E}, {0x0384, 0x0385}, {0x0387, 0x0387},
    {0x03F6, 0x03F6}, {0x0482, 0x0482}, {0x055A, 0x055F}, {0x0589, 0x05C6},
    {0x05F3, 0x05F4}, {0x0606, 0x061F}, {0x066A, 0x066D}, {0x06D4, 0x06D4},
    {0x06DE, 0x06DE}, {0x06E9, 0x06E9}, {0x06FD, 0x06FE}, {0x0700, 0x070D},
    {0x07F6, 0x07F9}, {0x07FE, 0x07FF}, {0x0830, 0x083E}, {0x085E, 0x085E},
    {0x0888, 0x0888}, {0x0964, 0x0965}, {0x0970, 0x0970}, {0x09F2, 0x09F3},
    {0x09FA, 0x09FB}, {0x09FD, 0x09FD}, {0x0A76, 0x0A76}, {0x0AF0, 0x0AF1},
    {0x0B70, 0x0B70}, {0x0BF3, 0x0BFA}, {0x0C77, 0x0C77}, {0x0C7F, 0x0C7F},
    {0x0C84, 0x0C84}, {0x0D4F, 0x0D4F}, {0x0D79, 0x0D79}, {0x0DF4, 0x0DF4},
    {0x0E3F, 0x0E3F}, {0x0E4F, 0x0E4F}, {0x0E5A, 0x0E5B}, {0x0F01, 0x0F1F},
    {0x0F34, 0x0F3D}, {0x0F85, 0x0F85}, {0x0FBE, 0x0FDA}, {0x104A, 0x104F},
    {0x109E, 0x109F}, {0x10FB, 0x10FB}, {0x1360, 0x1368}, {0x1390, 0x1399},
    {0x1400, 0x1400}, {0x166D, 0x166E}, {0x169B, 0x169C}, {0x16EB, 0x16ED},
    {0x1735, 0x1736}, {0x17D4, 0x17D6}, {0x17D8, 0x17DB}, {0x1800, 0x180A},
    {0x1940, 0x1945}, {0x19DE, 0x19FF}, {0x1A1E, 0x1A1F}, {0x1AA0, 0x1AA6},
    {0x1AA8, 0x1AAD}, {0x1B5A, 0x1B7E}, {0x1BFC, 0x1BFF}, {0x1C3B, 0x1C3F},
    {0x1C7E, 0x1C7F}, {0x1CC0, 0x1CD3}, {0x1FBD, 0x1FBD}, {0x1FBF, 0x1FC1},
    {0x1FCD, 0x1FCF}, {0x1FDD, 0x1FDF}, {0x1FED, 0x1FEF}, {0x1FFD, 0x205E},
    {0x207A, 0x207E}, {0x208A, 0x208E}, {0x20A0, 0x2101}, {0x2103, 0x2106},
    {0x2108, 0x2109}, {0x2114, 0x2114}, {0x2116, 0x2118}, {0x211E, 0x2123},
    {0x2125, 0x2125}, {0x2127, 0x2127}, {0x2129, 0x2129}, {0x212E, 0x212E},
    {0x213A, 0x213B}, {0x2140, 0x2144}, {0x214A, 0x214D}, {0x214F, 0x215F},
    {0x2189, 0x2BFF}, {0x2CE5, 0x2CEA}, {0x2CF9, 0x2CFC}, {0x2CFE, 0x2CFF},
    {0x2D70, 0x2D70}, {0x2E00, 0x2E2E}, {0x2E30, 0x3020}, {0x3030, 0xA4C6},
    {0xA4FE, 0xA4FF}, {0xA60D, 0xA60F}, {0xA673, 0xA67E}, {0xA6F2, 0xA716},
    {0xA720, 0xA721}, {0xA789, 0xA78A}, {0xA828, 0xA82B}, {0xA836, 0xA839},
    {0xA874, 0xA877}, {0xA8CE, 0xA8CF}, {0xA8F8, 0xA8FA}, {0xA8FC, 0xA8FC},
    {0xA92E, 0xA92F}, {0xA95F, 0xA95F}, {0xA9C1, 0xA9CD}, {0xA9DE, 0xA9DF},
    {0xAA5C, 0xAA5F}, {0xAA77, 0xAA79}, {0xAADE, 0xAADF}, {0xAAF0, 0xAAF1},
    {0xAB5B, 0xAB5B}, {0xAB6A, 0xAB6B}, {0xABEB, 0xABEB}, {0xFB29, 0xFB29},
    {0xFBB2, 0xFBC2}, {0xFD3E, 0xFD4F}, {0xFDCF, 0xFDCF}, {0xFDFC, 0xFE6B},
    {0xFF01, 0xFF0F}, {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFFFD},
    {0x10100, 0x10102}, {0x10137, 0x1013F}, {0x10179, 0x10189},
    {0x1018C, 0x101FC}, {0x1039F, 0x1039F}, {0x103D0, 0x103D0},
    {0x1056F, 0x1056F}, {0x10857, 0x10857}, {0x10877, 0x10878},
    {0x1091F, 0x1091F}, {0x1093F, 0x1093F}, {0x10A50, 0x10A58},
    {0x10A7F, 0x10A7F}, {0x10AC8, 0x10AC8}, {0x10AF0, 0x10AF6},
    {0x10B39, 0x10B3F}, {0x10B99, 0x10B9C}, {0x10EAD, 0x10EAD},
    {0x10F55, 0x10F59}, {0x10F86, 0x10F89}, {0x11047, 0x1104D},
    {0x110BB, 0x110BC}, {0x110BE, 0x110C1}, {0x11140, 0x11143},
    {0x11174, 0x11175}, {0x111C5, 0x111CD}, {0x111DB, 0x111DB},
    {0x111DD, 0x111DF}, {0x11238, 0x1123D}, {0x112A9, 0x112A9},
    {0x1144B, 0x1144F}, {0x1145A, 0x1145D}, {0x114C6, 0x114C6},
    {0x115C1, 0x115D7}, {0x11641, 0x11643}, {0x11660, 0x1166C},
    {0x116B9, 0x116B9}, {0x1173C, 0x1173F}, {0x1183B, 0x1183B},
    {0x11944, 0x11946}, {0x119E2, 0x119E2}, {0x11A3F, 0x11A46},
    {0x11A9A, 0x11A9C}, {0x11A9E, 0x11AA2}, {0x11C41, 0x11C45},
    {0x11C70, 0x11C71}, {0x11EF7, 0x11EF8}, {0x11FD5, 0x11FFF},
    {0x12470, 0x12474}, {0x12FF1, 0x12FF2}, {0x16A6E, 0x16A6F},
    {0x16AF5, 0x16AF5}, {0x16B37, 0x16B3F}, {0x16B44, 0x16B45},
    {0x16E97, 0x16E9A}, {0x16FE2, 0x16FE2}, {0x1BC9C, 0x1D164},
    {0x1D16A, 0x1D16C}, {0x1D183, 0x1D245}, {0x1D300, 0x1D356},
    {0x1D6C1, 0x1D6C1}, {0x1D6DB, 0x1D6DB}, {0x1D6FB, 0x1D6FB},
    {0x1D715, 0x1D715}, {0x1D735, 0x1D735}, {0x1D74F, 0x1D74F},
    {0x1D76F, 0x1D76F}, {0x1D789, 0x1D789}, {0x1D7A9, 0x1D7A9},
    {0x1D7C3, 0x1D7C3}, {0x1D800, 0x1DA8B}, {0x1E14F, 0x1E14F},
    {0x1E2FF, 0x1E2FF}, {0x1E95E, 0x1E95F}, {0x1ECAC, 0x1ECAC},
    {0x1ECB0, 0x1ECB0}, {0x1ED2E, 0x1ED2E}, {0x1EEF0, 0x1FBCA},
};

/* One-token-per-character scripts, sorted, disjoint. */
static const cp_range cjk_tab[] = {
    {0x1100, 0x115F},   {0x2E80, 0x2FDF},   {0x3005, 0x3007},
    {0x3021, 0x3029},   {0x3031, 0x3035},   {0x3038, 0x303C},
    {0x3041, 0x3096},   {0x309B, 0x309F},   {0x30A1, 0x30FA},
    {0x30FC, 0x30FF},   {0x3105, 0x312F},   {0x3131, 0x318E},
    {0x31A0, 0x31BF},   {0x31F0, 0x31FF},   {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},   {0xA000, 0xA48C},   {0xA960, 0xA97F},
    {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFF66, 0xFFDC},
    {0x17000, 0x18CFF}, {0x1AFF0, 0x1B2FF}, {0x20000, 0x3FFFD},
};

#define IN_TAB(t, cp) utf8_in_ranges((t), sizeof(t) / sizeof((t)[0]), (cp))

static int cp_class(uint32_t cp)
{
    if (cp < 0x80) {
        if (cp <= 0x20 || cp == 0x7F) return C_SEP; /* space and controls */
        if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
            (cp >= 'a' && cp <= 'z'))
            return C_WORD;
        return C_PUNCT;
    }
    if (cp <= 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) ||
        cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
        cp == 0x3000 || cp == 0xFEFF)
        return C_SEP; /* C1 controls, U+0085, NBSP, Unicode spaces, ZWSP, BOM */
    if (cp >= 0x1F1E6 && cp <= 0x1F1FF) return C_RI;
    if (utf8_cp_width(cp) == 0) return C_EXT;
    if (IN_TAB(cjk_tab, cp)) return C_CJK;
    if (IN_TAB(punct_tab, cp)) return C_PUNCT;
    return C_WORD;
}

static int is_joiner(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == '-' || cp == 0x2010 ||
           cp == 0x2011;
}

static int is_digit(uint32_t cp) { return cp >= '0' && cp <= '9'; }

/* Decodes the code point at s[i..len) (i < len): stores it and its class and
 * returns its byte length. */
static size_t peek(const char *s, size_t len, size_t i, uint32_t *cp, int *cls)
{
    size_t n = (size_t)utf8_decode(s + i, len - i, cp);
    *cls = cp_class(*cp);
    return n;
}

/* Splits valid UTF-8 s[0..len) into tokens: writes the spans to tok[] when
 * tok is not NULL (it then has room for every token) and returns the count. */
static size_t scan(const char *s, size_t len, attn_token *tok)
{
    size_t count = 0, i = 0;
    while (i < len) {
        uint32_t cp, cp2, cp3;
        int c, c2, c3;
        size_t start = i, n2, n3;
        i += peek(s, len, i, &cp, &c);
        if (c == C_SEP) continue;
        while (i < len) {
            n2 = peek(s, len, i, &cp2, &c2);
            if (c2 == C_EXT) {
                /* marks, joiners, selectors stay with what precedes them */
            } else if (c == C_WORD && c2 == C_WORD) {
                /* the word goes on */
            } else if (c == C_RI && c2 == C_RI && i - start == 4) {
                /* the second regional indicator of a flag (each is 4 bytes) */
            } else if ((c == C_PUNCT || c == C_EXT) && c2 == C_PUNCT &&
                       cp == 0x200D) {
                /* ZWJ sequence: the next symbol or emoji joins */
            } else if (c == C_WORD && i + n2 < len &&
                       (is_joiner(cp2) ||
                        ((cp2 == '.' || cp2 == ',') && is_digit(cp)))) {
                n3 = peek(s, len, i + n2, &cp3, &c3);
                if (is_joiner(cp2) ? c3 != C_WORD : !is_digit(cp3)) break;
                i += n2; /* the joiner; cp3 follows as the next code point */
                n2 = n3;
                cp2 = cp3;
            } else {
                break;
            }
            i += n2;
            cp = cp2; /* cp is now the last code point of the token */
        }
        if (tok) {
            tok[count].text = NULL;
            tok[count].id = -1;
            tok[count].start = start;
            tok[count].end = i;
            tok[count].word = (int32_t)count;
            tok[count].special = 0;
            tok[count].generated = 0;
        }
        count++;
    }
    return count;
}

/* Simple lowercase mapping of the fixed table in the file comment. */
static uint32_t lower_cp(uint32_t cp)
{
    if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
    if (cp == 0x130) return 'i';
    if (cp == 0x178) return 0xFF;
    if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
        return (cp & 1) ? cp : cp + 1;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
        return (cp & 1) ? cp + 1 : cp;
    if (cp == 0x386) return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
    if (cp == 0x38C) return 0x3CC;
    if (cp == 0x38E || cp == 0x38F) return cp + 63;
    if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
    if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
    return cp;
}

/* Copies s[start..end) to dst, lowercased if asked, NUL-terminated; returns
 * the bytes written including the NUL (at most end - start + 1). */
static size_t copy_text(const char *s, size_t start, size_t end, int lowercase,
                        char *dst)
{
    size_t i = start, o = 0;
    if (!lowercase) {
        memcpy(dst, s + start, end - start);
        dst[end - start] = '\0';
        return end - start + 1;
    }
    while (i < end) {
        uint32_t cp;
        size_t n = (size_t)utf8_decode(s + i, end - i, &cp);
        char enc[4]; /* [4] one encoded code point */
        size_t m = (size_t)utf8_encode(lower_cp(cp), enc);
        if (m > n) { /* never with this table; keep the original bytes */
            memcpy(enc, s + i, n);
            m = n;
        }
        memcpy(dst + o, enc, m);
        o += m;
        i += n;
    }
    dst[o] = '\0';
    return o + 1;
}

int tokenize_words(const char *text, size_t len, int lowercase,
                   attn_tokens *out, attn_error *err)
{
    size_t bad, n, bytes = 0, head;
    attn_token *tok; /* [n] tokens, then the texts: one block */
    char *arena;     /* [bytes] the token texts, each NUL-terminated */

    out->tok = NULL;
    out->n = 0;
    if (len == 0) return 0;
    if (!text) return attn_fail(err, ATTN_EXIT_INPUT, "no input text");
    if (utf8_validate(text, len, &bad) != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "invalid UTF-8 at byte %zu",
                         bad);

    n = scan(text, len, NULL);
    if (n == 0) return 0;
    /* Texts need sum(end - start) + n bytes; the spans are disjoint and
     * n <= len, so head + len + n <= len * (sizeof(attn_token) + 2). */
    if (n > INT_MAX || len > SIZE_MAX / (sizeof(attn_token) + 2))
        return attn_fail(err, ATTN_EXIT_INPUT, "too many tokens (%zu)", n);
    head = n * sizeof(attn_token);
    tok = malloc(head + len + n);
    if (!tok) return attn_oom(err, "tokens");
    arena = (char *)tok + head;

    scan(text, len, tok);
    for (size_t k = 0; k < n; k++) {
        tok[k].text = arena + bytes;
        bytes += copy_text(text, tok[k].start, tok[k].end, lowercase,
                           arena + bytes);
    }
    out->tok = tok;
    out->n = (int)n;
    return 0;
}

void tokens_free(attn_tokens *t)
{
    if (!t) return;
    free(t->tok);
    t->tok = NULL;
    t->n = 0;
}
