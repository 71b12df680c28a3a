/* wordpiece.c — the WordPiece model (see models.h): its tokenizer.json
 * reader, the algorithm, and BERT's vocab.txt read as BertTokenizerFast
 * would (BertNormalizer with clean_text, handle_chinese_chars, and
 * lowercase and strip_accents as asked; BertPreTokenizer; WordPiece with
 * "##" and 100 characters; [PAD] [UNK] [CLS] [SEP] [MASK] as added tokens;
 * [CLS] ... [SEP] around the text).
 */
#include "text/tokenizer/models.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_unk(attn_tokenizer *tk, const char *unk, attn_error *err)
{
    tk->unk = tk_model_find(tk, unk, strlen(unk));
    if (tk->unk < 0) {
        char q[96]; /* [96] unk, quoted */
        sw_quote(q, sizeof q, unk, strlen(unk));
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: the unknown token %s is not in the vocabulary", tk->what, q);
    }
    return 0;
}

int wordpiece_read_json(attn_tokenizer *tk, const tkj *j, const cJSON *model)
{
    const char *unk, *prefix;
    long mx;
    char where[300]; /* [300] "FILE: model.vocab" */
    snprintf(where, sizeof where, "%s: model.vocab", j->file);
    if (sw_vocab_from_json(&tk->v, cJSON_GetObjectItemCaseSensitive(model, "vocab"), where, j->err) != 0) return -1;
    tk->n_model = tk->v.n;
    if (tkj_str(j, model, "unk_token", "model", "[UNK]", &unk) ||
        tkj_str(j, model, "continuing_subword_prefix", "model", "##", &prefix) ||
        tkj_int(j, model, "max_input_chars_per_word", "model", 1, 1000000000, 100, &mx))
        return -1;
    tk->max_chars = (int)mx;
    if (!(tk->prefix = strdup(prefix))) return attn_oom(j->err, j->file);
    tk->prefix_len = strlen(prefix);
    return set_unk(tk, unk, j->err);
}

/* ---- vocab.txt ---- */

static const char *const bert_added[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

/* The settings of BertTokenizer for a vocabulary without a tokenizer.json. */
static int finish_plain(attn_tokenizer *tk, int lowercase, const char *unk, attn_error *err)
{
    tk->model = TM_WORDPIECE;
    if (!unk) return attn_fail(err, ATTN_EXIT_INPUT, "%s: no unknown token given", tk->what);
    if (set_unk(tk, unk, err) != 0) return -1;
    if (!(tk->prefix = strdup("##"))) return attn_oom(err, "tokenizer");
    tk->prefix_len = 2;
    tk_norm *n = calloc(1, sizeof *n);
    if (!n) return attn_oom(err, "tokenizer");
    *n = (tk_norm){.type = TN_BERT, .clean_text = 1, .chinese = 1, .strip_accents = !!lowercase,
                   .lowercase = !!lowercase};
    tk->norm.n = n;
    tk->norm.count = 1;
    if (tk_pretokenizer_bert(&tk->pre, err) != 0 || sw_add_decoder(tk, TD_WORDPIECE, err) != 0 ||
        sw_add_present(tk, bert_added, (int)(sizeof bert_added / sizeof *bert_added), err) != 0 ||
        tk_added_build(tk, err) != 0)
        return -1;
    int cls = tokenizer_token_id(tk, "[CLS]"), sep = tokenizer_token_id(tk, "[SEP]");
    return sw_set_default_specials(tk, &cls, cls >= 0, &sep, sep >= 0, err);
}

static void where_line(char *dst, size_t cap, const void *ctx, int i)
{
    snprintf(dst, cap, "%s:%d", (const char *)ctx, i + 1);
}

attn_tokenizer *wordpiece_from_vocab_txt(const char *path, int lowercase, const char *unk,
                                         attn_error *err)
{
    size_t len;
    char *text = sw_read_file(path, &len, err);
    if (!text) return NULL;
    attn_tokenizer *tk = sw_new(path, err);
    int n = 0;
    for (size_t i = 0; i < len; i++) n += text[i] == '\n';
    if (len > 0 && text[len - 1] != '\n') n++; /* a last line without newline */
    if (!tk) goto fail;
    if (n == 0) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: empty vocabulary", path);
        goto fail;
    }
    if (sw_vocab_init(&tk->v, n, len + 64, err) != 0) goto fail;
    size_t p = 0;
    for (int k = 0; k < n; k++) { /* line by line: arrays of the lines cost more in fresh pages than the work */
        const char *nl = memchr(text + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - text) : len, el = e - p;
        if (el > 0 && text[p + el - 1] == '\r') el--;
        if (memchr(text + p, '\0', el)) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s:%d: NUL byte in the entry", path, k + 1);
            goto fail;
        }
        if (sw_vocab_put(&tk->v, text + p, el, k, where_line, path, err) != 0) goto fail;
        p = e + 1;
    }
    tk->n_model = tk->v.n;
    if (finish_plain(tk, lowercase, unk, err) != 0) goto fail;
    free(text);
    return tk;
fail:
    free(text);
    tokenizer_free(tk);
    return NULL;
}

attn_tokenizer *wordpiece_from_list(const char *const *vocab, int n, int lowercase,
                                    const char *unk, const char *what, attn_error *err)
{
    attn_tokenizer *tk = sw_from_list(vocab, n, what, err);
    if (tk && finish_plain(tk, lowercase, unk, err) != 0) {
        tokenizer_free(tk);
        tk = NULL;
    }
    return tk;
}

/* ---- the algorithm ---- */

int wordpiece_tokenize(const attn_tokenizer *tk, const char *w, size_t n, tk_model_scratch *s, tk_pieces *out,
                       attn_error *err)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) chars += ((unsigned char)w[i] & 0xC0) != 0x80;
    size_t first = out->n;
    if (chars <= (size_t)tk->max_chars) {
        if (s->buf_cap < tk->prefix_len + n + 1) {
            char *b = realloc(s->buf, tk->prefix_len + n + 1);
            if (!b) return attn_oom(err, "tokens");
            s->buf = b;
            s->buf_cap = tk->prefix_len + n + 1;
        }
        memcpy(s->buf, tk->prefix, tk->prefix_len);
        size_t start = 0;
        while (start < n) {
            size_t end = n;
            int id = -1;
            while (start < end) {
                if (start == 0) {
                    id = tk_model_find(tk, w, end);
                } else {
                    memcpy(s->buf + tk->prefix_len, w + start, end - start);
                    id = tk_model_find(tk, s->buf, tk->prefix_len + end - start);
                }
                if (id >= 0) break;
                do end--; /* back one character */
                while (end > start && ((unsigned char)w[end] & 0xC0) == 0x80);
            }
            if (id < 0) break;
            tk_pieces_push(out, id, start, end);
            start = end;
        }
        if (start == n) return out->failed ? attn_oom(err, "tokens") : 0;
    }
    /* too long, or no segmentation: one unk token over the piece */
    out->n = first;
    if (tk->unk < 0) return attn_fail(err, ATTN_EXIT_INPUT, "%s: no unk token for a word it cannot split", tk->what);
    tk_pieces_push(out, tk->unk, 0, n);
    return out->failed ? attn_oom(err, "tokens") : 0;
}
