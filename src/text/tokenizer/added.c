/* added.c — finding added tokens in a text (see core.h), as tokenizers'
 * AddedVocabulary does with an Aho-Corasick automaton in LeftmostLongest
 * mode: the match that starts first, the longest of those; the next search
 * starts after it. The texts are kept in a hash table, and at each byte
 * that some text starts with, the lengths there are tried longest first.
 */
#include "text/tokenizer/core.h"

#include <stdlib.h>
#include <string.h>

static void set_free(tk_added_set *s)
{
    sw_vocab_free(&s->texts);
    free(s->idx);
    free(s->lens);
    memset(s, 0, sizeof *s);
}

void tk_added_free(attn_tokenizer *tk)
{
    set_free(&tk->raw);
    set_free(&tk->normd);
    tk_regex_free(tk->word_re);
    tk->word_re = NULL;
}

static int cmp_len(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b; /* first byte << 16 | length: by byte, longest first */
    if ((*x >> 16) != (*y >> 16)) return (*x >> 16) < (*y >> 16) ? -1 : 1;
    return (*x & 0xFFFF) > (*y & 0xFFFF) ? -1 : (*x & 0xFFFF) < (*y & 0xFFFF);
}

static int set_build(attn_tokenizer *tk, tk_added_set *s, int normalized, attn_error *err)
{
    int n = 0;
    for (int i = 0; i < tk->n_added; i++) n += tk->added[i].normalized == normalized && tk->added[i].len > 0;
    if (n == 0) return 0;
    uint32_t *keys = malloc((size_t)n * sizeof *keys); /* [n] first byte << 16 | length */
    s->idx = malloc((size_t)n * sizeof *s->idx);
    s->lens = malloc((size_t)n * sizeof *s->lens);
    if (!keys || !s->idx || !s->lens || sw_vocab_init(&s->texts, n, 64, err) != 0) {
        free(keys);
        return attn_oom(err, "added tokens");
    }
    int k = 0;
    for (int i = 0; i < tk->n_added; i++) {
        const sw_added *a = &tk->added[i];
        if (a->normalized != normalized || a->len == 0) continue;
        int dup, id = sw_vocab_add(&s->texts, a->text, a->len, &dup, err);
        if (id == -1) {
            free(keys);
            return -1;
        }
        if (id == -2) continue; /* the same text twice: the first one matches */
        s->idx[id] = i;
        keys[k++] = (uint32_t)(unsigned char)a->text[0] << 16 | (uint32_t)(a->len > 0xFFFF ? 0xFFFF : a->len);
    }
    qsort(keys, (size_t)k, sizeof *keys, cmp_len);
    /* distinct lengths per first byte */
    int w = 0;
    for (int i = 0; i < k; i++)
        if (w == 0 || keys[i] != keys[w - 1]) keys[w++] = keys[i];
    memset(s->at, 0, sizeof s->at);
    for (int i = 0; i < w; i++) {
        s->lens[i] = (uint16_t)(keys[i] & 0xFFFF);
        s->at[(keys[i] >> 16) + 1]++;
    }
    for (int b = 0; b < 256; b++) s->at[b + 1] += s->at[b];
    free(keys);
    return 0;
}

int tk_added_build(attn_tokenizer *tk, attn_error *err)
{
    char why[200]; /* [200] */
    tk_added_free(tk);
    if (set_build(tk, &tk->raw, 0, err) != 0 || set_build(tk, &tk->normd, 1, err) != 0) return -1;
    for (int i = 0; i < tk->n_added; i++)
        if (tk->added[i].single_word && !tk->word_re) {
            tk->word_re = tk_regex_new_pcre("[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]", why, sizeof why);
            if (!tk->word_re) return attn_fail(err, ATTN_EXIT_RUNTIME, "added tokens: %s", why);
        }
    return 0;
}

int tk_added_next(const tk_added_set *set, const char *s, size_t len, size_t from, int *idx, size_t *ms,
                  size_t *me)
{
    if (set->texts.n == 0) return 0;
    for (size_t p = from; p < len; p++) {
        unsigned char b = (unsigned char)s[p];
        for (uint32_t k = set->at[b]; k < set->at[b + 1]; k++) {
            size_t n = set->lens[k];
            if (n > len - p) continue;
            int id = sw_vocab_find(&set->texts, s + p, n);
            if (id < 0) continue;
            *idx = set->idx[id];
            *ms = p;
            *me = p + n;
            return 1;
        }
    }
    return 0;
}
