/* bpe.c — the BPE model (see models.h): the merge table, and the readers
 * of a tokenizer.json "BPE" model and of vocab.json + merges.txt (GPT-2 and
 * RoBERTa files without a tokenizer.json, read as their tokenizer.json
 * would be: a ByteLevel pre-tokenizer without a prefix space, the ByteLevel
 * decoder, and their special tokens as added tokens).
 */
#include "text/tokenizer/models.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

void bpe_init(attn_tokenizer *tk)
{
    for (int b = 0; b < 256; b++) {
        char u[8]; /* [8] "<0xNN>" */
        snprintf(u, sizeof u, "<0x%02X>", b);
        tk->byte_tok[b] = tk->byte_fallback ? tk_model_find(tk, u, 6) : -1;
    }
}

/* ---- the merge table ---- */

static uint32_t pair_slot(const sw_merges *m, uint64_t key)
{
    uint32_t mask = m->cap - 1, i = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (m->slot[i].key != UINT64_MAX && m->slot[i].key != key) i = (i + 1) & mask;
    return i;
}

int bpe_pair(const sw_merges *m, int a, int b, int *merged)
{
    if (m->n == 0) return -1;
    const sw_merge *e = &m->slot[pair_slot(m, (uint64_t)(uint32_t)a << 32 | (uint32_t)b)];
    if (e->key == UINT64_MAX) return -1;
    *merged = e->merged;
    return e->rank;
}

/* Rehashes the table into cap slots (a power of two, more than 2 * n). */
static int merges_resize(sw_merges *m, uint32_t cap)
{
    sw_merge *slot = malloc((size_t)cap * sizeof *slot);
    if (!slot) return -1;
    sw_merges nm = {slot, cap, m->n};
    for (uint32_t i = 0; i < cap; i++) slot[i].key = UINT64_MAX;
    for (uint32_t i = 0; i < m->cap; i++)
        if (m->slot[i].key != UINT64_MAX) slot[pair_slot(&nm, m->slot[i].key)] = m->slot[i];
    free(m->slot);
    *m = nm;
    return 0;
}

size_t bpe_split_merge(const char *s, size_t n)
{
    const char *sp = memchr(s, ' ', n);
    if (!sp || sp == s || sp == s + n - 1 || memchr(sp + 1, ' ', n - (size_t)(sp + 1 - s))) return 0;
    return (size_t)(sp - s);
}

int bpe_reserve_merges(attn_tokenizer *tk, int n, attn_error *err)
{
    uint32_t cap = 1024;
    while (cap < 2u * (uint32_t)n + 2 && cap < (1u << 30)) cap *= 2;
    if (cap > tk->m.cap && merges_resize(&tk->m, cap) != 0) return attn_oom(err, "merges");
    return 0;
}

/* Where merge idx is: "FILE:LINE" (label NULL, idx the line) or "FILE: LABEL[IDX]". */
static const char *where(char *dst, size_t cap, const char *file, const char *label, int idx)
{
    if (label)
        snprintf(dst, cap, "%s: %s[%d]", file, label, idx);
    else
        snprintf(dst, cap, "%s:%d", file, idx);
    return dst;
}

int bpe_add_merge(attn_tokenizer *tk, const char *a, size_t alen, const char *b, size_t blen,
                  const char *file, const char *label, int idx, attn_error *err)
{
    char q[96], cat[512], at[300]; /* [96] a token quoted; [512] a + b; [300] where */
    int ia = tk_model_find(tk, a, alen), ib = tk_model_find(tk, b, blen);
    if (ia < 0 || ib < 0) {
        sw_quote(q, sizeof q, ia < 0 ? a : b, ia < 0 ? alen : blen);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: merge of %s, which is not in the vocabulary",
                         where(at, sizeof at, file, label, idx), q);
    }
    /* the merged token: a, then b without its continuing_subword_prefix */
    if (tk->prefix_len > blen || (tk->prefix_len && memcmp(b, tk->prefix, tk->prefix_len) != 0)) {
        sw_quote(q, sizeof q, b, blen);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s does not start with the continuing_subword_prefix",
                         where(at, sizeof at, file, label, idx), q);
    }
    b += tk->prefix_len;
    blen -= tk->prefix_len;
    char *ab = alen + blen <= sizeof cat ? cat : malloc(alen + blen);
    if (!ab) return attn_oom(err, "merges");
    memcpy(ab, a, alen);
    memcpy(ab + alen, b, blen);
    int im = tk_model_find(tk, ab, alen + blen);
    if (im < 0) sw_quote(q, sizeof q, ab, alen + blen);
    if (ab != cat) free(ab);
    if (im < 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: the merged token %s is not in the vocabulary",
                         where(at, sizeof at, file, label, idx), q);
    sw_merges *m = &tk->m;
    if ((uint32_t)(m->n + 1) * 2 > m->cap && merges_resize(m, m->cap ? m->cap * 2 : 1024) != 0)
        return attn_oom(err, "merges");
    uint64_t key = (uint64_t)(uint32_t)ia << 32 | (uint32_t)ib;
    sw_merge *e = &m->slot[pair_slot(m, key)];
    if (e->key != UINT64_MAX)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: duplicate merge (the same pair is merge %d)",
                         where(at, sizeof at, file, label, idx), e->rank + 1);
    *e = (sw_merge){key, m->n++, im};
    return 0;
}

/* ---- a tokenizer.json model ---- */

int bpe_read_json(attn_tokenizer *tk, const tkj *j, const cJSON *model)
{
    const char *s;
    const cJSON *dropout = cJSON_GetObjectItemCaseSensitive(model, "dropout");
    char where[300]; /* [300] "FILE: model.vocab" */
    if (dropout && !cJSON_IsNull(dropout) && !(cJSON_IsNumber(dropout) && dropout->valuedouble == 0))
        return tkj_fail(j, "model.dropout", "BPE dropout is not supported (null or 0)");
    snprintf(where, sizeof where, "%s: model.vocab", j->file);
    if (sw_vocab_from_json(&tk->v, cJSON_GetObjectItemCaseSensitive(model, "vocab"), where, j->err) != 0) return -1;
    tk->n_model = tk->v.n;
    if (tkj_str(j, model, "continuing_subword_prefix", "model", NULL, &s)) return -1;
    if (s && *s && !(tk->prefix = strdup(s))) return attn_oom(j->err, j->file);
    tk->prefix_len = tk->prefix ? strlen(tk->prefix) : 0;
    if (tkj_str(j, model, "end_of_word_suffix", "model", NULL, &s)) return -1;
    if (s && *s && !(tk->suffix = strdup(s))) return attn_oom(j->err, j->file);
    tk->suffix_len = tk->suffix ? strlen(tk->suffix) : 0;
    if (tkj_bool(j, model, "byte_fallback", "model", 0, &tk->byte_fallback) ||
        tkj_bool(j, model, "fuse_unk", "model", 0, &tk->fuse_unk) ||
        tkj_bool(j, model, "ignore_merges", "model", 0, &tk->ignore_merges) ||
        tkj_str(j, model, "unk_token", "model", NULL, &s))
        return -1;
    if (s && (tk->unk = tk_model_find(tk, s, strlen(s))) < 0)
        return tkj_fail(j, "model.unk_token", "%s is not in the vocabulary", tkj_q(s));

    const cJSON *merges;
    if (tkj_array(j, model, "merges", "model", &merges) != 0) return -1;
    if (!merges) return tkj_fail(j, "model.merges", "missing");
    if (bpe_reserve_merges(tk, cJSON_GetArraySize(merges), j->err) != 0) return -1;
    int i = 0;
    for (const cJSON *m = merges->child; m; m = m->next, i++) {
        const char *a = NULL, *b = NULL;
        size_t al = 0, bl = 0;
        if (cJSON_IsString(m) && (al = bpe_split_merge(m->valuestring, strlen(m->valuestring))) > 0) {
            a = m->valuestring;
            b = a + al + 1;
            bl = strlen(b);
        } else if (cJSON_IsArray(m) && cJSON_GetArraySize(m) == 2 && cJSON_IsString(m->child) &&
                   cJSON_IsString(m->child->next)) {
            a = m->child->valuestring;
            b = m->child->next->valuestring;
            al = strlen(a);
            bl = strlen(b);
        }
        if (!a || !al || !bl)
            return attn_fail(j->err, ATTN_EXIT_INPUT, "%s: model.merges[%d]: not a merge (\"a b\", or [\"a\", \"b\"])",
                             j->file, i);
        if (bpe_add_merge(tk, a, al, b, bl, j->file, "model.merges", i, j->err) != 0) return -1;
    }
    return 0;
}

/* ---- vocab.json + merges.txt ---- */

/* GPT-2's and RoBERTa's special tokens, where the vocabulary has them
 * (RoBERTa's <mask> takes the space before it). */
static int finish_plain(attn_tokenizer *tk, attn_error *err)
{
    static const char *const names[] = {"<|endoftext|>", "<s>", "</s>", "<unk>", "<pad>", "<mask>"};
    bpe_init(tk);
    if (tk_pretokenizer_bytelevel(&tk->pre, 0, err) != 0 || sw_add_decoder(tk, TD_BYTELEVEL, err) != 0) return -1;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        int id = tokenizer_token_id(tk, names[i]);
        if (id >= 0 && sw_add_token(tk, id, i == 5, 0, 0, 0, 1, err) != 0) return -1;
    }
    return tk_added_build(tk, err);
}

attn_tokenizer *bpe_from_files(const char *vocab_json, const char *merges_txt, attn_error *err)
{
    size_t len;
    char *text = sw_read_file(vocab_json, &len, err), *mt = NULL;
    attn_tokenizer *tk = text ? sw_new(vocab_json, err) : NULL;
    if (!tk || sw_vocab_from_json_text(&tk->v, text, len, vocab_json, err) != 0) goto fail;
    tk->n_model = tk->v.n;
    free(text);
    text = NULL;
    if (!(mt = sw_read_file(merges_txt, &len, err))) goto fail;
    int lines = 1;
    for (const char *q = mt; (q = memchr(q, '\n', len - (size_t)(q - mt))) != NULL; q++) lines++;
    if (bpe_reserve_merges(tk, lines, err) != 0) goto fail;
    size_t p = 0;
    for (int line = 1; p < len; line++) {
        const char *s = mt + p, *nl = memchr(s, '\n', len - p);
        size_t n = nl ? (size_t)(nl - s) : len - p;
        p += n + 1;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (line == 1 && n >= 8 && memcmp(s, "#version", 8) == 0) continue;
        size_t a = memchr(s, '\0', n) ? 0 : bpe_split_merge(s, n);
        if (!a) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s:%d: not a merge (two tokens separated by one space)",
                      merges_txt, line);
            goto fail;
        }
        if (bpe_add_merge(tk, s, a, s + a + 1, n - a - 1, merges_txt, NULL, line, err)) goto fail;
    }
    free(mt);
    if (finish_plain(tk, err) != 0) goto fail;
    return tk;
fail:
    free(text);
    free(mt);
    tokenizer_free(tk);
    return NULL;
}

attn_tokenizer *bpe_from_lists(const char *const *vocab, int n_vocab, const char *const *merges,
                               int n_merges, const char *what, attn_error *err)
{
    attn_tokenizer *tk = sw_from_list(vocab, n_vocab, what, err);
    if (!tk || bpe_reserve_merges(tk, n_merges, err) != 0) goto fail;
    for (int i = 0; i < n_merges; i++) {
        const char *s = merges[i] ? merges[i] : "";
        size_t n = strlen(s), a = bpe_split_merge(s, n);
        if (!a) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: merges[%d]: not a merge (two tokens separated by one space)",
                      tk->what, i);
            goto fail;
        }
        if (bpe_add_merge(tk, s, a, s + a + 1, n - a - 1, tk->what, "merges", i, err)) goto fail;
    }
    if (finish_plain(tk, err) != 0) goto fail;
    return tk;
fail:
    tokenizer_free(tk);
    return NULL;
}
