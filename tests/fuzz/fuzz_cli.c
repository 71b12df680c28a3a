/* fuzz_cli.c — the command line: option parsing and the checks made
 * before any work.
 *
 * The input is the argument list, arguments separated by NUL bytes
 * (argv[0] "attnviz" is added). The harness calls what main.c calls first
 * (options.h: options_init, options_parse, options_check, options_select:
 * what `attnviz ARGS` does before it loads a model), then the value
 * parsers the run uses next: --layer and --head lists against a model of
 * 4 layers and 4 heads, -q / --explain against a fixed token list, and the
 * shell-quoted command line written into figures. Nothing is loaded or
 * written: the model, output, font and --from paths are only parsed.
 * --help and --version print to standard output, which the harness sends
 * to /dev/null.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    if (!freopen("/dev/null", "w", stdout)) abort();
    return 0;
}

enum { MAX_ARGS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *buf = malloc(size + 1);
    char *args[MAX_ARGS + 2];
    int argc = 0;
    fuzz_assert(buf != NULL, "out of memory");
    memcpy(buf, data, size);
    buf[size] = '\0';
    args[argc++] = "attnviz";
    for (size_t i = 0; i <= size && argc < MAX_ARGS + 1;) {
        args[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    args[argc] = NULL;

    options o;
    options_init(&o);
    attn_error err = {0};
    optind = 0; /* GNU getopt: start over, as for a new process */
    int rc = options_parse(argc, args, &o, &err);
    if (rc == -2) fuzz_check_error(&err);
    if (rc == 0 && options_check(&o, &err) != 0) {
        fuzz_check_error(&err);
        rc = -2;
    }
    if (rc == 0) {
        (void)options_select(&o);
        int *layers = NULL, *heads = NULL, n_layers = 0, n_heads = 0;
        if (cli_list("--layer", o.layer_list ? o.layer_list : "all", 4, "layer", &layers, &n_layers, &err) == 0) {
            fuzz_assert(n_layers >= 1 && n_layers <= 4, "%d layers", n_layers);
            for (int i = 0; i < n_layers; i++)
                fuzz_assert(layers[i] >= 0 && layers[i] < 4 && (i == 0 || layers[i] > layers[i - 1]),
                            "layer list");
        } else {
            fuzz_check_error(&err);
        }
        if (cli_list("--head", o.head_list ? o.head_list : "all", 4, "head", &heads, &n_heads, &err) != 0)
            fuzz_check_error(&err);
        free(layers);
        free(heads);
        const char *spec = o.explain ? o.explain : o.query;
        if (spec) {
            static char w0[] = "The", w1[] = "cat", w2[] = "sat", w3[] = "\xe2\x80\xae" "evil";
            attn_token tok[] = {{.text = w0}, {.text = w1}, {.text = w2}, {.text = w3}};
            attn_tokens t = {.tok = tok, .n = 4};
            int q = cli_token(o.explain ? "--explain" : "--query", spec, &t, &err);
            if (q < 0) fuzz_check_error(&err);
            else fuzz_assert(q < 4, "token %d", q);
        }
        char *cmd = cli_command_line(argc, args);
        fuzz_assert(cmd != NULL, "no command line");
        free(cmd);
        if (optind < argc) {
            char *sentence = cli_join(argc - optind, args + optind);
            fuzz_assert(sentence != NULL, "no sentence");
            free(sentence);
        }
    }
    free(buf);
    return 0;
}
