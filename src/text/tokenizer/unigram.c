/* unigram.c — the Unigram model (see models.h), as tokenizers'
 * Unigram::encode_optimized (itself SentencePiece's EncodeOptimized):
 *
 *   for each character boundary p, every vocabulary piece that starts at p
 *   (found by walking the bytes after p: a hash set of every prefix of
 *   every piece says when to stop) offers the path "best to p, then this
 *   piece" to the boundary where it ends; a boundary keeps the first path
 *   of the highest total score. When no piece is exactly the character at
 *   p, the unk token (score: the lowest score - 10) offers the character.
 *   The best path to the end, read backwards, with consecutive unk
 *   characters joined, gives the pieces; a joined unk string is looked up
 *   again (tokenizers does), then byte_fallback gives its bytes' "<0xNN>"
 *   tokens, else it is the unk token.
 *
 * Scores are doubles read as tokenizers reads them (serde_json without its
 * float_roundtrip: tkj_serde_f64), which is not always strtod's nearest
 * double; near-ties between paths go the same way.
 */
#include "text/tokenizer/models.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNK_PENALTY 10.0

static uint64_t h_start(void) { return 1469598103934665603ull; }
static uint64_t h_step(uint64_t h, unsigned char c) { return (h ^ c) * 1099511628211ull; }
static uint64_t h_key(uint64_t h) { return h | 1; }

static void prefix_add(attn_tokenizer *tk, uint64_t h)
{
    uint32_t mask = tk->pcap - 1, i = (uint32_t)(h >> 20) & mask;
    while (tk->prefix_set[i] && tk->prefix_set[i] != h) i = (i + 1) & mask;
    tk->prefix_set[i] = h;
}

static int prefix_has(const attn_tokenizer *tk, uint64_t h)
{
    uint32_t mask = tk->pcap - 1, i = (uint32_t)(h >> 20) & mask;
    while (tk->prefix_set[i]) {
        if (tk->prefix_set[i] == h) return 1;
        i = (i + 1) & mask;
    }
    return 0;
}

/* The scores as tokenizers reads them (tkj_serde_f64) from the digits of
 * model.vocab in the raw text; 0, or -1 (the parsed doubles stay) when the
 * text is not at hand or not the expected [["piece", score], ...]. */
static int serde_scores(const tkj *j, double *score, int n)
{
    static const char *const keys[] = {"model", "vocab"};
    const char *p, *e;
    if (tkj_raw(j, keys, 2, &p, &e) != 0 || *p != '[') return -1;
    double *tmp = malloc((size_t)n * sizeof *tmp); /* [n] */
    int k = 0, ok = tmp != NULL;
    for (p++; ok && p < e && k < n; k++) {
        /* [ "piece" , number ] */
        while (p < e && *p != '[') p++;
        while (p < e && *p != '"') p++;
        for (p++; p < e && *p != '"'; p++)
            if (*p == '\\') p++;
        while (p < e && (*p == '"' || *p == ' ' || *p == ',' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
        const char *num = p;
        while (p < e && (*p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9'))) p++;
        ok = tkj_serde_f64(num, (size_t)(p - num), &tmp[k]) == 0;
        while (p < e && *p != ']') p++;
        p++;
    }
    if (ok && k == n) memcpy(score, tmp, (size_t)n * sizeof *score);
    free(tmp);
    return ok && k == n ? 0 : -1;
}

static void where_piece(char *dst, size_t cap, const void *ctx, int i)
{
    snprintf(dst, cap, "%s: model.vocab[%d]", (const char *)ctx, i);
}

int unigram_read_json(attn_tokenizer *tk, const tkj *j, const cJSON *model)
{
    const cJSON *vocab;
    long unk;
    if (tkj_array(j, model, "vocab", "model", &vocab) != 0) return -1;
    int n = vocab ? cJSON_GetArraySize(vocab) : 0;
    if (n == 0) return tkj_fail(j, "model.vocab", "empty vocabulary");
    const char **entries = malloc((size_t)n * sizeof *entries); /* [n] */
    size_t *lens = malloc((size_t)n * sizeof *lens);               /* [n] */
    tk->score = malloc((size_t)n * sizeof *tk->score);
    int rc = -1, i = 0;
    if (!entries || !lens || !tk->score) {
        attn_oom(j->err, j->file);
        goto done;
    }
    tk->min_score = INFINITY;
    for (const cJSON *e = vocab->child; e; e = e->next, i++) {
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 2 || !cJSON_IsString(e->child) ||
            !cJSON_IsNumber(e->child->next) || !isfinite(e->child->next->valuedouble)) {
            char at[64]; /* [64] model.vocab[i] */
            snprintf(at, sizeof at, "model.vocab[%d]", i);
            tkj_fail(j, at, "expected [\"piece\", score]");
            goto done;
        }
        entries[i] = e->child->valuestring;
        lens[i] = strlen(entries[i]);
        tk->score[i] = e->child->next->valuedouble;
        if (tk->score[i] < tk->min_score) tk->min_score = tk->score[i];
    }
    if (sw_vocab_build(&tk->v, j->file, entries, lens, n, where_piece, j->file, j->err) != 0) goto done;
    if (serde_scores(j, tk->score, n) == 0) { /* the doubles tokenizers compares */
        tk->min_score = INFINITY;
        for (int k = 0; k < n; k++)
            if (tk->score[k] < tk->min_score) tk->min_score = tk->score[k];
    }
    tk->n_model = n;
    if (tkj_int(j, model, "unk_id", "model", 0, n - 1, -1, &unk) != 0 ||
        tkj_bool(j, model, "byte_fallback", "model", 0, &tk->byte_fallback) != 0)
        goto done;
    tk->unk = (int)unk;
    /* the prefix set: every prefix of every piece */
    size_t total = 0;
    for (int k = 0; k < n; k++) total += lens[k];
    uint32_t cap = 1024;
    while (cap < 2 * total + 2 && cap < (1u << 31)) cap *= 2;
    if (!(tk->prefix_set = calloc(cap, sizeof *tk->prefix_set))) {
        attn_oom(j->err, j->file);
        goto done;
    }
    tk->pcap = cap;
    for (int k = 0; k < n; k++) {
        uint64_t h = h_start();
        for (size_t b = 0; b < lens[k]; b++) {
            h = h_step(h, (unsigned char)entries[k][b]);
            prefix_add(tk, h_key(h));
        }
    }
    bpe_init(tk); /* the "<0xNN>" tokens of byte_fallback */
    rc = 0;
done:
    free(entries);
    free(lens);
    return rc;
}

static int reserve(tk_model_scratch *s, size_t n)
{
    if (n + 1 <= s->cap) return 0;
    size_t cap = n + n / 2 + 16;
    double *b = realloc(s->best, cap * sizeof *b);
    if (b) s->best = b;
    int32_t *f = b ? realloc(s->from, cap * sizeof *f) : NULL;
    if (f) s->from = f;
    int32_t *t = f ? realloc(s->tok, cap * sizeof *t) : NULL;
    if (!t) return -1;
    s->tok = t;
    s->cap = cap;
    return 0;
}

/* Offers the path to e through token id of score sc from p. */
static void offer(tk_model_scratch *s, size_t p, size_t e, int id, double sc)
{
    double cand = sc + s->best[p];
    if (s->from[e] < 0 || cand > s->best[e]) {
        s->best[e] = cand;
        s->from[e] = (int32_t)p;
        s->tok[e] = id;
    }
}

/* Emits the piece w[a, b) as unigram's tokenize() does. */
static int emit(const attn_tokenizer *tk, const char *w, size_t a, size_t b, tk_pieces *out, attn_error *err)
{
    int id = tk_model_find(tk, w + a, b - a);
    if (id < 0 && tk->byte_fallback) {
        size_t k = a;
        while (k < b && tk->byte_tok[(unsigned char)w[k]] >= 0) k++;
        if (k == b) {
            for (k = a; k < b; k++) tk_pieces_push(out, tk->byte_tok[(unsigned char)w[k]], a, b);
            return 0;
        }
    }
    if (id < 0) id = tk->unk;
    if (id < 0) return attn_fail(err, ATTN_EXIT_INPUT, "%s: a character is not in the vocabulary, and there is no unk_id",
                                 tk->what);
    tk_pieces_push(out, id, a, b);
    return 0;
}

int unigram_tokenize(const attn_tokenizer *tk, const char *w, size_t n, tk_model_scratch *s, tk_pieces *out,
                     attn_error *err)
{
    if (n == 0) return 0;
    if (reserve(s, n) != 0) return attn_oom(err, "tokens");
    for (size_t e = 0; e <= n; e++) {
        s->from[e] = -1;
        s->best[e] = 0;
    }
    const double unk_score = tk->min_score - UNK_PENALTY;
    for (size_t p = 0; p < n;) {
        unsigned char c0 = (unsigned char)w[p];
        size_t mb = c0 < 0x80 ? 1 : c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
        if (p + mb > n) mb = n - p;
        int single = 0;
        uint64_t h = h_start();
        for (size_t e = p; e < n;) {
            h = h_step(h, (unsigned char)w[e++]);
            if (!prefix_has(tk, h_key(h))) break;
            if (e < n && ((unsigned char)w[e] & 0xC0) == 0x80) continue; /* inside a character */
            int id = tk_model_find(tk, w + p, e - p);
            if (id < 0) continue;
            offer(s, p, e, id, tk->score[id]);
            if (e - p == mb) single = 1;
        }
        if (!single) {
            if (tk->unk < 0)
                return attn_fail(err, ATTN_EXIT_INPUT,
                                 "%s: a character is not in the vocabulary, and there is no unk_id", tk->what);
            offer(s, p, p + mb, tk->unk, unk_score);
        }
        p += mb;
    }
    /* the path, backwards: (start, end) of each piece, unk runs joined */
    size_t first = out->n, e = n, run_end = 0;
    int in_unk = 0;
    while (e > 0) {
        size_t p = (size_t)s->from[e];
        if (tk->unk >= 0 && s->tok[e] == tk->unk) {
            if (!in_unk) run_end = e;
            in_unk = 1;
        } else {
            if (in_unk) tk_pieces_push(out, -1, e, run_end);
            in_unk = 0;
            tk_pieces_push(out, -1, p, e);
        }
        e = p;
    }
    if (in_unk) tk_pieces_push(out, -1, 0, run_end);
    if (out->failed) return attn_oom(err, "tokens");
    /* forwards again, each piece looked up */
    size_t np = out->n - first;
    tk_piece *tmp = malloc((np ? np : 1) * sizeof *tmp); /* [np] the pieces in order */
    if (!tmp) return attn_oom(err, "tokens");
    for (size_t k = 0; k < np; k++) tmp[k] = out->p[out->n - 1 - k];
    out->n = first;
    int rc = 0;
    for (size_t k = 0; k < np && rc == 0; k++) rc = emit(tk, w, tmp[k].a, tmp[k].b, out, err);
    free(tmp);
    if (rc == 0 && out->failed) rc = attn_oom(err, "tokens");
    return rc;
}
