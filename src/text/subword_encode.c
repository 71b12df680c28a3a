/* subword_encode.c — tokenizer_encode() (see subword.h): the dispatcher on
 * top of the subword tokenizers. It splits the text at added tokens, hands
 * each piece in between to the model's encoder (wordpiece.h, bpe.h) and
 * builds the attn_tokens block.
 *
 * Added tokens ([CLS], [SEP], [MASK], <|endoftext|>, ...) are matched in
 * the raw text as Hugging Face's AddedVocabulary does: leftmost first, the
 * longest at a position, optionally taking the whitespace before (lstrip)
 * or after (rstrip) into the token, and (single_word) only between
 * non-word characters.
 */
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "text/bpe.h"
#include "text/subword_core.h"
#include "text/wordpiece.h"

/* The code point that ends just before byte pos (pos > 0). */
static uint32_t cp_before(const char *s, size_t pos, size_t *start)
{
    size_t i = pos - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) i--;
    uint32_t cp;
    utf8_decode(s + i, pos - i, &cp);
    *start = i;
    return cp;
}

static int is_word_cp(uint32_t cp) { return cp == '_' || sw_is_letter(cp) || sw_is_number(cp); }

/* Finds the first added token in text[pos..len): its id, and the span it
 * takes [*ms, *me) (with lstrip/rstrip whitespace, never before pos).
 * Returns 1 if found. */
static int find_added(const attn_tokenizer *tk, const char *text, size_t len, size_t pos, int *id,
                      size_t *ms, size_t *me)
{
    for (size_t p = pos; p < len; p++) {
        unsigned char b = (unsigned char)text[p];
        if (!(tk->added_first[b >> 3] & (1u << (b & 7)))) continue;
        for (int i = 0; i < tk->n_added; i++) {
            const sw_added *a = &tk->added[i];
            size_t n = tk->v.len[a->id];
            if (n > len - p || memcmp(text + p, sw_vocab_str(&tk->v, a->id), n) != 0) continue;
            size_t s = p, e = p + n, q;
            uint32_t cp;
            if (a->single_word &&
                ((s > 0 && is_word_cp(cp_before(text, s, &q))) ||
                 (e < len && (utf8_decode(text + e, len - e, &cp), is_word_cp(cp)))))
                continue;
            while (a->lstrip && s > pos && sw_is_whitespace(cp_before(text, s, &q))) s = q;
            while (a->rstrip && e < len) {
                int k = utf8_decode(text + e, len - e, &cp);
                if (!sw_is_whitespace(cp)) break;
                e += (size_t)k;
            }
            *id = a->id;
            *ms = s;
            *me = e;
            return 1;
        }
    }
    return 0;
}

/* Moves the collected tokens into one block: attn_token[n], then the texts. */
static int out_finish(sw_out *o, attn_tokens *out, attn_error *err)
{
    if (o->failed) return attn_oom(err, "tokens");
    if (o->n == 0) return 0;
    size_t head = (size_t)o->n * sizeof(attn_token);
    attn_token *t = malloc(head + o->text.len);
    if (!t) return attn_oom(err, "tokens");
    char *texts = (char *)t + head;
    memcpy(texts, o->text.data, o->text.len);
    for (int i = 0; i < o->n; i++) {
        t[i] = o->tok[i];
        t[i].text = texts + o->text_off[i];
    }
    out->tok = t;
    out->n = o->n;
    return 0;
}

static int push_special(const attn_tokenizer *tk, sw_out *o, int id, size_t at)
{
    if (sw_out_push(o, id, at, at, sw_vocab_str(&tk->v, id), (long)tk->v.len[id]) != 0) return -1;
    o->tok[o->n - 1].special = 1;
    return 0;
}

int tokenizer_encode(const attn_tokenizer *tk, const char *text, size_t len, attn_tokens *out,
                     attn_error *err)
{
    out->tok = NULL;
    out->n = 0;
    if (len > 0 && !text) return attn_fail(err, ATTN_EXIT_INPUT, "no input text");
    size_t bad;
    if (len > 0 && utf8_validate(text, len, &bad) != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "invalid UTF-8 at byte %zu", bad);
    sw_out o = {0};
    bpe_cache *cache = NULL;
    int rc = 0;
    buf_init(&o.text);
    if (tk->first >= 0) push_special(tk, &o, tk->first, 0);
    size_t pos = 0;
    while (pos < len && rc == 0) {
        int id = -1;
        size_t ms = len, me = len;
        int found = tk->n_added > 0 && find_added(tk, text, len, pos, &id, &ms, &me);
        if (ms > pos)
            rc = tk->kind == SUBWORD_WORDPIECE ? wordpiece_segment(tk, text, pos, ms, &o, err)
                                               : bpe_segment(tk, text, pos, ms, &cache, &o, err);
        if (!found) break;
        sw_out_push(&o, id, ms, me, sw_vocab_str(&tk->v, id), (long)tk->v.len[id]);
        pos = me;
    }
    if (rc == 0 && tk->last >= 0) push_special(tk, &o, tk->last, len);
    if (rc == 0) rc = out_finish(&o, out, err);
    bpe_cache_free(cache);
    free(o.tok);
    free(o.text_off);
    buf_free(&o.text);
    return rc;
}

