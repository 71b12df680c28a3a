/* test_tokenize.c — the "words" tokenizer (src/text/tokenize.c).
 *
 * Expected tokens and byte spans are written out by hand. The last test runs
 * over the llama.cpp tokenizer test strings in $REFERENCE_DIR/tokenizer-tests
 * (default ../shared/reference, run from the repository root) and checks that
 * the spans cover exactly the non-whitespace bytes on code-point boundaries.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "text/tokenize.h"
#include "text/words.h"
#include "test.h"

#define MAX_EXPECT 32

/* Tokenizes s and compares the token texts with the '|'-separated list want
 * ("" for no token). Checks on the way, for every token: id == -1, a
 * non-empty span inside the input, spans in order and not overlapping, and
 * (without lowercase) text == the bytes of its span. Prints what it got on a
 * mismatch. Returns 1 if everything holds. */
static int toks_eq(const char *s, size_t len, int lower, const char *want)
{
    attn_tokens t;
    attn_error err = {0, ""};
    char buf[1024]; /* [1024] copy of want, split in place */
    const char *exp[MAX_EXPECT];
    int n_exp = 0, good = 1;
    size_t prev_end = 0;

    snprintf(buf, sizeof buf, "%s", want);
    if (buf[0]) {
        for (char *p = buf; p && n_exp < MAX_EXPECT;) {
            char *bar = strchr(p, '|');
            exp[n_exp++] = p;
            if (bar) *bar = '\0';
            p = bar ? bar + 1 : NULL;
        }
    }
    if (tokenize_words(s, len, lower, &t, &err) != 0) {
        printf("  tokenize failed: %s\n", err.msg);
        return 0;
    }
    if (t.n != n_exp) good = 0;
    for (int i = 0; i < t.n; i++) {
        const attn_token *k = &t.tok[i];
        size_t n = k->end - k->start;
        if (i < n_exp && strcmp(k->text, exp[i]) != 0) good = 0;
        if (k->id != -1 || k->start >= k->end || k->end > len ||
            k->start < prev_end)
            good = 0;
        if (!lower && (strlen(k->text) != n || memcmp(k->text, s + k->start, n)))
            good = 0;
        prev_end = k->end;
    }
    if (!good) {
        printf("  input \"%.*s\": got %d tokens:", (int)len, s, t.n);
        for (int i = 0; i < t.n; i++)
            printf(" [%s]%zu-%zu", t.tok[i].text, t.tok[i].start, t.tok[i].end);
        printf("\n");
    }
    tokens_free(&t);
    return good;
}

#define TOKS(s, want) toks_eq((s), strlen(s), 0, (want))
#define LTOKS(s, want) toks_eq((s), strlen(s), 1, (want))

/* 1 if the spans of s's tokens are exactly starts[i]..ends[i]. */
static int spans_eq(const char *s, int n, const size_t *starts,
                    const size_t *ends)
{
    attn_tokens t;
    attn_error err = {0, ""};
    int good;
    if (tokenize_words(s, strlen(s), 0, &t, &err) != 0) return 0;
    good = t.n == n;
    for (int i = 0; good && i < n; i++)
        good = t.tok[i].start == starts[i] && t.tok[i].end == ends[i];
    tokens_free(&t);
    return good;
}

static void test_example(void)
{
    const char *s = "The animal didn't cross the street because it was too tired.";
    /* counted by hand: The=0..3 animal=4..10 didn't=11..17 cross=18..23
     * the=24..27 street=28..34 because=35..42 it=43..45 was=46..49
     * too=50..53 tired=54..59 .=59..60 */
    static const size_t st[] = {0, 4, 11, 18, 24, 28, 35, 43, 46, 50, 54, 59};
    static const size_t en[] = {3, 10, 17, 23, 27, 34, 42, 45, 49, 53, 59, 60};
    CHECK("example: 12 tokens",
          TOKS(s, "The|animal|didn't|cross|the|street|because|it|was|too|"
                  "tired|."));
    CHECK("example: byte spans", spans_eq(s, 12, st, en));
    CHECK("example: lowercased",
          LTOKS(s, "the|animal|didn't|cross|the|street|because|it|was|too|"
                   "tired|."));
}

static void test_joiners(void)
{
    CHECK("apostrophe didn't", TOKS("didn't", "didn't"));
    CHECK("hyphen state-of-the-art", TOKS("state-of-the-art", "state-of-the-art"));
    CHECK("apostrophes rock'n'roll", TOKS("rock'n'roll", "rock'n'roll"));
    CHECK("quotes 'quoted'", TOKS("'quoted'", "'|quoted|'"));
    CHECK("double hyphen --", TOKS("--", "-|-"));
    CHECK("a--b", TOKS("a--b", "a|-|-|b"));
    CHECK("trailing hyphen end-", TOKS("end-", "end|-"));
    CHECK("leading hyphen -x", TOKS("-x", "-|x"));
    CHECK("spaced hyphen a - b", TOKS("a - b", "a|-|b"));
    CHECK("trailing apostrophe dogs'", TOKS("dogs' bone", "dogs|'|bone"));
    CHECK("curly apostrophe don’t", TOKS("don\xE2\x80\x99t", "don\xE2\x80\x99t"));
    CHECK("curly quotes ‘hi’",
          TOKS("\xE2\x80\x98hi\xE2\x80\x99", "\xE2\x80\x98|hi|\xE2\x80\x99"));
    CHECK("U+2010 hyphen joins", TOKS("e\xE2\x80\x90mail", "e\xE2\x80\x90mail"));
    CHECK("U+2011 no-break hyphen joins",
          TOKS("x\xE2\x80\x91y", "x\xE2\x80\x91y"));
    CHECK("em dash does not join",
          TOKS("well-known\xE2\x80\x94really",
               "well-known|\xE2\x80\x94|really"));
    CHECK("apostrophe then hyphen a'-b", TOKS("a'-b", "a|'|-|b"));
    CHECK("digits join too 90's", TOKS("the 90's", "the|90's"));
    CHECK("apostrophe before CJK does not join",
          TOKS("a'\xE6\x88\x91", "a|'|\xE6\x88\x91"));
    CHECK("hyphen after combining mark joins",
          TOKS("cafe\xCC\x81-bar", "cafe\xCC\x81-bar"));
}

static void test_punct_numbers(void)
{
    CHECK("ellipsis ... is three tokens", TOKS("wait...", "wait|.|.|."));
    CHECK("?! run", TOKS("what?!", "what|?|!"));
    CHECK("Hello, world!", TOKS("Hello, world!", "Hello|,|world|!"));
    CHECK("brackets (a)", TOKS("(a)", "(|a|)"));
    CHECK("underscore is punctuation", TOKS("x_y", "x|_|y"));
    CHECK("!!!!!! six tokens", TOKS("!!!!!!", "!|!|!|!|!|!"));
    CHECK("Unicode punctuation « » …",
          TOKS("\xC2\xAB" "a\xE2\x80\xA6\xC2\xBB",
               "\xC2\xAB|a|\xE2\x80\xA6|\xC2\xBB"));
    CHECK("½ is a symbol", TOKS("ied 4\xC2\xBD months", "ied|4|\xC2\xBD|months"));
    CHECK("¿Qué? inverted question mark",
          TOKS("\xC2\xBFQu\xC3\xA9?", "\xC2\xBF|Qu\xC3\xA9|?"));
    CHECK("superscript ² is a symbol", TOKS("m\xC2\xB2", "m|\xC2\xB2"));
    CHECK("× and ÷ are symbols", TOKS("2\xC3\x97" "3", "2|\xC3\x97|3"));
    CHECK("ª and µ are letters",
          TOKS("1\xC2\xAA \xC2\xB5m", "1\xC2\xAA|\xC2\xB5m"));
    CHECK("$5", TOKS("$5", "$|5"));
    CHECK("€5 (U+20AC)", TOKS("\xE2\x82\xAC" "5", "\xE2\x82\xAC|5"));
    CHECK("3.14 one number", TOKS("pi is 3.14.", "pi|is|3.14|."));
    CHECK("1,000 one number", TOKS("1,000", "1,000"));
    CHECK("1,000,000.50 one number", TOKS("$1,000,000.50", "$|1,000,000.50"));
    CHECK("1, 2 split", TOKS("1, 2", "1|,|2"));
    CHECK(".5 split", TOKS(".5", ".|5"));
    CHECK("3. split", TOKS("3.", "3|."));
    CHECK("1..2 split", TOKS("1..2", "1|.|.|2"));
    CHECK("a.b split", TOKS("a.b", "a|.|b"));
    CHECK("digits stay whole", TOKS("333333333", "333333333"));
    CHECK("letters and digits w048", TOKS("w048 7tuijk", "w048|7tuijk"));
}

static void test_scripts(void)
{
    static const size_t st[] = {0, 3, 6}, en[] = {3, 6, 9};
    CHECK("CJK 我爱你 three tokens",
          TOKS("\xE6\x88\x91\xE7\x88\xB1\xE4\xBD\xA0",
               "\xE6\x88\x91|\xE7\x88\xB1|\xE4\xBD\xA0"));
    CHECK("CJK 我爱你 spans",
          spans_eq("\xE6\x88\x91\xE7\x88\xB1\xE4\xBD\xA0", 3, st, en));
    CHECK("CJK next to Latin 我love你",
          TOKS("\xE6\x88\x91love\xE4\xBD\xA0", "\xE6\x88\x91|love|\xE4\xBD\xA0"));
    CHECK("kana ラーメン four tokens",
          TOKS("\xE3\x83\xA9\xE3\x83\xBC\xE3\x83\xA1\xE3\x83\xB3",
               "\xE3\x83\xA9|\xE3\x83\xBC|\xE3\x83\xA1|\xE3\x83\xB3"));
    CHECK("hangul 한국 two tokens",
          TOKS("\xED\x95\x9C\xEA\xB5\xAD", "\xED\x95\x9C|\xEA\xB5\xAD"));
    CHECK("decomposed hangul L V T is one token",
          TOKS("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB",
               "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"));
    CHECK("ideographic full stop and comma",
          TOKS("\xE5\xA5\xBD\xE3\x80\x82\xE3\x80\x81",
               "\xE5\xA5\xBD|\xE3\x80\x82|\xE3\x80\x81"));
    CHECK("fullwidth tilde ～ is punctuation",
          TOKS("\xE5\xA4\xA9\xEF\xBD\x9E", "\xE5\xA4\xA9|\xEF\xBD\x9E"));
    CHECK("Cyrillic words", TOKS("\xD0\xBD\xD0\xB5\xD1\x89\xD0\xBE \xD0\xBD\xD0\xB0",
                                 "\xD0\xBD\xD0\xB5\xD1\x89\xD0\xBE|\xD0\xBD\xD0\xB0"));
    CHECK("Khmer with vowel signs is one word",
          TOKS("\xE1\x9E\x80\xE1\x9E\xB6\xE1\x9E\x93\xE1\x9F\x8B",
               "\xE1\x9E\x80\xE1\x9E\xB6\xE1\x9E\x93\xE1\x9F\x8B"));
    CHECK("accented café naïve (precomposed)",
          TOKS("caf\xC3\xA9 na\xC3\xAFve", "caf\xC3\xA9|na\xC3\xAFve"));
    CHECK("accented cafe\\u0301 nai\\u0308ve (decomposed)",
          TOKS("cafe\xCC\x81 nai\xCC\x88ve", "cafe\xCC\x81|nai\xCC\x88ve"));
    {
        static const size_t s2[] = {0, 7}, e2[] = {6, 14};
        CHECK("decomposed accents: spans include the marks",
              spans_eq("cafe\xCC\x81 nai\xCC\x88ve", 2, s2, e2));
    }
    CHECK("mark after punctuation stays with it",
          TOKS("a.\xCC\x81" "b", "a|.\xCC\x81|b"));
    CHECK("mark after a space is its own token",
          TOKS("a \xCC\x81" "b", "a|\xCC\x81|b"));
    CHECK("Vietnamese Cửa Việt", TOKS("C\xE1\xBB\xAD" "a Vi\xE1\xBB\x87t",
                                      "C\xE1\xBB\xAD" "a|Vi\xE1\xBB\x87t"));
}

#define MAN "\xF0\x9F\x91\xA8"
#define WOMAN "\xF0\x9F\x91\xA9"
#define GIRL "\xF0\x9F\x91\xA7"
#define ZWJ "\xE2\x80\x8D"
#define VS16 "\xEF\xB8\x8F"
#define GRIN "\xF0\x9F\x98\x80"
#define US "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8"
#define GB "\xF0\x9F\x87\xAC\xF0\x9F\x87\xA7"
#define RI_F "\xF0\x9F\x87\xAB"

static void test_emoji(void)
{
    static const size_t fs[] = {0}, fe[] = {18};
    static const size_t gs[] = {0, 8}, ge[] = {8, 16};
    CHECK("family ZWJ sequence is one token",
          TOKS(MAN ZWJ WOMAN ZWJ GIRL, MAN ZWJ WOMAN ZWJ GIRL));
    CHECK("family ZWJ sequence span 0..18",
          spans_eq(MAN ZWJ WOMAN ZWJ GIRL, 1, fs, fe));
    CHECK("thumbs up + skin tone is one token",
          TOKS("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD!",
               "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD|!"));
    CHECK("two emoji are two tokens", TOKS(GRIN GRIN, GRIN "|" GRIN));
    CHECK("emoji after a word", TOKS("hi" GRIN, "hi|" GRIN));
    CHECK("heart + VS16 is one token",
          TOKS("\xE2\x9D\xA4" VS16 "x", "\xE2\x9D\xA4" VS16 "|x"));
    CHECK("rainbow flag 🏳️‍🌈 is one token",
          TOKS("\xF0\x9F\x8F\xB3" VS16 ZWJ "\xF0\x9F\x8C\x88",
               "\xF0\x9F\x8F\xB3" VS16 ZWJ "\xF0\x9F\x8C\x88"));
    CHECK("face in clouds 😶‍🌫️ (reference case) is one token",
          TOKS("\xF0\x9F\x98\xB6" ZWJ "\xF0\x9F\x8C\xAB" VS16 " ok",
               "\xF0\x9F\x98\xB6" ZWJ "\xF0\x9F\x8C\xAB" VS16 "|ok"));
    CHECK("keycap 1️⃣ is one token",
          TOKS("1" VS16 "\xE2\x83\xA3", "1" VS16 "\xE2\x83\xA3"));
    CHECK("flags: two flags are two tokens", TOKS(US GB, US "|" GB));
    CHECK("flags: spans 0..8 8..16", spans_eq(US GB, 2, gs, ge));
    CHECK("flags: odd regional indicator alone", TOKS(US RI_F, US "|" RI_F));
    CHECK("reference sentence with emoji and CJK",
          TOKS("Hello, y'all! How are you \xF0\x9F\x98\x81 ?"
               "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple"
               "\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E",
               "Hello|,|y'all|!|How|are|you|\xF0\x9F\x98\x81|?|\xE6\x88\x91|"
               "\xE6\x83\xB3|\xE5\x9C\xA8|apple|\xE5\xB7\xA5|\xE4\xBD\x9C|"
               "1314151|\xE5\xA4\xA9|\xEF\xBD\x9E"));
}

static void test_lowercase(void)
{
    /* ÉCOLE Straße ΑΒΓ ПРИВЕТ */
    const char *s = "\xC3\x89" "COLE Stra\xC3\x9F" "e \xCE\x91\xCE\x92\xCE\x93 "
                    "\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2";
    static const size_t st[] = {0, 7, 15, 22}, en[] = {6, 14, 21, 34};
    CHECK("lowercase ÉCOLE Straße ΑΒΓ ПРИВЕТ",
          LTOKS(s, "\xC3\xA9" "cole|stra\xC3\x9F" "e|\xCE\xB1\xCE\xB2\xCE\xB3|"
                   "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"));
    CHECK("lowercase keeps spans into the original", spans_eq(s, 4, st, en));
    CHECK("no lowercase keeps case", TOKS("ABC \xC3\x89", "ABC|\xC3\x89"));
    CHECK("lowercase Latin Extended-A ĀŁŽ",
          LTOKS("\xC4\x80\xC5\x81\xC5\xBD", "\xC4\x81\xC5\x82\xC5\xBE"));
    CHECK("lowercase Ÿ -> ÿ", LTOKS("\xC5\xB8", "\xC3\xBF"));
    CHECK("lowercase İSTANBUL -> istanbul (shorter)",
          LTOKS("\xC4\xB0STANBUL!", "istanbul|!"));
    CHECK("lowercase Ѐ Џ (U+0400, U+040F)",
          LTOKS("\xD0\x80\xD0\x8F", "\xD1\x90\xD1\x9F"));
    CHECK("lowercase Greek Ω Ά and final Σ",
          LTOKS("\xCE\xA9\xCE\x86\xCE\xA3", "\xCF\x89\xCE\xAC\xCF\x83"));
    CHECK("lowercase leaves × alone",
          LTOKS("\xC3\x96\xC3\x97", "\xC3\xB6|\xC3\x97"));
    CHECK("lowercase leaves already-lower text alone",
          LTOKS("\xC3\xA9t\xC3\xA9 \xCF\x89", "\xC3\xA9t\xC3\xA9|\xCF\x89"));
}

static void test_space_and_empty(void)
{
    attn_tokens t = {NULL, 7};
    attn_error err = {0, ""};
    CHECK("empty string: 0 tokens",
          tokenize_words("", 0, 1, &t, &err) == 0 && t.n == 0 && !t.tok);
    CHECK("NULL text with len 0: 0 tokens",
          tokenize_words(NULL, 0, 0, &t, &err) == 0 && t.n == 0);
    CHECK("only spaces: 0 tokens", TOKS("   \t\n\r\v\f  ", ""));
    CHECK("Unicode spaces NBSP, U+2003, U+3000: 0 tokens",
          TOKS("\xC2\xA0\xE2\x80\x83\xE3\x80\x80", ""));
    CHECK("ideographic space separates",
          TOKS("a\xE3\x80\x80" "b", "a|b"));
    CHECK("tabs and newlines separate", TOKS("\tHello\n  world\n", "Hello|world"));
    CHECK("BOM is dropped", TOKS("\xEF\xBB\xBFhi", "hi"));
    CHECK("control characters separate", TOKS("a\x01" "b\x1b[0m", "a|b|[|0m"));
    CHECK("embedded NUL separates", toks_eq("a\0b", 3, 0, "a|b"));
    tokens_free(&t);
    CHECK("tokens_free on an empty result", t.n == 0 && !t.tok);
    if (tokenize_words("one two", 7, 0, &t, &err) == 0) {
        tokens_free(&t);
        CHECK("tokens_free zeroes the struct", t.n == 0 && t.tok == NULL);
        tokens_free(&t);
        CHECK("tokens_free twice is safe", t.n == 0 && t.tok == NULL);
    } else {
        CHECK("tokenize 'one two'", 0);
    }
    tokens_free(NULL);
    CHECK("tokens_free(NULL) is safe", 1 + 1 == 2);
}

/* 1 if tokenizing s[0..len) fails with ATTN_EXIT_INPUT and the message
 * "invalid UTF-8 at byte <at>", leaving out empty. */
static int invalid_at(const char *s, size_t len, size_t at)
{
    attn_tokens t = {NULL, 5};
    attn_error err = {0, ""};
    char want[64]; /* [64] expected message */
    int rc = tokenize_words(s, len, 1, &t, &err);
    snprintf(want, sizeof want, "invalid UTF-8 at byte %zu", at);
    if (rc != -1 || err.code != ATTN_EXIT_INPUT || strcmp(err.msg, want) != 0) {
        printf("  rc %d code %d msg \"%s\", want \"%s\"\n", rc, err.code,
               err.msg, want);
        return 0;
    }
    return t.n == 0 && t.tok == NULL;
}

static void test_invalid(void)
{
    CHECK("invalid overlong C0 80", invalid_at("ab \xC0\x80", 5, 3));
    CHECK("invalid surrogate ED A0 80", invalid_at("\xED\xA0\x80 x", 5, 0));
    CHECK("invalid truncated E2 82", invalid_at("price \xE2\x82", 8, 6));
    CHECK("invalid stray 80", invalid_at("caf\xC3\xA9\x80", 6, 5));
    CHECK("invalid F5", invalid_at("x\xF5\x80\x80\x80", 5, 1));
    CHECK("invalid after a long valid prefix",
          invalid_at("The animal didn't \xFF", 19, 18));
}

/* Spans of s: in order, on code-point starts, and their bytes concatenated
 * equal s without whitespace (ASCII space, TAB, LF, VT, FF, CR, U+0085,
 * U+00A0, U+1680, U+2000..200A, U+2028, U+2029, U+202F, U+205F, U+3000). */
static int spans_cover(const char *s, size_t len, int *ntok)
{
    attn_tokens t;
    attn_error err = {0, ""};
    char *a = malloc(len + 1), *b = malloc(len + 1); /* [len + 1] each */
    size_t na = 0, nb = 0, i = 0;
    int good = 1;
    if (!a || !b || tokenize_words(s, len, 0, &t, &err) != 0) {
        free(a);
        free(b);
        return 0;
    }
    while (i < len) {
        uint32_t cp;
        int n = utf8_decode(s + i, len - i, &cp);
        int ws = (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 ||
                 cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                 cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
                 cp == 0x205F || cp == 0x3000;
        if (!ws) memcpy(a + na, s + i, (size_t)n), na += (size_t)n;
        i += (size_t)n;
    }
    for (int k = 0; k < t.n; k++) {
        size_t st = t.tok[k].start, en = t.tok[k].end;
        if (st >= en || en > len || (k && st < t.tok[k - 1].end)) good = 0;
        else if (((unsigned char)s[st] & 0xC0) == 0x80 ||
                 (en < len && ((unsigned char)s[en] & 0xC0) == 0x80))
            good = 0;
        else memcpy(b + nb, s + st, en - st), nb += en - st;
    }
    if (good && (na != nb || memcmp(a, b, na) != 0)) good = 0;
    *ntok += t.n;
    tokens_free(&t);
    free(a);
    free(b);
    return good;
}

static void test_reference_spans(void)
{
    static const char sep[] = "\n__ggml_vocab_test__\n";
    const char *root = getenv("REFERENCE_DIR");
    char dir[1024], path[1400], name[64]; /* paths and check names */
    struct dirent *e;
    DIR *d;
    char *files[64]; /* [64] .inp names, sorted */
    int nf = 0;

    snprintf(dir, sizeof dir, "%s/tokenizer-tests",
             root && *root ? root : "../shared/reference");
    d = opendir(dir);
    if (!d) {
        printf("SKIP reference-spans: %s not found\n", dir);
        return;
    }
    while ((e = readdir(d)) && nf < 64) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".inp") == 0) {
            files[nf] = malloc(n + 1);
            if (files[nf]) memcpy(files[nf++], e->d_name, n + 1);
        }
    }
    closedir(d);
    for (int i = 1; i < nf; i++) /* insertion sort: same order every run */
        for (int j = i; j > 0 && strcmp(files[j - 1], files[j]) > 0; j--) {
            char *x = files[j]; files[j] = files[j - 1]; files[j - 1] = x;
        }
    CHECK("reference-spans: found .inp files", nf > 0);
    for (int f = 0; f < nf; f++) {
        FILE *fp;
        char *buf = NULL; /* [size + 1] the whole file */
        long size = -1;
        int cases = 0, good_cases = 0, skipped = 0, ntok = 0;
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        fp = fopen(path, "rb");
        if (fp && fseek(fp, 0, SEEK_END) == 0) size = ftell(fp);
        if (fp && size >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
            (buf = malloc((size_t)size + 1)) &&
            fread(buf, 1, (size_t)size, fp) == (size_t)size) {
            const char *p = buf, *end = buf + size;
            buf[size] = '\0';
            while (p < end) { /* each case ends with sep */
                const char *q = strstr(p, sep);
                size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
                cases++;
                if (utf8_validate(p, n, NULL) != 0) skipped++;
                else good_cases += spans_cover(p, n, &ntok);
                p = q ? q + sizeof sep - 1 : end;
            }
        }
        if (fp) fclose(fp);
        printf("  %s: %d cases, %d not valid UTF-8, %d tokens\n", files[f],
               cases, skipped, ntok);
        snprintf(name, sizeof name, "reference-spans %s", files[f]);
        CHECK(name, buf && cases > 0 && good_cases == cases - skipped);
        free(buf);
        free(files[f]);
    }
}

static void test_mixed_boundaries(void)
{
    const char *s = "Ünïcödé \xE6\x97\xA5\xE6\x9C\xAC" "abc" MAN ZWJ WOMAN
                    "\xCC\x81 " US RI_F "x\xE2\x80\x99y--z 3.14, "
                    "\xE2\x80\x83\xCE\xA9\xE2\x80\xA6\xC2\xA0.";
    int ntok = 0;
    CHECK("mixed text: spans on code-point boundaries cover all non-space",
          spans_cover(s, strlen(s), &ntok) && ntok == 16);
}

/* tokens_group() over a word whose pieces are out of text order, as
 * tokenizers' BPE with byte_fallback and fuse_unk gives them: the byte
 * token of a known byte first, then the fused <unk> of the characters
 * before it (the sentence fuzz harness found such pieces with a gap between
 * them, left by a normalizer). Here <0x41> [4,5), then <unk> [0,2). The
 * group spans [0,5) and is labelled with that text; the first piece's start
 * and the last one's end, [4,2), had made a label of length -2 (memcpy of
 * SIZE_MAX - 1 bytes). */
static void test_group_pieces_out_of_order(void)
{
    const char *text = "xy--A b";
    attn_token tok[3] = {{.text = "<0x41>", .id = 8, .start = 4, .end = 5, .word = 0},
                         {.text = "<unk>", .id = 0, .start = 0, .end = 2, .word = 0},
                         {.text = "b", .id = 5, .start = 6, .end = 7, .word = 1}};
    attn_tokens t = {.tok = tok, .n = 3}, out = {0};
    attn_error err = {0, ""};
    int *g = NULL;
    int rc = tokens_group(&t, text, 1, 0, &out, &g, &err);
    CHECK("group out of order: grouped", rc == 0 && out.n == 2);
    CHECK("group out of order: the word's label is its whole span",
          rc == 0 && strcmp(out.tok[0].text, "xy--A") == 0);
    CHECK("group out of order: span from the smallest start to the largest end",
          rc == 0 && out.tok[0].start == 0 && out.tok[0].end == 5);
    CHECK("group out of order: the pieces' group", rc == 0 && g[0] == 0 && g[1] == 0 && g[2] == 1);
    if (rc == 0) tokens_free(&out);
    free(g);
}

int main(void)
{
    test_group_pieces_out_of_order();
    test_example();
    test_joiners();
    test_punct_numbers();
    test_scripts();
    test_emoji();
    test_lowercase();
    test_space_and_empty();
    test_invalid();
    test_mixed_boundaries();
    test_reference_spans();
    return test_done();
}
