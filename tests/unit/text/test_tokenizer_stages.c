/* test_tokenizer_stages.c — the stages of src/text/tokenizer/ one at a
 * time: the normalized string's alignments and the five split behaviours,
 * the Oniguruma meanings kept on PCRE2, normalizers and pre-tokenizers.
 *
 * Expected values are the examples of Hugging Face tokenizers' own
 * documentation and unit tests (normalizer.rs: "the-final--countdown";
 * metaspace.rs: "Hey   friend!"; byte_level.rs: "Hello my friend, how is
 * your day going?"; whitespace.rs, digits.rs, strip.rs, unicode.rs), and
 * Unicode's and Oniguruma's definitions where said.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "text/subword.h"
#include "text/tokenizer/normalizer.h"
#include "text/tokenizer/nstr.h"
#include "text/tokenizer/pretokenizer.h"
#include "text/tokenizer/regex.h"
#include "text/tokenizer/tkjson.h"

/* "piece@s:e|..." of pieces (original spans) */
static void show(char *dst, size_t cap, const nstr *p, size_t n)
{
    size_t o = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(dst + o, cap - o, "%s%s@%u:%u", i ? "|" : "", p[i].b, p[i].os, p[i].oe);
}

static void free_pieces(nstr *p, size_t n)
{
    for (size_t i = 0; i < n; i++) nstr_free(&p[i]);
    free(p);
}

/* Splits text by the character c with behaviour how (and invert). */
static int split_char(const char *text, uint32_t c, nsplit_how how, int invert, const char *want)
{
    nstr s, *out = NULL;
    size_t n = 0, cap = 0;
    nmatches m = {0};
    char got[512]; /* [512] */
    nstr_init(&s, text, strlen(text), 0);
    nstr_find_str(s.b, s.len, (const char[]){(char)c, 0}, 1, &m);
    nstr_split(&s, &m, how, invert, &out, &n, &cap);
    show(got, sizeof got, out, n);
    int ok = strcmp(got, want) == 0;
    if (!ok) printf("  got  %s\n  want %s\n", got, want);
    free_pieces(out, n);
    free(m.m);
    nstr_free(&s);
    return ok;
}

static void test_split(void)
{
    const char *t = "the-final--countdown";
    CHECK("split Removed", split_char(t, '-', NSPLIT_REMOVED, 0, "the@0:3|final@4:9|countdown@11:20"));
    CHECK("split Isolated", split_char(t, '-', NSPLIT_ISOLATED, 0, "the@0:3|-@3:4|final@4:9|-@9:10|-@10:11|countdown@11:20"));
    CHECK("split MergedWithPrevious", split_char(t, '-', NSPLIT_MERGED_PREV, 0, "the-@0:4|final-@4:10|-@10:11|countdown@11:20"));
    CHECK("split MergedWithNext", split_char(t, '-', NSPLIT_MERGED_NEXT, 0, "the@0:3|-final@3:9|-@9:10|-countdown@10:20"));
    CHECK("split Contiguous", split_char(t, '-', NSPLIT_CONTIGUOUS, 0, "the@0:3|-@3:4|final@4:9|--@9:11|countdown@11:20"));
    CHECK("split Removed, inverted: only the delimiters", split_char(t, '-', NSPLIT_REMOVED, 1, "-@3:4|-@9:10|-@10:11"));
    CHECK("split of an empty string: nothing", split_char("", '-', NSPLIT_ISOLATED, 0, ""));
}

/* ---- the normalized string ---- */

static int not_mark(uint32_t cp) { return !(cp >= 0x300 && cp <= 0x36F); }

static void test_alignments(void)
{
    nstr s;
    nchanges ch = {0};
    /* unicode.rs: NFKC of "ﬁ" is "fi", both bytes aligned to the ligature */
    nstr_init(&s, "\xEF\xAC\x81", 3, 0);
    tk_norm_nf(&s, 1, 1, &ch);
    CHECK("NFKC ﬁ -> fi, each aligned to 0:3",
          s.len == 2 && !memcmp(s.b, "fi", 2) && s.al[0].s == 0 && s.al[0].e == 3 && s.al[1].s == 0 && s.al[1].e == 3);
    nstr_free(&s);
    /* strip.rs: "e" + three U+0304, then "o": StripAccents keeps e (0:1) and o (7:8) */
    nstr_init(&s, "e\xCC\x84\xCC\x84\xCC\x84o", 8, 0);
    tk_norm_filter(&s, not_mark, &ch);
    CHECK("StripAccents e\\u0304\\u0304\\u0304o -> eo, spans 0:1 and 7:8",
          s.len == 2 && !memcmp(s.b, "eo", 2) && s.al[0].s == 0 && s.al[0].e == 1 && s.al[1].s == 7 && s.al[1].e == 8);
    nstr_free(&s);
    /* prepend: the new character takes the first one's span */
    nstr_init(&s, "hey", 3, 0);
    nstr_prepend(&s, "\xE2\x96\x81");
    CHECK("Prepend ▁ to hey: ▁ spans 0:1", s.len == 6 && !memcmp(s.b, "\xE2\x96\x81hey", 6) && s.al[0].s == 0 &&
                                             s.al[0].e == 1 && s.al[3].s == 0 && s.al[3].e == 1);
    nstr_free(&s);
    /* strip both sides */
    nstr_init(&s, "  hello  ", 9, 0);
    nstr_strip(&s, 1, 1, &ch);
    CHECK("Strip: hello at 2:7", s.len == 5 && !memcmp(s.b, "hello", 5) && s.os == 0 && s.al[0].s == 2 &&
                                     s.al[4].e == 7);
    nstr_free(&s);
    /* lowercase: İ (U+0130) -> i + U+0307, both aligned to İ */
    nstr_init(&s, "\xC4\xB0x", 3, 0);
    tk_norm_lowercase(&s, &ch);
    CHECK("Lowercase İ -> i\\u0307", s.len == 4 && !memcmp(s.b, "i\xCC\x87x", 4) && s.al[1].s == 0 && s.al[1].e == 2);
    nstr_free(&s);
    /* NFC composes conjoining jamo: U+1100 U+1161 U+11A8 -> U+AC01 */
    nstr_init(&s, "\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8", 9, 0);
    tk_norm_nf(&s, 0, 1, &ch);
    CHECK("NFC of jamo ㄱ ㅏ ㄱ is 각", s.len == 3 && !memcmp(s.b, "\xEA\xB0\x81", 3));
    nstr_free(&s);
    /* NFD orders marks canonically: U+0307 (230) after U+0323 (220) */
    nstr_init(&s, "q\xCC\x87\xCC\xA3", 5, 0);
    tk_norm_nf(&s, 0, 0, &ch);
    CHECK("NFD q\\u0307\\u0323 -> q\\u0323\\u0307", s.len == 5 && !memcmp(s.b, "q\xCC\xA3\xCC\x87", 5));
    nstr_free(&s);
    free(ch.c);
}

/* ---- regular expressions: Oniguruma's meanings on PCRE2 ---- */

static int rx(const char *pattern, const char *text, const char *want)
{
    char why[200], got[256]; /* [200] [256] */
    tk_regex *re = tk_regex_new(pattern, strlen(pattern), why, sizeof why);
    tk_rx_scratch *sc = tk_rx_scratch_new();
    nmatches m = {0};
    size_t o = 0;
    got[0] = '\0';
    if (re && sc && tk_regex_matches(re, sc, text, strlen(text), &m, why, sizeof why) == 0)
        for (size_t i = 0; i < m.n; i++)
            if (m.m[i].match) o += (size_t)snprintf(got + o, sizeof got - o, "%s%zu:%zu", o ? "|" : "", m.m[i].s, m.m[i].e);
    int ok = re && strcmp(got, want) == 0;
    if (!ok) printf("  %s on \"%s\": got %s (%s), want %s\n", pattern, text, got, re ? "" : why, want);
    free(m.m);
    tk_rx_scratch_free(sc);
    tk_regex_free(re);
    return ok;
}

static void test_regex(void)
{
    /* Oniguruma's \s: TAB..CR, U+0085 and Z; not U+180E (Cf since Unicode 6.3), not U+200B */
    CHECK("\\s matches U+0085 (NEL)", rx("\\s", "a\xC2\x85" "b", "1:3"));
    CHECK("\\s matches U+3000 and U+2028", rx("\\s+", "a\xE3\x80\x80\xE2\x80\xA8" "b", "1:7"));
    CHECK("\\s does not match U+180E or U+200B", rx("\\s", "\xE1\xA0\x8E\xE2\x80\x8B", ""));
    CHECK("[^\\s\\p{L}] keeps \\s inside a class", rx("[^\\s\\p{L}]+", "ab 12\xC2\x85!", "3:5|7:8"));
    CHECK("\\S is the complement", rx("\\S+", "a\xC2\x85" "b", "0:1|3:4"));
    /* \w: letters, marks, decimal digits, connector punctuation (not ² or ½) */
    CHECK("\\w+ takes a combining mark, not ²", rx("\\w+", "e\xCC\x81x_9\xC2\xB2", "0:6"));
    CHECK("\\h is a hex digit", rx("\\h+", "xDEADbeefz", "1:9"));
    CHECK("\\uHHHH is a code point", rx("\\u00e9", "caf\xC3\xA9", "3:5"));
    /* case-insensitive contractions fold Unicode's way: ſ (U+017F) and K (U+212A) */
    CHECK("(?i:'s|'k) matches 'S, 'ſ and 'K (Kelvin sign)", rx("(?i:'s|'k)", "'S 'ſ '\xE2\x84\xAA", "0:2|3:6|7:11"));
    CHECK("\\s+(?!\\S) leaves the last space to the word", rx("\\s+(?!\\S)|\\s+", "a   b", "1:3|3:4"));
    CHECK("\\p{N}{1,3} in threes", rx("\\p{N}{1,3}", "1234567", "0:3|3:6|6:7"));
    CHECK("an empty match after a match is skipped", rx("a*", "baab", "0:0|1:3|4:4"));
    /* Unicode 15.0 letters (Kawi U+11F04), which PCRE2 10.42 does not know */
    CHECK("\\p{L} knows Unicode 15.0's letters", rx("\\p{L}+", "x\xF0\x91\xBC\x84y", "0:6"));
    CHECK("[^\\s\\p{L}] knows them too", rx("[^\\s\\p{L}]+", "1\xF0\x91\xBC\x84!", "0:1|5:6"));
    char why[200]; /* [200] */
    tk_regex *bad = tk_regex_new("[\\S]", 4, why, sizeof why);
    CHECK("\\S inside a class is refused", !bad && strstr(why, "inside a bracket class"));
    bad = tk_regex_new("(a", 2, why, sizeof why);
    CHECK("a bad pattern is refused with PCRE2's reason", !bad && strstr(why, "missing closing parenthesis"));
}

/* ---- pre-tokenizers ---- */

static int pretok(const char *json, const char *text, const char *want)
{
    attn_error err = {0, ""};
    tkj j = {"test", &err, NULL, 0};
    cJSON *node = cJSON_Parse(json);
    tk_pretokenizer pt;
    tk_scratch sc = {0};
    char got[1024] = ""; /* [1024] */
    int ok = 0;
    if (tk_pretokenizer_read(&pt, &j, node, "pre_tokenizer") == 0) {
        nstr s, *cur = NULL, *next = NULL;
        size_t nc = 0, nn = 0, cc = 0, cn = 0;
        nstr_init(&s, text, strlen(text), 0);
        nstr_push_slice(&s, 0, s.len, &cur, &nc, &cc);
        for (int i = 0; i < pt.count; i++) {
            for (size_t k = 0; k < nc; k++) tk_pretok_apply(&pt.p[i], &cur[k], &next, &nn, &cn, &sc, &err);
            free_pieces(cur, nc);
            cur = next, nc = nn, cc = cn;
            next = NULL, nn = cn = 0;
        }
        show(got, sizeof got, cur, nc);
        free_pieces(cur, nc);
        nstr_free(&s);
        tk_pretokenizer_free(&pt);
        ok = strcmp(got, want) == 0;
    }
    if (!ok) printf("  %s on \"%s\": got %s %s\n  want %s\n", json, text, got, err.msg, want);
    tk_scratch_free(&sc);
    cJSON_Delete(node);
    return ok;
}

static void test_pretokenizers(void)
{
    CHECK("Metaspace: \"Hey   friend!\"",
          pretok("{\"type\": \"Metaspace\", \"replacement\": \"\\u2581\", \"prepend_scheme\": \"always\"}",
                 "Hey   friend!", "\xE2\x96\x81Hey@0:3|\xE2\x96\x81@3:4|\xE2\x96\x81@4:5|\xE2\x96\x81" "friend!@5:13"));
    CHECK("Metaspace never, no split",
          pretok("{\"type\": \"Metaspace\", \"replacement\": \"_\", \"prepend_scheme\": \"never\", \"split\": false}",
                 "a b", "a_b@0:3"));
    CHECK("ByteLevel: GPT-2's pieces",
          pretok("{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}",
                 "Hello my friend, how is your day going?",
                 "Hello@0:5|\xC4\xA0my@5:8|\xC4\xA0" "friend@8:15|,@15:16|\xC4\xA0how@16:20|\xC4\xA0is@20:23|"
                 "\xC4\xA0your@23:28|\xC4\xA0" "day@28:32|\xC4\xA0going@32:38|?@38:39"));
    CHECK("ByteLevel: a character split into byte characters keeps its span",
          pretok("{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}",
                 "i\xE2\xAD\xA2j", "i@0:1|\xC3\xA2\xC5\x83\xC2\xA2@1:4|j@4:5"));
    CHECK("Whitespace: \"Hey man!\"", pretok("{\"type\": \"Whitespace\"}", "Hey man!", "Hey@0:3|man@4:7|!@7:8"));
    CHECK("WhitespaceSplit", pretok("{\"type\": \"WhitespaceSplit\"}", "Hey, man, Good?", "Hey,@0:4|man,@5:9|Good?@10:15"));
    CHECK("Digits", pretok("{\"type\": \"Digits\", \"individual_digits\": false}", "Hey 123 friend!",
                           "Hey @0:4|123@4:7| friend!@7:15"));
    CHECK("Digits, individual", pretok("{\"type\": \"Digits\", \"individual_digits\": true}", "Hey 123 friend!",
                                       "Hey @0:4|1@4:5|2@5:6|3@6:7| friend!@7:15"));
    CHECK("Punctuation", pretok("{\"type\": \"Punctuation\", \"behavior\": \"Isolated\"}", "Hey friend!     How are you?!?",
                                "Hey friend@0:10|!@10:11|     How are you@11:27|?@27:28|!@28:29|?@29:30"));
    CHECK("BertPreTokenizer", pretok("{\"type\": \"BertPreTokenizer\"}", "Hey friend!     How are you?!?",
                                     "Hey@0:3|friend@4:10|!@10:11|How@16:19|are@20:23|you@24:27|?@27:28|!@28:29|?@29:30"));
    CHECK("CharDelimiterSplit", pretok("{\"type\": \"CharDelimiterSplit\", \"delimiter\": \"x\"}", "axbxxc", "a@0:1|b@2:3|c@5:6"));
    CHECK("Split by a regex, inverted, MergedWithPrevious",
          pretok("{\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\w+\"}, \"behavior\": \"MergedWithPrevious\", \"invert\": true}",
                 "Hey, friend!", "Hey, @0:5|friend!@5:12"));
    CHECK("Sequence: Whitespace then Digits",
          pretok("{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"WhitespaceSplit\"}, "
                 "{\"type\": \"Digits\", \"individual_digits\": true}]}",
                 "ab12 c3", "ab@0:2|1@2:3|2@3:4|c@5:6|3@6:7"));
}

/* ---- numbers as tokenizers reads them ---- */

static void test_numbers(void)
{
    double d = 0;
    CHECK("serde_json's -9.234709739685059 is -9.23470973968506, not strtod's nearest",
          tkj_serde_f64("-9.234709739685059", 18, &d) == 0 && d == strtod("-9.23470973968506", NULL) &&
              d != strtod("-9.234709739685059", NULL));
    CHECK("-6.853989601135254 is read exactly", tkj_serde_f64("-6.853989601135254", 18, &d) == 0 &&
                                                    d == strtod("-6.853989601135254", NULL));
    CHECK("exponents: -1.5e-05 and 2E3", tkj_serde_f64("-1.5e-05", 8, &d) == 0 && d == -1.5e-05 &&
                                             tkj_serde_f64("2E3", 3, &d) == 0 && d == 2000.0);
    CHECK("not a number: 1.e5, .5, 1x", tkj_serde_f64("1.e5", 4, &d) && tkj_serde_f64(".5", 2, &d) &&
                                            tkj_serde_f64("1x", 2, &d));
    /* a Unigram whose best paths tie but for rounding: tokenizers' scores
     * decide, as its npm binding gives [1, 4, 5, 4, 5, 5, ...] */
    char path[] = "/tmp/attnviz-unigram-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f) {
        fprintf(f, "{\"model\": {\"type\": \"Unigram\", \"unk_id\": 0, \"vocab\": [[\"<unk>\", 0.0], "
                   "[\"\u2581\", -1.9383381605148315], [\"A\", -11.0], [\"B\", -9.2], [\"ABABABABABABAB\", "
                   "-9.234709739685059], [\"ABABABABABABABAB\", -6.853989601135254]]}, \"pre_tokenizer\": "
                   "{\"type\": \"Metaspace\", \"replacement\": \"\u2581\", \"prepend_scheme\": \"always\"}}");
        fclose(f);
    }
    attn_error err = {0, ""};
    attn_tokenizer *tk = f ? tokenizer_from_json(path, &err) : NULL;
    char text[301]; /* [301] "AB" 150 times */
    for (int i = 0; i < 300; i++) text[i] = i % 2 ? 'B' : 'A';
    attn_tokens t = {NULL, 0};
    static const int want[] = {1, 4, 5, 4, 5, 5, 5};
    int ok = tk && tokenizer_encode(tk, text, 300, &t, &err) == 0 && t.n == 20;
    for (int i = 0; ok && i < 7; i++) ok = t.tok[i].id == want[i];
    CHECK("Unigram near-tie goes tokenizers' way: 1 4 5 4 5 5 5 ...", ok);
    tokens_free(&t);
    tokenizer_free(tk);
    unlink(path);
}

int main(void)
{
    test_numbers();
    test_split();
    test_alignments();
    test_regex();
    test_pretokenizers();
    return test_done();
}
