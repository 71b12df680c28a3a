/* encode.c — tokenizer_encode() (see subword.h): the pipeline of core.h
 * run over one text, as tokenizers' Tokenizer::encode runs it:
 *
 *   1. added tokens whose "normalized" is false are found in the raw text
 *      (leftmost-longest; single_word: only between non-word characters,
 *      as Rust regex's \w sees them; lstrip / rstrip: the whitespace on that
 *      side joins the token);
 *   2. each stretch between them is normalized, and the added tokens whose
 *      "normalized" is true are found in the normalized stretch the same way;
 *   3. each stretch left is cut by the pre-tokenizers, one after another
 *      (depth first: a piece goes through every stage before the next
 *      piece), and each final piece goes to the model;
 *   4. the post-processor's special tokens go around the text's tokens, and
 *      ByteLevel / RoBERTa post-processing trims the spans (trim_offsets);
 *   5. the decoders make each token's label (decoder.c).
 * A SentencePiece model (spm.h) replaces steps 2 and 3: SentencePiece's
 * own encoder reads each stretch.
 * Every token's span is the original text its bytes came from (nstr.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "text/tokenizer/core.h"
#include "text/tokenizer/decoder.h"
#include "text/tokenizer/models.h"
#include "text/tokenizer/spm.h"
#include "text/tokenizer/unicode.h"

/* The pieces one pre-tokenizer stage produced. */
typedef struct {
    nstr *p;
    size_t n, cap;
} level;

typedef struct {
    const attn_tokenizer *tk;
    const char *text;
    size_t len;
    tk_scratch sc;
    tk_model_scratch ms;
    tk_pieces pieces;
    level *lvl;          /* [tk->pre.count] */
    attn_token *tok;     /* [cap] (.text unused until the labels) */
    int n;
    size_t cap;
    int failed;
    attn_error *err;
} enc;

/* special: 1 a special token around the text, 2 an added token in it */
static int push_token(enc *e, int id, size_t start, size_t end, int special)
{
    if (e->n >= (1 << 28) || tk_grow((void **)&e->tok, &e->cap, e->n + 1, sizeof *e->tok) != 0)
        return attn_oom(e->err, "tokens");
    /* word: -2 marks an added token found in the text until finish() */
    e->tok[e->n++] = (attn_token){.id = id, .start = start, .end = end, .word = special == 2 ? -2 : -1,
                                  .special = special == 1};
    return 0;
}

/* ---- added tokens ---- */

/* Rust regex's \w on the character starting at s[at] (forward) or ending
 * there (backward). */
static int word_at(enc *e, const char *s, size_t len, size_t at, int backward)
{
    uint32_t cp;
    size_t st = at, k;
    if (backward) {
        st = at - 1;
        while (st > 0 && ((unsigned char)s[st] & 0xC0) == 0x80) st--;
    }
    k = (size_t)utf8_decode(s + st, len - st, &cp);
    if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z' ? 1 : (cp >= '0' && cp <= '9') || cp == '_';
    nmatches m = {0};
    char why[64]; /* [64] */
    int r = tk_scratch_rx(&e->sc) &&
            tk_regex_matches(e->tk->word_re, e->sc.rx, s + st, k, &m, why, sizeof why) == 0 && m.n == 1 &&
            m.m[0].match;
    free(m.m);
    return r;
}

typedef int (*gap_fn)(enc *e, void *ctx, size_t a, size_t b);
typedef int (*tok_fn)(enc *e, void *ctx, int id, size_t a, size_t b);

/* Cuts s[0..len) at the added tokens of set (AddedVocabulary::find_matches):
 * gap(a, b) for each stretch between, tok(id, a, b) for each token. */
static int split_added(enc *e, const tk_added_set *set, const char *s, size_t len, gap_fn gap, tok_fn tok,
                       void *ctx)
{
    const attn_tokenizer *tk = e->tk;
    size_t start_offset = 0, search = 0, ms, me;
    int idx;
    while (tk_added_next(set, s, len, search, &idx, &ms, &me)) {
        search = me;
        const sw_added *a = &tk->added[idx];
        if (a->single_word && ((ms > 0 && word_at(e, s, len, ms, 1)) || (me < len && word_at(e, s, len, me, 0))))
            continue;
        size_t start = ms, stop = me;
        if (a->lstrip) {
            size_t k = start;
            while (k > 0) {
                size_t q = k - 1;
                uint32_t cp;
                while (q > 0 && ((unsigned char)s[q] & 0xC0) == 0x80) q--;
                utf8_decode(s + q, k - q, &cp);
                if (!uc_whitespace(cp)) break;
                k = q;
            }
            start = k > start_offset ? k : start_offset;
        }
        if (a->rstrip) {
            while (stop < len) {
                uint32_t cp;
                int k = utf8_decode(s + stop, len - stop, &cp);
                if (!uc_whitespace(cp)) break;
                stop += (size_t)k;
            }
        }
        if (start < start_offset) start = start_offset;
        if (start_offset < start && gap(e, ctx, start_offset, start) != 0) return -1;
        if (tok(e, ctx, a->id, start, stop) != 0) return -1;
        start_offset = stop;
        if (search < stop) search = stop;
    }
    if (start_offset < len && gap(e, ctx, start_offset, len) != 0) return -1;
    return 0;
}

/* ---- pre-tokenizers and the model ---- */

static int run_model(enc *e, const nstr *p)
{
    const attn_tokenizer *tk = e->tk;
    e->pieces.n = 0;
    int rc;
    switch (tk->model) {
    case TM_WORDPIECE: rc = wordpiece_tokenize(tk, p->b, p->len, &e->ms, &e->pieces, e->err); break;
    case TM_WORDLEVEL: rc = wordlevel_tokenize(tk, p->b, p->len, &e->pieces, e->err); break;
    case TM_UNIGRAM: rc = unigram_tokenize(tk, p->b, p->len, &e->ms, &e->pieces, e->err); break;
    default: rc = bpe_tokenize(tk, p->b, p->len, &e->ms, &e->pieces, e->err); break;
    }
    if (rc != 0) return -1;
    for (size_t i = 0; i < e->pieces.n; i++) {
        const tk_piece *q = &e->pieces.p[i];
        nspan sp = q->a < q->b && q->b <= p->len ? nstr_span(p, q->a, q->b) : (nspan){p->os, p->os};
        if (push_token(e, q->id, sp.s, sp.e, 0) != 0) return -1;
    }
    return 0;
}

/* Piece s through pre-tokenizer stages depth.. and the model. */
static int pretok(enc *e, const nstr *s, int depth)
{
    const attn_tokenizer *tk = e->tk;
    if (depth == tk->pre.count) return run_model(e, s);
    level *l = &e->lvl[depth];
    size_t first = l->n;
    int rc = tk_pretok_apply(&tk->pre.p[depth], s, &l->p, &l->n, &l->cap, &e->sc, e->err);
    for (size_t i = first; rc == 0 && i < l->n; i++) rc = pretok(e, &l->p[i], depth + 1);
    for (size_t i = first; i < l->n; i++) nstr_free(&l->p[i]);
    l->n = first;
    return rc;
}

/* ---- the stretches between added tokens ---- */

static int norm_gap(enc *e, void *ctx, size_t a, size_t b)
{
    const nstr *n = ctx;
    nstr piece;
    if (nstr_slice(n, a, b, &piece) != 0) return attn_oom(e->err, "tokens");
    int rc = pretok(e, &piece, 0);
    nstr_free(&piece);
    return rc;
}

static int norm_tok(enc *e, void *ctx, int id, size_t a, size_t b)
{
    const nstr *n = ctx;
    nspan sp = a < b ? nstr_span(n, a, b) : (nspan){n->os, n->os};
    return push_token(e, id, sp.s, sp.e, 2);
}

static int spm_push(void *ctx, int id, size_t start, size_t end)
{
    return push_token(ctx, id, start, end, 0);
}

static int raw_gap(enc *e, void *ctx, size_t a, size_t b)
{
    (void)ctx;
    if (e->tk->model == TM_SPM) return tk_spm_encode(e->tk, e->text, a, b, spm_push, e, e->err);
    nstr n;
    if (nstr_init(&n, e->text + a, b - a, (uint32_t)a) != 0) return attn_oom(e->err, "tokens");
    int rc = tk_normalize(&e->tk->norm, &n, &e->sc, e->err);
    if (rc == 0 && n.len > 0) rc = split_added(e, &e->tk->normd, n.b, n.len, norm_gap, norm_tok, &n);
    nstr_free(&n);
    return rc;
}

static int raw_tok(enc *e, void *ctx, int id, size_t a, size_t b)
{
    (void)ctx;
    return push_token(e, id, a, b, 2);
}

/* ---- post-processing ---- */

static int is_space_char(uint32_t cp) { return cp == 0x120 || uc_whitespace(cp); }

/* ByteLevel's process_offsets: the spans of the text's tokens [from, to)
 * without the spaces their token texts start or end with. */
static void trim_offsets(enc *e, int from, int to)
{
    const attn_tokenizer *tk = e->tk;
    for (int i = from; i < to; i++) {
        attn_token *t = &e->tok[i];
        /* the token's text: an added token's is what it matched, with the
         * whitespace lstrip / rstrip took */
        const char *s = t->word == -2 ? e->text + t->start : sw_vocab_str(&tk->v, t->id);
        size_t n = t->word == -2 ? t->end - t->start : tk->v.len[t->id], lead = 0, trail = 0, p = 0;
        uint32_t cp;
        while (p < n) {
            int k = utf8_decode(s + p, n - p, &cp);
            if (!is_space_char(cp)) break;
            lead++;
            p += (size_t)k;
        }
        for (size_t q = n; q > 0;) {
            size_t st = q - 1;
            while (st > 0 && ((unsigned char)s[st] & 0xC0) == 0x80) st--;
            utf8_decode(s + st, q - st, &cp);
            if (!is_space_char(cp)) break;
            trail++;
            q = st;
        }
        if (lead > 0 && (i == from || t->start == 0) && tk->trim_prefix_space && lead == 1) lead = 0;
        for (; lead > 0 && t->start < t->end; lead--) {
            t->start++;
            while (t->start < t->end && ((unsigned char)e->text[t->start] & 0xC0) == 0x80) t->start++;
        }
        for (; trail > 0 && t->end > t->start; trail--) {
            t->end--;
            while (t->end > t->start && ((unsigned char)e->text[t->end] & 0xC0) == 0x80) t->end--;
        }
    }
}

/* truncation: the text's tokens [from, *to) cut to the room the specials
 * leave, on the side the file says (tokenizers' truncate_encodings for one
 * sequence). */
static int truncate(enc *e, int from, int *to)
{
    const attn_tokenizer *tk = e->tk;
    long room = tk->trunc_max, n_special = tk->n_first + tk->n_last, n = *to - from;
    if (n_special > 0) {
        if (room < n_special)
            return attn_fail(e->err, ATTN_EXIT_INPUT, "%s: truncation.max_length %ld leaves no room beside %ld special tokens",
                             tk->what, room, n_special);
        room -= n_special;
    }
    if (n <= room) return 0;
    if (room > 0 && tk->trunc_strategy == 2) /* (a room of 0 cuts everything whatever the strategy) */
        return attn_fail(e->err, ATTN_EXIT_INPUT, "%s: truncation.strategy OnlySecond needs a second sequence",
                         tk->what);
    if (tk->trunc_left) memmove(e->tok + from, e->tok + from + (n - room), (size_t)room * sizeof *e->tok);
    *to = from + (int)room;
    e->n = *to;
    return 0;
}

/* Moves the tokens into one block: attn_token[n], then the labels. */
static int finish(enc *e, attn_tokens *out)
{
    attn_buf labels;
    size_t *off = malloc((size_t)(e->n ? e->n : 1) * sizeof *off); /* [n] each label's offset */
    buf_init(&labels);
    int rc = off ? tk_labels(e->tk, e->tok, e->n, &e->sc, &labels, off, e->err) : attn_oom(e->err, "tokens");
    if (rc == 0 && e->n > 0) {
        size_t head = (size_t)e->n * sizeof(attn_token);
        attn_token *t = malloc(head + labels.len);
        if (!t) {
            rc = attn_oom(e->err, "tokens");
        } else {
            char *texts = (char *)t + head;
            memcpy(texts, labels.data, labels.len);
            for (int i = 0; i < e->n; i++) {
                t[i] = e->tok[i];
                t[i].text = texts + off[i];
                t[i].word = -1;
            }
            out->tok = t;
            out->n = e->n;
        }
    }
    free(off);
    buf_free(&labels);
    return rc;
}

static void model_scratch_free(tk_model_scratch *s)
{
    bpe_cache_free(s->bpe);
    free(s->best);
    free(s->from);
    free(s->tok);
    free(s->buf);
}

int tokenizer_encode(const attn_tokenizer *tk, const char *text, size_t len, attn_tokens *out, attn_error *err)
{
    out->tok = NULL;
    out->n = 0;
    if (len > 0 && !text) return attn_fail(err, ATTN_EXIT_INPUT, "no input text");
    if (len >= UINT32_MAX) return attn_fail(err, ATTN_EXIT_INPUT, "the text is too long (%zu bytes)", len);
    size_t bad;
    if (len > 0 && utf8_validate(text, len, &bad) != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "invalid UTF-8 at byte %zu", bad);
    enc e = {.tk = tk, .text = text, .len = len, .err = err};
    int rc = 0;
    if (tk->pre.count > 0 && !(e.lvl = calloc((size_t)tk->pre.count, sizeof *e.lvl))) rc = attn_oom(err, "tokens");
    for (int i = 0; rc == 0 && i < tk->n_first; i++) rc = push_token(&e, tk->first[i], 0, 0, 1);
    int from = e.n;
    if (rc == 0 && len > 0) rc = split_added(&e, &tk->raw, text, len, raw_gap, raw_tok, NULL);
    int to = e.n;
    if (rc == 0 && tk->trunc_max >= 0) rc = truncate(&e, from, &to);
    for (int i = 0; rc == 0 && i < tk->n_last; i++) rc = push_token(&e, tk->last[i], len, len, 1);
    if (rc == 0 && tk->trim_offsets) trim_offsets(&e, from, to);
    if (rc == 0) rc = finish(&e, out);
    for (int i = 0; e.lvl && i < tk->pre.count; i++) free(e.lvl[i].p);
    free(e.lvl);
    free(e.tok);
    free(e.pieces.p);
    model_scratch_free(&e.ms);
    tk_scratch_free(&e.sc);
    return rc;
}
