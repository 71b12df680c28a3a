/* options.h — the command line's options: the getopt table, their values,
 * and the checks that run before any work.
 *
 * options_parse() reads argv into an options struct (getopt_long; unknown
 * long options get a "did you mean --layer?" from the table, ambiguous
 * abbreviations list their candidates). options_check() then decides the
 * output format and refuses combinations that cannot work, each with one
 * line naming the option: an option that does not apply to the chosen
 * format (the table below says which formats each one serves), a shape
 * option of the generated model without --seed / -m seeded, and so on.
 *
 * Nothing here prints except --help and --version (on stdout). Returns:
 * options_parse() 0 to go on, -1 after --help/--version, -2 with err
 * filled; options_check() 0, or -1 with err filled (ATTN_EXIT_INPUT).
 */
#ifndef ATTN_CLI_OPTIONS_H
#define ATTN_CLI_OPTIONS_H

#include <stdint.h>

#include "base/error.h"
#include "render/scale.h"

typedef enum { FMT_AUTO = -1, FMT_ANSI, FMT_CSV, FMT_JSON, FMT_PNG, FMT_SVG, FMT_NONE, FMT_HTML } out_format;

/* NULL-terminated name lists; an option's value is an index into its list */
extern const char *const format_names[];
extern const char *const score_names[];
extern const char *const arch_names[];

typedef struct {
    const char *model_path;     /* -m PATH; NULL: the default */
    int generated;              /* the seeded model: --seed or -m seeded */
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
    int color;                  /* 0 auto, 1 always, 2 never */
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
    int cell;                   /* --cell: least cell side of a figure, units; 0 default */
    int transparent;
    int time;                   /* --time: phases on stderr */
    int words;                  /* --words: subword tokens merged into words */
    int no_special;             /* --no-special: [CLS], [SEP] … not shown */
    scale_opts colour;          /* --norm, --vmin, --vmax, --log */
    int no_pager;               /* --no-pager */
    int overview;               /* --overview: only the overview of the heads */
    int truncate;               /* --truncate N; 0: none */
    int window, stride;         /* --window N --stride S; 0: none */
    const char *from;           /* --from FILE: attention computed elsewhere */
    const char *tokens;         /* --tokens FILE | "a b c", for --from x.npy */
    int generate;               /* --generate N: greedy continuation first; 0: none */
    int part;                   /* --part (seq2seq.h's s2s_part); -1: cross */
    const char *target;         /* --target TEXT: the encoder-decoder's output, teacher-forced */
    int max_new;                /* --max-new N: generated target tokens at most; 0: default */
} options;

/* The defaults every run starts from. */
void options_init(options *o);

int options_parse(int argc, char **argv, options *o, attn_error *err);
int options_check(options *o, attn_error *err);

/* 1 when the options name the model's layers or heads to show (-l, -H,
 * --aggregate, --rollout): the terminal then skips the overview. */
int options_select(const options *o);

#endif
