/* wordlevel.c — the WordLevel model (see models.h): a piece is its own
 * vocabulary entry, or the unk token.
 */
#include "text/tokenizer/models.h"

#include <stdio.h>
#include <string.h>

int wordlevel_read_json(attn_tokenizer *tk, const tkj *j, const cJSON *model)
{
    const char *unk;
    char where[300]; /* [300] "FILE: model.vocab" */
    snprintf(where, sizeof where, "%s: model.vocab", j->file);
    if (sw_vocab_from_json(&tk->v, cJSON_GetObjectItemCaseSensitive(model, "vocab"), where, j->err) != 0) return -1;
    tk->n_model = tk->v.n;
    if (tkj_str(j, model, "unk_token", "model", "<unk>", &unk) != 0) return -1;
    tk->unk = tk_model_find(tk, unk, strlen(unk)); /* needed only for a word not in the vocabulary */
    return 0;
}

int wordlevel_tokenize(const attn_tokenizer *tk, const char *w, size_t n, tk_pieces *out, attn_error *err)
{
    int id = tk_model_find(tk, w, n);
    if (id < 0) id = tk->unk;
    if (id < 0) {
        char q[96]; /* [96] the piece, quoted */
        sw_quote(q, sizeof q, w, n);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s is not in the vocabulary, and its unk token is not either",
                         tk->what, q);
    }
    tk_pieces_push(out, id, 0, n);
    return out->failed ? attn_oom(err, "tokens") : 0;
}
