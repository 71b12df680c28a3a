/* test_subword_parity.c — the subword tokenizers against Hugging Face's ids.
 *
 * Vectors (llama.cpp's format: NAME.inp holds the cases, each followed by
 * "\n__ggml_vocab_test__\n"; NAME.out one line a case, " id" a token, no
 * special tokens; NAME.spans, where present, " start:end" byte spans):
 *   - $REFERENCE_DIR/tokenizer-tests (46 cases each, ids from Hugging Face
 *     tokenizers), the reference's own;
 *   - tests/data/tokenizer-extra (ours: cases written to be hard, ids and
 *     spans from the npm binding of Hugging Face tokenizers, made by
 *     scripts/gen_tokenizer_cases.js).
 * Tokenizers, each one PASS/FAIL line per case:
 *   - BERT from bert-base-uncased/vocab.txt and from its tokenizer.json;
 *   - GPT-2 from gpt2/encoder.json + vocab.bpe, and from a tokenizer.json
 *     this test writes from those two files (laid out like Hugging Face's).
 * Without $REFERENCE_DIR's files every check is a SKIP naming what is
 * missing. Run from the repository root (tests/run.sh does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "text/subword.h"
#include "test.h"

#define SEP TEST_CASE_SEP

/* Checks tk on every case of dir/name.{inp,out[,spans]}; variant names the
 * tokenizer in the check names. */
static void run_vectors(const attn_tokenizer *tk, const char *dir, const char *name, const char *variant)
{
    char p[1024]; /* [1024] file paths */
    snprintf(p, sizeof p, "%s/%s.inp", dir, name);
    size_t inp_len;
    char *inp = test_slurp(p, &inp_len);
    snprintf(p, sizeof p, "%s/%s.out", dir, name);
    char *out = test_slurp(p, NULL);
    snprintf(p, sizeof p, "%s/%s.spans", dir, name);
    char *spans = test_slurp(p, NULL);
    if (!inp || !out) {
        printf("SKIP %s %s: cannot read %s/%s.{inp,out}\n", variant, name, dir, name);
        free(inp);
        free(out);
        free(spans);
        return;
    }
    char *s = inp, *ol = out, *sl = spans;
    int k = 0, mismatched_count = 0;
    for (char *e; (e = test_find_sep(s, inp + inp_len)) != NULL; s = e + strlen(SEP), k++) {
        char *oe = strchr(ol, '\n'), *se = sl ? strchr(sl, '\n') : NULL;
        if (!oe) {
            mismatched_count = 1;
            break;
        }
        *oe = '\0';
        if (se) *se = '\0';
        attn_tokens t;
        attn_error err = {0, ""};
        char nm[256], lb[160]; /* [256] check name; [160] the case's start */
        test_case_label(lb, sizeof lb, s, (size_t)(e - s), 24);
        snprintf(nm, sizeof nm, "%s %s case %d \"%s\"", variant, name, k + 1, lb);
        int ok = tokenizer_encode(tk, s, (size_t)(e - s), &t, &err) == 0, n = 0;
        const char *q = ol, *r = sl;
        char *endp;
        for (int i = 0; ok && i < t.n; i++) {
            long want = strtol(q, &endp, 10);
            if (endp == q || want != t.tok[i].id) ok = 0;
            q = endp;
            if (r) {
                unsigned long a = strtoul(r, &endp, 10), b = 0;
                if (*endp == ':') b = strtoul(endp + 1, &endp, 10);
                if (a != t.tok[i].start || b != t.tok[i].end) ok = 0;
                r = endp;
            }
            n++;
        }
        if (ok) {
            strtol(q, &endp, 10);
            if (endp != q) ok = 0; /* the reference has more ids */
        }
        if (!ok) {
            printf("FAIL %s: got", nm);
            for (int i = 0; i < t.n; i++) printf(" %d@%zu:%zu", t.tok[i].id, t.tok[i].start, t.tok[i].end);
            printf("%s%s; want%s | spans%s\n", err.msg[0] ? " error: " : "", err.msg, ol, sl ? sl : "");
            test_failures_++;
        } else {
            printf("PASS %s\n", nm);
        }
        (void)n;
        tokens_free(&t);
        ol = oe + 1;
        if (se) sl = se + 1;
    }
    if (mismatched_count || *ol) {
        printf("FAIL %s %s: %s.inp and %s.out hold different numbers of cases\n", variant, name, name, name);
        test_failures_++;
    }
    free(inp);
    free(out);
    free(spans);
}

/* The committed extra vectors hang together without any tokenizer: as many
 * cases as .out and .spans lines, as many spans as ids on each line, each
 * span inside its case. */
static void check_extra_shape(const char *name)
{
    char p[256], nm[128]; /* [256] paths; [128] check name */
    size_t inp_len;
    snprintf(p, sizeof p, "tests/data/tokenizer-extra/%s.inp", name);
    char *inp = test_slurp(p, &inp_len);
    snprintf(p, sizeof p, "tests/data/tokenizer-extra/%s.out", name);
    char *out = test_slurp(p, NULL);
    snprintf(p, sizeof p, "tests/data/tokenizer-extra/%s.spans", name);
    char *spans = test_slurp(p, NULL);
    int ok = inp && out && spans, cases = 0;
    char *s = inp, *ol = out, *sl = spans;
    for (char *e; ok && (e = test_find_sep(s, inp + inp_len)) != NULL; s = e + strlen(SEP), cases++) {
        char *oe = strchr(ol, '\n'), *se = strchr(sl, '\n');
        if (!oe || !se) {
            ok = 0;
            break;
        }
        int ids = 0, n_spans = 0;
        for (char *q = ol; q < oe; q++) ids += *q == ' ';
        for (char *q = sl; q < se; q++) {
            if (*q != ' ') continue;
            char *endp;
            unsigned long a = strtoul(q + 1, &endp, 10), b = *endp == ':' ? strtoul(endp + 1, &endp, 10) : 0;
            if (a > b || b > (unsigned long)(e - s)) ok = 0;
            n_spans++;
        }
        if (ids != n_spans) ok = 0;
        ol = oe + 1;
        sl = se + 1;
    }
    snprintf(nm, sizeof nm, "extra vectors %s: cases, ids and spans agree", name);
    CHECK(nm, ok && cases >= 40 && !*ol && !*sl);
    free(inp);
    free(out);
    free(spans);
}

/* Writes a GPT-2 tokenizer.json from encoder.json and vocab.bpe into tmp. */
static int write_gpt2_json(const char *ref, const char *tmp)
{
    char p[1024]; /* [1024] paths */
    snprintf(p, sizeof p, "%s/gpt2/encoder.json", ref);
    char *enc = test_slurp(p, NULL);
    snprintf(p, sizeof p, "%s/gpt2/vocab.bpe", ref);
    char *bpe = test_slurp(p, NULL);
    cJSON *vocab = enc ? cJSON_Parse(enc) : NULL, *root = cJSON_CreateObject();
    int rc = -1;
    if (!vocab || !bpe || !root) goto done;
    cJSON *model = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(model, "type", "BPE");
    cJSON_AddNullToObject(model, "dropout");
    cJSON_AddNullToObject(model, "unk_token");
    cJSON_AddStringToObject(model, "continuing_subword_prefix", "");
    cJSON_AddStringToObject(model, "end_of_word_suffix", "");
    cJSON_AddFalseToObject(model, "fuse_unk");
    cJSON_AddFalseToObject(model, "byte_fallback");
    cJSON_AddItemToObject(model, "vocab", vocab);
    vocab = NULL;
    cJSON *merges = cJSON_AddArrayToObject(model, "merges");
    int line = 0;
    for (char *s = bpe, *e; *s; s = e + (*e != '\0'), line++) {
        e = s + strcspn(s, "\n");
        char c = *e;
        *e = '\0';
        if (!(line == 0 && strncmp(s, "#version", 8) == 0) && *s)
            cJSON_AddItemToArray(merges, cJSON_CreateString(s));
        *e = c;
    }
    cJSON *added = cJSON_AddArrayToObject(root, "added_tokens");
    cJSON *eot = cJSON_CreateObject();
    cJSON_AddNumberToObject(eot, "id", 50256);
    cJSON_AddStringToObject(eot, "content", "<|endoftext|>");
    cJSON_AddFalseToObject(eot, "single_word");
    cJSON_AddFalseToObject(eot, "lstrip");
    cJSON_AddFalseToObject(eot, "rstrip");
    cJSON_AddTrueToObject(eot, "normalized");
    cJSON_AddTrueToObject(eot, "special");
    cJSON_AddItemToArray(added, eot);
    cJSON_AddNullToObject(root, "normalizer");
    cJSON *pre = cJSON_AddObjectToObject(root, "pre_tokenizer");
    cJSON_AddStringToObject(pre, "type", "ByteLevel");
    cJSON_AddFalseToObject(pre, "add_prefix_space");
    cJSON_AddTrueToObject(pre, "trim_offsets");
    cJSON_AddTrueToObject(pre, "use_regex");
    cJSON *post = cJSON_AddObjectToObject(root, "post_processor");
    cJSON_AddStringToObject(post, "type", "ByteLevel");
    cJSON_AddFalseToObject(post, "trim_offsets");
    char *text = cJSON_PrintUnformatted(root);
    FILE *f = text ? fopen(tmp, "wb") : NULL;
    if (f) {
        rc = fputs(text, f) >= 0 ? 0 : -1;
        if (fclose(f) != 0) rc = -1;
    }
    free(text);
done:
    cJSON_Delete(vocab);
    cJSON_Delete(root);
    free(enc);
    free(bpe);
    return rc;
}

/* Runs both vector sets on tk, or SKIPs naming why tk is missing. */
static void run_all(attn_tokenizer *tk, const attn_error *err, const char *ref, const char *name,
                    const char *variant)
{
    char dir[1024]; /* [1024] */
    if (!tk) {
        printf("FAIL %s: cannot load: %s\n", variant, err->msg);
        test_failures_++;
        return;
    }
    snprintf(dir, sizeof dir, "%s/tokenizer-tests", ref);
    run_vectors(tk, dir, name, variant);
    run_vectors(tk, "tests/data/tokenizer-extra", name, variant);
    tokenizer_free(tk);
}

static int have(const char *ref, const char *rel, const char *variant)
{
    char p[1024]; /* [1024] */
    snprintf(p, sizeof p, "%s/%s", ref, rel);
    if (access(p, R_OK) == 0) return 1;
    printf("SKIP %s: %s is missing (the reference data is not here)\n", variant, p);
    return 0;
}

int main(void)
{
    const char *ref = getenv("REFERENCE_DIR");
    char p[1024], q[1024]; /* [1024] paths */
    attn_error err = {0, ""};
    if (!ref) ref = "../shared/reference";
    check_extra_shape("bert-base-uncased");
    check_extra_shape("gpt2");

    if (have(ref, "bert-base-uncased/vocab.txt", "bert vocab.txt")) {
        snprintf(p, sizeof p, "%s/bert-base-uncased/vocab.txt", ref);
        run_all(wordpiece_from_vocab_txt(p, 1, "[UNK]", &err), &err, ref, "bert-base-uncased",
                "bert vocab.txt");
    }
    if (have(ref, "bert-base-uncased/tokenizer.json", "bert tokenizer.json")) {
        snprintf(p, sizeof p, "%s/bert-base-uncased/tokenizer.json", ref);
        run_all(tokenizer_from_json(p, &err), &err, ref, "bert-base-uncased", "bert tokenizer.json");
    }
    if (have(ref, "gpt2/encoder.json", "gpt2 encoder.json") &&
        have(ref, "gpt2/vocab.bpe", "gpt2 encoder.json")) {
        snprintf(p, sizeof p, "%s/gpt2/encoder.json", ref);
        snprintf(q, sizeof q, "%s/gpt2/vocab.bpe", ref);
        run_all(bpe_from_files(p, q, &err), &err, ref, "gpt2", "gpt2 encoder.json+vocab.bpe");
        char tmp[] = "/tmp/attnviz-gpt2-XXXXXX";
        int fd = mkstemp(tmp);
        if (fd < 0 || write_gpt2_json(ref, tmp) != 0) {
            printf("FAIL gpt2 tokenizer.json: cannot write %s\n", tmp);
            test_failures_++;
        } else {
            run_all(tokenizer_from_json(tmp, &err), &err, ref, "gpt2", "gpt2 tokenizer.json");
        }
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
    }
    return test_done();
}
