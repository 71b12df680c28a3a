/* run.c — one attnviz run: the model, the sentences (an argument, or
 * standard input line by line), and the output (figures, or text through
 * the pager on a terminal). See run.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/from.h"
#include "cli/pager.h"
#include "cli/run.h"
#include "compute/seq2seq.h"
#include "render/render.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
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
            .d_model = d,
            .n_heads = h,
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
    const char *why = NULL;
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
    if (o->lowercase && m->tokenizer) why = "--lowercase: the model's own tokenizer decides about case";
    else if (o->source && m->tokenizer && !m->s2s)
        why = "--source: cross-attention needs an attention-only model (the generated one or a JSON "
              "weight file)";
    if (why) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s", why);
        model_free(m);
        return NULL;
    }
    if (m->s2s || o->part >= 0 || o->target || o->max_new) { /* encoder-decoders: their own options */
        const char *opt = o->part >= 0 ? "--part" : o->target ? "--target" : "--max-new";
        if (!m->s2s) why = "applies to encoder-decoder models (-m a Hugging Face directory of bart, mbart, marian, "
                           "t5 or mt5)";
        else if (o->generate || o->source) opt = o->generate ? "--generate" : "--source",
            why = "not for an encoder-decoder: SENTENCE is the source, and the output is generated (--max-new N) "
                  "or given (--target TEXT)";
        else if (o->target && o->max_new) opt = "--max-new", why = "not with --target (the output is given)";
        else if (o->explain && o->part >= 0 && o->part != PART_CROSS)
            opt = "--explain", why = "explains the cross-attention of an encoder-decoder (--part cross)";
        else if (o->window || o->truncate)
            opt = o->window ? "--window" : "--truncate", why = "not for an encoder-decoder (the source is read whole)";
        else if (o->rollout && o->part != PART_DECODER && o->part != PART_ENCODER)
            opt = "--rollout", why = "needs self-attention: --part encoder or decoder";
        if (why) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", opt, why);
            model_free(m);
            return NULL;
        }
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

/* Parameters of a model: the elements of all its tensors. */
void run_state_free(run_state *s)
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

/* Writes figure files: a single figure to -o FILE.png/.svg or standard
 * output, otherwise every file into the -o directory (all or nothing). */
static int write_figures(const run_state *s, const options *o, attn_error *err)
{
    const char *ext = o->format == FMT_PNG ? ".png" : ".svg";
    const char *out = o->output ? o->output : "-";
    size_t len = strlen(out);
    if (strcmp(out, "-") == 0 || (len > 4 && strcasecmp(out + len - 4, ext) == 0)) {
        if (s->n_files != 1)
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "%s%s: %d images, but a file holds one; choose a head (-l L -H H), add --grid "
                             "for one figure of all, or give -o DIR for one file each",
                             strcmp(out, "-") == 0 ? "standard output" : "-o ",
                             strcmp(out, "-") == 0 ? "" : out, s->n_files);
        return io_write_atomic(out, s->files[0].data.data, s->files[0].data.len, err);
    }
    return io_write_files(out, s->files, s->n_files, err);
}

/* Puts "standard input, line N: " before the message in err. */
static void prefix_line(attn_error *err, long line)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    attn_fail(err, err->code, "standard input, line %ld: %s", line, msg);
}

/* Prints the error of a line of standard input (it names the line). */
static void print_line_error(const attn_error *e, long line)
{
    if (strncmp(e->msg, "standard input", 14) == 0) fprintf(stderr, "attnviz: %s\n", e->msg);
    else fprintf(stderr, "attnviz: standard input, line %ld: %s\n", line, e->msg);
}

/* One sentence per line of standard input, each shown as soon as it is
 * read. A line that fails as input (ATTN_EXIT_INPUT) is reported on stderr
 * with its line number and the run goes on; *failed counts them, and the
 * run then fails with a summary in err. When no line succeeds, nothing is
 * written: a single line's error is the run's error, as for an argument. */
static int run_stdin(run_state *s, const options *o, int *failed, int *n_ok, attn_error *err)
{
    io_lines in;
    char *cur = NULL;
    int n = 0;
    long pending_line = 0;
    attn_error pending = {0};
    attn_buf lines;
    buf_init(&lines);
    *failed = *n_ok = 0;
    int rc = io_lines_open(&in, STDIN_FILENO, "standard input", err);
    while (rc == 0 && (rc = cli_next_sentence(&in, &cur, err)) == 0 && cur) {
        long line = in.line;
        if (pending_line) print_line_error(&pending, pending_line);
        pending_line = 0;
        if (n++ && (o->format == FMT_PNG || o->format == FMT_SVG || o->format == FMT_HTML)) {
            rc = attn_fail(err, ATTN_EXIT_INPUT, "-f %s: standard input has more than one sentence (line "
                           "%ld); %s one", format_names[o->format], line,
                           o->format == FMT_HTML ? "a page shows" : "a figure shows");
        } else {
            size_t mark = s->out.buf.len;
            int shown = s->shown, header = s->csv_header;
            attn_error e = {0};
            if (run_sentence(s, o, cur, line, &e) == 0) {
                ++*n_ok;
            } else if (e.code != ATTN_EXIT_INPUT) {
                *err = e;
                rc = -1;
            } else {
                if (s->out.buf.len >= mark) s->out.buf.len = mark; /* nothing of it stays */
                if (s->out.buf.data) s->out.buf.data[s->out.buf.len] = '\0';
                s->shown = shown;
                s->csv_header = header;
                pending = e;
                pending_line = line;
                if (++*failed <= 10) buf_printf(&lines, "%s%ld", *failed > 1 ? ", " : "", line);
                else if (*failed == 11) buf_puts(&lines, ", …");
            }
        }
        if (rc == 0 && s->out_open) rc = io_stream_flush(&s->out, 1, err);
        free(cur);
        cur = NULL;
    }
    io_lines_close(&in);
    if (rc == 0 && n == 0)
        rc = attn_fail(err, ATTN_EXIT_INPUT, "standard input: no sentence (give one as an "
                                             "argument, or one per line on standard input)");
    if (rc == 0 && n == 1 && *failed == 1) {
        *err = pending;
        if (strncmp(err->msg, "standard input", 14) != 0) prefix_line(err, pending_line);
        rc = -1;
    } else if (rc == 0 && *failed) {
        if (pending_line) print_line_error(&pending, pending_line);
        attn_fail(err, ATTN_EXIT_INPUT, "standard input: %d of %d sentences failed (line%s %s)%s", *failed, n,
                  *failed > 1 ? "s" : "", lines.data ? lines.data : "", *n_ok ? "; the others were shown" : "");
    } else if (pending_line) {
        print_line_error(&pending, pending_line);
    }
    buf_free(&lines);
    return rc;
}

/* The text output: through the pager when it is taller than the terminal. */
static int finish_text(run_state *s, const options *o, attn_error *err)
{
    const char *pager = o->no_pager || !s->to_tty ? NULL : pager_command();
    int rows = pager ? pager_rows() : 0;
    if (rows > 0 && s->single) {
        size_t lines = 0;
        for (size_t i = 0; i < s->out.buf.len; i++) lines += s->out.buf.data[i] == '\n';
        if (lines >= (size_t)rows) {
            int rc = pager_write(pager, s->out.buf.data, s->out.buf.len, err);
            s->out.buf.len = 0;
            if (rc) return -1;
        }
    }
    s->out_open = 0;
    return io_stream_commit(&s->out, err);
}

int run(run_state *s, options *o, int argc, char **argv, attn_error *err)
{
    double t0 = now_ms();
    if (options_check(o, err)) return -1;
    const int to_stdout = !o->output || strcmp(o->output, "-") == 0;
    s->to_tty = o->format == FMT_ANSI && to_stdout && isatty(STDOUT_FILENO);
    s->cmdline = cli_command_line(argc, argv);
    if (o->format != FMT_PNG && o->format != FMT_SVG) {
        if (io_stream_open(&s->out, o->format == FMT_NONE ? NULL : o->output, err)) return -1;
        s->out_open = 1;
    }
    if (o->from) {
        if (optind < argc)
            return attn_fail(err, ATTN_EXIT_INPUT, "--from %s: reads attention computed already, so no "
                             "SENTENCE (got '%s')", o->from, argv[optind]);
        s->single = 1;
        if (run_from(s, o, err)) return -1;
    } else {
        if (!(s->model = load_model(o, err))) return -1;
        s->t_load = now_ms() - t0;
        s->n_params = model_parameters(s->model);
        if (o->save_model && model_save_json(s->model, o->save_model, err) != 0) return -1;
        if (o->save_model && optind == argc) return 0;
        int n_layers = s->model->cfg.n_layers, n_heads = s->model->cfg.n_heads;
        if (s->model->s2s) s2s_part_shape(s->model, o->part < 0 ? PART_CROSS : (s2s_part)o->part, &n_layers, &n_heads);
        if (cli_list("--layer", o->layer_list ? o->layer_list : "all", n_layers, "layer", &s->layers, &s->n_layers,
                     err) ||
            cli_list("--head", o->head_list ? o->head_list : "all", n_heads, "head", &s->heads, &s->n_heads, err))
            return -1;
        if (o->source && run_tokenize(s, o, "--source", o->source, &s->source, err)) return -1;
        if (o->source && tokens_assign_ids(&s->source, s->model, err)) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            return attn_fail(err, err->code, "--source: %s", msg);
        }
        if (optind < argc) {
            if (!(s->arg_sentence = cli_join(argc - optind, argv + optind))) return attn_oom(err, "SENTENCE");
            s->single = 1;
            if (run_sentence(s, o, s->arg_sentence, 0, err)) return -1;
        } else {
            int failed = 0, ok = 0;
            if (isatty(STDIN_FILENO))
                return attn_fail(err, ATTN_EXIT_INPUT, "no SENTENCE: give one, e.g. attnviz \"The cat sat.\", "
                                                       "or pipe one per line into standard input");
            if (run_stdin(s, o, &failed, &ok, err)) return -1;
            if (failed && !ok) return -1; /* nothing to write */
            if (failed) { /* the others are written, then the run fails */
                attn_error summary = *err;
                int rc = o->format == FMT_PNG || o->format == FMT_SVG ? 0 : finish_text(s, o, err);
                if (rc == 0 && s->n_files) rc = write_figures(s, o, err);
                if (rc == 0) *err = summary;
                return -1;
            }
        }
    }
    double tw = now_ms();
    int rc = o->format == FMT_PNG || o->format == FMT_SVG ? write_figures(s, o, err) : finish_text(s, o, err);
    s->t_write += now_ms() - tw;
    return rc;
}
