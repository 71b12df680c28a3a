/* hf_seq2seq.c — Hugging Face encoder-decoder directories (model_type
 * bart, mbart, marian, t5, mt5) for model_load_hf() (hf.c): config.json and
 * generation_config.json read by hf_seq2seq_config.c, the tensors of the
 * *ForConditionalGeneration (or bare *Model) checkpoint bound into m->s2s
 * (model.h), and the tokenizer (hf_tokenizer.c).
 *
 * Names (after "model.", which BART, mBART and Marian put first):
 *   bart, mbart, marian: shared.weight (or encoder/decoder.embed_tokens),
 *     {encoder,decoder}.embed_positions (BART, mBART; Marian's sinusoids are
 *     computed here unless a legacy file stores them), layernorm_embedding (BART,
 *     mBART), layer_norm (mBART), layers.i.self_attn.{q,k,v,out}_proj,
 *     self_attn_layer_norm, encoder_attn.* and encoder_attn_layer_norm
 *     (decoder), fc1, fc2, final_layer_norm; final_logits_bias, lm_head;
 *   t5, mt5: shared.weight, {encoder,decoder}.block.i.layer.0.SelfAttention
 *     .{q,k,v,o} (block 0: relative_attention_bias), layer.0.layer_norm,
 *     decoder layer.1.EncDecAttention.*, the feed-forward block
 *     (DenseReluDense.wi or wi_0 and wi_1, wo) with its layer_norm, and
 *     final_layer_norm; lm_head when untied.
 * Tied copies (embed_tokens, a tied lm_head) are ignored as from_pretrained
 * ignores them (a legacy file's Marian positions are used: from_pretrained
 * loads them); an unknown or missing tensor, or a wrong shape, is an
 * error naming the file and the tensor. 16-bit matrices stay in the mapped
 * file; vectors are converted to float.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/jsonutil.h"
#include "model/hf.h"
#include "model/safetensors.h"
#include "text/subword.h"

/* ---- tensors ---- */

typedef enum { T_MAT, T_VEC } want_kind;
typedef struct {
    char name[112];  /* after "model." */
    int rows, cols;  /* stored shape; cols 0: a vector [rows] (or [1, rows] with row1) */
    int row1;        /* final_logits_bias: stored [1, rows] */
    want_kind kind;
    void *dst;       /* attn_linear * (T_MAT) or const float ** (T_VEC) */
    int need;        /* 1: required */
    int seen;
} want;

typedef struct {
    want *w;
    int n, cap;
    attn_model *m;
    int bad;         /* out of memory */
} wants;

static void add(wants *W, want_kind kind, void *dst, int need, int rows, int cols, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;

static void add(wants *W, want_kind kind, void *dst, int need, int rows, int cols, const char *fmt, ...)
{
    if (W->n == W->cap) {
        int cap = W->cap ? 2 * W->cap : 64;
        want *nw = realloc(W->w, (size_t)cap * sizeof *nw);
        if (!nw) {
            W->bad = 1;
            return;
        }
        W->w = nw, W->cap = cap;
    }
    want *e = &W->w[W->n++];
    memset(e, 0, sizeof *e);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->name, sizeof e->name, fmt, ap);
    va_end(ap);
    e->kind = kind, e->dst = dst, e->need = need, e->rows = rows, e->cols = cols;
}

/* A linear layer's weight and (BART family) bias. */
static void add_linear(wants *W, attn_linear *lin, int rows, int cols, int bias, const char *base)
{
    add(W, T_MAT, lin, 1, rows, cols, "%s.weight", base);
    if (bias) add(W, T_VEC, (void *)&lin->b, 1, rows, 0, "%s.bias", base);
}

static void add_norm(wants *W, const float **w, const float **b, int d, int bias, const char *base)
{
    add(W, T_VEC, (void *)w, 1, d, 0, "%s.weight", base);
    if (bias) add(W, T_VEC, (void *)b, 1, d, 0, "%s.bias", base);
}

static void bart_layers(wants *W, attn_s2s_stack *st, const char *stack, int d, int cross)
{
    char b[96];
    for (int l = 0; l < st->cfg.n_layers; l++) {
        attn_layer_weights *L = &st->layers[l];
        const int F = st->cfg.d_ff;
#define P(x) (snprintf(b, sizeof b, "%s.layers.%d.%s", stack, l, x), b)
        add_linear(W, &L->q, d, d, 1, P("self_attn.q_proj"));
        add_linear(W, &L->k, d, d, 1, P("self_attn.k_proj"));
        add_linear(W, &L->v, d, d, 1, P("self_attn.v_proj"));
        add_linear(W, &L->o, d, d, 1, P("self_attn.out_proj"));
        add_norm(W, &L->ln_w, &L->ln_b, d, 1, P("self_attn_layer_norm"));
        if (cross) {
            add_linear(W, &L->cq, d, d, 1, P("encoder_attn.q_proj"));
            add_linear(W, &L->ck, d, d, 1, P("encoder_attn.k_proj"));
            add_linear(W, &L->cv, d, d, 1, P("encoder_attn.v_proj"));
            add_linear(W, &L->co, d, d, 1, P("encoder_attn.out_proj"));
            add_norm(W, &L->cross_ln_w, &L->cross_ln_b, d, 1, P("encoder_attn_layer_norm"));
        }
        add_linear(W, &L->ffn_up, F, d, 1, P("fc1"));
        add_linear(W, &L->ffn_down, d, F, 1, P("fc2"));
        add_norm(W, &L->ffn_ln_w, &L->ffn_ln_b, d, 1, P("final_layer_norm"));
#undef P
    }
}

static void t5_layers(wants *W, attn_s2s_stack *st, const char *stack, int d, int cross, int glu, int buckets)
{
    char b[112];
    const int q = st->cfg.n_heads * st->cfg.d_head, F = st->cfg.d_ff;
    for (int l = 0; l < st->cfg.n_layers; l++) {
        attn_layer_weights *L = &st->layers[l];
        const int ff = cross ? 2 : 1;
#define P(i, x) (snprintf(b, sizeof b, "%s.block.%d.layer.%d.%s", stack, l, i, x), b)
        add_linear(W, &L->q, q, d, 0, P(0, "SelfAttention.q"));
        add_linear(W, &L->k, q, d, 0, P(0, "SelfAttention.k"));
        add_linear(W, &L->v, q, d, 0, P(0, "SelfAttention.v"));
        add_linear(W, &L->o, d, q, 0, P(0, "SelfAttention.o"));
        if (l == 0)
            add(W, T_VEC, (void *)&st->rel, 1, buckets, st->cfg.n_heads, "%s",
                P(0, "SelfAttention.relative_attention_bias.weight"));
        add_norm(W, &L->ln_w, NULL, d, 0, P(0, "layer_norm"));
        if (cross) {
            add_linear(W, &L->cq, q, d, 0, P(1, "EncDecAttention.q"));
            add_linear(W, &L->ck, q, d, 0, P(1, "EncDecAttention.k"));
            add_linear(W, &L->cv, q, d, 0, P(1, "EncDecAttention.v"));
            add_linear(W, &L->co, d, q, 0, P(1, "EncDecAttention.o"));
            add_norm(W, &L->cross_ln_w, NULL, d, 0, P(1, "layer_norm"));
        }
        if (glu) {
            add_linear(W, &L->ffn_gate, F, d, 0, P(ff, "DenseReluDense.wi_0"));
            add_linear(W, &L->ffn_up, F, d, 0, P(ff, "DenseReluDense.wi_1"));
        } else {
            add_linear(W, &L->ffn_up, F, d, 0, P(ff, "DenseReluDense.wi"));
        }
        add_linear(W, &L->ffn_down, d, F, 0, P(ff, "DenseReluDense.wo"));
        add_norm(W, &L->ffn_ln_w, NULL, d, 0, P(ff, "layer_norm"));
#undef P
    }
}

/* Keeps a converted tensor alive as long as the model. */
static int keep(attn_model *m, const float *data, const char *what, attn_error *err)
{
    float **b = realloc(m->bufs, (size_t)(m->n_bufs + 1) * sizeof *b);
    if (!b) {
        free((void *)data);
        return attn_oom(err, what);
    }
    m->bufs = b;
    b[m->n_bufs++] = (float *)data;
    return 0;
}

static int shape_fail(const st_tensor *t, const want *e, attn_error *err)
{
    char got[96] = "[", want_s[64];
    int o = 1;
    for (int i = 0; i < t->ndim && o < 80; i++) o += snprintf(got + o, sizeof got - (size_t)o, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
    snprintf(got + o, sizeof got - (size_t)o, "]");
    if (e->row1) snprintf(want_s, sizeof want_s, "[1, %d]", e->rows);
    else if (e->cols) snprintf(want_s, sizeof want_s, "[%d, %d]", e->rows, e->cols);
    else snprintf(want_s, sizeof want_s, "[%d]", e->rows);
    return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' has shape %s, but config.json implies %s", t->file,
                     t->name, got, want_s);
}

static int bind(attn_model *m, const st_tensor *t, want *e, attn_error *err)
{
    const int two = e->cols > 0 || e->row1;
    if (t->ndim != (two ? 2 : 1) || t->shape[0] != (e->row1 ? 1 : e->rows) ||
        (two && t->shape[1] != (e->row1 ? e->rows : e->cols)))
        return shape_fail(t, e, err);
    int sh[2] = {e->row1 ? 1 : e->rows, e->row1 ? e->rows : e->cols};
    e->seen = 1;
    if (e->kind == T_MAT && (t->dtype == ST_F16 || t->dtype == ST_BF16)) {
        const int half = t->dtype == ST_F16 ? HALF_F16 : HALF_BF16;
        if (st_check_finite(t, err)) return -1;
        *(attn_linear *)e->dst = (attn_linear){.w = t->data, .ld = e->cols, .half = half,
                                               .b = ((attn_linear *)e->dst)->b};
        return model_add_view(m, e->name, 2, sh, t->data, e->cols, 0, half, err);
    }
    const float *data;
    int owned = 0;
    if (st_to_float(t, &data, &owned, err) || (owned && keep(m, data, t->name, err))) return -1;
    if (e->kind == T_VEC) *(const float **)e->dst = data;
    else
        *(attn_linear *)e->dst = (attn_linear){.w = data, .ld = e->cols, .b = ((attn_linear *)e->dst)->b};
    return model_add_view(m, e->name, two ? 2 : 1, sh, data, two ? sh[1] : 1, 0, 0, err);
}

/* Marian's positions (MarianSinusoidalPositionalEmbedding): row p, column
 * j < d/2 is sin(p / 10000^(2j/d)), column d/2 + j cos of the same, each
 * angle in double, rounded to float. */
static int marian_positions(attn_model *m, attn_s2s *s, int n, int d, attn_error *err)
{
    float *pe = malloc((size_t)n * (size_t)d * sizeof *pe); /* [n, d] */
    if (!pe) return attn_oom(err, "positions");
    const int half = d / 2 + d % 2; /* sentinel = dim // 2 + dim % 2 */
    for (int p = 0; p < n; p++)
        for (int j = 0; j < d; j++) {
            int jj = j < half ? j : j - half;
            int col = j < half ? 2 * jj : 2 * jj + 1;
            double angle = p / pow(10000.0, 2.0 * (col / 2) / d);
            pe[(size_t)p * (size_t)d + (size_t)j] = (float)(j < half ? sin(angle) : cos(angle));
        }
    if (keep(m, pe, "positions", err)) return -1;
    s->enc.pos = s->dec.pos = pe;
    s->pos_offset = 0, s->n_pos = n;
    return 0;
}

/* Which tensors the checkpoint must, may or may not hold. */
static int want_all(wants *W, attn_model *m, const hf_s2s_conf *k, attn_linear *enc_tok, attn_linear *dec_tok,
                    attn_linear *shared)
{
    attn_s2s *s = m->s2s;
    const int d = k->d, V = k->vocab;
    if (s->family == S2S_T5) {
        add(W, T_MAT, shared, 1, V, d, "shared.weight");
        add(W, T_MAT, enc_tok, 0, V, d, "encoder.embed_tokens.weight");
        add(W, T_MAT, dec_tok, 0, V, d, "decoder.embed_tokens.weight");
        t5_layers(W, &s->enc, "encoder", d, 0, k->glu, s->buckets);
        t5_layers(W, &s->dec, "decoder", d, 1, k->glu, s->buckets);
        add_norm(W, &s->enc.final_ln_w, NULL, d, 0, "encoder.final_layer_norm");
        add_norm(W, &s->dec.final_ln_w, NULL, d, 0, "decoder.final_layer_norm");
        if (!k->bare) add(W, T_MAT, &s->lm_head, !k->tie, V, d, "lm_head.weight");
        return W->bad ? -1 : 0;
    }
    const int learned = s->family != S2S_MARIAN;
    add(W, T_MAT, shared, k->share, V, d, "shared.weight");
    add(W, T_MAT, enc_tok, !k->share, V, d, "encoder.embed_tokens.weight");
    add(W, T_MAT, dec_tok, !k->share, V, d, "decoder.embed_tokens.weight");
    static const char *const st[] = {"encoder", "decoder"};
    for (int i = 0; i < 2; i++) {
        attn_s2s_stack *x = i ? &s->dec : &s->enc;
        if (learned) {
            add(W, T_VEC, (void *)&x->pos, 1, k->max_pos + 2, d, "%s.embed_positions.weight", st[i]);
            char b[64];
            snprintf(b, sizeof b, "%s.layernorm_embedding", st[i]);
            add_norm(W, &x->emb_ln_w, &x->emb_ln_b, d, 1, b);
        } else { /* a stored copy (legacy files) is what from_pretrained loads */
            add(W, T_VEC, (void *)&x->pos, 0, k->max_pos, d, "%s.embed_positions.weight", st[i]);
        }
        if (s->family == S2S_MBART) {
            char b[64];
            snprintf(b, sizeof b, "%s.layer_norm", st[i]);
            add_norm(W, &x->final_ln_w, &x->final_ln_b, d, 1, b);
        }
        bart_layers(W, x, st[i], d, i);
    }
    if (!k->bare) {
        add(W, T_MAT, &s->lm_head, !k->tie, V, d, "lm_head.weight");
        add(W, T_VEC, (void *)&s->logits_bias, 0, V, 0, "final_logits_bias");
        W->w[W->n - 1].row1 = 1;
    }
    return W->bad ? -1 : 0;
}

static want *find_want(wants *W, const char *name)
{
    for (int i = 0; i < W->n; i++)
        if (strcmp(W->w[i].name, name) == 0) return &W->w[i];
    return NULL;
}

attn_model *hf_load_seq2seq(const char *path, const char *dir, int is_dir, attn_error *err)
{
    char cpath[4096];
    json_doc *doc = NULL;
    wants W = {0};
    attn_model *m = model_new(err);
    if (!m) return NULL;
    hf_info info = {0};
    attn_s2s *s = m->s2s = calloc(1, sizeof *m->s2s);
    hf_s2s_conf k = {0};
    attn_linear enc_tok = {0}, dec_tok = {0}, shared = {0};
    if (!s) {
        attn_oom(err, path);
        goto fail;
    }
    io_file_in(dir, "config.json", cpath, sizeof cpath);
    cJSON *j = json_load(cpath, &doc, err);
    if (!j) goto fail;
    const char *type = cJSON_GetObjectItemCaseSensitive(j, "model_type")->valuestring;
    s->family = strcmp(type, "bart") == 0 ? S2S_BART : strcmp(type, "mbart") == 0 ? S2S_MBART
              : strcmp(type, "marian") == 0 ? S2S_MARIAN : S2S_T5;
    if (!(m->model_type = malloc(strlen(type) + 1))) {
        attn_oom(err, path);
        goto fail;
    }
    strcpy(m->model_type, type);
    s->type = m->model_type;
    k.path = cpath;
    if (hf_seq2seq_config(m, &k, dir, j, err)) goto fail;
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(j, "_name_or_path");
    if (cJSON_IsString(nm) && nm->valuestring[0] && !(m->name = malloc(strlen(nm->valuestring) + 1))) {
        attn_oom(err, path);
        goto fail;
    }
    if (m->name) strcpy(m->name, nm->valuestring);
    json_doc_free(doc);
    doc = NULL;
    s->pre_norm = s->family == S2S_MBART || s->family == S2S_T5;
    s->emb_scale = k.scale_emb ? sqrtf((float)k.d) : 1.0f;
    s->out_scale = s->family == S2S_T5 && k.tie ? (float)(1.0 / sqrt((double)k.d)) : 1.0f;
    s->pos_offset = s->family == S2S_T5 ? 0 : 2;
    s->n_pos = s->family == S2S_T5 ? 0 : k.max_pos + 2;
    m->cfg = s->dec.cfg; /* what the views describe: the decoder's shape */
    m->cfg.n_layers = k.dec_layers;
    m->cfg.positional = s->family == S2S_T5 ? POS_NONE : POS_LEARNED;
    m->cfg.max_positions = k.max_pos + (s->family == S2S_MARIAN ? 0 : 2);
    m->cfg.pos_offset = s->family == S2S_MARIAN ? 0 : 2;
    m->n_emb = k.vocab;
    if (!(s->enc.layers = calloc((size_t)k.enc_layers, sizeof *s->enc.layers)) ||
        !(s->dec.layers = calloc((size_t)k.dec_layers, sizeof *s->dec.layers))) {
        attn_oom(err, path);
        goto fail;
    }
    if (s->family == S2S_MARIAN && marian_positions(m, s, k.max_pos, k.d, err)) goto fail;
    /* the tokenizer (hf_tokenizer.c): tokenizer.json, BART's vocab.json + merges.txt, T5's
     * spiece.model, Marian's source.spm + vocab.json */
    info.type = HF_SEQ2SEQ;
    snprintf(info.model_type, sizeof info.model_type, "%s", s->type);
    if (!(m->tokenizer = hf_load_tokenizer(&info, dir, err))) goto fail;
    if (tokenizer_vocab_size(m->tokenizer) > k.vocab) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: %d entries, but config.json's vocab_size is %d (the rows of the "
                  "word embeddings)", info.tokenizer_file, tokenizer_vocab_size(m->tokenizer), k.vocab);
        goto fail;
    }
    if (!(m->weights_file = hf_open_weights(path, dir, is_dir, err))) goto fail;
    if (want_all(&W, m, &k, &enc_tok, &dec_tok, &shared)) {
        attn_oom(err, path);
        goto fail;
    }
    const char *first = st_count(m->weights_file) ? st_at(m->weights_file, 0)->file : path;
    int prefixed = 0;
    for (int i = 0; i < st_count(m->weights_file); i++) {
        const st_tensor *t = st_at(m->weights_file, i);
        const char *name = t->name;
        if (s->family != S2S_T5 && strncmp(name, "model.", 6) == 0) name += 6, prefixed = 1;
        want *e = find_want(&W, name);
        if (!e && strcmp(t->name, "lm_head.weight") == 0) e = find_want(&W, t->name);
        if (!e && strcmp(t->name, "final_logits_bias") == 0) e = find_want(&W, t->name);
        if (!e) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: unexpected tensor '%s' (not part of the %s model attnviz knows)",
                      t->file, t->name, m->model_type);
            goto fail;
        }
        if (e->seen) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' appears twice (with and without 'model.')", t->file,
                      t->name);
            goto fail;
        }
        /* tied copies: ignored as from_pretrained ties them again */
        if (!e->dst || (e->dst == &s->lm_head && k.tie) ||
            ((e->dst == &enc_tok || e->dst == &dec_tok) && (k.share || s->family == S2S_T5) &&
             (find_want(&W, "shared.weight") && st_find(m->weights_file, prefixed ? "model.shared.weight" : "shared.weight")))) {
            e->seen = 1;
            continue;
        }
        if (bind(m, t, e, err)) goto fail;
    }
    for (int i = 0; i < W.n; i++) {
        want *e = &W.w[i];
        int need = e->need;
        if (e->dst == &shared && s->family == S2S_T5) need = !enc_tok.w; /* old T5 files: embed_tokens only */
        if (e->dst == &enc_tok && !shared.w && s->family != S2S_T5) need = 1;
        if (e->dst == &dec_tok && !shared.w && s->family != S2S_T5) need = 1;
        if (need && !e->seen) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s%s' is missing", first,
                      s->family != S2S_T5 && (prefixed || !k.bare) && e->dst != &s->lm_head &&
                      e->dst != (void *)&s->logits_bias ? "model." : "", e->name);
            goto fail;
        }
    }
    /* embeddings: the shared table, or each stack's own */
    const attn_linear *et = shared.w ? &shared : &enc_tok, *dt = shared.w && k.share ? &shared : dec_tok.w ? &dec_tok : et;
    if (!et->w) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor 'shared.weight' is missing", first);
        goto fail;
    }
    s->enc.tok = et->w, s->enc.tok_half = et->half;
    s->dec.tok = dt->w, s->dec.tok_half = dt->half;
    if (!k.bare && k.tie) s->lm_head = (attn_linear){.w = dt->w, .ld = k.d, .half = dt->half};
    m->cfg.tied = k.tie;
    if (!(m->source = malloc(strlen(path) + 1))) {
        attn_oom(err, path);
        goto fail;
    }
    strcpy(m->source, path);
    free(W.w);
    hf_info_free(&info);
    return m;
fail:
    free(W.w);
    json_doc_free(doc);
    hf_info_free(&info);
    model_free(m);
    return NULL;
}
