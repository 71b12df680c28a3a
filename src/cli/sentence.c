/* sentence.c — one sentence: tokens, --truncate / --window, the forward
 * pass, --words / --no-special, and the views. See run.h. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/run.h"
#include "compute/seq2seq.h"
#include "compute/stack.h"
#include "render/explain.h"
#include "render/render.h"
#include "text/subword.h"
#include "text/words.h"

void run_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("attnviz: note: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Puts "what: " before the message in err; returns -1. */
static int prefix_error(attn_error *err, const char *what)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return attn_fail(err, err->code, "%s: %s", what, msg);
}

int run_tokenize(const run_state *s, const options *o, const char *what, const char *text, attn_tokens *t,
                 attn_error *err)
{
    const attn_model *m = s->model;
    int rc = m->tokenizer ? tokenizer_encode(m->tokenizer, text, strlen(text), t, err)
                          : tokenize_words(text, strlen(text), o->lowercase || m->lowercase, t, err);
    if (rc != 0 || (m->tokenizer && o->words && tokens_assign_words(t, text, strlen(text), err) != 0))
        return prefix_error(err, what);
    int words = 0;
    for (int i = 0; i < t->n; i++) words += !t->tok[i].special;
    if (words == 0) return attn_fail(err, ATTN_EXIT_INPUT, "%s: no words in \"%s\"", what, text);
    return 0;
}

/* The most tokens the model takes at once (its learned positions). */
static int max_tokens(const attn_model *m)
{
    if (m->cfg.positional != POS_LEARNED) return INT_MAX;
    return m->cfg.max_positions - m->cfg.pos_offset;
}

/* --generate: the greedy continuation of t (the text's tokens, text_len
 * bytes) appended to it, marked generated. */
static int generate_tokens(run_state *s, const options *o, attn_tokens *t, size_t text_len, attn_error *err)
{
    const attn_model *m = s->model;
    int *ids = malloc(((size_t)t->n + (size_t)o->generate) * sizeof *ids), n_new = 0;
    if (!ids) return attn_oom(err, "--generate");
    for (int i = 0; i < t->n; i++) ids[i] = t->tok[i].id;
    double t0 = now_ms();
    int rc = stack_generate(m, ids, t->n, o->generate, ids + t->n, &n_new, err);
    s->t_generate += now_ms() - t0;
    s->n_generated += n_new;
    if (rc == 0) rc = tokenizer_append_ids(m->tokenizer, t, ids + t->n, n_new, text_len, err);
    free(ids);
    return rc;
}

/* An encoder-decoder's target (s2s_*): the decoder start token, then
 * --target's tokens (teacher forcing) or the greedy output. start holds
 * the start token, given --target's tokens, all the joined list (a shallow
 * copy: free only all->tok), text the output. */
typedef struct {
    attn_tokens start, given, all;
    char *text;
} s2s_target;

static void s2s_target_free(s2s_target *t)
{
    tokens_free(&t->start);
    tokens_free(&t->given);
    free(t->all.tok);
    free(t->text);
}

static int s2s_target_make(run_state *s, const options *o, const attn_tokens *src, s2s_target *t, attn_error *err)
{
    const attn_model *m = s->model;
    int start = m->s2s->start_id, rc, n_new = 0;
    if (o->target) {
        if (run_tokenize(s, o, "--target", o->target, &t->given, err) || tokens_assign_ids(&t->given, m, err) ||
            tokenizer_append_ids(m->tokenizer, &t->start, &start, 1, 0, err))
            return -1;
        t->start.tok[0].generated = 0;
        if (!(t->all.tok = malloc(((size_t)t->given.n + 1) * sizeof *t->all.tok))) return attn_oom(err, "--target");
        t->all.tok[0] = t->start.tok[0];
        memcpy(t->all.tok + 1, t->given.tok, (size_t)t->given.n * sizeof *t->all.tok);
        t->all.n = t->given.n + 1;
        if (!(t->text = malloc(strlen(o->target) + 1))) return attn_oom(err, "--target");
        strcpy(t->text, o->target);
        return 0;
    }
    const int cap = s2s_max_target(m) - 1, max_new = o->max_new ? o->max_new : cap < 64 ? cap : 64;
    if (max_new > cap)
        return attn_fail(err, ATTN_EXIT_INPUT, "--max-new %d: the model's positions take %d target tokens", max_new,
                         cap);
    int *ids = malloc(((size_t)max_new + 1) * sizeof *ids), *src_ids = malloc((size_t)src->n * sizeof *src_ids);
    rc = ids && src_ids ? 0 : attn_oom(err, "generation");
    for (int i = 0; rc == 0 && i < src->n; i++) src_ids[i] = src->tok[i].id;
    double t0 = now_ms();
    if (rc == 0) rc = s2s_generate(m, src_ids, src->n, max_new, ids + 1, &n_new, err);
    s->t_generate += now_ms() - t0;
    s->n_generated += n_new;
    if (ids) ids[0] = start;
    if (rc == 0) rc = tokenizer_append_ids(m->tokenizer, &t->all, ids, n_new + 1, 0, err);
    free(ids);
    free(src_ids);
    if (rc) return -1;
    t->all.tok[0].generated = 0;
    attn_buf b;
    buf_init(&b);
    for (int i = 0; i < t->all.n; i++) {
        t->all.tok[i].word = i; /* --words: each generated token is its own word */
        if (i > 0 && !t->all.tok[i].special) buf_puts(&b, t->all.tok[i].text);
    }
    buf_putc(&b, '\0');
    if (b.failed) {
        buf_free(&b);
        return attn_oom(err, "generation");
    }
    t->text = b.data;
    return 0;
}

/* --words and --no-special: the result regrouped (words.h); the tokens it
 * then shows are kept in q and k until it is rendered. */
static int regroup(attn_result *res, const options *o, const char *text, const char *source, attn_tokens *q,
                   attn_tokens *k, attn_error *err)
{
    int *qg = NULL, *kg = NULL, rc;
    if (res->meta.part) { /* an encoder-decoder: the target's text where the target is shown */
        const int enc = strcmp(res->meta.part, "encoder") == 0, dec = strcmp(res->meta.part, "decoder") == 0;
        source = dec ? res->meta.target_text : text;
        text = enc ? text : res->meta.target_text;
    }
    rc = tokens_group(res->queries, text, o->words, o->no_special, q, &qg, err);
    if (rc == 0 && res->keys != res->queries)
        rc = tokens_group(res->keys, source, o->words, o->no_special, k, &kg, err);
    if (rc == 0 && (q->n == 0 || (kg && k->n == 0)))
        rc = attn_fail(err, ATTN_EXIT_INPUT, "--no-special: nothing left to show");
    if (rc == 0) rc = result_regroup(res, qg, q, kg ? kg : qg, kg ? k : q, err);
    free(qg);
    free(kg);
    return rc;
}

/* One line of text: the note of a result (render_note()) or the window. */
static void put_line(attn_buf *out, const char *prefix, const char *s)
{
    buf_puts(out, prefix);
    buf_puts(out, s);
    buf_putc(out, '\n');
}

/* CSV has no room for a note: it goes to stderr, once per sentence. */
static void csv_note(const attn_result *r, const char *note)
{
    const attn_meta *m = &r->meta;
    if (m->n_windows && m->window == 1)
        run_note("%d tokens in %d windows of %d tokens (--window; the window column says which, and "
                 "token indices count within it)", m->tokens_total, m->n_windows, r->n_q);
    else if (!m->n_windows)
        run_note("%s", note);
}

int run_render(run_state *s, const options *o, const attn_result *res, const attn_trace *tr, attn_error *err)
{
    int query = -1;
    const char *spec = o->explain ? o->explain : o->query;
    if (spec && (query = cli_token(o->explain ? "--explain" : "--query", spec, res->queries, err)) < 0)
        return -1;
    char note[512];
    int has_note = render_note(res, note, sizeof note);
    if (has_note && o->format == FMT_CSV) csv_note(res, note);
    figure_opts fo = {.cmap = o->cmap, .grid = o->grid, .font = o->font, .title = o->title,
                      .scale = o->scale, .dpi = (int)(96.0 * o->scale + 0.5),
                      .transparent = o->transparent, .colour = &o->colour, .cell = o->cell};
    attn_buf *out = &s->out.buf;
    if (o->format == FMT_ANSI) {
        int to_stdout = !o->output || strcmp(o->output, "-") == 0;
        ansi_opts ao = {.color = cli_color_depth(o->color, to_stdout && isatty(STDOUT_FILENO)),
                        .width = o->width ? o->width : cli_terminal_width(),
                        .values = o->values, .cmap = o->cmap, .query = query, .top = o->top,
                        .colour = &o->colour};
        /* the first screen: on a terminal, when no view was chosen */
        int first = res->meta.window <= 1; /* of this sentence */
        int first_screen = s->to_tty && res->meta.sentence == 0 && first && !options_select(o) &&
                           !o->query && !o->explain && !o->values;
        if (s->shown++) buf_putc(out, '\n');
        if ((o->overview || first_screen) && first && render_header(out, res, &ao, err)) return -1;
        if (has_note) put_line(out, "note: ", note);
        if (res->meta.part && first) { /* an encoder-decoder: what went in, what came out */
            char *src = textesc_dup(res->meta.text), *tgt = textesc_dup(res->meta.target_text);
            if (!src || !tgt) {
                free(src);
                free(tgt);
                return attn_oom(err, "output");
            }
            put_line(out, "source: ", src);
            put_line(out, res->meta.target_generated ? "output: " : "target: ", tgt);
            free(src);
            free(tgt);
        }
        if (o->overview || (first_screen && res->n_layers * res->n_heads > 4)) {
            overview_opts ov = {.all = o->overview, .query = o->query};
            if (render_overview(out, res, &ao, &ov, err)) return -1;
            if (o->overview) return 0;
            buf_putc(out, '\n');
        }
        if (o->explain) return explain_text(out, res, tr, s->model, query, err);
        return render_ansi(out, res, &ao, err);
    }
    if (o->explain) return explain_json(out, res, tr, s->model, query, err);
    switch (o->format) {
    case FMT_CSV:
        s->shown++;
        if (render_csv(out, res, !s->csv_header, err)) return -1;
        s->csv_header = 1;
        return 0;
    case FMT_JSON: s->shown++; return render_json(out, res, err);
    case FMT_PNG: s->shown++; return render_png(res, &fo, &s->files, &s->n_files, err);
    case FMT_SVG: s->shown++; return render_svg(res, &fo, &s->files, &s->n_files, err);
    case FMT_HTML: { /* the page keeps the heads beside the aggregates and the words; with
                      * --from, it shows what the file holds (from.c selected and aggregated it) */
        const int model = !o->from, grouped = model && s->model && s->model->tokenizer;
        const char *part = res->meta.part, *qtext = res->meta.text, *ktext = o->source;
        if (part) /* an encoder-decoder: the texts of the rows and the columns */
            qtext = part[0] == 'e' ? res->meta.text : res->meta.target_text,
            ktext = part[0] == 'd' ? res->meta.target_text : res->meta.text;
        html_opts ho = {.cmap = o->cmap, .title = o->title, .sentence = qtext, .source = ktext, .layers = model ? s->layers : res->layers,
                        .n_layers = model ? s->n_layers : res->n_layers,
                        .aggregate = model ? o->aggregate : NULL, .rollout = model && o->rollout,
                        .words = grouped && o->words, .no_special = grouped && o->no_special, .query = query,
                        .colour = &o->colour, .note = has_note ? note : NULL};
        s->shown++;
        return render_html(out, res, &ho, err);
    }
    default: return 0;
    }
}

/* The sink of the streaming formats: renders one head and writes it out. */
typedef struct {
    run_state *s;
    const options *o;
} stream_ctx;

static int stream_head(void *ctx, const attn_result *r, int li, int hi, const float *w, attn_error *err)
{
    stream_ctx *c = ctx;
    if (c->o->format == FMT_NONE) return 0; /* computed, and nothing kept */
    double t0 = now_ms(), t_write = 0.0;
    attn_buf *out = &c->s->out.buf;
    const int csv = c->o->format == FMT_CSV;
    int rc = 0;
    if (li == 0 && hi == 0) {
        char note[512];
        if (csv && render_note(r, note, sizeof note)) csv_note(r, note);
        c->s->shown++;
        if (csv) render_csv_begin(out, r, !c->s->csv_header);
        else render_json_begin(out, r);
        c->s->csv_header = 1;
    }
    /* about 1 MiB of text per piece, flushed as it comes */
    int step = (int)(((size_t)1 << 20) / ((size_t)r->n_k * 40 + 1)) + 1;
    for (int q0 = 0; rc == 0 && q0 < r->n_q; q0 += step) {
        int q1 = q0 + step < r->n_q ? q0 + step : r->n_q;
        if (csv) render_csv_rows(out, r, li, hi, w, q0, q1);
        else render_json_rows(out, r, li, hi, w, q0, q1);
        double t1 = now_ms();
        rc = io_stream_flush(&c->s->out, 0, err);
        t_write += now_ms() - t1;
    }
    if (!csv && li == r->n_layers - 1 && hi == r->n_heads - 1) render_json_end(out, r);
    double total = now_ms() - t0;
    c->s->t_render += total - t_write;
    c->s->t_write += t_write;
    c->s->t_compute -= total; /* the caller times compute around this */
    return rc;
}

/* Runs the model over toks (all of the sentence, or a window of it) and
 * renders the result; meta describes it. */
static int run_tokens(run_state *s, const options *o, const char *what, const char *sentence,
                      attn_tokens *toks, const attn_meta *meta, attn_error *err)
{
    const attn_model *m = s->model;
    attn_tokens shown_q = {0}, shown_k = {0};
    attn_result res = {.meta = *meta};
    attn_trace trace = {0};
    stream_ctx sc = {s, o};
    const int html = o->format == FMT_HTML; /* render_html() aggregates and regroups */
    const int grouped = (o->words || o->no_special) && m->tokenizer && !html;
    int streaming = (o->format == FMT_CSV || o->format == FMT_JSON || o->format == FMT_NONE) &&
                    !o->aggregate && !o->rollout && !o->explain && !grouped;
    forward_opts fo = {.source = o->source ? &s->source : NULL, .trace = o->explain ? &trace : NULL,
                       .sink = streaming ? stream_head : NULL, .sink_ctx = &sc, .target = s->target,
                       .part = o->part < 0 ? PART_CROSS : o->part};
    int *all = NULL, rc = tokens_assign_ids(toks, m, err) ? prefix_error(err, what) : 0;
    double t1 = now_ms();
    if (rc == 0 && o->rollout) { /* rollout multiplies through every layer up to the last shown */
        int last = s->layers[s->n_layers - 1];
        if (!(all = malloc((size_t)(last + 1) * sizeof *all))) rc = attn_oom(err, "--rollout");
        for (int l = 0; rc == 0 && l <= last; l++) all[l] = l;
        if (rc == 0) rc = transformer_forward(&res, m, toks, all, last + 1, s->heads, s->n_heads, &fo, err);
        if (rc == 0 && !html) rc = result_rollout(&res, s->layers, s->n_layers, err);
    } else if (rc == 0) {
        rc = transformer_forward(&res, m, toks, s->layers, s->n_layers, s->heads, s->n_heads, &fo, err);
        if (rc == 0 && o->aggregate && !html) rc = result_aggregate(&res, o->aggregate, err);
    }
    if (rc == 0 && grouped) rc = regroup(&res, o, sentence, o->source, &shown_q, &shown_k, err);
    double t2 = now_ms();
    s->t_compute += t2 - t1;
    if (rc == 0 && !fo.sink) rc = run_render(s, o, &res, &trace, err);
    s->t_render += now_ms() - t2;
    free(all);
    trace_free(&trace);
    result_free(&res);
    tokens_free(&shown_q);
    tokens_free(&shown_k);
    return rc;
}

/* Tokens of t between `lead` special tokens at its start and `trail` at
 * its end: those specials around the words [a, b) (word indices counted
 * after the leading specials). A shallow copy: texts are t's; free only
 * out->tok. */
static int tokens_slice(const attn_tokens *t, int lead, int trail, int a, int b, attn_tokens *out,
                        attn_error *err)
{
    out->n = lead + (b - a) + trail;
    out->tok = malloc((size_t)out->n * sizeof *out->tok); /* [n] */
    if (!out->tok) return attn_oom(err, "tokens");
    memcpy(out->tok, t->tok, (size_t)lead * sizeof *out->tok);
    memcpy(out->tok + lead, t->tok + lead + a, (size_t)(b - a) * sizeof *out->tok);
    memcpy(out->tok + lead + (b - a), t->tok + t->n - trail, (size_t)trail * sizeof *out->tok);
    return 0;
}

/* --truncate and --window: how many tokens each window keeps (-1: all),
 * checked against the model's positions; -2 with err filled. */
static int window_size(const run_state *s, const options *o, const char *what, int n, int specials,
                       attn_error *err)
{
    int cap = max_tokens(s->model);
    int want = o->truncate ? o->truncate : o->window ? o->window : -1;
    const char *opt = o->truncate ? "--truncate" : "--window";
    if (want > cap)
        return -1 + attn_fail(err, ATTN_EXIT_INPUT, "%s %d: the model's learned positions stop at %d tokens",
                         opt, want, cap);
    if (want >= 0 && want <= specials)
        return -1 + attn_fail(err, ATTN_EXIT_INPUT, "%s %d: no room for a word beside the model's %d special "
                         "tokens", opt, want, specials);
    if (want < 0 && n > cap)
        return -1 + attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: %d tokens, but the model's learned positions stop at %d; keep the first %d "
                         "with --truncate %d, or show overlapping windows with --window %d --stride %d",
                         what, n, cap, cap, cap, cap, cap / 2);
    return want;
}

int run_sentence(run_state *s, const options *o, const char *sentence, long line, attn_error *err)
{
    const attn_model *m = s->model;
    attn_tokens toks = {0}, part = {0};
    attn_meta meta = {
        .model = m->source ? m->source : "seeded",
        .architecture = m->model_type ? m->model_type : m->cfg.arch <= ARCH_GPT2 ? arch_names[m->cfg.arch] : NULL,
        .seeded = m->seeded,
        .seed = m->seed,
        .d_model = m->cfg.d_model,
        .n_heads = m->cfg.n_heads,
        .n_layers = m->cfg.n_layers,
        .score = score_names[m->cfg.score],
        .command_line = s->cmdline,
        .sentence = (int)line,
        .text = sentence,
        .source_text = o->source,
        .n_params = s->n_params,
        .name = m->name,
        .context = m->cfg.positional == POS_LEARNED || m->cfg.positional == POS_ROPE ? m->cfg.max_positions : 0,
        .n_kv_heads = model_is_decoder(&m->cfg) ? m->cfg.n_kv_heads : 0,
        .d_head = model_is_decoder(&m->cfg) ? m->cfg.d_head : 0,
    };
    char what[48] = "SENTENCE";
    if (line) snprintf(what, sizeof what, "standard input, line %ld", line);
    double t0 = now_ms();
    int rc = run_tokenize(s, o, what, sentence, &toks, err);
    s->t_tokenize += now_ms() - t0;
    if (rc == 0 && o->generate) { /* time spent generating counts as compute */
        double t1 = now_ms();
        rc = generate_tokens(s, o, &toks, strlen(sentence), err);
        s->t_compute += now_ms() - t1;
    }
    s2s_target tgt = {0};
    if (rc == 0 && m->s2s) { /* the source's ids, then the target (generating it counts as compute) */
        double t1 = now_ms();
        rc = tokens_assign_ids(&toks, m, err) ? prefix_error(err, what) : s2s_target_make(s, o, &toks, &tgt, err);
        s->t_compute += now_ms() - t1;
        const int part = o->part < 0 ? PART_CROSS : o->part;
        s->target = &tgt.all;
        s->target_text = tgt.text;
        meta.part = s2s_part_names[part];
        meta.target_text = tgt.text;
        meta.target_generated = !o->target;
        s2s_part_shape(m, (s2s_part)part, &meta.n_layers, &meta.n_heads);
    }
    int lead = 0, trail = 0;
    while (rc == 0 && lead < toks.n && toks.tok[lead].special) lead++;
    while (rc == 0 && trail < toks.n - lead && toks.tok[toks.n - 1 - trail].special) trail++;
    int size = rc == 0 ? window_size(s, o, what, toks.n, lead + trail, err) : -1;
    if (size == -2) rc = -1;
    if (rc == 0 && (size < 0 || size >= toks.n)) {
        rc = run_tokens(s, o, what, sentence, &toks, &meta, err);
    } else if (rc == 0 && o->truncate) {
        meta.tokens_total = toks.n;
        meta.window_end = size;
        rc = tokens_slice(&toks, lead, trail, 0, size - lead - trail, &part, err);
        if (rc == 0) rc = run_tokens(s, o, what, sentence, &part, &meta, err);
    } else if (rc == 0) { /* windows of `words` tokens every o->stride, the last one ending at the end */
        int words = toks.n - lead - trail, wsize = size - lead - trail, n_win = 1;
        while ((n_win - 1) * o->stride + wsize < words) n_win++;
        meta.tokens_total = toks.n;
        meta.n_windows = n_win;
        for (int w = 0; rc == 0 && w < n_win; w++) {
            int a = w * o->stride;
            if (a + wsize > words) a = words - wsize;
            meta.window = w + 1;
            meta.window_start = lead + a;
            meta.window_end = lead + a + wsize;
            free(part.tok);
            part.tok = NULL;
            rc = tokens_slice(&toks, lead, trail, a, a + wsize, &part, err);
            if (rc == 0) rc = run_tokens(s, o, what, sentence, &part, &meta, err);
        }
    }
    free(part.tok);
    tokens_free(&toks);
    s2s_target_free(&tgt);
    s->target = NULL;
    s->target_text = NULL;
    return rc;
}
