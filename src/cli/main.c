/* main.c — the attnviz command line: options, input, output, exit codes.
 *
 * The only file that talks to the user: everything else returns errors in an
 * attn_error, and this file prints "attnviz: <message>" on stderr and exits
 * with EXIT_RUNTIME (1) or EXIT_USAGE (2).
 */
#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/io.h"
#include "base/textesc.h"
#include "cli/cli.h"
#include "cli/help.h"
#include "compute/stack.h"
#include "compute/transformer.h"
#include "model/model.h"
#include "render/explain.h"
#include "render/render.h"
#include "text/subword.h"
#include "text/tokenize.h"
#include "text/words.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

typedef enum { FMT_AUTO = -1, FMT_ANSI, FMT_CSV, FMT_JSON, FMT_PNG, FMT_SVG, FMT_NONE } out_format;
static const char *const format_names[] = {"ansi", "csv", "json", "png", "svg", "none", NULL};
static const char *const score_names[] = {"scaled_dot", "dot", "additive", NULL};
static const char *const ln_names[] = {"none", "pre", "post", NULL};
static const char *const color_names[] = {"auto", "always", "never", NULL};
static const char *const aggregate_names[] = {"mean", "max", NULL};
static const char *const arch_names[] = {"attention", "bert", "gpt2", NULL};

typedef struct {
    const char *model_path;     /* -m PATH; NULL: the default */
    int generated;              /* the seeded model: --seed, -m seeded or a shape option */
    uint64_t seed;
    int heads, dim, layers;     /* generated model; heads 0: default */
    int score;                  /* -1: the model's */
    int causal, plain, layer_norm;
    int lowercase;
    const char *source;         /* --source TEXT */
    out_format format;
    const char *output;
    const char *layer_list, *head_list;
    const char *save_model;
    int color;                  /* index in color_names */
    int cmap;
    int width;                  /* 0: from COLUMNS / the terminal */
    int values;
    const char *query, *explain;
    int top;
    const char *aggregate;      /* NULL, "mean", "max" */
    int rollout;
    int grid;
    const char *font, *title;
    double scale;
    int transparent;
    int time;                   /* --time: phases on stderr */
    int words;                  /* --words: subword tokens merged into words */
    int no_special;             /* --no-special: [CLS], [SEP] … not shown */
    int generate;               /* --generate N: greedy continuation first */
} options;

enum {
    OPT_HEADS = 256, OPT_DIM, OPT_LAYERS, OPT_SAVE_MODEL, OPT_LOWERCASE, OPT_COLOR, OPT_COLORMAP,
    OPT_WIDTH, OPT_VALUES, OPT_TOP, OPT_GRID, OPT_FONT, OPT_TITLE, OPT_SCALE, OPT_DPI,
    OPT_TRANSPARENT, OPT_SCORE, OPT_CAUSAL, OPT_PLAIN, OPT_LAYER_NORM, OPT_SOURCE, OPT_AGGREGATE,
    OPT_ROLLOUT, OPT_EXPLAIN, OPT_TIME, OPT_WORDS, OPT_NO_SPECIAL, OPT_GENERATE,
};

static const struct option long_options[] = {
    {"model", required_argument, NULL, 'm'},
    {"seed", required_argument, NULL, 's'},
    {"heads", required_argument, NULL, OPT_HEADS},
    {"dim", required_argument, NULL, OPT_DIM},
    {"layers", required_argument, NULL, OPT_LAYERS},
    {"score", required_argument, NULL, OPT_SCORE},
    {"causal", no_argument, NULL, OPT_CAUSAL},
    {"plain", no_argument, NULL, OPT_PLAIN},
    {"layer-norm", required_argument, NULL, OPT_LAYER_NORM},
    {"lowercase", no_argument, NULL, OPT_LOWERCASE},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"save-model", required_argument, NULL, OPT_SAVE_MODEL},
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"layer", required_argument, NULL, 'l'},
    {"head", required_argument, NULL, 'H'},
    {"aggregate", required_argument, NULL, OPT_AGGREGATE},
    {"rollout", no_argument, NULL, OPT_ROLLOUT},
    {"explain", required_argument, NULL, OPT_EXPLAIN},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"colormap", required_argument, NULL, OPT_COLORMAP},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"values", no_argument, NULL, OPT_VALUES},
    {"query", required_argument, NULL, 'q'},
    {"top", required_argument, NULL, OPT_TOP},
    {"grid", no_argument, NULL, OPT_GRID},
    {"font", required_argument, NULL, OPT_FONT},
    {"title", required_argument, NULL, OPT_TITLE},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"dpi", required_argument, NULL, OPT_DPI},
    {"transparent", no_argument, NULL, OPT_TRANSPARENT},
    {"time", no_argument, NULL, OPT_TIME},
    {"words", no_argument, NULL, OPT_WORDS},
    {"no-special", no_argument, NULL, OPT_NO_SPECIAL},
    {"generate", required_argument, NULL, OPT_GENERATE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Returns 0 to go on, -1 after --help/--version, or -2 with err filled. */
static int parse_options(int argc, char **argv, options *o, attn_error *err)
{
    int c, rc = 0;
    long v;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, ":m:s:f:o:l:H:q:hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'm': o->model_path = optarg; break;
        case 's': rc = cli_seed("--seed", optarg, &o->seed, err), o->generated = 1; break;
        case OPT_HEADS: rc = cli_int("--heads", optarg, 1, ATTN_MAX_HEADS, &o->heads, err); break;
        case OPT_DIM: rc = cli_int("--dim", optarg, 1, ATTN_MAX_DIM, &o->dim, err); break;
        case OPT_LAYERS: rc = cli_int("--layers", optarg, 1, ATTN_MAX_LAYERS, &o->layers, err); break;
        case OPT_SCORE: rc = (o->score = cli_choice("--score", optarg, score_names, err)) < 0; break;
        case OPT_CAUSAL: o->causal = 1; break;
        case OPT_PLAIN: o->plain = 1; break;
        case OPT_LAYER_NORM: rc = (o->layer_norm = cli_choice("--layer-norm", optarg, ln_names, err)) < 0; break;
        case OPT_LOWERCASE: o->lowercase = 1; break;
        case OPT_SOURCE: o->source = optarg; break;
        case OPT_SAVE_MODEL: o->save_model = optarg; break;
        case 'f': rc = (int)(o->format = cli_choice("--format", optarg, format_names, err)) < 0; break;
        case 'o': o->output = optarg; break;
        case 'l': o->layer_list = optarg; break;
        case 'H': o->head_list = optarg; break;
        case OPT_AGGREGATE: {
            int i = cli_choice("--aggregate", optarg, aggregate_names, err);
            rc = i < 0;
            if (i >= 0) o->aggregate = aggregate_names[i];
            break;
        }
        case OPT_ROLLOUT: o->rollout = 1; break;
        case OPT_EXPLAIN: o->explain = optarg; break;
        case OPT_COLOR: rc = (o->color = cli_choice("--color", optarg, color_names, err)) < 0; break;
        case OPT_COLORMAP:
            if ((o->cmap = colormap_find(optarg)) < 0)
                rc = attn_fail(err, ATTN_EXIT_INPUT, "--colormap: unknown colormap '%s'; use %s", optarg,
                               colormap_list());
            break;
        case OPT_WIDTH: rc = cli_int("--width", optarg, 20, 10000, &o->width, err); break;
        case OPT_VALUES: o->values = 1; break;
        case 'q': o->query = optarg; break;
        case OPT_TOP: rc = cli_int("--top", optarg, 1, 1000000, &o->top, err); break;
        case OPT_GRID: o->grid = 1; break;
        case OPT_FONT: o->font = optarg; break;
        case OPT_TITLE: o->title = optarg; break;
        case OPT_SCALE: rc = cli_double("--scale", optarg, 0.25, 16, &o->scale, err); break;
        case OPT_DPI:
            rc = cli_long("--dpi", optarg, 24, 1536, &v, err);
            o->scale = (double)v / 96.0;
            break;
        case OPT_TRANSPARENT: o->transparent = 1; break;
        case OPT_TIME: o->time = 1; break;
        case OPT_WORDS: o->words = 1; break;
        case OPT_NO_SPECIAL: o->no_special = 1; break;
        case OPT_GENERATE: rc = cli_int("--generate", optarg, 1, 100000, &o->generate, err); break;
        case 'h': errno = 0; help_print(stdout); return -1; /* errno: for a failed write */
        case 'V': errno = 0; printf("attnviz %s\n", ATTNVIZ_VERSION); return -1;
        case ':': rc = attn_fail(err, ATTN_EXIT_INPUT, "option %s needs an argument", argv[optind - 1]); break;
        default:
            if (optopt) rc = attn_fail(err, ATTN_EXIT_INPUT, "unknown option '-%c'", optopt);
            else rc = attn_fail(err, ATTN_EXIT_INPUT, "unknown option '%s'", argv[optind - 1]);
        }
    }
    return rc ? -2 : 0;
}

/* Combinations of options that cannot work, found before any work. */
static int check_options(options *o, attn_error *err)
{
    if (o->model_path && strcmp(o->model_path, "seeded") == 0) {
        o->model_path = NULL;
        o->generated = 1;
    }
    const int shaped = o->plain || o->layer_norm >= 0 || o->heads || o->dim || o->layers;
    if (o->model_path && (shaped || o->generated))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: applies to the generated model, not to -m %s",
                         o->plain ? "--plain" : o->layer_norm >= 0 ? "--layer-norm"
                         : o->heads ? "--heads" : o->dim ? "--dim" : o->layers ? "--layers" : "--seed",
                         o->model_path);
    if (shaped) o->generated = 1;
    if (o->aggregate && o->rollout)
        return attn_fail(err, ATTN_EXIT_INPUT, "--aggregate and --rollout: choose one");
    if (o->explain && (o->aggregate || o->rollout))
        return attn_fail(err, ATTN_EXIT_INPUT, "--explain: explains single heads, not --%s",
                         o->aggregate ? "aggregate" : "rollout");
    if (o->explain && o->query)
        return attn_fail(err, ATTN_EXIT_INPUT, "--explain and --query: choose one");
    if (o->explain && (o->words || o->no_special))
        return attn_fail(err, ATTN_EXIT_INPUT, "--explain: explains single tokens, not with --%s",
                         o->words ? "words" : "no-special");
    if (o->generate && (o->words || o->source))
        return attn_fail(err, ATTN_EXIT_INPUT, "--generate: not with --%s (generated tokens are not in the text)",
                         o->words ? "words" : "source");
    if (o->source && o->rollout)
        return attn_fail(err, ATTN_EXIT_INPUT, "--rollout: needs self-attention, not --source");
    if (o->format == FMT_AUTO && o->output && strcmp(o->output, "-") != 0)
        o->format = cli_format_of_path(o->output, format_names);
    /* options of the terminal view ask for it even through a pipe */
    const int wants_ansi = o->explain || o->query || o->values || o->color != 0 || o->width;
    if (o->format == FMT_AUTO) o->format = isatty(STDOUT_FILENO) || wants_ansi ? FMT_ANSI : FMT_CSV;
    if (o->explain && o->format != FMT_ANSI && o->format != FMT_JSON)
        return attn_fail(err, ATTN_EXIT_INPUT, "--explain: prints text or JSON, not -f %s",
                         format_names[o->format]);
    if (o->query && o->format != FMT_ANSI)
        return attn_fail(err, ATTN_EXIT_INPUT, "--query: the focus view is for the terminal (-f ansi)");
    if ((o->format == FMT_PNG || o->format == FMT_SVG) && !o->output)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "-f %s needs -o DIR (or -o FILE.%s for a single figure); images are not "
                         "written to a terminal", format_names[o->format], format_names[o->format]);
    return 0;
}

static attn_model *load_model(options *o, attn_error *err)
{
    attn_model *m;
    if (!o->model_path && !o->generated && !(o->model_path = cli_default_model(err))) return NULL;
    if (o->model_path) {
        m = model_is_hf_path(o->model_path) ? model_load_hf(o->model_path, err)
                                            : model_load_json(o->model_path, err);
    } else {
        int d = o->dim ? o->dim : 64, h = o->heads ? o->heads : (o->plain ? 1 : 4);
        if (d % h != 0) {
            attn_fail(err, ATTN_EXIT_INPUT, "--dim %d%s is not divisible by --heads %d%s", d,
                      o->dim ? "" : " (default)", h, o->heads ? "" : " (default)");
            return NULL;
        }
        attn_config cfg = {
            .d_model = o->dim ? o->dim : 64,
            .n_heads = o->heads ? o->heads : (o->plain ? 1 : 4),
            .n_layers = o->layers ? o->layers : 1,
            .score = o->score >= 0 ? (attn_score_fn)o->score : SCORE_SCALED_DOT,
            .causal = o->causal,
            .projections = !o->plain,
            .layer_norm = o->layer_norm >= 0 ? (attn_layer_norm)o->layer_norm : LN_POST,
        };
        m = model_seeded(o->seed, &cfg, err);
    }
    if (!m) return NULL;
    attn_config *c = &m->cfg;
    if (o->model_path && o->score >= 0 && o->score != (int)c->score) {
        if (o->score == SCORE_ADDITIVE || c->score == SCORE_ADDITIVE) {
            attn_fail(err, ATTN_EXIT_INPUT, "--score %s: %s has %s parameters", score_names[o->score],
                      o->model_path, c->score == SCORE_ADDITIVE ? "additive-only" : "no additive");
            model_free(m);
            return NULL;
        }
        c->score = (attn_score_fn)o->score;
    }
    if (o->causal) c->causal = 1;
    if (o->lowercase) m->lowercase = 1;
    if ((o->lowercase || o->source) && m->tokenizer) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", o->lowercase ? "--lowercase" : "--source",
                  o->lowercase ? "the model's own tokenizer decides about case"
                               : "cross-attention needs an attention-only model (the generated one or a "
                                 "JSON weight file)");
        model_free(m);
        return NULL;
    }
    if (o->generate && (c->arch == ARCH_ATTENTION || c->arch == ARCH_BERT || !m->tokenizer)) {
        attn_fail(err, ATTN_EXIT_INPUT, "--generate: %s is not a language model (-m a Hugging Face directory of "
                  "GPT-2 or a decoder family: llama, qwen2, gemma, ...)", o->model_path ? o->model_path : "the model");
        model_free(m);
        return NULL;
    }
    if (o->source && c->causal) {
        attn_fail(err, ATTN_EXIT_INPUT, "--source: cross-attention has no causal mask, but %s is causal",
                  o->model_path ? o->model_path : "--causal");
        model_free(m);
        return NULL;
    }
    return m;
}

/* Everything main frees, in one place. */
typedef struct {
    attn_model *model;
    char *arg_sentence;
    char *cmdline;
    int *layers, *heads;   /* 0-based shown indices */
    int n_layers, n_heads;
    attn_tokens source;
    attn_stream out;       /* text output (csv, json, ansi, explain) */
    int out_open;
    attn_file *files;      /* figures */
    int n_files;
    double t_start, t_load, t_tokenize, t_compute, t_render, t_write; /* --time, ms */
    double t_generate;     /* --time: the part of compute spent generating */
    int n_generated;
} state;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void state_free(state *s)
{
    model_free(s->model);
    free(s->arg_sentence);
    free(s->cmdline);
    free(s->layers);
    free(s->heads);
    tokens_free(&s->source);
    if (s->out_open) io_stream_abort(&s->out);
    files_free(s->files, s->n_files);
}

/* Puts "what: " before the message in err; returns -1. */
static int prefix_error(attn_error *err, const char *what)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return attn_fail(err, err->code, "%s: %s", what, msg);
}

static int tokenize_text(const state *s, const options *o, const char *what, const char *text,
                         attn_tokens *t, attn_error *err)
{
    const attn_model *m = s->model;
    int rc = m->tokenizer ? tokenizer_encode(m->tokenizer, text, strlen(text), t, err)
                          : tokenize_words(text, strlen(text), o->lowercase || m->lowercase, t, err);
    if (rc != 0 || (m->tokenizer && o->words && tokens_assign_words(t, text, strlen(text), err) != 0))
        return prefix_error(err, what);
    int words = 0;
    for (int i = 0; i < t->n; i++) words += !t->tok[i].special;
    if (words == 0) {
        char *shown = textesc_dup(text);
        attn_fail(err, ATTN_EXIT_INPUT, "%s: no words in \"%s\"", what, shown ? shown : "");
        free(shown);
        return -1;
    }
    if (tokens_assign_ids(t, m, err) != 0) return prefix_error(err, what);
    return 0;
}

/* --generate: the greedy continuation of t (the text's tokens, text_len
 * bytes) appended to it, marked generated. */
static int generate_tokens(state *s, const options *o, attn_tokens *t, size_t text_len, attn_error *err)
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

/* --words and --no-special: the result regrouped (words.h); the tokens it
 * then shows are kept in q and k until it is rendered. */
static int regroup(attn_result *res, const options *o, const char *text, const char *source, attn_tokens *q,
                   attn_tokens *k, attn_error *err)
{
    int *qg = NULL, *kg = NULL, rc;
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

static int render(state *s, const options *o, const attn_result *res, const attn_trace *tr,
                  int index, attn_error *err)
{
    int query = -1;
    const char *spec = o->explain ? o->explain : o->query;
    if (spec && (query = cli_token(o->explain ? "--explain" : "--query", spec, res->queries, err)) < 0)
        return -1;
    figure_opts fo = {.cmap = o->cmap, .grid = o->grid, .font = o->font, .title = o->title,
                      .scale = o->scale, .dpi = (int)lround(96.0 * o->scale),
                      .transparent = o->transparent};
    if (o->explain)
        return o->format == FMT_JSON ? explain_json(&s->out.buf, res, tr, s->model, query, err)
                                     : explain_text(&s->out.buf, res, tr, s->model, query, err);
    switch (o->format) {
    case FMT_NONE: return 0;
    case FMT_CSV: return render_csv(&s->out.buf, res, index <= 1, err);
    case FMT_JSON: return render_json(&s->out.buf, res, err);
    case FMT_PNG: return render_png(res, &fo, &s->files, &s->n_files, err);
    case FMT_SVG: return render_svg(res, &fo, &s->files, &s->n_files, err);
    default: {
        int to_stdout = !o->output || strcmp(o->output, "-") == 0;
        ansi_opts ao = {.color = cli_color_depth(o->color, to_stdout && isatty(STDOUT_FILENO)),
                        .width = o->width ? o->width : cli_terminal_width(),
                        .values = o->values, .cmap = o->cmap, .query = query, .top = o->top};
        if (index > 1) buf_putc(&s->out.buf, '\n');
        return render_ansi(&s->out.buf, res, &ao, err);
    }
    }
}

/* The sink of the streaming formats: renders one head and writes it out. */
typedef struct {
    state *s;
    const options *o;
    int index;
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
        if (csv) render_csv_begin(out, r, c->index <= 1);
        else render_json_begin(out, r);
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

/* Tokenizes, runs and renders one sentence (index: 0 alone, else 1-based). */
static int run_sentence(state *s, const options *o, const char *sentence, int index, attn_error *err)
{
    const attn_model *m = s->model;
    attn_tokens toks = {0}, shown_q = {0}, shown_k = {0};
    attn_result res = {.meta = {
        .model = m->source ? m->source : "seeded",
        .architecture = m->model_type ? m->model_type : m->cfg.arch <= ARCH_GPT2 ? arch_names[m->cfg.arch] : NULL,
        .seeded = m->seeded,
        .seed = m->seed,
        .d_model = m->cfg.d_model,
        .n_heads = m->cfg.n_heads,
        .n_layers = m->cfg.n_layers,
        .score = score_names[m->cfg.score],
        .command_line = s->cmdline,
        .sentence = index,
        .name = m->name,
        .n_params = m->source ? model_parameters(m) : 0,
        .context = m->cfg.positional == POS_LEARNED || m->cfg.positional == POS_ROPE ? m->cfg.max_positions : 0,
        .n_kv_heads = model_is_decoder(&m->cfg) ? m->cfg.n_kv_heads : 0,
        .d_head = model_is_decoder(&m->cfg) ? m->cfg.d_head : 0,
    }};
    attn_trace trace = {0};
    stream_ctx sc = {s, o, index};
    const int grouped = (o->words || o->no_special) && m->tokenizer;
    int streaming = (o->format == FMT_CSV || o->format == FMT_JSON || o->format == FMT_NONE) &&
                    !o->aggregate && !o->rollout && !o->explain && !grouped;
    forward_opts fo = {.source = o->source ? &s->source : NULL, .trace = o->explain ? &trace : NULL,
                       .sink = streaming ? stream_head : NULL, .sink_ctx = &sc};
    int *all = NULL, rc;
    char what[32] = "SENTENCE";
    if (index) snprintf(what, sizeof what, "standard input, line %d", index);
    double t0 = now_ms();
    rc = tokenize_text(s, o, what, sentence, &toks, err);
    double t1 = now_ms();
    s->t_tokenize += t1 - t0;
    if (rc == 0 && o->generate) rc = generate_tokens(s, o, &toks, strlen(sentence), err);
    if (rc == 0 && o->rollout) { /* rollout multiplies through every layer up to the last shown */
        int last = s->layers[s->n_layers - 1];
        if (!(all = malloc((size_t)(last + 1) * sizeof *all))) rc = attn_oom(err, "--rollout");
        for (int l = 0; rc == 0 && l <= last; l++) all[l] = l;
        if (rc == 0) rc = transformer_forward(&res, m, &toks, all, last + 1, s->heads, s->n_heads, &fo, err);
        if (rc == 0) rc = result_rollout(&res, s->layers, s->n_layers, err);
    } else if (rc == 0) {
        rc = transformer_forward(&res, m, &toks, s->layers, s->n_layers, s->heads, s->n_heads, &fo, err);
        if (rc == 0 && o->aggregate) rc = result_aggregate(&res, o->aggregate, err);
    }
    if (rc == 0 && grouped) rc = regroup(&res, o, sentence, o->source, &shown_q, &shown_k, err);
    double t2 = now_ms();
    s->t_compute += t2 - t1;
    if (rc == 0 && !fo.sink) rc = render(s, o, &res, &trace, index, err);
    s->t_render += now_ms() - t2;
    free(all);
    trace_free(&trace);
    result_free(&res);
    tokens_free(&toks);
    tokens_free(&shown_q);
    tokens_free(&shown_k);
    return rc;
}

/* Writes figure files: a single figure to -o FILE.png/.svg or stdout,
 * otherwise every file into the -o directory (all or nothing). */
static int write_figures(const state *s, const options *o, attn_error *err)
{
    const char *ext = o->format == FMT_PNG ? ".png" : ".svg";
    const char *out = o->output;
    size_t len = strlen(out);
    if (strcmp(out, "-") == 0 || (len > 4 && strcasecmp(out + len - 4, ext) == 0)) {
        if (s->n_files != 1)
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "-o %s: %d images to write; give a directory, or --grid for one figure",
                             out, s->n_files);
        return io_write_atomic(out, s->files[0].data.data, s->files[0].data.len, err);
    }
    return io_write_files(out, s->files, s->n_files, err);
}

/* One sentence per line of standard input, each shown as soon as it is
 * read (and the one after it, which decides whether sentences are
 * numbered): `yes "the cat" | attnviz | head` prints at once. */
static int run_stdin(state *s, const options *o, attn_error *err)
{
    io_lines in;
    char *cur = NULL, *next = NULL;
    int rc = io_lines_open(&in, STDIN_FILENO, "standard input", err);
    if (rc == 0) rc = cli_next_sentence(&in, &cur, err);
    if (rc == 0 && !cur)
        rc = attn_fail(err, ATTN_EXIT_INPUT, "standard input: no sentence (give one as an "
                                             "argument, or one per line on standard input)");
    for (int i = 0; rc == 0 && cur; i++) {
        if ((rc = cli_next_sentence(&in, &next, err)) != 0) break;
        if (next && (o->format == FMT_PNG || o->format == FMT_SVG))
            rc = attn_fail(err, ATTN_EXIT_INPUT, "-f %s: standard input has more than one sentence; "
                                                 "figures take one", format_names[o->format]);
        if (rc == 0) rc = run_sentence(s, o, cur, i == 0 && !next ? 0 : i + 1, err);
        if (rc == 0 && s->out_open) rc = io_stream_flush(&s->out, 1, err);
        free(cur);
        cur = next;
        next = NULL;
    }
    free(cur);
    io_lines_close(&in);
    return rc;
}

static int run(state *s, options *o, int argc, char **argv, attn_error *err)
{
    double t0 = now_ms();
    if (check_options(o, err) || !(s->model = load_model(o, err))) return -1;
    s->t_load = now_ms() - t0;
    if (o->save_model && model_save_json(s->model, o->save_model, err) != 0) return -1;
    if (o->save_model && optind == argc) return 0;
    if (cli_list("--layer", o->layer_list ? o->layer_list : "all", s->model->cfg.n_layers, "layer",
                 &s->layers, &s->n_layers, err) ||
        cli_list("--head", o->head_list ? o->head_list : "all", s->model->cfg.n_heads, "head",
                 &s->heads, &s->n_heads, err))
        return -1;
    s->cmdline = cli_command_line(argc, argv);
    if (o->source && tokenize_text(s, o, "--source", o->source, &s->source, err)) return -1;

    if (o->format != FMT_PNG && o->format != FMT_SVG) {
        if (io_stream_open(&s->out, o->format == FMT_NONE ? NULL : o->output, err)) return -1;
        s->out_open = 1;
    }
    if (optind < argc) {
        if (!(s->arg_sentence = cli_join(argc - optind, argv + optind))) return attn_oom(err, "SENTENCE");
        if (run_sentence(s, o, s->arg_sentence, 0, err)) return -1;
    } else {
        if (isatty(STDIN_FILENO))
            return attn_fail(err, ATTN_EXIT_INPUT, "no SENTENCE: give one, e.g. attnviz \"The cat sat.\", "
                                                   "or pipe one per line into standard input");
        if (run_stdin(s, o, err)) return -1;
    }
    double tw = now_ms();
    int rc;
    if (o->format == FMT_PNG || o->format == FMT_SVG) {
        rc = write_figures(s, o, err);
    } else {
        s->out_open = 0;
        rc = io_stream_commit(&s->out, err);
    }
    s->t_write += now_ms() - tw;
    return rc;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* Large buffers from the heap, not fresh mmaps, and freed memory kept:
     * the forward pass then reuses pages the weight file's parse already
     * touched instead of faulting in new zeroed ones. */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
    options o = {.seed = 42, .score = -1, .layer_norm = -1, .format = FMT_AUTO, .cmap = CMAP_VIRIDIS,
                 .top = 5, .scale = 1.0};
    attn_error err = {0};
    state s = {.t_start = now_ms()};
    int rc = parse_options(argc, argv, &o, &err);
    if (rc == -1) { /* --help, --version: a full disk is an error too */
        if (fflush(stdout) == 0 && !ferror(stdout)) return EXIT_OK;
        if (errno == EPIPE) return ATTN_EXIT_PIPE;
        fprintf(stderr, "attnviz: standard output: %s\n", errno ? strerror(errno) : "write error");
        return EXIT_RUNTIME;
    }
    if (rc == 0) rc = run(&s, &o, argc, argv, &err);
    if (o.time)
        fprintf(stderr, "attnviz: time: load %.3f ms, tokenize %.3f ms, compute %.3f ms, render %.3f ms, "
                        "write %.3f ms, total %.3f ms\n", s.t_load, s.t_tokenize, s.t_compute, s.t_render,
                s.t_write, now_ms() - s.t_start);
    if (o.time && o.generate)
        fprintf(stderr, "attnviz: time: generate %d tokens in %.3f ms (part of compute)\n", s.n_generated,
                s.t_generate);
    state_free(&s);
    if (rc == 0) return EXIT_OK;
    if (err.code == ATTN_EXIT_PIPE) return ATTN_EXIT_PIPE; /* the reader went away: nothing to say */
    fprintf(stderr, "attnviz: %s%s\n", err.msg,
            strncmp(err.msg, "unknown option", 14) == 0 || strstr(err.msg, "needs an argument")
                ? " (see attnviz --help)" : "");
    return err.code == ATTN_EXIT_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
}
