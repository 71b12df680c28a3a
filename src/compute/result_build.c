/* result_build.c — the parts every reader of result_read.h builds a result
 * with: the matrices and the token lists (see result_read_impl.h). */
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "compute/result_read_impl.h"

int read_alloc(attn_read *r, int n_layers, int n_heads, int n_q, int n_k, attn_error *err)
{
    attn_result *res = &r->res;
    size_t cells = (size_t)n_layers * (size_t)n_heads * (size_t)n_q * (size_t)n_k;
    res->n_layers = n_layers;
    res->n_heads = n_heads;
    res->n_q = n_q;
    res->n_k = n_k;
    res->weights = calloc(cells ? cells : 1, sizeof *res->weights); /* [L][H][n_q][n_k] */
    res->layers = calloc((size_t)n_layers, sizeof *res->layers);    /* [L] */
    res->heads = calloc((size_t)n_heads, sizeof *res->heads);       /* [H] */
    if (!res->weights || !res->layers || !res->heads) return attn_oom(err, r->path);
    return 0;
}

int read_tokens(attn_tokens *t, char *const *texts, int n, const char *what, attn_error *err)
{
    /* one block, as tokenize.h's lists: the tokens, then their texts */
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        const char *s = texts[i] ? texts[i] : "";
        size_t bad;
        if (utf8_validate(s, strlen(s), &bad) != 0)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: token %d is not valid UTF-8", what, i);
        bytes += strlen(s) + 1;
    }
    size_t head = (size_t)(n > 0 ? n : 1) * sizeof *t->tok;
    t->tok = calloc(1, head + bytes); /* [n] tokens, then the texts */
    if (!t->tok) return attn_oom(err, what);
    t->n = n;
    char *arena = (char *)t->tok + head;
    for (int i = 0; i < n; i++) {
        const char *s = texts[i] ? texts[i] : "";
        size_t len = strlen(s) + 1;
        memcpy(arena, s, len);
        t->tok[i].text = arena;
        arena += len;
        t->tok[i].id = -1;
        t->tok[i].word = i;
    }
    return 0;
}

