/* spm.c — SentencePiece model files as tokenizers (subword.h:
 * tokenizer_from_spm, tokenizer_from_marian; spm.h for the encoder), read
 * and run by SentencePiece's own library (spm_lib.h), never by a protobuf
 * reader of ours.
 *
 * The vocabulary is the model's pieces in id order (Marian: vocab.json's
 * entries). Control pieces (<s>, </s>) are special tokens: shown as they
 * are, and marked special when a model generates them; they are not looked
 * for in the text, since SentencePiece reads "</s>" typed in a text as
 * text. The labels come from the decoders the tokenizer.json of the same
 * model has (Metaspace: "▁" as a space, none at the start; ByteFallback
 * when the model has byte pieces: "<0xE6>" as its character's piece).
 * Spans are SentencePiece's byte spans; the byte pieces of one character
 * (SentencePiece gives the character's span to the last of them) all span
 * the character.
 *
 * Marian (MarianTokenizer, transformers' tokenization_marian.py): the text
 * is cut at the special tokens (eos, unk, pad: PreTrainedTokenizer.tokenize
 * splits the text at added tokens); in each stretch a language code at the
 * start (">>" up to the first "<<") is one token (remove_language_code),
 * the rest goes to source.spm; each piece's id is vocab.json's, else
 * SentencePiece's own id of that piece (piece_to_id: the unknown piece's
 * id for a piece it does not know), else vocab.json's unk
 * (_convert_token_to_id); "</s>" (eos) is appended.
 */
#include "text/tokenizer/spm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/tokenizer/spm_charsmap.h"
#include "text/tokenizer/spm_lib.h"

/* ---- encoding ---- */

typedef struct {
    int id, kind;
    size_t s, e;
} spm_piece;

typedef struct {
    const attn_tokenizer *tk;
    size_t base;          /* where the encoded string starts in the text */
    spm_piece *p;         /* [cap] */
    size_t n, cap;
    attn_error *err;
} collect;

/* Marian's id of a piece (MarianTokenizer._convert_token_to_id): vocab.json's,
 * else SentencePiece's, else vocab.json's unk; -1 (err filled) when
 * SentencePiece's id is past vocab.json. */
static int marian_id(const attn_tokenizer *tk, const char *piece, size_t len, attn_error *err)
{
    int v = sw_vocab_find(&tk->v, piece, len);
    if (v < 0) v = spm_lib_find(tk->spm, piece, len);
    if (v < 0) v = tk->unk;
    if (v >= tk->v.n)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: a piece of the text is not in it, and SentencePiece's id %d for it is past its %d "
                         "entries", tk->what, v, tk->v.n);
    return v;
}

static int on_piece(void *ctx, int id, size_t begin, size_t end, const char *piece, size_t plen)
{
    collect *c = ctx;
    const attn_tokenizer *tk = c->tk;
    int kind = spm_lib_kind(tk->spm, id);
    if (tk->spm_marian && (id = marian_id(tk, piece, plen, c->err)) < 0) return -1;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        spm_piece *q = realloc(c->p, cap * sizeof *q);
        if (!q) return attn_oom(c->err, "tokens");
        c->p = q;
        c->cap = cap;
    }
    c->p[c->n++] = (spm_piece){id, kind, c->base + begin, c->base + end};
    return 0;
}

/* Encodes s[0..len) (at base in the text) into c. */
static int encode_piece(collect *c, const char *s, size_t len, size_t base)
{
    c->base = base;
    return len > 0 ? spm_lib_encode(c->tk->spm, s, len, on_piece, c, c->err) : 0;
}

int tk_spm_encode(const attn_tokenizer *tk, const char *text, size_t a, size_t b, tk_spm_push push, void *ctx,
                  attn_error *err)
{
    collect c = {.tk = tk, .err = err};
    const char *s = text + a;
    size_t len = b - a;
    int rc = 0, code = -1;
    size_t code_end = 0;
    if (tk->spm_marian && len >= 2 && s[0] == '>' && s[1] == '>') { /* remove_language_code */
        for (size_t i = 0; i + 1 < len; i++)
            if (s[i] == '<' && s[i + 1] == '<') {
                code_end = i + 2;
                if ((code = marian_id(tk, s, code_end, err)) < 0) return -1;
                break;
            }
    }
    if (code >= 0) rc = push(ctx, code, a, a + code_end);
    if (rc == 0) rc = encode_piece(&c, s + code_end, len - code_end, a + code_end);
    /* the byte pieces of one character: the character's span for each */
    for (size_t i = c.n; rc == 0 && i-- > 0;)
        if (c.p[i].kind == SPM_BYTE && c.p[i].s == c.p[i].e && i + 1 < c.n && c.p[i + 1].kind == SPM_BYTE &&
            c.p[i + 1].s == c.p[i].s) {
            c.p[i].s = c.p[i + 1].s;
            c.p[i].e = c.p[i + 1].e;
        }
    for (size_t i = 0; rc == 0 && i < c.n; i++) rc = push(ctx, c.p[i].id, c.p[i].s, c.p[i].e);
    free(c.p);
    return rc;
}

/* ---- loading ---- */

static spm_lib *load_model(const char *path, attn_error *err)
{
    size_t len = 0;
    char *data = sw_read_file(path, &len, err);
    if (!data) return NULL;
    spm_lib *m = NULL;
    if (len == 0) attn_fail(err, ATTN_EXIT_INPUT, "%s: empty file (a SentencePiece model was expected)", path);
    else if (spm_charsmap_check(data, len, path, err) == 0) m = spm_lib_load(data, len, path, err);
    free(data);
    return m;
}

static void where_piece(char *dst, size_t cap, const void *ctx, int i)
{
    snprintf(dst, cap, "%s: piece %d", (const char *)ctx, i);
}

/* The labels: Metaspace, then ByteFallback when there are byte pieces. */
static int add_decoders(attn_tokenizer *tk, int bytes, attn_error *err)
{
    if (sw_add_decoder(tk, TD_METASPACE, err) != 0) return -1;
    tk_dec *d = &tk->dec[tk->n_dec - 1];
    d->strip_first = 1;
    if (!(d->content = strdup("\xE2\x96\x81"))) return attn_oom(err, "tokenizer");
    return bytes ? sw_add_decoder(tk, TD_BYTEFALLBACK, err) : 0;
}

attn_tokenizer *tokenizer_from_spm(const char *path, int add_bos, int add_eos, attn_error *err)
{
    attn_tokenizer *tk = sw_new(path, err);
    if (!tk || !(tk->spm = load_model(path, err))) goto fail;
    const int n = spm_lib_size(tk->spm);
    const char **entries = malloc((size_t)n * sizeof *entries); /* [n] each piece */
    size_t *lens = malloc((size_t)n * sizeof *lens);            /* [n] */
    int rc = entries && lens ? 0 : attn_oom(err, "tokenizer"), bytes = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        entries[i] = spm_lib_piece(tk->spm, i, &lens[i]);
        bytes |= spm_lib_kind(tk->spm, i) == SPM_BYTE;
    }
    if (rc == 0) rc = sw_vocab_build(&tk->v, path, entries, lens, n, where_piece, path, err);
    free(entries);
    free(lens);
    if (rc != 0) goto fail;
    tk->n_model = n;
    tk->model = TM_SPM;
    tk->unk = spm_lib_unk(tk->spm);
    for (int i = 0; i < n; i++)
        if (spm_lib_kind(tk->spm, i) == SPM_CONTROL && sw_add_token(tk, i, 0, 0, 0, 0, 1, err) != 0) goto fail;
    if (add_decoders(tk, bytes, err) != 0) goto fail;
    const int bos = spm_lib_bos(tk->spm), eos = spm_lib_eos(tk->spm);
    if (sw_set_default_specials(tk, &bos, add_bos && bos >= 0, &eos, add_eos && eos >= 0, err) != 0) goto fail;
    return tk;
fail:
    tokenizer_free(tk);
    return NULL;
}

/* A token of tokenizer_config.json that vocab.json must have. */
static int marian_token(attn_tokenizer *tk, const char *name, const char *role, int required, int *id,
                        attn_error *err)
{
    *id = name ? sw_vocab_find(&tk->v, name, strlen(name)) : -1;
    if (*id < 0 && required) {
        char q[96]; /* [96] the token, quoted */
        sw_quote(q, sizeof q, name ? name : "", name ? strlen(name) : 0);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: no entry %s (the %s token MarianTokenizer needs)", tk->what, q,
                         role);
    }
    return *id >= 0 ? sw_add_token(tk, *id, 0, 0, 0, 0, 1, err) : 0;
}

attn_tokenizer *tokenizer_from_marian(const char *spm_path, const char *vocab_json, const char *unk,
                                      const char *eos, const char *pad, attn_error *err)
{
    size_t len = 0;
    char *text = sw_read_file(vocab_json, &len, err);
    attn_tokenizer *tk = text ? sw_new(vocab_json, err) : NULL;
    int eos_id, unk_id, pad_id;
    if (!tk || sw_vocab_from_json_text(&tk->v, text, len, vocab_json, err) != 0) goto fail;
    free(text);
    text = NULL;
    tk->n_model = tk->v.n;
    tk->model = TM_SPM;
    tk->spm_marian = 1;
    if (!(tk->spm = load_model(spm_path, err))) goto fail;
    if (marian_token(tk, unk, "unknown", 1, &unk_id, err) != 0 || marian_token(tk, eos, "end", 1, &eos_id, err) != 0 ||
        marian_token(tk, pad, "padding", 0, &pad_id, err) != 0)
        goto fail;
    tk->unk = unk_id;
    int bytes = 0;
    for (int i = 0; i < spm_lib_size(tk->spm); i++) bytes |= spm_lib_kind(tk->spm, i) == SPM_BYTE;
    if (tk_added_build(tk, err) != 0 || add_decoders(tk, bytes, err) != 0 ||
        sw_set_default_specials(tk, NULL, 0, &eos_id, 1, err) != 0)
        goto fail;
    return tk;
fail:
    free(text);
    tokenizer_free(tk);
    return NULL;
}
