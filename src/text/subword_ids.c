/* subword_ids.c — tokenizer_append_ids() (subword.h): tokens from ids a
 * model generated, labelled as the encoder labels them: an added token or a
 * WordPiece entry by its text, a byte-level BPE entry by its bytes
 * (GPT-2's byte symbols mapped back) through bpe_display(); an id past the
 * vocabulary (a padding row of the model's embeddings) as "<id:N>". */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "text/bpe.h"
#include "text/subword_core.h"

/* The display text of id into b. */
static int label(const attn_tokenizer *tk, int id, attn_buf *b, attn_error *err)
{
    const char *s = sw_vocab_str(&tk->v, id);
    size_t len = tk->v.len[id];
    int added = 0;
    for (int i = 0; i < tk->n_added; i++) added |= tk->added[i].id == id;
    if (tk->kind != SUBWORD_BPE || added) {
        buf_put(b, s, len);
        return 0;
    }
    unsigned char byte_of[512]; /* GPT-2's byte symbols are below U+0200 */
    memset(byte_of, 0, sizeof byte_of);
    for (int v = 0; v < 256; v++) byte_of[bpe_byte_cp(v)] = (unsigned char)v;
    attn_buf bytes;
    buf_init(&bytes);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int k = utf8_decode(s + i, len - i, &cp);
        if (k <= 0 || cp >= 512 || (cp != bpe_byte_cp(byte_of[cp]))) { /* not a byte symbol: shown as it is */
            buf_free(&bytes);
            buf_put(b, s, len);
            return 0;
        }
        buf_putc(&bytes, (char)byte_of[cp]);
        i += (size_t)k;
    }
    bpe_display(b, (const unsigned char *)bytes.data, bytes.len);
    int failed = bytes.failed;
    buf_free(&bytes);
    return failed ? attn_oom(err, "tokens") : 0;
}

int tokenizer_append_ids(const attn_tokenizer *tk, attn_tokens *t, const int *ids, int n, size_t text_len,
                         attn_error *err)
{
    attn_buf texts;
    buf_init(&texts);
    size_t *off = malloc(((size_t)t->n + (size_t)n + 1) * sizeof *off);
    if (!off) return attn_oom(err, "tokens");
    int rc = 0;
    for (int i = 0; i < t->n; i++) {
        off[i] = texts.len;
        buf_put(&texts, t->tok[i].text, strlen(t->tok[i].text) + 1);
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        off[t->n + i] = texts.len;
        if (ids[i] < 0 || ids[i] >= tk->v.n) /* a row of the embeddings past the tokenizer's (padding) */
            buf_printf(&texts, "<id:%d>", ids[i]);
        else
            rc = label(tk, ids[i], &texts, err);
        buf_putc(&texts, '\0');
    }
    size_t head = ((size_t)t->n + (size_t)n) * sizeof(attn_token);
    attn_token *block = rc == 0 && !texts.failed ? malloc(head + texts.len) : NULL;
    if (rc == 0 && !block) rc = attn_oom(err, "tokens");
    if (rc == 0) {
        char *tx = (char *)block + head;
        memcpy(tx, texts.data, texts.len);
        for (int i = 0; i < t->n + n; i++) {
            if (i < t->n) block[i] = t->tok[i];
            else block[i] = (attn_token){.id = ids[i - t->n], .start = text_len, .end = text_len, .word = -1,
                                         .generated = 1};
            block[i].text = tx + off[i];
        }
        free(t->tok);
        t->tok = block;
        t->n += n;
    }
    free(off);
    buf_free(&texts);
    return rc;
}
