/* test_subword.c — the subword tokenizers (src/text/tokenizer/) on small
 * vocabularies made here, and every malformed file in tests/bad/tokenizer.
 *
 * Expected tokens follow from the algorithms' definitions by hand (each
 * case says why); spans are byte offsets into the case's text. The big
 * parity checks against Hugging Face's own ids are test_subword_parity.c
 * and test_tokenizer_parity.c.
 * Run from the repository root (tests/run.sh does).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text/subword.h"
#include "test.h"

#define MAX_EXPECT 160

/* Tokenizes s and compares with want: "text@start:end|..." for every token
 * ("" for none; "@start:end" may be left out; a '|' right after '<' or
 * before '>' is part of a token, as in <|endoftext|>). Checks on the way that word
 * is -1, special is set exactly on the first/last specials (span empty),
 * and each id's vocabulary entry is the text (WordPiece) or the id is valid. */
static int toks_eq(const attn_tokenizer *tk, const char *s, size_t len, const char *want)
{
    attn_tokens t;
    attn_error err = {0, ""};
    char buf[4096]; /* [4096] copy of want, split in place */
    char *exp[MAX_EXPECT];
    int n_exp = 0, good = 1;
    snprintf(buf, sizeof buf, "%s", want);
    for (char *p = buf; *buf && p && n_exp < MAX_EXPECT;) {
        char *bar = p;
        while ((bar = strchr(bar, '|')) && ((bar > buf && bar[-1] == '<') || bar[1] == '>')) bar++;
        exp[n_exp++] = p;
        if (bar) *bar = '\0';
        p = bar ? bar + 1 : NULL;
    }
    if (tokenizer_encode(tk, s, len, &t, &err) != 0) {
        printf("  encode failed: %s\n", err.msg);
        return 0;
    }
    if (t.n != n_exp) good = 0;
    for (int i = 0; i < t.n && i < n_exp; i++) {
        const attn_token *k = &t.tok[i];
        char *at = strrchr(exp[i], '@');
        if (at && at != exp[i]) {
            unsigned long a, b;
            if (sscanf(at + 1, "%lu:%lu", &a, &b) != 2 || a != k->start || b != k->end) good = 0;
            *at = '\0';
        }
        if (strcmp(k->text, exp[i]) != 0 || k->word != -1 || k->id < 0 ||
            k->id >= tokenizer_vocab_size(tk) || k->end > len || k->start > k->end ||
            (k->special && k->start != k->end))
            good = 0;
        if (at && at != exp[i]) *at = '@';
    }
    if (!good) {
        printf("  input \"%.*s\": got %d tokens:", (int)len, s, t.n);
        for (int i = 0; i < t.n; i++)
            printf(" [%s]@%zu:%zu%s", t.tok[i].text, t.tok[i].start, t.tok[i].end,
                   t.tok[i].special ? "(special)" : "");
        printf("; want %s\n", want);
    }
    tokens_free(&t);
    return good;
}

#define TOKS(tk, s, want) toks_eq((tk), (s), strlen(s), (want))

/* ---- WordPiece ---- */

static const char *const wp_vocab[] = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "play", "##ing", "##ed", "##s", "un",
    "##aff", "##able", ",", "!", ".", "'", "s", "i", "a", "##a", "\xE6\x88\x91", "\xE7\x88\xB1",
    "\xE4\xBD\xA0", "caf", "##e", "Hello", "\xC3\xA9", "##\xC3\xA9", "e", "-", "x", "[", "]",
};
#define N_WP (int)(sizeof wp_vocab / sizeof *wp_vocab)

static void test_wordpiece(void)
{
    attn_error err = {0, ""};
    attn_tokenizer *tk = wordpiece_from_list(wp_vocab, N_WP, 1, "[UNK]", "test vocab", &err);
    attn_tokenizer *cased = wordpiece_from_list(wp_vocab, N_WP, 0, "[UNK]", "test vocab", &err);
    CHECK("wordpiece: loads a list", tk && cased);
    if (!tk || !cased) {
        tokenizer_free(tk);
        tokenizer_free(cased);
        return;
    }
    CHECK("wordpiece: kind and size", tokenizer_kind(tk) == SUBWORD_WORDPIECE && tokenizer_vocab_size(tk) == N_WP);
    CHECK("wordpiece: token id", tokenizer_token_id(tk, "play") == 7 && tokenizer_token_id(tk, "nope") == -1);
    /* é is C3 A9: NFD gives e + U+0301 (Mn), dropped; H lowercased; the span is the 6 original bytes */
    CHECK("wordpiece: H\xC3\xA9llo -> hello (accent stripped, lowercased)", TOKS(tk, "H\xC3\xA9llo", "hello@0:6"));
    CHECK("wordpiece: He\\u0301llo (decomposed) -> hello",
          TOKS(tk, "He\xCC\x81llo", "hello@0:7"));
    CHECK("wordpiece: cased keeps H\xC3\xA9llo whole: unk over the word",
          TOKS(cased, "H\xC3\xA9llo world", "[UNK]@0:6|world@7:12"));
    CHECK("wordpiece: cased Hello stays Hello", TOKS(cased, "Hello", "Hello@0:5"));
    /* CJK ideographs are words of their own even without spaces */
    CHECK("wordpiece: CJK split",
          TOKS(tk, "\xE6\x88\x91\xE7\x88\xB1\xE4\xBD\xA0",
               "\xE6\x88\x91@0:3|\xE7\x88\xB1@3:6|\xE4\xBD\xA0@6:9"));
    CHECK("wordpiece: CJK between letters splits them",
          TOKS(tk, "a\xE6\x88\x91" "a", "a@0:1|\xE6\x88\x91@1:4|a@4:5"));
    CHECK("wordpiece: punctuation is its own word",
          TOKS(tk, "Hello, world!", "hello@0:5|,@5:6|world@7:12|!@12:13"));
    CHECK("wordpiece: apostrophe splits", TOKS(tk, "play's", "play@0:4|'@4:5|s@5:6"));
    CHECK("wordpiece: ## continuations",
          TOKS(tk, "playing played plays", "play@0:4|##ing@4:7|play@8:12|##ed@12:14|play@15:19|##s@19:20"));
    CHECK("wordpiece: longest match first: un ##aff ##able",
          TOKS(tk, "unaffable", "un@0:2|##aff@2:5|##able@5:9"));
    CHECK("wordpiece: unsegmentable word is one [UNK] over the word",
          TOKS(tk, "playz world", "[UNK]@0:5|world@6:11"));
    {
        char w[102]; /* [102] 100 or 101 a's */
        memset(w, 'a', 101);
        w[101] = '\0';
        char want[2048] = "a@0:1"; /* [2048] a|##a|... */
        for (int i = 1; i < 100; i++) snprintf(want + strlen(want), sizeof want - strlen(want), "|##a@%d:%d", i, i + 1);
        CHECK("wordpiece: 100-character word is split", toks_eq(tk, w, 100, want));
        CHECK("wordpiece: 101-character word is [UNK]", TOKS(tk, w, "[UNK]@0:101"));
    }
    CHECK("wordpiece: control characters dropped (U+0001, U+200B)",
          TOKS(tk, "hel\x01lo wor\xE2\x80\x8Bld", "hello@0:6|world@7:15"));
    CHECK("wordpiece: tab, newline, CR separate words",
          TOKS(tk, "hello\tworld\r\nhello", "hello@0:5|world@6:11|hello@13:18"));
    CHECK("wordpiece: NBSP and ideographic space separate words",
          TOKS(tk, "hello\xC2\xA0world\xE3\x80\x80x", "hello@0:5|world@7:12|x@15:16"));
    /* İ: NFD is I + U+0307 (dropped), then lowercase: i */
    CHECK("wordpiece: \xC4\xB0 -> i", TOKS(tk, "\xC4\xB0", "i@0:2"));
    CHECK("wordpiece: caf\xC3\xA9 -> caf ##e (accent stripped)", TOKS(tk, "Caf\xC3\xA9", "caf@0:3|##e@3:5"));
    CHECK("wordpiece: cased caf\xC3\xA9 -> caf ##\xC3\xA9", TOKS(cased, "caf\xC3\xA9", "caf@0:3|##\xC3\xA9@3:5"));
    CHECK("wordpiece: empty text, no tokens", TOKS(tk, "", ""));
    CHECK("wordpiece: whitespace only, no tokens", TOKS(tk, " \t\n ", ""));
    CHECK("wordpiece: [MASK] in the text is one token",
          TOKS(tk, "hello [MASK] world", "hello@0:5|[MASK]@6:12|world@13:18"));
    CHECK("wordpiece: [mask] is not (added tokens match the raw text)",
          TOKS(tk, "[mask]", "[@0:1|[UNK]@1:5|]@5:6"));
    const char *f, *l;
    tokenizer_default_specials(tk, &f, &l);
    CHECK("wordpiece: default specials [CLS] [SEP]", f && l && !strcmp(f, "[CLS]") && !strcmp(l, "[SEP]"));
    CHECK("wordpiece: set specials", tokenizer_set_specials(tk, "[CLS]", "[SEP]", &err) == 0);
    CHECK("wordpiece: specials around the text, empty spans at 0 and len",
          TOKS(tk, "hello world", "[CLS]@0:0|hello@0:5|world@6:11|[SEP]@11:11"));
    CHECK("wordpiece: only specials for empty text", TOKS(tk, "", "[CLS]@0:0|[SEP]@0:0"));
    {
        attn_tokens t;
        int ok = tokenizer_encode(tk, "a b", 3, &t, &err) == 0 && t.n == 4;
        CHECK("wordpiece: special flags", ok && t.tok[0].special && !t.tok[1].special && !t.tok[2].special &&
                                              t.tok[3].special);
        tokens_free(&t);
    }
    CHECK("wordpiece: unknown special refused", tokenizer_set_specials(tk, "<s>", NULL, &err) == -1 &&
                                                    err.code == ATTN_EXIT_INPUT && strstr(err.msg, "<s>"));
    CHECK("wordpiece: invalid UTF-8 in the text",
          tokenizer_encode(tk, "ab\xC3(", 4, &(attn_tokens){0}, &err) == -1 && err.code == ATTN_EXIT_INPUT &&
              strcmp(err.msg, "invalid UTF-8 at byte 2") == 0);
    CHECK("wordpiece: list without the unk token refused",
          !wordpiece_from_list(wp_vocab, N_WP, 1, "<unk>", "list", &err) && strstr(err.msg, "list: ") &&
              strstr(err.msg, "<unk>"));
    {
        const char *dup[] = {"[UNK]", "a", "b", "a"};
        CHECK("wordpiece: list with a duplicate refused",
              !wordpiece_from_list(dup, 4, 1, "[UNK]", "m.json", &err) &&
                  strcmp(err.msg, "m.json: vocab[3]: duplicate vocabulary entry \"a\" (also id 1)") == 0);
    }
    tokenizer_free(tk);
    tokenizer_free(cased);
}

/* ---- byte-level BPE ---- */

/* GPT-2's bytes_to_unicode(), written from its definition in OpenAI's
 * encoder.py: printable bytes ! .. ~, ¡ .. ¬, ® .. ÿ map to themselves, the
 * rest to 256, 257, ... in byte order. */
static void byte_sym(int b, char *out)
{
    int n = 0, cp = -1;
    for (int k = 0; k < 256; k++) {
        int printable = (k >= 33 && k <= 126) || (k >= 161 && k <= 172) || (k >= 174 && k <= 255);
        if (k == b) cp = printable ? k : 256 + n;
        if (!printable) n++;
    }
    if (cp < 0x80) {
        out[0] = (char)cp;
        out[1] = '\0';
    } else {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        out[2] = '\0';
    }
}

/* Merges written with GPT-2 symbols: "Ġ" is the space, "Ċ" newline, "ð" F0, "Ł" 9F, "Ã" C3, "©" A9. */
static const char *const bpe_merges[] = {
    "\xC4\xA0 t",            /* Ġ t   -> Ġt */
    "h e",                   /* h e   -> he */
    "\xC4\xA0t he",          /* Ġt he -> Ġthe */
    "\xC4\xA0 \xC4\xA0",     /* Ġ Ġ   -> ĠĠ */
    "\xC4\xA0 b",            /* Ġ b   -> Ġb */
    "' s",                   /* ' s   -> 's */
    "a \xC4\xA0",            /* a Ġ   -> aĠ: never applies when pieces are cut right */
    "\xC3\xB0 \xC5\x81",     /* ð Ł   -> ðŁ (the bytes F0 9F) */
    "1 2",                   /* 1 2   -> 12 */
    "12 3",                  /* 12 3  -> 123 */
    "\xC4\x8A \xC4\x8A",     /* Ċ Ċ   -> ĊĊ */
    "' S",                   /* ' S   -> 'S: never applies, 'S is no contraction */
    "\xC3\x83 \xC2\xA9",     /* Ã ©   -> Ã© (the bytes C3 A9: é) */
    "\xC4\xA0 1",            /* Ġ 1   -> Ġ1 */
    "a b",                   /* a b   -> ab */
    "ab c",                  /* ab c  -> abc */
};
#define N_MERGES (int)(sizeof bpe_merges / sizeof *bpe_merges)

static attn_tokenizer *small_bpe(int with_bytes, attn_error *err)
{
    static char syms[256][4];
    const char *vocab[256 + N_MERGES + 1];
    int n = 0;
    for (int b = 0; b < 256; b++) {
        byte_sym(b, syms[b]);
        if (with_bytes || b != 'z') vocab[n++] = syms[b];
    }
    static char merged[N_MERGES][16];
    for (int i = 0; i < N_MERGES; i++) {
        const char *sp = strchr(bpe_merges[i], ' ');
        snprintf(merged[i], sizeof merged[i], "%.*s%s", (int)(sp - bpe_merges[i]), bpe_merges[i], sp + 1);
        vocab[n++] = merged[i];
    }
    vocab[n++] = "<|endoftext|>";
    return bpe_from_lists(vocab, n, bpe_merges, N_MERGES, "small bpe", err);
}

static void test_bpe(void)
{
    attn_error err = {0, ""};
    attn_tokenizer *tk = small_bpe(1, &err);
    CHECK("bpe: loads lists", tk != NULL);
    if (!tk) {
        printf("  %s\n", err.msg);
        return;
    }
    CHECK("bpe: kind", tokenizer_kind(tk) == SUBWORD_BPE);
    /* "the": no space, so Ġt never forms; h e merges */
    CHECK("bpe: the -> t he", TOKS(tk, "the", "t@0:1|he@1:3"));
    CHECK("bpe: ' the' -> one token shown with ␣, span includes the space",
          TOKS(tk, " the", "\xE2\x90\xA3the@0:4"));
    /* \s+(?!\S): "a", "  " (all spaces but the last), " b" */
    CHECK("bpe: 'a   b' -> a ␣␣ ␣b (\\s+(?!\\S))",
          TOKS(tk, "a   b", "a@0:1|\xE2\x90\xA3\xE2\x90\xA3@1:3|\xE2\x90\xA3" "b@3:5"));
    CHECK("bpe: trailing spaces are one piece", TOKS(tk, "a  ", "a@0:1|\xE2\x90\xA3\xE2\x90\xA3@1:3"));
    CHECK("bpe: a single space", TOKS(tk, " ", "\xE2\x90\xA3@0:1"));
    CHECK("bpe: contraction 's", TOKS(tk, "he's", "he@0:2|'s@2:4"));
    CHECK("bpe: 'S is not a contraction", TOKS(tk, "he'S", "he@0:2|'@2:3|S@3:4"));
    CHECK("bpe: 'll've are two contractions", TOKS(tk, "'ll've", "'@0:1|l@1:2|l@2:3|'@3:4|v@4:5|e@5:6"));
    CHECK("bpe: letters then digits are two pieces", TOKS(tk, "abc123", "abc@0:3|123@3:6"));
    /* " 12": "1 2" (rank 8) merges before "Ġ 1" (rank 13) could */
    CHECK("bpe: merges by rank: ' 12' -> ␣ 12", TOKS(tk, "3 12", "3@0:1|\xE2\x90\xA3@1:2|12@2:4"));
    /* "\n\n" before a letter: the first \n by \s+(?!\S), the second by \s+: no ĊĊ */
    CHECK("bpe: newlines before a word are cut", TOKS(tk, "a\n\nb", "a@0:1|\\n@1:2|\\n@2:3|b@3:4"));
    CHECK("bpe: newlines at the end stay together", TOKS(tk, "a\n\n", "a@0:1|\\n\\n@1:3"));
    CHECK("bpe: tab and CR shown escaped", TOKS(tk, "\t\r", "\\t@0:1|\\r@1:2"));
    CHECK("bpe: control byte shown as \\x01", TOKS(tk, "\x01", "\\x01@0:1"));
    /* 😀 = F0 9F 98 80: ðŁ merges, every piece spans the whole character */
    CHECK("bpe: emoji bytes as \\xF0-style escapes, spans the whole character",
          TOKS(tk, "\xF0\x9F\x98\x80", "\\xF0\\x9F@0:4|\\x98@0:4|\\x80@0:4"));
    CHECK("bpe: é merged is shown as é", TOKS(tk, "\xC3\xA9", "\xC3\xA9@0:2"));
    CHECK("bpe: é after a space: the space token is separate",
          TOKS(tk, " \xC3\xA9", "\xE2\x90\xA3@0:1|\xC3\xA9@1:3"));
    CHECK("bpe: <|endoftext|> in the text is one token",
          TOKS(tk, "a<|endoftext|> the", "a@0:1|<|endoftext|>@1:14|\xE2\x90\xA3the@14:18"));
    CHECK("bpe: repeated pieces (cache) give the same tokens",
          TOKS(tk, " the the the", "\xE2\x90\xA3the@0:4|\xE2\x90\xA3the@4:8|\xE2\x90\xA3the@8:12"));
    {
        const char *f, *l;
        tokenizer_default_specials(tk, &f, &l);
        CHECK("bpe: no default specials", !f && !l);
    }
    tokenizer_free(tk);

    attn_tokenizer *noz = small_bpe(0, &err);
    CHECK("bpe: a vocabulary without the byte 'z' loads", noz != NULL);
    if (noz) {
        /* no unk token: the character is dropped, as tokenizers does */
        CHECK("bpe: a byte with no token and no unk token is dropped", TOKS(noz, "a z", "a@0:1|\xE2\x90\xA3@1:2"));
        tokenizer_free(noz);
    }
    const char *bad_merge[] = {"a b c"};
    const char *v2[] = {"a", "b", "ab"};
    CHECK("bpe: list merge that is not 'a b'",
          !bpe_from_lists(v2, 3, bad_merge, 1, "m.json", &err) &&
              strcmp(err.msg, "m.json: merges[0]: not a merge (two tokens separated by one space)") == 0);
}

/* ---- tokenizer.json options ---- */

/* Writes text to a fresh file in /tmp (path[] receives its name). */
static int write_tmp(char *path, const char *text)
{
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    size_t n = strlen(text);
    int rc = write(fd, text, n) == (ssize_t)n ? 0 : -1;
    close(fd);
    return rc;
}

/* Small tokenizer.json files using options the reference files do not:
 * BertNormalizer with lowercase false (accents still stripped), an added
 * token with lstrip, BertProcessing / RobertaProcessing specials, ByteLevel
 * add_prefix_space, BPE ignore_merges. Expected ids and spans are what
 * Hugging Face tokenizers (npm binding 0.23) gives for the same files. */
static void test_tokenizer_json_options(void)
{
    static const char wp[] =
        "{\"normalizer\": {\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true,"
        " \"strip_accents\": true, \"lowercase\": false},"
        " \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"},"
        " \"added_tokens\": [{\"id\": 5, \"content\": \"<mask>\", \"single_word\": false, \"lstrip\": true,"
        " \"rstrip\": false, \"normalized\": false, \"special\": true}],"
        " \"post_processor\": {\"type\": \"BertProcessing\", \"sep\": [\"[SEP]\", 2], \"cls\": [\"[CLS]\", 1]},"
        " \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\","
        " \"max_input_chars_per_word\": 100, \"vocab\": {\"[UNK]\": 0, \"[CLS]\": 1, \"[SEP]\": 2, \"hello\": 3,"
        " \"Hello\": 4, \"<mask>\": 5}}}";
    char path[] = "/tmp/attnviz-tokjson-XXXXXX";
    attn_error err = {0, ""};
    attn_tokenizer *tk = write_tmp(path, wp) == 0 ? tokenizer_from_json(path, &err) : NULL;
    unlink(path);
    CHECK("tokenizer.json WordPiece options load", tk != NULL);
    if (tk) {
        CHECK("strip accents without lowercase; <mask> takes the space before it (lstrip)",
              TOKS(tk, "H\xC3\xA9llo <mask> hello", "Hello@0:6|<mask>@6:13|hello@14:19"));
        CHECK("lstrip takes every space before", TOKS(tk, "hello  <mask>", "hello@0:5|<mask>@5:13"));
        CHECK("lstrip at the start", TOKS(tk, "<mask>hello", "<mask>@0:6|hello@6:11"));
        const char *f, *l;
        tokenizer_default_specials(tk, &f, &l);
        CHECK("BertProcessing gives the default specials", f && l && !strcmp(f, "[CLS]") && !strcmp(l, "[SEP]"));
        tokenizer_free(tk);
    }

    /* byte-level BPE: the 256 byte symbols, then Ġt he Ġthe <unk> the */
    char *json = malloc(16384), sym[4];
    size_t o = 0;
    o += (size_t)snprintf(json + o, 16384 - o,
                          "{\"normalizer\": null, \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": %s,"
                          " \"trim_offsets\": true, \"use_regex\": true}, \"post_processor\": {\"type\":"
                          " \"RobertaProcessing\", \"sep\": [\"</s>\", 262], \"cls\": [\"<s>\", 261]},"
                          " \"model\": {\"type\": \"BPE\", \"ignore_merges\": %s, \"vocab\": {",
                          "true", "false");
    for (int b = 0; b < 256; b++) {
        byte_sym(b, sym);
        o += (size_t)snprintf(json + o, 16384 - o, "\"%s%s\": %d, ", b == '"' || b == '\\' ? "\\" : "", sym, b);
    }
    snprintf(json + o, 16384 - o,
             "\"\xC4\xA0t\": 256, \"he\": 257, \"\xC4\xA0the\": 258, \"<unk>\": 259, \"the\": 260, \"<s>\": 261,"
             " \"</s>\": 262}, \"merges\": [\"\xC4\xA0 t\", \"h e\", \"\xC4\xA0t he\"]}}");
    char p2[] = "/tmp/attnviz-tokjson-XXXXXX";
    tk = write_tmp(p2, json) == 0 ? tokenizer_from_json(p2, &err) : NULL;
    unlink(p2);
    CHECK("tokenizer.json BPE with add_prefix_space loads", tk != NULL);
    if (!tk) printf("  %s\n", err.msg);
    if (tk) {
        attn_tokens t;
        int ids_ok = tokenizer_encode(tk, "the the", 7, &t, &err) == 0 && t.n == 2 && t.tok[0].id == 258 &&
                     t.tok[1].id == 258;
        tokens_free(&t); /* encode leaves t empty when it fails */
        CHECK("add_prefix_space: 'the' is \xC4\xA0the, its span from 0", ids_ok &&
              TOKS(tk, "the the", "\xE2\x90\xA3the@0:3|\xE2\x90\xA3the@3:7"));
        CHECK("add_prefix_space: no second space before ' the'", TOKS(tk, " the", "\xE2\x90\xA3the@0:4"));
        const char *f, *l;
        tokenizer_default_specials(tk, &f, &l);
        CHECK("RobertaProcessing gives the default specials", f && l && !strcmp(f, "<s>") && !strcmp(l, "</s>"));
        tokenizer_free(tk);
    }
    /* ignore_merges, no prefix space: "the" is in the vocabulary whole */
    static const char pre_on[] = "\"add_prefix_space\": true", pre_off[] = "\"add_prefix_space\":false";
    static const char im_off[] = "\"ignore_merges\": false", im_on[] = "\"ignore_merges\": true ";
    memcpy(strstr(json, pre_on), pre_off, strlen(pre_off)); /* same lengths: the text keeps its shape */
    memcpy(strstr(json, im_off), im_on, strlen(im_on));
    char p3[] = "/tmp/attnviz-tokjson-XXXXXX";
    tk = write_tmp(p3, json) == 0 ? tokenizer_from_json(p3, &err) : NULL;
    unlink(p3);
    CHECK("tokenizer.json BPE with ignore_merges loads", tk != NULL);
    if (tk) {
        attn_tokens t;
        int ok = tokenizer_encode(tk, "the the", 7, &t, &err) == 0 && t.n == 2 && t.tok[0].id == 260 &&
                 t.tok[1].id == 258 && t.tok[0].end == 3 && t.tok[1].start == 3;
        CHECK("ignore_merges: 'the' whole (260), ' the' merged (258)", ok);
        tokens_free(&t);
        tokenizer_free(tk);
    }
    free(json);
}

/* ---- malformed files ---- */

typedef enum { L_TXT, L_MERGES, L_VOCAB_JSON, L_TOKENIZER_JSON } loader;

static attn_tokenizer *load(loader how, const char *path, attn_error *err)
{
    switch (how) {
    case L_TXT: return wordpiece_from_vocab_txt(path, 1, "[UNK]", err);
    case L_MERGES: return bpe_from_files("tests/bad/tokenizer/small_vocab.json", path, err);
    case L_VOCAB_JSON: return bpe_from_files(path, "tests/bad/tokenizer/merges_ok.txt", err);
    default: return tokenizer_from_json(path, err);
    }
}

static const struct {
    const char *file;
    loader how;
    const char *want; /* the message after "tests/bad/tokenizer/FILE" */
} bad_files[] = {
    {"vocab_invalid_utf8.txt", L_TXT, ":4: invalid UTF-8 at byte 3 of the entry"},
    {"vocab_duplicate.txt", L_TXT, ":5: duplicate vocabulary entry \"hello\" (also id 2)"},
    {"vocab_empty.txt", L_TXT, ": empty vocabulary"},
    {"vocab_empty_line.txt", L_TXT, ":3: empty vocabulary entry"},
    {"vocab_no_unk.txt", L_TXT, ": the unknown token \"[UNK]\" is not in the vocabulary"},
    {"merges_three_tokens.txt", L_MERGES, ":3: not a merge (two tokens separated by one space)"},
    {"merges_one_token.txt", L_MERGES, ":3: not a merge (two tokens separated by one space)"},
    {"merges_unknown_token.txt", L_MERGES, ":3: merge of \"zz\", which is not in the vocabulary"},
    {"merges_result_missing.txt", L_MERGES, ":3: the merged token \"bc\" is not in the vocabulary"},
    {"merges_duplicate.txt", L_MERGES, ":4: duplicate merge (the same pair is merge 1)"},
    {"vocab_json_array.json", L_VOCAB_JSON, ": not a JSON object of token -> id"},
    {"vocab_json_negative_id.json", L_VOCAB_JSON, ": key \"b\": the id must be a non-negative integer"},
    {"vocab_json_fraction_id.json", L_VOCAB_JSON, ": key \"b\": the id must be a non-negative integer"},
    {"vocab_json_string_id.json", L_VOCAB_JSON, ": key \"b\": the id must be a non-negative integer"},
    {"vocab_json_duplicate_id.json", L_VOCAB_JSON, ": keys \"b\" and \"c\" have the same id 1"},
    {"vocab_json_gap.json", L_VOCAB_JSON,
     ": key \"c\": id 3 is beyond the vocabulary's 3 entries (ids must be 0..2, without gaps)"},
    {"vocab_json_duplicate_key.json", L_VOCAB_JSON, ": key \"a\": duplicate vocabulary entry \"a\" (also id 0)"},
    {"vocab_json_truncated.json", L_VOCAB_JSON, ":4:1: not valid JSON (unexpected end of file)"},
    {"vocab_json_invalid_utf8.json", L_VOCAB_JSON, ": key \"b\\xC3\": invalid UTF-8 at byte 1 of the entry"},
    {"vocab_json_empty.json", L_VOCAB_JSON, ": empty vocabulary"},
    {"tokenizer_added_gap.json", L_TOKENIZER_JSON,
     ": added_tokens: \"[NEW]\" has id 3, but the next free id is 2 (ids must have no gaps)"},
    {"tokenizer_added_wrong_id.json", L_TOKENIZER_JSON,
     ": added_tokens[0]: \"[UNK]\" has id 0 in the vocabulary, not 1"},
    {"tokenizer_no_model.json", L_TOKENIZER_JSON, ": not a tokenizer.json (no \"model\" object)"},
    {"tokenizer_missing_unk.json", L_TOKENIZER_JSON, ": the unknown token \"[UNK]\" is not in the vocabulary"},
    {"tokenizer_duplicate_key.json", L_TOKENIZER_JSON, ": duplicate key \"normalizer.lowercase\""},
    {"tokenizer_bpe_bad_merge.json", L_TOKENIZER_JSON, ": model.merges[1]: not a merge (\"a b\", or [\"a\", \"b\"])"},
    {"tokenizer_bpe_dropout.json", L_TOKENIZER_JSON, ": model.dropout: BPE dropout is not supported (null or 0)"},
    {"tokenizer_bpe_vocab_ids.json", L_TOKENIZER_JSON,
     ": model.vocab: key \"ab\": the id must be a non-negative integer"},
    {"tokenizer_truncated.json", L_TOKENIZER_JSON, ":1:119: not valid JSON"},
    {"tokenizer_model_unknown.json", L_TOKENIZER_JSON,
     ": model.type \"Unigramm\" is not supported (BPE, WordPiece, WordLevel or Unigram)"},
    {"tokenizer_normalizer_unknown.json", L_TOKENIZER_JSON,
     ": normalizer.normalizers[1].type \"NFKX\" is not supported (NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Replace, Prepend, BertNormalizer, Precompiled, ByteLevel, Nmt or Sequence)"},
    {"tokenizer_pretokenizer_unknown.json", L_TOKENIZER_JSON,
     ": pre_tokenizer.type \"UnicodeScripts\" is not supported (ByteLevel, Split, Metaspace, Whitespace, WhitespaceSplit, Punctuation, Digits, BertPreTokenizer, CharDelimiterSplit or Sequence)"},
    {"tokenizer_regex_bad.json", L_TOKENIZER_JSON,
     ": pre_tokenizer.pretokenizers[0].pattern.Regex: invalid regular expression: missing closing parenthesis (at byte 7)"},
    {"tokenizer_split_behavior.json", L_TOKENIZER_JSON,
     ": pre_tokenizer.behavior: \"Sideways\" is not a behavior (Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)"},
    {"tokenizer_metaspace_scheme.json", L_TOKENIZER_JSON,
     ": pre_tokenizer.prepend_scheme: \"sometimes\" is not a prepend scheme (first, always, never)"},
    {"tokenizer_precompiled_bad.json", L_TOKENIZER_JSON,
     ": normalizer.precompiled_charsmap: not base64 (or out of memory)"},
    {"tokenizer_template_unknown_special.json", L_TOKENIZER_JSON,
     ": post_processor.single[0]: special token \"<s>\" is not in special_tokens (with its \"ids\")"},
    {"tokenizer_postprocessor_unknown.json", L_TOKENIZER_JSON,
     ": post_processor.type \"BertProcessingX\" is not supported (TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel or Sequence)"},
    {"tokenizer_decoder_unknown.json", L_TOKENIZER_JSON,
     ": decoder.decoders[1].type \"Fusion\" is not supported (ByteLevel, Metaspace, ByteFallback, WordPiece, Fuse, Strip, Replace, BPEDecoder, CTC or Sequence)"},
    {"tokenizer_bpe_merge_unknown.json", L_TOKENIZER_JSON,
     ": model.merges[1]: merge of \"zz\", which is not in the vocabulary"},
    {"tokenizer_unigram_score.json", L_TOKENIZER_JSON,
     ": model.vocab[1]: expected [\"piece\", score]"},
    {"tokenizer_unigram_unk_id.json", L_TOKENIZER_JSON,
     ": model.unk_id: expected an integer from 0 to 1"},
    {"tokenizer_bpe_option_type.json", L_TOKENIZER_JSON,
     ": model.byte_fallback: expected true or false"},
    {"tokenizer_version.json", L_TOKENIZER_JSON,
     ": version: \"2.0\" is not a version this reader knows (\"1.0\")"},
    {"tokenizer_invalid_utf8.json", L_TOKENIZER_JSON,
     ":1:47: invalid UTF-8 (byte 0xC3)"},
    {"tokenizer_vocab_id_huge.json", L_TOKENIZER_JSON,
     ": model.vocab: key \"b\": the id must be a non-negative integer"},
};

static void test_bad_files(void)
{
    for (size_t i = 0; i < sizeof bad_files / sizeof *bad_files; i++) {
        char path[256], want[512], name[300]; /* [256] [512] [300] */
        attn_error err = {0, ""};
        snprintf(path, sizeof path, "tests/bad/tokenizer/%s", bad_files[i].file);
        snprintf(want, sizeof want, "%s%s", path, bad_files[i].want);
        snprintf(name, sizeof name, "bad file %s", bad_files[i].file);
        attn_tokenizer *tk = load(bad_files[i].how, path, &err);
        if (tk || err.code != ATTN_EXIT_INPUT || strcmp(err.msg, want) != 0)
            printf("  got %s (code %d) \"%s\"\n  want \"%s\"\n", tk ? "a tokenizer" : "an error", err.code,
                   err.msg, want);
        CHECK(name, !tk && err.code == ATTN_EXIT_INPUT && strcmp(err.msg, want) == 0);
        tokenizer_free(tk);
    }
    /* the companions are valid */
    attn_error err = {0, ""};
    attn_tokenizer *tk = bpe_from_files("tests/bad/tokenizer/small_vocab.json", "tests/bad/tokenizer/merges_ok.txt", &err);
    CHECK("bad files: small_vocab.json + merges_ok.txt load", tk != NULL);
    tokenizer_free(tk);
    CHECK("missing file named", !load(L_TXT, "tests/bad/tokenizer/nope.txt", &err) &&
                                    strcmp(err.msg, "tests/bad/tokenizer/nope.txt: No such file or directory") == 0);
    CHECK("a directory refused", !load(L_TOKENIZER_JSON, "tests/bad/tokenizer", &err) &&
                                     strcmp(err.msg, "tests/bad/tokenizer: is a directory") == 0);
}

/* Every loader refuses a file over 256 MiB before reading it (a sparse
 * file: no disk space used). */
static void test_too_large(void)
{
    char path[] = "/tmp/attnviz-big-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, (off_t)300 << 20) != 0) {
        printf("SKIP too large files: cannot make a sparse file in /tmp\n");
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return;
    }
    close(fd);
    char want[128]; /* [128] */
    snprintf(want, sizeof want, "%s: too large (314572800 bytes; a tokenizer file may have 256 MiB)", path);
    static const loader how[] = {L_TXT, L_VOCAB_JSON, L_TOKENIZER_JSON};
    static const char *const names[] = {"too large vocab.txt", "too large vocab.json", "too large tokenizer.json"};
    for (int i = 0; i < 3; i++) {
        attn_error err = {0, ""};
        attn_tokenizer *tk = load(how[i], path, &err);
        CHECK(names[i], !tk && err.code == ATTN_EXIT_INPUT && strcmp(err.msg, want) == 0);
        tokenizer_free(tk);
    }
    attn_error err = {0, ""};
    attn_tokenizer *tk = load(L_MERGES, path, &err);
    CHECK("too large merges.txt", !tk && strcmp(err.msg, want) == 0);
    tokenizer_free(tk);
    unlink(path);
}

int main(void)
{
    test_wordpiece();
    test_bpe();
    test_tokenizer_json_options();
    test_bad_files();
    test_too_large();
    return test_done();
}
