/* options.c — the option table, parsing and the checks before any work.
 * See options.h. */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "cli/help.h"
#include "compute/seq2seq.h"
#include "model/model.h"
#include "render/colormap.h"

const char *const format_names[] = {"ansi", "csv", "json", "png", "svg", "none", "html", NULL};
const char *const score_names[] = {"scaled_dot", "dot", "additive", NULL};
const char *const arch_names[] = {"attention", "bert", "gpt2", NULL};
static const char *const ln_names[] = {"none", "pre", "post", NULL};
static const char *const color_names[] = {"auto", "always", "never", NULL};
static const char *const aggregate_names[] = {"mean", "max", NULL};

enum {
    OPT_HEADS = 256, OPT_DIM, OPT_LAYERS, OPT_SAVE_MODEL, OPT_LOWERCASE, OPT_COLOR, OPT_COLORMAP,
    OPT_WIDTH, OPT_VALUES, OPT_TOP, OPT_GRID, OPT_FONT, OPT_TITLE, OPT_SCALE, OPT_DPI,
    OPT_TRANSPARENT, OPT_SCORE, OPT_CAUSAL, OPT_PLAIN, OPT_LAYER_NORM, OPT_SOURCE, OPT_AGGREGATE,
    OPT_ROLLOUT, OPT_EXPLAIN, OPT_TIME, OPT_WORDS, OPT_NO_SPECIAL, OPT_NORM, OPT_VMIN, OPT_VMAX,
    OPT_LOG, OPT_NO_PAGER, OPT_OVERVIEW, OPT_TRUNCATE, OPT_WINDOW, OPT_STRIDE, OPT_CELL, OPT_FROM,
    OPT_TOKENS, OPT_GENERATE, OPT_PART, OPT_TARGET, OPT_MAX_NEW,
    OPT_END
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
    {"from", required_argument, NULL, OPT_FROM},
    {"tokens", required_argument, NULL, OPT_TOKENS},
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"layer", required_argument, NULL, 'l'},
    {"head", required_argument, NULL, 'H'},
    {"aggregate", required_argument, NULL, OPT_AGGREGATE},
    {"rollout", no_argument, NULL, OPT_ROLLOUT},
    {"explain", required_argument, NULL, OPT_EXPLAIN},
    {"truncate", required_argument, NULL, OPT_TRUNCATE},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"stride", required_argument, NULL, OPT_STRIDE},
    {"norm", required_argument, NULL, OPT_NORM},
    {"vmin", required_argument, NULL, OPT_VMIN},
    {"vmax", required_argument, NULL, OPT_VMAX},
    {"log", no_argument, NULL, OPT_LOG},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"colormap", required_argument, NULL, OPT_COLORMAP},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"values", no_argument, NULL, OPT_VALUES},
    {"query", required_argument, NULL, 'q'},
    {"top", required_argument, NULL, OPT_TOP},
    {"overview", no_argument, NULL, OPT_OVERVIEW},
    {"no-pager", no_argument, NULL, OPT_NO_PAGER},
    {"grid", no_argument, NULL, OPT_GRID},
    {"cell", required_argument, NULL, OPT_CELL},
    {"font", required_argument, NULL, OPT_FONT},
    {"title", required_argument, NULL, OPT_TITLE},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"dpi", required_argument, NULL, OPT_DPI},
    {"transparent", no_argument, NULL, OPT_TRANSPARENT},
    {"time", no_argument, NULL, OPT_TIME},
    {"words", no_argument, NULL, OPT_WORDS},
    {"no-special", no_argument, NULL, OPT_NO_SPECIAL},
    {"generate", required_argument, NULL, OPT_GENERATE},
    {"part", required_argument, NULL, OPT_PART},
    {"target", required_argument, NULL, OPT_TARGET},
    {"max-new", required_argument, NULL, OPT_MAX_NEW},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* The formats an option serves (bit 1 << FMT_x); options not listed serve
 * every format. Giving one with another format is an error. */
#define F(x) (1u << (x))
#define F_VIEWS (F(FMT_ANSI) | F(FMT_PNG) | F(FMT_SVG) | F(FMT_HTML)) /* the views that draw colours */
#define F_FIGS (F(FMT_PNG) | F(FMT_SVG))
static const struct { int val; unsigned formats; const char *what; } applies[] = {
    {'q', F(FMT_ANSI) | F(FMT_HTML), "the focus view of the terminal and the page"},
    {OPT_TOP, F(FMT_ANSI), "the focus view of the terminal"},
    {OPT_VALUES, F(FMT_ANSI), "the terminal heatmaps"},
    {OPT_WIDTH, F(FMT_ANSI), "the terminal"},
    {OPT_COLOR, F(FMT_ANSI), "the terminal"},
    {OPT_OVERVIEW, F(FMT_ANSI), "the terminal"},
    {OPT_NO_PAGER, F(FMT_ANSI), "the terminal"},
    {OPT_EXPLAIN, F(FMT_ANSI) | F(FMT_JSON), "text (-f ansi) and -f json"},
    {OPT_COLORMAP, F_VIEWS, "the terminal, figures and the page"},
    {OPT_NORM, F_VIEWS, "the terminal, figures and the page"},
    {OPT_VMIN, F_VIEWS, "the terminal, figures and the page"},
    {OPT_VMAX, F_VIEWS, "the terminal, figures and the page"},
    {OPT_LOG, F_VIEWS, "the terminal, figures and the page"},
    {OPT_WINDOW, ~F(FMT_HTML), "every format but the page (a page shows one window: --truncate N)"},
    {OPT_STRIDE, ~F(FMT_HTML), "every format but the page (a page shows one window: --truncate N)"},
    {OPT_GRID, F_FIGS, "figures"},
    {OPT_CELL, F_FIGS, "figures"},
    {OPT_FONT, F_FIGS, "figures"},
    {OPT_TITLE, F_FIGS | F(FMT_HTML), "figures and the page"},
    {OPT_SCALE, F_FIGS, "figures"},
    {OPT_DPI, F_FIGS, "figures"},
    {OPT_TRANSPARENT, F_FIGS, "figures"},
};

/* The options given, by val, for the checks; and the name they were given as. */
static const char *given[OPT_END];

void options_init(options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 42;
    o->score = -1;
    o->layer_norm = -1;
    o->format = FMT_AUTO;
    o->cmap = CMAP_VIRIDIS;
    o->top = 5;
    o->scale = 1.0;
    o->part = -1;
}

/* The long name of an option value (the first in the table). */
static const char *name_of(int val)
{
    for (const struct option *p = long_options; p->name; p++)
        if (p->val == val) return p->name;
    return "?";
}

/* Edit distance with adjacent transpositions (optimal string alignment). */
static int distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    int d[41][41];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int c = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + c < v) v = d[i - 1][j - 1] + c;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

/* The message for a long option getopt_long refused: unknown (with the
 * closest names), ambiguous (with its candidates), or given a value it
 * does not take. */
static int long_option_error(const char *arg, attn_error *err)
{
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    attn_buf b;
    buf_init(&b);
    int n = 0, best = 99;
    for (const struct option *p = long_options; p->name; p++) { /* exact: a value it does not take */
        if (strlen(p->name) == len && strncmp(p->name, name, len) == 0 && name[len] == '=') {
            buf_free(&b);
            return attn_fail(err, ATTN_EXIT_INPUT, "option '--%s' takes no value ('%s')", p->name, arg);
        }
    }
    for (const struct option *p = long_options; p->name; p++) { /* a prefix of several */
        if (strncmp(p->name, name, len) != 0) continue;
        int dup = 0;
        for (const struct option *q = long_options; q < p; q++)
            dup |= q->val == p->val && strncmp(q->name, name, len) == 0;
        if (dup) continue;
        buf_printf(&b, "%s--%s", n ? ", " : "", p->name);
        n++;
    }
    if (n > 1) {
        attn_fail(err, ATTN_EXIT_INPUT, "option '--%.*s' is ambiguous: %s", (int)len, name, b.data);
        buf_free(&b);
        return -1;
    }
    b.len = 0;
    n = 0;
    for (const struct option *p = long_options; p->name; p++) {
        int d = distance(name, len, p->name);
        if (d < best) best = d;
    }
    int limit = len <= 3 ? 1 : 2;
    for (const struct option *p = long_options; p->name && best <= limit; p++)
        if (distance(name, len, p->name) == best && strcmp(p->name, "colour") != 0) {
            buf_printf(&b, "%s--%s", n ? " or " : "", p->name);
            n++;
        }
    if (n && !b.failed)
        attn_fail(err, ATTN_EXIT_INPUT, "unknown option '--%.*s'; did you mean %s?", (int)len, name, b.data);
    else
        attn_fail(err, ATTN_EXIT_INPUT, "unknown option '--%.*s'", (int)len, name);
    buf_free(&b);
    return -1;
}

static int parse_double_opt(int c, const char *arg, double *out, int *has, attn_error *err)
{
    *has = 1;
    return cli_double(c == OPT_VMIN ? "--vmin" : "--vmax", arg, -1e30, 1e30, out, err);
}

int options_parse(int argc, char **argv, options *o, attn_error *err)
{
    int c, rc = 0, idx;
    long v;
    opterr = 0;
    memset(given, 0, sizeof given);
    while (rc == 0 && (c = getopt_long(argc, argv, ":m:s:f:o:l:H:q:hV", long_options, &idx)) != -1) {
        if (c > 0 && c < OPT_END) given[c] = argv[optind - 1];
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
        case OPT_PART: rc = (o->part = cli_choice("--part", optarg, s2s_part_names, err)) < 0; break;
        case OPT_TARGET: o->target = optarg; break;
        case OPT_MAX_NEW: rc = cli_int("--max-new", optarg, 1, 100000, &o->max_new, err); break;
        case OPT_SAVE_MODEL: o->save_model = optarg; break;
        case OPT_FROM: o->from = optarg; break;
        case OPT_TOKENS: o->tokens = optarg; break;
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
        case OPT_TRUNCATE: rc = cli_int("--truncate", optarg, 1, ATTN_MAX_POS, &o->truncate, err); break;
        case OPT_WINDOW: rc = cli_int("--window", optarg, 2, ATTN_MAX_POS, &o->window, err); break;
        case OPT_STRIDE: rc = cli_int("--stride", optarg, 1, ATTN_MAX_POS, &o->stride, err); break;
        case OPT_NORM: {
            int i = cli_choice("--norm", optarg, scale_norm_names, err);
            rc = i < 0;
            if (i >= 0) o->colour.norm = (scale_norm)i;
            break;
        }
        case OPT_VMIN: rc = parse_double_opt(c, optarg, &o->colour.vmin, &o->colour.has_vmin, err); break;
        case OPT_VMAX: rc = parse_double_opt(c, optarg, &o->colour.vmax, &o->colour.has_vmax, err); break;
        case OPT_LOG: o->colour.log = 1; break;
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
        case OPT_OVERVIEW: o->overview = 1; break;
        case OPT_NO_PAGER: o->no_pager = 1; break;
        case OPT_GRID: o->grid = 1; break;
        case OPT_CELL: rc = cli_int("--cell", optarg, 1, 200, &o->cell, err); break;
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
            if (strncmp(argv[optind - 1], "--", 2) == 0) rc = long_option_error(argv[optind - 1], err);
            else if (optopt) rc = attn_fail(err, ATTN_EXIT_INPUT, "unknown option '-%c'", optopt);
            else rc = attn_fail(err, ATTN_EXIT_INPUT, "unknown option '%s'", argv[optind - 1]);
        }
    }
    return rc ? -2 : 0;
}

int options_select(const options *o)
{
    return o->layer_list || o->head_list || o->aggregate || o->rollout;
}

/* The first shape option of the generated model given, or NULL. */
static const char *shape_option(const options *o)
{
    return o->plain ? "--plain" : o->layer_norm >= 0 ? "--layer-norm" : o->heads ? "--heads"
         : o->dim ? "--dim" : o->layers ? "--layers" : NULL;
}

/* Options that need a model, refused with --from FILE. */
static int check_from(const options *o, attn_error *err)
{
    static const int need_model[] = {'m', 's', OPT_HEADS, OPT_DIM, OPT_LAYERS, OPT_SCORE, OPT_CAUSAL,
                                     OPT_PLAIN, OPT_LAYER_NORM, OPT_LOWERCASE, OPT_SOURCE,
                                     OPT_SAVE_MODEL, OPT_EXPLAIN, OPT_WORDS, OPT_NO_SPECIAL,
                                     OPT_TRUNCATE, OPT_WINDOW, OPT_STRIDE, OPT_GENERATE};
    if (!o->from) {
        if (o->tokens)
            return attn_fail(err, ATTN_EXIT_INPUT, "--tokens: names the tokens of --from FILE.npy");
        return 0;
    }
    for (size_t i = 0; i < sizeof need_model / sizeof need_model[0]; i++)
        if (given[need_model[i]])
            return attn_fail(err, ATTN_EXIT_INPUT, "--%s: runs a model, but --from %s reads attention "
                             "computed already", name_of(need_model[i]), o->from);
    return 0;
}

int options_check(options *o, attn_error *err)
{
    if (o->model_path && strcmp(o->model_path, "seeded") == 0) {
        o->model_path = NULL;
        o->generated = 1;
    }
    const char *shape = shape_option(o);
    if (check_from(o, err)) return -1;
    if (o->model_path && (shape || o->generated))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: applies to the generated model, not to -m %s",
                         shape ? shape : "--seed", o->model_path);
    if (shape && !o->generated)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: shapes the generated model, which needs --seed N "
                         "(or -m seeded)%s", shape,
                         strcmp(shape, "--layers") == 0 ? "; to choose the layers to show, use --layer (-l)"
                         : strcmp(shape, "--heads") == 0 ? "; to choose the heads to show, use --head (-H)" : "");
    if (o->aggregate && o->rollout)
        return attn_fail(err, ATTN_EXIT_INPUT, "--aggregate and --rollout: choose one");
    if (o->explain && (o->aggregate || o->rollout))
        return attn_fail(err, ATTN_EXIT_INPUT, "--explain: explains single heads, not --%s",
                         o->aggregate ? "aggregate" : "rollout");
    if (o->explain && o->query)
        return attn_fail(err, ATTN_EXIT_INPUT, "--explain and --query: choose one");
    if (given[OPT_TOP] && !o->query)
        return attn_fail(err, ATTN_EXIT_INPUT, "--top: the number of keys the focus view lists; it goes with -q TOKEN");
    if (o->values && o->query)
        return attn_fail(err, ATTN_EXIT_INPUT, "--values: prints the weights in the heatmaps; the focus view (-q) "
                         "prints them already");
    if (o->overview && (o->explain || o->query))
        return attn_fail(err, ATTN_EXIT_INPUT, "--overview and --%s: choose one",
                         o->explain ? "explain" : "query");
    if (o->explain && (o->words || o->no_special))
        return attn_fail(err, ATTN_EXIT_INPUT, "--explain: explains single tokens, not with --%s",
                         o->words ? "words" : "no-special");
    if (o->source && o->rollout)
        return attn_fail(err, ATTN_EXIT_INPUT, "--rollout: needs self-attention, not --source");
    if (o->generate && (o->words || o->source || o->window || o->truncate))
        return attn_fail(err, ATTN_EXIT_INPUT, "--generate: not with --%s (generated tokens are not in the text)",
                         o->words ? "words" : o->source ? "source" : o->window ? "window" : "truncate");
    if (o->truncate && o->window)
        return attn_fail(err, ATTN_EXIT_INPUT, "--truncate and --window: choose one");
    if (o->stride && !o->window)
        return attn_fail(err, ATTN_EXIT_INPUT, "--stride: goes with --window N");
    if (o->window && !o->stride) o->stride = o->window / 2;
    if (o->window && o->stride > o->window)
        return attn_fail(err, ATTN_EXIT_INPUT, "--stride %d: longer than --window %d, so tokens between "
                         "windows would not be shown", o->stride, o->window);
    if ((o->window || o->truncate) && o->source)
        return attn_fail(err, ATTN_EXIT_INPUT, "--%s: not with --source (cross-attention)",
                         o->window ? "window" : "truncate");
    if (o->window && o->explain)
        return attn_fail(err, ATTN_EXIT_INPUT, "--window and --explain: choose one (--truncate "
                         "keeps the first tokens)");
    if (scale_check(&o->colour, err)) return -1;
    if (o->format == FMT_AUTO && o->output && strcmp(o->output, "-") != 0)
        o->format = cli_format_of_path(o->output, format_names);
    /* options of the terminal view ask for it even through a pipe */
    const int wants_ansi = o->explain || o->query || o->values || o->color != 0 || o->width || o->overview;
    if (o->format == FMT_AUTO) o->format = isatty(STDOUT_FILENO) || wants_ansi ? FMT_ANSI : FMT_CSV;
    for (size_t i = 0; i < sizeof applies / sizeof applies[0]; i++)
        if (given[applies[i].val] && !(applies[i].formats & F(o->format)))
            return attn_fail(err, ATTN_EXIT_INPUT, "--%s: applies to %s, not to -f %s", name_of(applies[i].val),
                             applies[i].what, format_names[o->format]);
    const int to_stdout = !o->output || strcmp(o->output, "-") == 0;
    if ((o->format == FMT_PNG || o->format == FMT_SVG) && to_stdout && isatty(STDOUT_FILENO))
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "-f %s: standard output is a terminal; give -o FILE.%s (or -o DIR for one "
                         "image per head), or redirect standard output to a file",
                         format_names[o->format], format_names[o->format]);
    return 0;
}
