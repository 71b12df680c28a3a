/* tokenizer_bench.c — load and encode times of one tokenizer file, for
 * bench/bench_tokenizer.py (which times Hugging Face's `tokenizers` binding
 * the same way, bench/tokenizer_bench.js, in the same run).
 *
 *   build/tokenizer_bench FILE TEXT [LOAD_REPS [ENCODE_REPS]]   (make build/tokenizer_bench)
 *
 * FILE: a tokenizer.json, or a vocab.txt; TEXT: a UTF-8 text file, encoded
 * whole without special tokens. Prints one JSON line: the best and median
 * wall-clock and CPU milliseconds of LOAD_REPS loads (default 5) and of
 * ENCODE_REPS encodes (default 20, after one warm-up), the text's bytes
 * and tokens, the vocabulary size, and the first ids (to check they agree
 * with the binding's). Timings only; exit 1 when the file or text fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/subword.h"

static double ms(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* best and median of t[0..n) as JSON members "NAME_best", "NAME_median" */
static void stats(const char *name, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_d);
    printf("\"%s_best\": %.3f, \"%s_median\": %.3f, ", name, t[0], name, t[n / 2]);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tokenizer_bench FILE TEXT [LOAD_REPS [ENCODE_REPS]]\n");
        return 2;
    }
    int lr = argc > 3 ? atoi(argv[3]) : 5, er = argc > 4 ? atoi(argv[4]) : 20;
    if (lr < 1) lr = 1;
    if (er < 1) er = 1;
    FILE *f = fopen(argv[2], "rb");
    size_t cap = 1 << 20, len = 0, got;
    char *text = malloc(cap);
    while (f && text && (got = fread(text + len, 1, cap - len, f)) > 0)
        if ((len += got) == cap) text = realloc(text, cap *= 2);
    if (f) fclose(f);
    if (!f || !text) {
        fprintf(stderr, "tokenizer_bench: cannot read %s\n", argv[2]);
        return 1;
    }
    size_t n = strlen(argv[1]);
    int is_txt = n > 4 && strcmp(argv[1] + n - 4, ".txt") == 0;
    double *wall = malloc((size_t)(lr > er + 1 ? lr : er + 1) * sizeof *wall); /* [reps] */
    double *cpu = malloc((size_t)(lr > er + 1 ? lr : er + 1) * sizeof *cpu);   /* [reps] */
    attn_tokenizer *tk = NULL;
    attn_error err = {0, ""};
    for (int r = 0; r < lr; r++) {
        tokenizer_free(tk);
        double w0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
        tk = is_txt ? wordpiece_from_vocab_txt(argv[1], 1, "[UNK]", &err) : tokenizer_from_json(argv[1], &err);
        wall[r] = ms(CLOCK_MONOTONIC) - w0;
        cpu[r] = ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (!tk) {
            fprintf(stderr, "tokenizer_bench: %s\n", err.msg);
            return 1;
        }
    }
    printf("{");
    stats("load_wall", wall, lr);
    stats("load_cpu", cpu, lr);
    attn_tokens t = {NULL, 0};
    for (int r = 0; r <= er; r++) { /* r == 0: the warm-up */
        tokens_free(&t);
        double w0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
        if (tokenizer_encode(tk, text, len, &t, &err) != 0) {
            fprintf(stderr, "tokenizer_bench: %s\n", err.msg);
            return 1;
        }
        if (r > 0) {
            wall[r - 1] = ms(CLOCK_MONOTONIC) - w0;
            cpu[r - 1] = ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
        }
    }
    stats("encode_wall", wall, er);
    stats("encode_cpu", cpu, er);
    printf("\"bytes\": %zu, \"tokens\": %d, \"vocab\": %d, \"first_ids\": [", len, t.n, tokenizer_vocab_size(tk));
    for (int i = 0; i < t.n && i < 32; i++) printf("%s%d", i ? ", " : "", t.tok[i].id);
    printf("]}\n");
    tokens_free(&t);
    tokenizer_free(tk);
    free(wall);
    free(cpu);
    free(text);
    return 0;
}
