/* cli.c — see cli.h. */
#define _DEFAULT_SOURCE /* TIOCGWINSZ */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/io.h"
#include "base/textesc.h"
#include "base/utf8.h"
#include "text/token_text.h"

int cli_long(const char *opt, const char *s, long lo, long hi, long *out, attn_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v < lo || v > hi)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: '%s' is not an integer from %ld to %ld", opt, s,
                         lo, hi);
    *out = v;
    return 0;
}

int cli_int(const char *opt, const char *s, int lo, int hi, int *out, attn_error *err)
{
    long v;
    if (cli_long(opt, s, lo, hi, &v, err)) return -1;
    *out = (int)v;
    return 0;
}

int cli_double(const char *opt, const char *s, double lo, double hi, double *out, attn_error *err)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: '%s' is not a number from %g to %g", opt, s, lo, hi);
    *out = v;
    return 0;
}

int cli_seed(const char *opt, const char *s, uint64_t *out, attn_error *err)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno == ERANGE || s[0] < '0' || s[0] > '9')
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: '%s' is not an integer from 0 to 18446744073709551615", opt, s);
    *out = (uint64_t)v;
    return 0;
}

int cli_choice(const char *opt, const char *s, const char *const *names, attn_error *err)
{
    attn_buf list;
    buf_init(&list);
    for (int i = 0; names[i]; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            buf_free(&list);
            return i;
        }
        buf_printf(&list, "%s%s", i ? (names[i + 1] ? ", " : " or ") : "", names[i]);
    }
    attn_fail(err, ATTN_EXIT_INPUT, "%s: unknown value '%s'; use %s", opt, s,
              list.data ? list.data : "");
    buf_free(&list);
    return -1;
}

/* Reads a positive decimal at *p (no sign), advancing *p; -1 if none. */
static long read_index(const char **p)
{
    if (**p < '0' || **p > '9') return -1;
    char *end;
    errno = 0;
    long v = strtol(*p, &end, 10);
    *p = end;
    return errno ? -1 : v;
}

int cli_list(const char *opt, const char *s, int max, const char *noun, int **list, int *n,
             attn_error *err)
{
    char *mark = calloc((size_t)max, 1); /* [max] 1 = chosen */
    if (!mark) return attn_oom(err, opt);
    if (strcmp(s, "all") == 0) {
        memset(mark, 1, (size_t)max);
    } else {
        for (const char *p = s;;) {
            long a = read_index(&p), b = a;
            if (a >= 0 && *p == '-') {
                p++;
                b = read_index(&p);
            }
            if (a < 0 || b < 0 || (*p && *p != ',')) {
                free(mark);
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: '%s' is not a list like 1,3-4 or all",
                                 opt, s);
            }
            if (a < 1 || b < a || b > max) {
                free(mark);
                if (b < a)
                    return attn_fail(err, ATTN_EXIT_INPUT, "%s %s: the range %ld-%ld is backwards",
                                     opt, s, a, b);
                return attn_fail(err, ATTN_EXIT_INPUT, "%s %s: no %s %ld (the model has %d %s%s)",
                                 opt, s, noun, a < 1 ? a : b, max, noun, max == 1 ? "" : "s");
            }
            memset(mark + a - 1, 1, (size_t)(b - a + 1));
            if (!*p) break;
            p++;
        }
    }
    *list = malloc((size_t)max * sizeof **list);
    if (!*list) {
        free(mark);
        return attn_oom(err, opt);
    }
    *n = 0;
    for (int i = 0; i < max; i++)
        if (mark[i]) (*list)[(*n)++] = i;
    free(mark);
    return 0;
}

/* Appends the label the terminal shows for token i: its text (escaped)
 * and, when another token has the same text, the index as a subscript. */
static void put_label(attn_buf *b, const attn_tokens *t, int i)
{
    textesc_put(b, t->tok[i].text);
    int dup = 0;
    for (int j = 0; j < t->n && !dup; j++) dup = j != i && strcmp(t->tok[j].text, t->tok[i].text) == 0;
    if (!dup) return;
    char d[16], u[4];
    snprintf(d, sizeof d, "%d", i);
    for (char *c = d; *c; c++) buf_put(b, u, (size_t)utf8_encode(0x2080 + (uint32_t)(*c - '0'), u));
}

/* Length of spec without a trailing subscript number (₀…₉), whose value
 * goes to *index (-1 when there is none). */
static size_t strip_subscript(const char *spec, long *index)
{
    size_t len = strlen(spec), end = len;
    long v = 0, mul = 1;
    *index = -1;
    while (end >= 3 && (unsigned char)spec[end - 3] == 0xE2 && (unsigned char)spec[end - 2] == 0x82 &&
           (unsigned char)spec[end - 1] >= 0x80 && (unsigned char)spec[end - 1] <= 0x89 && mul < 100000000) {
        v += mul * ((unsigned char)spec[end - 1] - 0x80);
        mul *= 10;
        end -= 3;
    }
    if (end < len && end > 0) *index = v;
    return end < len && end > 0 ? end : len;
}

/* A decimal index at s (all of it), or -1. */
static long parse_index(const char *s)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9') return -1;
    long v = strtol(s, &end, 10);
    return *end || errno ? -1 : v;
}

int cli_token(const char *opt, const char *spec, const attn_tokens *t, attn_error *err)
{
    attn_buf b;
    buf_init(&b);
    long at = spec[0] == '@' ? parse_index(spec + 1) : -1, sub;
    if (spec[0] == '@' && at >= 0 && at < t->n) return (int)at;
    size_t base_len = strip_subscript(spec, &sub);
    char *base = malloc(base_len + 1);
    if (!base) return attn_oom(err, opt);
    memcpy(base, spec, base_len);
    base[base_len] = '\0';
    int found = -1;
    if (sub >= 0 && sub < t->n && token_text_match(base, t->tok[sub].text)) found = (int)sub;
    for (int pass = 2; found < 0 && pass >= 1; pass--) { /* exact, then as typed */
        int n = 0;
        for (int i = 0; i < t->n; i++)
            if (token_text_match(spec, t->tok[i].text) >= pass) {
                if (!n++) found = i;
            }
        if (n > 1) {
            for (int i = 0, k = 0; i < t->n; i++)
                if (token_text_match(spec, t->tok[i].text) >= pass) {
                    buf_puts(&b, k++ ? ", " : "");
                    put_label(&b, t, i);
                    buf_printf(&b, " (@%d)", i);
                }
            attn_fail(err, ATTN_EXIT_INPUT, "%s '%s': %d tokens match: %s; give the label or @INDEX of one",
                      opt, spec, n, b.data ? b.data : "");
            buf_free(&b);
            free(base);
            return -1;
        }
    }
    free(base);
    if (found >= 0) return found;
    long v = parse_index(spec);
    if (v >= 0 && v < t->n) return (int)v;
    for (int i = 0; i < t->n && b.len < 200; i++) {
        buf_printf(&b, " %d:", i);
        put_label(&b, t, i);
    }
    if (b.len >= 200) buf_puts(&b, " ...");
    if (spec[0] == '@' && at >= 0)
        attn_fail(err, ATTN_EXIT_INPUT, "%s '%s': no token %ld (%d tokens, @0 to @%d)", opt, spec, at, t->n,
                  t->n - 1);
    else
        attn_fail(err, ATTN_EXIT_INPUT, "%s '%s': no such token in the sentence (tokens:%s)", opt, spec,
                  b.data ? b.data : "");
    buf_free(&b);
    return -1;
}

char *cli_command_line(int argc, char **argv)
{
    attn_buf b;
    buf_init(&b);
    buf_puts(&b, "attnviz");
    for (int i = 1; i < argc; i++) {
        buf_putc(&b, ' ');
        if (!argv[i][0] || argv[i][strcspn(argv[i], " \t\n'\"\\$`*?;&|<>()")]) {
            buf_putc(&b, '\'');
            for (const char *p = argv[i]; *p; p++) {
                if (*p == '\'') buf_puts(&b, "'\\''");
                else buf_putc(&b, *p);
            }
            buf_putc(&b, '\'');
        } else {
            buf_puts(&b, argv[i]);
        }
    }
    if (b.failed) {
        buf_free(&b);
        return NULL;
    }
    return b.data;
}

char *cli_join(int argc, char **argv)
{
    attn_buf b;
    buf_init(&b);
    buf_put(&b, "", 0);
    for (int i = 0; i < argc; i++) {
        if (i) buf_putc(&b, ' ');
        buf_puts(&b, argv[i]);
    }
    if (b.failed) {
        buf_free(&b);
        return NULL;
    }
    return b.data;
}

int cli_next_sentence(io_lines *in, char **out, attn_error *err)
{
    char *line;
    size_t len;
    int rc;
    *out = NULL;
    while ((rc = io_lines_next(in, &line, &len, err)) == 1 && !line[strspn(line, " \t\f\v")]) {}
    if (rc == 1 && !(*out = cli_join(1, &line))) return attn_oom(err, in->what);
    return rc < 0 ? -1 : 0;
}

int cli_format_of_path(const char *path, const char *const *names)
{
    static const struct { const char *ext, *format; } exts[] = {
        {".csv", "csv"}, {".json", "json"}, {".jsonl", "json"}, {".png", "png"},
        {".svg", "svg"}, {".txt", "ansi"}, {".ans", "ansi"}, {".html", "html"}, {".htm", "html"},
    };
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) return -1;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot, exts[i].ext) == 0)
            for (int f = 0; names[f]; f++)
                if (strcmp(names[f], exts[i].format) == 0) return f;
    return -1;
}

int cli_terminal_width(void)
{
    const char *cols = getenv("COLUMNS");
    if (cols && *cols) {
        long v = strtol(cols, NULL, 10);
        if (v >= 20 && v <= 10000) return (int)v;
    }
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

attn_color_depth cli_color_depth(int when, int to_tty)
{
    const char *no = getenv("NO_COLOR");
    if ((no && *no) || when == 2) return COLOR_NONE;
    if (when == 0 && !to_tty) return COLOR_NONE;
    const char *ct = getenv("COLORTERM");
    if (ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0)) return COLOR_TRUE;
    return COLOR_256;
}

#ifndef ATTNVIZ_DATADIR
#define ATTNVIZ_DATADIR "/usr/local/share/attnviz"
#endif

/* 1 if dir/pretrained/config.json exists; the directory goes to out. */
static int has_model(const char *dir, const char *sub, char *out, size_t cap)
{
    char probe[4300];
    snprintf(out, cap, "%s%s/pretrained", dir, sub);
    return io_file_in(out, "config.json", probe, sizeof probe);
}

const char *cli_default_model(attn_error *err)
{
    static char path[4200];
    const char *env = getenv("ATTNVIZ_DATA");
    if (env && *env) {
        if (has_model(env, "", path, sizeof path)) return path;
        attn_fail(err, ATTN_EXIT_RUNTIME, "ATTNVIZ_DATA=%s: no pretrained/config.json there", env);
        return NULL;
    }
    char exe[4096];
    if (io_exe_dir(exe, sizeof exe) == 0) {
        /* ./attnviz in a source tree, build-san/attnviz, PREFIX/bin/attnviz */
        static const char *const subs[] = {"/data", "/../data", "/../share/attnviz"};
        for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
            if (has_model(exe, subs[i], path, sizeof path)) return path;
    }
    if (has_model(ATTNVIZ_DATADIR, "", path, sizeof path)) return path;
    attn_fail(err, ATTN_EXIT_RUNTIME,
              "the pretrained model is not installed (no pretrained/ in %s or beside the binary); "
              "give -m DIR, or --seed N for a generated model", ATTNVIZ_DATADIR);
    return NULL;
}
