/* fuzz_sentence.c — the sentence: every tokenizer, the forward pass and
 * every view.
 *
 * The first five bytes of the input choose what main.c's options would;
 * the rest is the sentence (an input with a NUL byte is skipped: neither
 * an argument nor a line of standard input can hold one). A TAB splits
 * off a --source text for cross-attention where main.c allows it.
 *   byte 0: bits 0-1 and 7 the tokenizer: 0 words, 1 WordPiece
 *           (data/pretrained's vocab.txt, uncased, [CLS] ... [SEP]), 2 the
 *           same cased, 3 byte-level BPE (tests/bad/hf/gpt2), 4-7 the
 *           tokenizer.json pipelines of tests/fuzz/tokenizers/ (Unigram
 *           with Metaspace, WordLevel with truncation, BPE with a Split
 *           regex and byte fallback, a BERT pipeline); bit 2 --lowercase;
 *           bits 3-4 the model: 0 post-LN scaled dot, 1 pre-LN causal, 2
 *           additive score, 3 plain dot product (seeded, 2 layers, 2
 *           heads, d 16: the tokens' embeddings are hashed from their
 *           text, so any tokenizer's tokens run through any of them;
 *           but with the byte-level BPE, 1 is tests/bad/hf/llama, a
 *           real Llama directory of that tokenizer: RoPE, grouped-query
 *           heads, RMSNorm, BF16 weights, the layer stack of stack.h);
 *           bit 5 --words, bit 6 --no-special
 *   byte 1: bits 0-2 the view (-f): 0 heatmap, 1 focus (-q), 2 --explain,
 *           3 --explain -f json, 4 CSV, 5 JSON (streamed one head at a
 *           time, as main.c does, unless aggregated or regrouped), 6 SVG
 *           (HTML when byte 2 has bit 2: the page gets the heads as
 *           computed, and aggregates and regroups them itself, as
 *           sentence.c does), 7 PNG; bits 3-4 colour depth; bit 5
 *           --values; bits 6-7 --aggregate mean, --aggregate max, --rollout
 *   byte 2: --width 20 + 2·byte, the query token (byte mod tokens), --top
 *           1 + byte / 16, the figures' --scale and --title; with the
 *           Llama, bit 0 --generate 2 (the greedy continuation, marked
 *           generated in every view; not with --words, as main.c)
 *   byte 3: bits 0-1 the shown layers (all, 1, 2, 1-2); bits 2-3 heads;
 *           bits 4-6 the colormap; bit 7 --grid
 *   byte 4: the colour scale: bits 0-1 --norm (all, layer, head, row),
 *           bit 2 --log, bits 3-5 --vmin / --vmax (none, and seven
 *           choices, some of them refused as main.c refuses them); bits
 *           6-7: 1 the terminal's first screen (header and the most
 *           focused heads) before the heatmap, 2 --overview (header and
 *           every head), 3 a --truncate note and --cell 1 + byte 2 % 40
 * One view per input, as main.c renders one format per run. Sentences of
 * more than 40 tokens are skipped: the views' layouts (half blocks,
 * pooling past the width) are reached with fewer tokens at narrow widths,
 * and their cost grows with the square of the tokens. Every text output is
 * built in memory, as main.c builds it, and checked to be valid UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "compute/result.h"
#include "compute/stack.h"
#include "compute/transformer.h"
#include "fuzz.h"
#include "render/explain.h"
#include "render/render.h"
#include "text/subword.h"
#include "text/tokenize.h"
#include "text/words.h"

enum { N_MODELS = 4, N_TOKENIZERS = 8 };
static attn_model *models[N_MODELS], *llama;
static attn_tokenizer *tokenizers[N_TOKENIZERS]; /* [0] NULL: words */
/* The figures' font given by its file where Debian puts it, so that not
 * every figure asks fontconfig (a few milliseconds each); NULL: fontconfig */
static const char *font;

static void need(void *p, const attn_error *err, const char *what)
{
    if (p) return;
    fprintf(stderr, "fuzz_sentence: %s: %s (run from the top of the source tree)\n", what, err->msg);
    exit(1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    attn_error err = {0};
    const attn_config cfgs[N_MODELS] = {
        {.d_model = 16, .n_heads = 2, .n_layers = 2, .score = SCORE_SCALED_DOT, .projections = 1,
         .layer_norm = LN_POST},
        {.d_model = 16, .n_heads = 2, .n_layers = 2, .score = SCORE_SCALED_DOT, .projections = 1,
         .layer_norm = LN_PRE, .causal = 1},
        {.d_model = 16, .n_heads = 2, .n_layers = 2, .score = SCORE_ADDITIVE, .projections = 1,
         .layer_norm = LN_POST},
        {.d_model = 16, .n_heads = 2, .n_layers = 2, .score = SCORE_DOT, .projections = 0,
         .layer_norm = LN_NONE},
    };
    for (int i = 0; i < N_MODELS; i++) need(models[i] = model_seeded(42, &cfgs[i], &err), &err, "seeded model");
    tokenizers[1] = wordpiece_from_vocab_txt("data/pretrained/vocab.txt", 1, "[UNK]", &err);
    need(tokenizers[1], &err, "data/pretrained/vocab.txt");
    tokenizers[2] = wordpiece_from_vocab_txt("data/pretrained/vocab.txt", 0, "[UNK]", &err);
    need(tokenizers[2], &err, "data/pretrained/vocab.txt");
    for (int i = 1; i <= 2; i++) need(tokenizer_set_specials(tokenizers[i], "[CLS]", "[SEP]", &err) == 0 ? tokenizers[i] : NULL, &err, "[CLS]");
    if (access("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", R_OK) == 0)
        font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    need(llama = model_load_hf("tests/bad/hf/llama", &err), &err, "tests/bad/hf/llama");
    tokenizers[3] = bpe_from_files("tests/bad/hf/gpt2/vocab.json", "tests/bad/hf/gpt2/merges.txt", &err);
    need(tokenizers[3], &err, "tests/bad/hf/gpt2");
    static const char *const pipelines[] = {"unigram_metaspace", "wordlevel_truncation", "bpe_split_regex",
                                            "bert_pipeline"};
    for (int i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/fuzz/tokenizers/%s.json", pipelines[i]);
        need(tokenizers[4 + i] = tokenizer_from_json(path, &err), &err, path);
        const char *first = NULL, *last = NULL;
        tokenizer_default_specials(tokenizers[4 + i], &first, &last);
        if ((first || last) && tokenizer_set_specials(tokenizers[4 + i], first, last, &err) != 0)
            need(NULL, &err, path);
    }
    return 0;
}

/* The offset of the first byte of s[0..len) that is not valid UTF-8, or len.
 * utf8proc decides, not base/utf8.c: an independent judge, and one built
 * without libFuzzer's instrumentation (with base/utf8.c's checks traced,
 * every byte of every view's output cost a comparison callback: a tenth of
 * the harness's time). ASCII runs are skipped here; this function is in
 * coverage-ignore.txt. */
static size_t utf8_invalid_at(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) return i;
        i += (size_t)n;
    }
    return len;
}

static void check_utf8(const attn_buf *b, const char *what)
{
    fuzz_assert(!b->failed, "%s: out of memory", what);
    size_t bad = utf8_invalid_at(b->data, b->len);
    fuzz_assert(bad == b->len, "%s: invalid UTF-8 at byte %zu", what, bad);
}

/* The tokens of text as main.c's tokenize_text() makes them; 0, or -1 for
 * a refused input (err checked). */
static int tokenize(attn_tokenizer *tk, const attn_model *m, int lowercase, int words, const char *text,
                    attn_tokens *t, attn_error *err)
{
    size_t len = strlen(text);
    int rc = tk ? tokenizer_encode(tk, text, len, t, err) : tokenize_words(text, len, lowercase, t, err);
    if (rc == 0) fuzz_check_tokens(t, len, tk ? tokenizer_vocab_size(tk) : -1);
    if (rc == 0 && tk && words) rc = tokens_assign_words(t, text, len, err);
    int n = 0;
    for (int i = 0; rc == 0 && i < t->n; i++) n += !t->tok[i].special;
    if (rc == 0 && n == 0) return -1; /* "no words": main.c refuses it */
    if (rc == 0) rc = tokens_assign_ids(t, m, err);
    if (rc != 0) fuzz_check_error(err);
    return rc;
}

/* Streaming: main.c's stream_head() without the writes. */
typedef struct {
    attn_buf out;
    int json;
} sink_ctx;

static int sink(void *ctx, const attn_result *r, int li, int hi, const float *w, attn_error *err)
{
    sink_ctx *c = ctx;
    (void)err;
    if (li == 0 && hi == 0) {
        if (c->json) render_json_begin(&c->out, r);
        else render_csv_begin(&c->out, r, 1);
    }
    if (c->json) render_json_rows(&c->out, r, li, hi, w, 0, r->n_q);
    else render_csv_rows(&c->out, r, li, hi, w, 0, r->n_q);
    if (c->json && li == r->n_layers - 1 && hi == r->n_heads - 1) render_json_end(&c->out, r);
    return 0;
}

enum { V_HEATMAP, V_FOCUS, V_EXPLAIN, V_EXPLAIN_JSON, V_CSV, V_JSON, V_SVG, V_PNG, V_HTML };

/* --vmin / --vmax choices of byte 4 (0: none) */
static const struct { int has_lo, has_hi; double lo, hi; } bounds[8] = {
    {0, 0, 0, 0}, {1, 0, 0.01, 0}, {0, 1, 0, 0.5}, {1, 1, 0.001, 1}, {1, 1, 0.2, 0.1},
    {1, 0, 0, 0}, {1, 1, 0.3, 0.3}, {0, 1, 0, 1e-6},
};

/* Renders the chosen view of res (not streamed); colour is a checked scale,
 * ho the HTML page's options but its colour and query. */
static void view(int v, const attn_result *res, const attn_trace *tr, const attn_model *m, const uint8_t *o,
                 int query, const scale_opts *colour, html_opts ho)
{
    attn_error err = {0};
    attn_buf out;
    buf_init(&out);
    ansi_opts ao = {.color = (attn_color_depth)((o[1] >> 3 & 3) % 3), .width = 20 + 2 * o[2],
                    .values = o[1] >> 5 & 1, .cmap = (attn_colormap)((o[3] >> 4 & 7) % CMAP_COUNT),
                    .query = v == V_FOCUS ? query : -1, .top = 1 + o[2] / 16, .colour = colour};
    figure_opts fo = {.cmap = ao.cmap, .grid = o[3] >> 7, .font = font,
                      .title = o[2] & 1 ? "T\xc3\xa9st \x1b[31m\xe2\x80\xae" : NULL,
                      .scale = 0.25 + (o[2] >> 5) / 8.0, .dpi = 96, .colour = colour,
                      .cell = o[4] >> 6 == 3 ? 1 + o[2] % 40 : 0};
    attn_file *files = NULL;
    int rc = 0, n = 0;
    char note[512];
    if (render_note(res, note, sizeof note)) check_utf8(&(attn_buf){.data = note, .len = strlen(note)}, "note");
    switch (v) {
    case V_HEATMAP:
        if (o[4] >> 6 == 1 || o[4] >> 6 == 2) { /* the first screen, or --overview */
            overview_opts ov = {.all = o[4] >> 6 == 2, .query = o[2] & 2 ? "it" : NULL};
            rc = render_header(&out, res, &ao, &err);
            if (rc == 0) rc = render_overview(&out, res, &ao, &ov, &err);
            if (rc == 0 && !ov.all) rc = render_ansi(&out, res, &ao, &err);
            break;
        }
        /* fall through */
    case V_FOCUS: rc = render_ansi(&out, res, &ao, &err); break;
    case V_EXPLAIN: rc = explain_text(&out, res, tr, m, query, &err); break;
    case V_EXPLAIN_JSON: rc = explain_json(&out, res, tr, m, query, &err); break;
    case V_CSV: rc = render_csv(&out, res, 1, &err); break;
    case V_JSON: rc = render_json(&out, res, &err); break;
    case V_SVG: rc = render_svg(res, &fo, &files, &n, &err); break;
    case V_HTML:
        ho.cmap = ao.cmap;
        ho.colour = colour;
        ho.query = o[2] & 8 ? query : -1;
        ho.title = fo.title;
        rc = render_html(&out, res, &ho, &err);
        break;
    default: /* the smallest scale: the layout is figure.c's, as for SVG; the
                raster's cost grows with the square of the scale */
        fo.scale = 0.25;
        rc = render_png(res, &fo, &files, &n, &err);
    }
    if (rc != 0) fuzz_check_error(&err);
    else check_utf8(&out, "text output");
    for (int i = 0; rc == 0 && v == V_SVG && i < n; i++) check_utf8(&files[i].data, "SVG");
    files_free(files, n);
    buf_free(&out);
}

static int *range_list(int code, int max, int *n)
{
    int *l = malloc((size_t)max * sizeof *l);
    *n = 0;
    for (int i = 0; l && i < max; i++)
        if (code == 0 || (code == 1 && i == 0) || (code == 2 && i == max - 1) || (code == 3 && i < 2)) l[(*n)++] = i;
    return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5 || size > 4096 || memchr(data, 0, size)) return 0;
    const uint8_t *o = data;
    char *text = malloc(size - 5 + 1);
    fuzz_assert(text != NULL, "out of memory");
    memcpy(text, data + 5, size - 5);
    text[size - 5] = '\0';
    scale_opts colour = {.norm = (scale_norm)(o[4] & 3), .log = o[4] >> 2 & 1,
                         .has_vmin = bounds[o[4] >> 3 & 7].has_lo, .has_vmax = bounds[o[4] >> 3 & 7].has_hi,
                         .vmin = bounds[o[4] >> 3 & 7].lo, .vmax = bounds[o[4] >> 3 & 7].hi};
    attn_error serr = {0};
    if (scale_check(&colour, &serr) != 0) { /* main.c refuses it before any work */
        fuzz_check_error(&serr);
        free(text);
        return 0;
    }
    attn_tokenizer *tk = tokenizers[(o[0] & 3) | (o[0] >> 5 & 4)];
    const attn_model *m = models[o[0] >> 3 & 3];
    if (tk == tokenizers[3] && (o[0] >> 3 & 3) == 1) {
        m = llama;
        tk = llama->tokenizer;
    }
    const int generate = m == llama && (o[2] & 1) && !(o[0] >> 5 & 1) ? 2 : 0; /* not with --words */
    const int lowercase = o[0] >> 2 & 1, words = o[0] >> 5 & 1, no_special = o[0] >> 6 & 1;
    const int grouped = (words || no_special) && tk;
    int v = o[1] & 7;
    if ((v == V_EXPLAIN || v == V_EXPLAIN_JSON) && grouped) v = V_HEATMAP; /* main.c refuses --explain --words */
    if (v == V_SVG && (o[2] & 4)) v = V_HTML;
    const int explain = v == V_EXPLAIN || v == V_EXPLAIN_JSON, html = v == V_HTML;
    const int agg = explain ? 0 : o[1] >> 6, rollout = agg == 3;
    const int streamed = (v == V_CSV || v == V_JSON) && !agg && !grouped;
    char *source = NULL;
    char *tab = strchr(text, '\t');
    if (tab && !tk && !m->cfg.causal && !rollout) { /* --source: not with --rollout or a causal model */
        *tab = '\0';
        source = tab + 1;
    }
    attn_error err = {0};
    attn_tokens t = {0}, src = {0}, shown = {0};
    attn_result res = {.meta = {.model = "fuzz \x1b[2J", .architecture = "attention", .seeded = 1, .seed = 42,
                                .d_model = m->cfg.d_model, .n_heads = m->cfg.n_heads,
                                .n_layers = m->cfg.n_layers, .score = "scaled_dot",
                                .command_line = "attnviz 'fuzz'", .text = text, .source_text = source}};
    attn_trace trace = {0};
    sink_ctx sc = {.json = v == V_JSON};
    buf_init(&sc.out);
    int nl, nh, nk, *layers = range_list(rollout ? 0 : (o[3] & 3), m->cfg.n_layers, &nl),
                    *heads = range_list(o[3] >> 2 & 3, m->cfg.n_heads, &nh),
                    *keep = range_list(o[3] & 3, m->cfg.n_layers, &nk); /* --rollout: the layers shown */
    fuzz_assert(layers && heads && keep, "out of memory");
    int rc = tokenize(tk, m, lowercase, words, text, &t, &err);
    if (rc == 0 && source) rc = tokenize(NULL, m, lowercase, 0, source, &src, &err);
    if (rc == 0 && (t.n > 40 || src.n > 40)) rc = -1; /* too long to be worth it */
    if (rc == 0 && generate) { /* main.c's generate_tokens() */
        int *ids = malloc(((size_t)t.n + generate) * sizeof *ids), n_new = 0; /* [prompt + generated] */
        fuzz_assert(ids != NULL, "out of memory");
        for (int i = 0; i < t.n; i++) ids[i] = t.tok[i].id;
        rc = stack_generate(m, ids, t.n, generate, ids + t.n, &n_new, &err);
        if (rc == 0) rc = tokenizer_append_ids(m->tokenizer, &t, ids + t.n, n_new, strlen(text), &err);
        if (rc != 0) fuzz_check_error(&err);
        free(ids);
    }
    forward_opts fo = {.source = source ? &src : NULL, .trace = explain ? &trace : NULL,
                       .sink = streamed ? sink : NULL, .sink_ctx = &sc};
    if (rc == 0) {
        rc = transformer_forward(&res, m, &t, layers, nl, heads, nh, &fo, &err);
        if (rc != 0) fuzz_check_error(&err);
    }
    if (rc == 0 && streamed) check_utf8(&sc.out, "streamed output");
    html_opts ho = {.sentence = text, .source = source, .layers = rollout ? keep : layers,
                    .n_layers = rollout ? nk : nl, .aggregate = agg == 1 ? "mean" : agg == 2 ? "max" : NULL,
                    .rollout = rollout, .words = grouped && words, .no_special = grouped && no_special};
    if (rc == 0 && agg && !html) { /* the page aggregates the heads itself */
        rc = rollout ? result_rollout(&res, keep, nk, &err) : result_aggregate(&res, agg == 2 ? "max" : "mean", &err);
        if (rc != 0) fuzz_check_error(&err);
    }
    if (rc == 0 && grouped && !html) { /* main.c's regroup() for self-attention; the page regroups itself */
        int *g = NULL;
        rc = tokens_group(res.queries, text, words, no_special, &shown, &g, &err);
        if (rc != 0) fuzz_check_error(&err);
        if (rc == 0 && shown.n == 0) rc = -1; /* "--no-special: nothing left to show" */
        if (rc == 0 && (rc = result_regroup(&res, g, &shown, g, &shown, &err)) != 0) fuzz_check_error(&err);
        free(g);
    }
    if (rc == 0 && o[4] >> 6 == 3) { /* a --truncate note: "n of n + 3 tokens" */
        res.meta.tokens_total = res.n_q + 3;
        res.meta.window_end = res.n_q;
    }
    if (rc == 0 && !streamed) view(v, &res, &trace, m, o, (int)(o[2] % (unsigned)res.n_q), &colour, ho);
    buf_free(&sc.out);
    trace_free(&trace);
    result_free(&res);
    tokens_free(&t);
    tokens_free(&src);
    tokens_free(&shown);
    free(layers);
    free(heads);
    free(keep);
    free(text);
    return 0;
}
