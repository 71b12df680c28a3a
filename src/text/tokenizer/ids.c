/* ids.c — tokenizer_append_ids() (subword.h): tokens from ids a model
 * generated after the text, labelled as the encoder labels tokens: the
 * decoder's labels (decoder.h) of the text's tokens and the new ones as one
 * sequence, so that a space marker, a Metaspace start or byte-fallback
 * pieces read as they would had the text contained the continuation. The
 * text's own tokens keep their labels. An added special token (an end of
 * sequence) keeps its text and is marked special; an id past the
 * vocabulary (a padding row of the model's embeddings) is labelled
 * "<id:N>". */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "text/subword.h"
#include "text/tokenizer/decoder.h"

static int is_special(const attn_tokenizer *tk, int id)
{
    for (int i = 0; i < tk->n_added; i++)
        if (tk->added[i].id == id) return tk->added[i].special;
    return 0;
}

int tokenizer_append_ids(const attn_tokenizer *tk, attn_tokens *t, const int *ids, int n, size_t text_len,
                         attn_error *err)
{
    const int total = t->n + n;
    attn_token *seq = calloc((size_t)total + 1, sizeof *seq); /* [total] the known ids, for the labels */
    size_t *off = malloc(((size_t)total + 1) * sizeof *off);   /* [total] each label's offset */
    int *at = malloc(((size_t)n + 1) * sizeof *at);             /* [n] index in seq, or -1 */
    attn_buf labels, texts;
    buf_init(&labels);
    buf_init(&texts);
    tk_scratch sc = {0};
    int rc = seq && off && at ? 0 : attn_oom(err, "tokens"), m = 0;
    for (int i = 0; rc == 0 && i < t->n; i++) seq[m++] = t->tok[i];
    for (int i = 0; rc == 0 && i < n; i++) {
        at[i] = ids[i] >= 0 && ids[i] < tk->v.n ? m : -1;
        if (at[i] >= 0) seq[m++] = (attn_token){.id = ids[i], .special = is_special(tk, ids[i])};
    }
    if (rc == 0) rc = tk_labels(tk, seq, m, &sc, &labels, off, err);
    /* the texts: the text's tokens as they were, then the new labels */
    size_t *toff = rc == 0 ? malloc(((size_t)total + 1) * sizeof *toff) : NULL; /* [total] */
    if (rc == 0 && !toff) rc = attn_oom(err, "tokens");
    for (int i = 0; rc == 0 && i < total; i++) {
        toff[i] = texts.len;
        if (i < t->n) buf_puts(&texts, t->tok[i].text);
        else if (at[i - t->n] >= 0) buf_puts(&texts, labels.data + off[at[i - t->n]]);
        else buf_printf(&texts, "<id:%d>", ids[i - t->n]);
        buf_putc(&texts, '\0');
    }
    if (rc == 0 && (texts.failed || labels.failed)) rc = attn_oom(err, "tokens");
    size_t head = (size_t)total * sizeof(attn_token);
    attn_token *block = rc == 0 ? malloc(head + texts.len) : NULL;
    if (rc == 0 && !block) rc = attn_oom(err, "tokens");
    if (rc == 0) {
        char *tx = (char *)block + head;
        memcpy(tx, texts.data, texts.len);
        for (int i = 0; i < total; i++) {
            if (i < t->n) block[i] = t->tok[i];
            else
                block[i] = (attn_token){.id = ids[i - t->n], .start = text_len, .end = text_len, .word = -1,
                                        .special = at[i - t->n] >= 0 && seq[at[i - t->n]].special, .generated = 1};
            block[i].text = tx + toff[i];
        }
        free(t->tok);
        t->tok = block;
        t->n = total;
    }
    tk_scratch_free(&sc);
    free(toff);
    free(seq);
    free(off);
    free(at);
    buf_free(&labels);
    buf_free(&texts);
    return rc;
}
