/* words.c — see words.h. */
#include "text/words.h"

#include <stdlib.h>
#include <string.h>

/* 1 if text[s..e) is only spaces, tabs and line breaks. */
static int blank(const char *text, size_t s, size_t e)
{
    for (size_t i = s; i < e; i++)
        if (!strchr(" \t\n\r\v\f", text[i]) || !text[i]) return 0;
    return 1;
}

int tokens_assign_words(attn_tokens *t, const char *text, size_t len, attn_error *err)
{
    attn_tokens w = {0};
    if (tokenize_words(text, len, 0, &w, err)) return -1;
    int k = 0, next = 0, prev_key = -1;
    for (int i = 0; i < t->n; i++) {
        attn_token *tok = &t->tok[i];
        int key = -1; /* the word it overlaps first, or -1: a group of its own */
        if (!tok->special) {
            while (k < w.n && w.tok[k].end <= tok->start) k++;
            if (k < w.n && w.tok[k].start < tok->end) key = k;
            else if (k < w.n && blank(text, tok->start, tok->end)) key = k; /* spaces go with the next word */
        }
        if (key < 0 || key != prev_key) next++;
        tok->word = next - 1;
        prev_key = key;
    }
    tokens_free(&w);
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The span of the text the count tokens from first cover: from the
 * smallest start to the largest end. Not the first token's start and the
 * last one's end: a tokenizer may give a word's pieces out of text order
 * (tokenizers' BPE with byte_fallback emits a fused unknown token after
 * the byte tokens of the character that follows it). */
static void span(const attn_tokens *t, int first, int count, size_t *s, size_t *e)
{
    *s = t->tok[first].start;
    *e = t->tok[first].end;
    for (int i = first + 1; i < first + count; i++) {
        if (t->tok[i].start < *s) *s = t->tok[i].start;
        if (t->tok[i].end > *e) *e = t->tok[i].end;
    }
}

/* The label of the group whose first token is a and whose span() is
 * [s, e): its length, and in *src where its bytes are. */
static size_t label(const attn_token *a, const char *text, size_t s, size_t e, int by_word, const char **src)
{
    if (by_word && !a->special) {
        while (s < e && is_space(text[s])) s++;
        while (e > s && is_space(text[e - 1])) e--;
    }
    if (!by_word || a->special || s == e) { /* a token, a special, or only whitespace */
        if (src) *src = a->text;
        return strlen(a->text);
    }
    if (src) *src = text + s;
    return e - s;
}

int tokens_group(const attn_tokens *t, const char *text, int by_word, int drop_special, attn_tokens *out,
                 int **group, attn_error *err)
{
    int *g = malloc(((size_t)t->n + 1) * sizeof *g);  /* [n] group of each token */
    int *first = malloc(((size_t)t->n + 1) * sizeof *first); /* [groups] first token */
    int *count = calloc((size_t)t->n + 1, sizeof *count);    /* [groups] tokens in it */
    if (!g || !first || !count) {
        free(g), free(first), free(count);
        return attn_oom(err, "tokens");
    }
    int n_groups = 0;
    for (int i = 0; i < t->n; i++) {
        if (drop_special && t->tok[i].special) {
            g[i] = -1;
            continue;
        }
        int same = by_word && n_groups > 0 && i > 0 && !t->tok[i].special && g[i - 1] == n_groups - 1 &&
                   t->tok[i - 1].word == t->tok[i].word;
        if (!same) first[n_groups++] = i;
        g[i] = n_groups - 1;
        count[g[i]]++;
    }
    /* the labels: a word its span of the text, without the spaces GPT-2's
     * pieces carry; a token (or a special) its own text */
    size_t bytes = 0;
    for (int k = 0; k < n_groups; k++) {
        size_t s, e;
        span(t, first[k], count[k], &s, &e);
        bytes += label(&t->tok[first[k]], text, s, e, by_word, NULL) + 1;
    }
    attn_token *tok = malloc((size_t)n_groups * sizeof *tok + bytes + 1); /* tokens, then texts */
    if (!tok) {
        free(g), free(first), free(count);
        return attn_oom(err, "tokens");
    }
    char *p = (char *)(tok + n_groups);
    for (int k = 0; k < n_groups; k++) {
        const attn_token *a = &t->tok[first[k]];
        const char *src;
        size_t s, e;
        span(t, first[k], count[k], &s, &e);
        size_t n = label(a, text, s, e, by_word, &src);
        memcpy(p, src, n);
        p[n] = '\0';
        tok[k] = (attn_token){.text = p, .id = count[k] == 1 ? a->id : -1, .start = s, .end = e,
                              .word = k, .special = a->special, .generated = a->generated};
        p += n + 1;
    }
    out->tok = tok;
    out->n = n_groups;
    *group = g;
    free(first);
    free(count);
    return 0;
}
