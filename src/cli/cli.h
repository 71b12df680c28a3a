/* cli.h — parsing of command-line values, for main.c.
 *
 * Each function checks one option's argument and, when it is wrong, fills
 * err with ATTN_EXIT_INPUT and a one-line message naming the option (main.c
 * prints it). Nothing here prints or exits. Returns 0 or -1 unless stated.
 */
#ifndef ATTN_CLI_H
#define ATTN_CLI_H

#include <stdint.h>

#include "base/error.h"
#include "base/io.h"
#include "render/render.h"
#include "text/tokenize.h"

/* A decimal integer in [lo, hi]. */
int cli_long(const char *opt, const char *s, long lo, long hi, long *out, attn_error *err);
int cli_int(const char *opt, const char *s, int lo, int hi, int *out, attn_error *err);
/* A decimal number in [lo, hi]. */
int cli_double(const char *opt, const char *s, double lo, double hi, double *out, attn_error *err);
/* 0 .. 2^64 - 1. */
int cli_seed(const char *opt, const char *s, uint64_t *out, attn_error *err);

/* s is one of names (NULL-terminated), in any case; returns its index, or -1. */
int cli_choice(const char *opt, const char *s, const char *const *names, attn_error *err);

/* "all" or a comma list of N and A-B, 1-based, within [1, max]; *list gets
 * the sorted, de-duplicated 0-based indices (malloc'd, caller frees). noun
 * names the items in messages ("layer", "head"). */
int cli_list(const char *opt, const char *s, int max, const char *noun, int **list, int *n,
             attn_error *err);

/* A token as people type it; returns its index, or -1 with err filled:
 *   @N        the token of 0-based index N;
 *   the₇      the label the terminal shows: text + subscript index;
 *   text      the token whose text is exactly that, else the one equal
 *             without case and a subword's marker ("it" for GPT-2's "␣it",
 *             "ing" for "##ing"; token_text.h); several matches are an
 *             error that lists them (as labels and @N);
 *   N         when no token's text matches, the token of index N.
 * An unknown token is an error that lists the tokens. */
int cli_token(const char *opt, const char *spec, const attn_tokens *t, attn_error *err);

/* The invocation as one shell-quoted string (malloc'd), or NULL. */
char *cli_command_line(int argc, char **argv);

/* Arguments joined with single spaces (malloc'd), or NULL. */
char *cli_join(int argc, char **argv);

/* The next non-blank line of in (a copy, malloc'd, in *out), or *out =
 * NULL at the end; -1 with err filled (io_lines_next). */
int cli_next_sentence(io_lines *in, char **out, attn_error *err);

/* The index in names of the format a path's extension implies (.csv,
 * .json/.jsonl, .png, .svg, .txt/.ans for ansi), or -1. */
int cli_format_of_path(const char *path, const char *const *names);

/* Columns to fit: $COLUMNS (20 to 10000), else the width of the terminal on
 * standard output, else 80. */
int cli_terminal_width(void);

/* Colour depth for --color when (0 auto, 1 always, 2 never): none with a
 * non-empty NO_COLOR or never, or with auto when not writing to a terminal;
 * 24-bit when COLORTERM is truecolor or 24bit; else 256 colours. */
attn_color_depth cli_color_depth(int when, int to_tty);

/* The directory of the model attnviz uses without -m: "pretrained" in
 * $ATTNVIZ_DATA when that is set, else beside the binary (data/pretrained
 * in a source tree, ../share/attnviz/pretrained when installed), else
 * under the compiled-in ATTNVIZ_DATADIR. Returns a static string, or NULL
 * with err filled (ATTN_EXIT_RUNTIME: not installed). */
const char *cli_default_model(attn_error *err);

#endif
