/* test_spm.c — SentencePiece model files (tokenizer_from_spm,
 * tokenizer_from_marian; src/text/tokenizer/spm.c over Debian's
 * libsentencepiece) on tests/data/spm/tiny.model, whose ids and byte spans
 * SentencePiece's own encoder wrote into tiny.expected
 * (tests/data/spm/make.py): ids, spans, labels, specials, generated ids,
 * a Marian vocab.json, and bad files (empty, truncated, random bytes,
 * missing), each refused with ATTN_EXIT_INPUT naming the file.
 * Run from the repository root (tests/run.sh does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text/subword.h"
#include "test.h"

#define MODEL "tests/data/spm/tiny.model"
#define EXPECTED "tests/data/spm/tiny.expected"

static const char *const SENTENCES[] = {"The animal didn't cross the street.", "Hello \xE6\x97\xA5\xE6\x9C\xAC \xE2\x98\x83!",
                                        "  two  spaces  ", "x"};

/* tokens of s as "id:start:end" joined by spaces, the text's own only */
static void encoded(const attn_tokenizer *tk, const char *s, char *out, size_t cap, attn_tokens *t)
{
    attn_error err = {0, ""};
    out[0] = '\0';
    if (tokenizer_encode(tk, s, strlen(s), t, &err) != 0) {
        snprintf(out, cap, "error: %s", err.msg);
        return;
    }
    size_t k = 0;
    for (int i = 0; i < t->n && k < cap; i++)
        if (!t->tok[i].special)
            k += (size_t)snprintf(out + k, cap - k, "%s%d:%zu:%zu", k ? " " : "", t->tok[i].id, t->tok[i].start,
                                  t->tok[i].end);
}

/* a file of len bytes of data under dir; returns its path (static) */
static const char *write_file(const char *dir, const char *name, const void *data, size_t len)
{
    static char path[512]; /* [512] */
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
    return path;
}

static void refused(const char *name, attn_tokenizer *tk, const attn_error *err, const char *file)
{
    char n[128]; /* [128] */
    snprintf(n, sizeof n, "%s-refused", name);
    CHECK(n, tk == NULL && err->code == ATTN_EXIT_INPUT);
    snprintf(n, sizeof n, "%s-names-the-file", name);
    CHECK(n, strstr(err->msg, file) != NULL && !strchr(err->msg, '\n'));
    if (tk) tokenizer_free(tk);
}

int main(void)
{
    attn_error err = {0, ""};
    attn_tokenizer *tk = tokenizer_from_spm(MODEL, 0, 1, &err);
    CHECK("load", tk != NULL);
    if (!tk) {
        printf("# %s\n", err.msg);
        return test_done();
    }
    CHECK("kind", tokenizer_kind(tk) == SUBWORD_SENTENCEPIECE);
    CHECK("vocabulary-is-the-pieces", tokenizer_vocab_size(tk) > 259 && tokenizer_token_id(tk, "</s>") == 2 &&
                                          tokenizer_token_id(tk, "<unk>") == 0 &&
                                          !strcmp(tokenizer_token_text(tk, 1), "<s>"));
    CHECK("use-default-specials", tokenizer_use_default_specials(tk, &err) == 0);

    /* ids and spans: SentencePiece's */
    size_t elen = 0;
    char *expected = test_slurp(EXPECTED, &elen);
    CHECK("expected-file", expected != NULL);
    char *line = expected, got[4096]; /* [4096] */
    for (size_t c = 0; expected && c < sizeof SENTENCES / sizeof *SENTENCES; c++) {
        char *nl = strchr(line, '\n'), name[64]; /* [64] */
        if (nl) *nl = '\0';
        attn_tokens t = {0};
        encoded(tk, SENTENCES[c], got, sizeof got, &t);
        snprintf(name, sizeof name, "sentence-%zu-ids-spans", c + 1);
        CHECK_STR(name, got, line);
        snprintf(name, sizeof name, "sentence-%zu-eos-last", c + 1);
        CHECK(name, t.n > 0 && t.tok[t.n - 1].special && t.tok[t.n - 1].id == 2 && !strcmp(t.tok[t.n - 1].text, "</s>") &&
                        t.tok[t.n - 1].start == strlen(SENTENCES[c]));
        if (c == 1 && t.n >= 8) { /* "Hello 日本 ☃!": ▁ H e l l o ▁ <0xE6> <0x97> <0xA5> ... */
            CHECK_STR("label-first-space", t.tok[0].text, "\xE2\x90\xA3");
            CHECK_STR("label-byte-piece", t.tok[7].text, "\xE6\x97\xA5(1/3)");
            CHECK_STR("label-byte-piece-3", t.tok[9].text, "\xE6\x97\xA5(3/3)");
            CHECK_STR("label-space", t.tok[6].text, "\xE2\x90\xA3");
        }
        if (c == 0) {
            /* a generated </s> is special; a generated piece is labelled */
            int ids[2] = {tokenizer_token_id(tk, "\xE2\x96\x81"), 2};
            int n0 = t.n;
            CHECK("append-ids", tokenizer_append_ids(tk, &t, ids, 2, strlen(SENTENCES[0]), &err) == 0 && t.n == n0 + 2);
            CHECK("append-ids-eos-special", t.n == n0 + 2 && t.tok[n0 + 1].special && t.tok[n0 + 1].generated &&
                                                !strcmp(t.tok[n0 + 1].text, "</s>"));
            CHECK("append-ids-space-label", t.n == n0 + 2 && !strcmp(t.tok[n0].text, "\xE2\x90\xA3"));
        }
        tokens_free(&t);
        line = nl ? nl + 1 : line + strlen(line);
    }
    free(expected);
    /* "</s>" typed in the text is text, as SentencePiece reads it */
    attn_tokens t = {0};
    encoded(tk, "a </s>", got, sizeof got, &t);
    int specials = 0;
    for (int i = 0; i < t.n; i++) specials += t.tok[i].special;
    CHECK("typed-eos-is-text", specials == 1 && t.n > 3);
    tokens_free(&t);
    /* invalid UTF-8 */
    CHECK("invalid-utf8", tokenizer_encode(tk, "a\xFF", 2, &t, &err) != 0 && err.code == ATTN_EXIT_INPUT);

    /* Llama: <s> first */
    attn_tokenizer *ll = tokenizer_from_spm(MODEL, 1, 0, &err);
    CHECK("llama-load", ll && tokenizer_use_default_specials(ll, &err) == 0);
    if (ll && tokenizer_encode(ll, "x", 1, &t, &err) == 0) {
        CHECK("llama-bos-first", t.n == 3 && t.tok[0].special && t.tok[0].id == 1 && !t.tok[2].special);
        tokens_free(&t);
    }
    tokenizer_free(ll);

    /* bad files */
    char dir[] = "/tmp/attnviz-test-spm-XXXXXX";
    CHECK("tmpdir", mkdtemp(dir) != NULL);
    size_t mlen = 0;
    char *model = test_slurp(MODEL, &mlen);
    const char *p = write_file(dir, "empty.model", "", 0);
    refused("empty", tokenizer_from_spm(p, 0, 1, &err), &err, p);
    CHECK("empty-says-empty", strstr(err.msg, "empty file") != NULL);
    p = write_file(dir, "truncated.model", model, mlen / 2);
    refused("truncated", tokenizer_from_spm(p, 0, 1, &err), &err, p);
    char junk[3000]; /* [3000] seeded bytes */
    srand(19);
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (char)(rand() & 0xFF);
    p = write_file(dir, "random.model", junk, sizeof junk);
    refused("random", tokenizer_from_spm(p, 0, 1, &err), &err, p);
    refused("missing", tokenizer_from_spm("tests/data/spm/no-such.model", 0, 1, &err), &err,
            "tests/data/spm/no-such.model");

    /* Marian: vocab.json maps the pieces (in reverse order) to model ids */
    char json[16384]; /* [16384] */
    size_t k = (size_t)snprintf(json, sizeof json, "{\"</s>\": 0, \"<unk>\": 1, \">>fr<<\": 2, \"<pad>\": 3");
    int n = tokenizer_vocab_size(tk), next = 4;
    for (int id = n - 1; id >= 3 && k < sizeof json - 64; id--) {
        const char *s = tokenizer_token_text(tk, id);
        k += (size_t)snprintf(json + k, sizeof json - k, ", \"%s\": %d", s, next++);
    }
    snprintf(json + k, sizeof json - k, "}");
    char vpath[512]; /* [512] */
    snprintf(vpath, sizeof vpath, "%s", write_file(dir, "vocab.json", json, strlen(json)));
    attn_tokenizer *m = tokenizer_from_marian(MODEL, vpath, "<unk>", "</s>", "<pad>", &err);
    CHECK("marian-load", m && tokenizer_use_default_specials(m, &err) == 0);
    if (m) {
        const char *s = ">>fr<< The street </s>x";
        attn_tokens a = {0}, b = {0}, c = {0};
        int ok = tokenizer_encode(m, s, strlen(s), &a, &err) == 0 &&
                 tokenizer_encode(tk, " The street ", 12, &b, &err) == 0 && tokenizer_encode(tk, "x", 1, &c, &err) == 0;
        CHECK("marian-encode", ok);
        /* >>fr<< (2), the pieces of " The street " at their vocab.json ids,
         * "</s>" typed (0), the pieces of "x", "</s>" added (0) */
        int nb = b.n - 1, nc = c.n - 1; /* without tk's </s> */
        int good = ok && a.n == 1 + nb + 1 + nc + 1 && a.tok[0].id == 2 && a.tok[0].start == 0 && a.tok[0].end == 6;
        for (int i = 0; good && i < nb; i++)
            good = a.tok[1 + i].id == tokenizer_token_id(m, tokenizer_token_text(tk, b.tok[i].id)) &&
                   a.tok[1 + i].start == b.tok[i].start + 6 && a.tok[1 + i].end == b.tok[i].end + 6;
        for (int i = 0; good && i < nc; i++)
            good = a.tok[2 + nb + i].id == tokenizer_token_id(m, tokenizer_token_text(tk, c.tok[i].id)) &&
                   a.tok[2 + nb + i].end == c.tok[i].end + 22;
        CHECK("marian-ids-from-vocab-json", good);
        CHECK("marian-typed-eos-is-eos", good && a.tok[1 + nb].id == 0 && !a.tok[1 + nb].special &&
                                             a.tok[1 + nb].start == 18 && a.tok[1 + nb].end == 22 &&
                                             a.tok[a.n - 1].id == 0 && a.tok[a.n - 1].special);
        tokens_free(&c);
        tokens_free(&a);
        tokens_free(&b);
        tokenizer_free(m);
    }
    refused("marian-no-eos", tokenizer_from_marian(MODEL, vpath, "<unk>", "<eos>", "<pad>", &err), &err, vpath);
    p = write_file(dir, "bad.spm", junk, 100);
    char spath[512]; /* [512] */
    snprintf(spath, sizeof spath, "%s", p);
    refused("marian-bad-spm", tokenizer_from_marian(spath, vpath, "<unk>", "</s>", "<pad>", &err), &err, spath);

    const char *names[] = {"empty.model", "truncated.model", "random.model", "vocab.json", "bad.spm"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char q[600]; /* [600] */
        snprintf(q, sizeof q, "%s/%s", dir, names[i]);
        unlink(q);
    }
    rmdir(dir);
    free(model);
    tokenizer_free(tk);
    return test_done();
}
