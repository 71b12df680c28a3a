/* run.h — the steps of one attnviz run, for main.c: load the model (or read
 * attention with --from), tokenize each sentence, compute, render, write.
 *
 * run.c holds the run as a whole (the model, standard input line by line,
 * writing figures and the text output, through the pager on a terminal);
 * sentence.c one sentence (tokens, --truncate / --window, the forward
 * pass, --words, the views). Only these files and main.c print: errors
 * of a line of standard input that the batch goes past, and notes
 * ("attnviz: note: ...") on stderr.
 *
 * Ownership: everything a run allocates hangs off the state and is freed by
 * state_free(). Returns 0, or -1 with err filled.
 */
#ifndef ATTN_CLI_RUN_H
#define ATTN_CLI_RUN_H

#include "base/io.h"
#include "cli/options.h"
#include "compute/result.h"
#include "compute/transformer.h"
#include "model/model.h"
#include "text/tokenize.h"

typedef struct {
    attn_model *model;     /* NULL with --from */
    char *arg_sentence;
    char *cmdline;
    int *layers, *heads;   /* 0-based shown indices */
    int n_layers, n_heads;
    attn_tokens source;
    attn_stream out;       /* text output (csv, json, ansi, explain) */
    int out_open;
    attn_file *files;      /* figures */
    int n_files;
    int shown;             /* results rendered so far */
    int csv_header;        /* 1: the CSV header is written */
    int to_tty;            /* 1: text goes to standard output, a terminal */
    int single;            /* 1: one input (a SENTENCE argument, --from) */
    long long n_params;
    double t_start, t_load, t_tokenize, t_compute, t_render, t_write; /* --time, ms */
    double t_generate;     /* --time: the part of compute spent generating */
    int n_generated;       /* --generate: tokens generated so far */
    /* encoder-decoders, for the sentence being run */
    const attn_tokens *target; /* the target's tokens, the decoder start token first */
    const char *target_text;   /* the output as text */
} run_state;

int run(run_state *s, options *o, int argc, char **argv, attn_error *err);
void run_state_free(run_state *s);

/* sentence.c: tokenizes, runs and renders one sentence; line is its line
 * of standard input (1-based), 0 for a SENTENCE argument. */
int run_sentence(run_state *s, const options *o, const char *sentence, long line, attn_error *err);

/* sentence.c: renders a result in the chosen format (not the streamed
 * ones); tr may be NULL except for --explain. */
int run_render(run_state *s, const options *o, const attn_result *res, const attn_trace *tr,
               attn_error *err);

/* sentence.c: tokenizes text with the model's tokenizer ("what" names it in
 * messages). */
int run_tokenize(const run_state *s, const options *o, const char *what, const char *text,
                 attn_tokens *t, attn_error *err);

/* A note on stderr: "attnviz: note: <msg>". */
void run_note(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
