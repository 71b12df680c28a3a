/* tokenizer_bench.c — load and encode times of the subword tokenizers on
 * the reference vocabularies (BERT's 30,522-entry vocab.txt and
 * tokenizer.json, GPT-2's 50,257-entry encoder.json + 50,000 merges).
 *
 *   bench/tokenizer_bench.sh [REFERENCE_DIR]     (builds it against build/'s objects, runs it)
 *
 * Prints the best and median of REPS loads of each file set, and the
 * encode time of the longest reference test case (and of it repeated to
 * 64 KiB) per KiB of text. Timings only; nothing is checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/subword.h"

#define REPS 21

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef attn_tokenizer *(*loader)(const char *a, const char *b, attn_error *err);

static attn_tokenizer *load_vocab_txt(const char *a, const char *b, attn_error *err)
{
    (void)b;
    return wordpiece_from_vocab_txt(a, 1, "[UNK]", err);
}

static attn_tokenizer *load_json(const char *a, const char *b, attn_error *err)
{
    (void)b;
    return tokenizer_from_json(a, err);
}

static attn_tokenizer *load_bpe(const char *a, const char *b, attn_error *err)
{
    return bpe_from_files(a, b, err);
}

static attn_tokenizer *time_load(const char *what, loader f, const char *a, const char *b)
{
    double t[REPS]; /* [REPS] milliseconds */
    attn_tokenizer *tk = NULL;
    attn_error err = {0, ""};
    for (int r = 0; r < REPS; r++) {
        tokenizer_free(tk);
        double t0 = now_ms();
        tk = f(a, b, &err);
        t[r] = now_ms() - t0;
        if (!tk) {
            fprintf(stderr, "%s: %s\n", what, err.msg);
            exit(1);
        }
    }
    qsort(t, REPS, sizeof *t, cmp_d);
    printf("load %-28s best %6.2f ms  median %6.2f ms  (%d entries)\n", what, t[0], t[REPS / 2],
           tokenizer_vocab_size(tk));
    return tk;
}

static void time_encode(const char *what, const attn_tokenizer *tk, const char *s, size_t len)
{
    double t[REPS]; /* [REPS] milliseconds */
    int n = 0;
    for (int r = 0; r < REPS; r++) {
        attn_tokens out;
        attn_error err = {0, ""};
        double t0 = now_ms();
        if (tokenizer_encode(tk, s, len, &out, &err) != 0) {
            fprintf(stderr, "%s: %s\n", what, err.msg);
            exit(1);
        }
        t[r] = now_ms() - t0;
        n = out.n;
        tokens_free(&out);
    }
    qsort(t, REPS, sizeof *t, cmp_d);
    printf("encode %-26s %7zu bytes %6d tokens  best %8.3f ms  median %8.3f ms  (%.3f ms/KiB)\n", what, len,
           n, t[0], t[REPS / 2], t[REPS / 2] / ((double)len / 1024));
}

int main(int argc, char **argv)
{
    const char *ref = argc > 1 ? argv[1] : "../shared/reference";
    char a[1024], b[1024], *inp; /* [1024] paths */
    snprintf(a, sizeof a, "%s/tokenizer-tests/gpt2.inp", ref);
    FILE *f = fopen(a, "rb");
    static char text[1 << 16];
    size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[len] = '\0';
    /* the longest case: the last, between the last two separators */
    const char *sep = "\n__ggml_vocab_test__\n";
    char *last = NULL, *prev = NULL;
    for (char *p = text; (p = strstr(p, sep)) != NULL; p += strlen(sep)) {
        prev = last;
        last = p;
    }
    if (!last || !prev) {
        fprintf(stderr, "cannot read %s\n", a);
        return 1;
    }
    inp = prev + strlen(sep);
    size_t n = (size_t)(last - inp);
    static char big[1 << 16];
    size_t bn = 0;
    while (bn + n + 1 < sizeof big) {
        memcpy(big + bn, inp, n);
        bn += n;
        big[bn++] = ' ';
    }

    snprintf(a, sizeof a, "%s/bert-base-uncased/vocab.txt", ref);
    attn_tokenizer *bert = time_load("bert vocab.txt", load_vocab_txt, a, NULL);
    snprintf(a, sizeof a, "%s/bert-base-uncased/tokenizer.json", ref);
    tokenizer_free(time_load("bert tokenizer.json", load_json, a, NULL));
    snprintf(a, sizeof a, "%s/gpt2/encoder.json", ref);
    snprintf(b, sizeof b, "%s/gpt2/vocab.bpe", ref);
    attn_tokenizer *gpt2 = time_load("gpt2 encoder.json+vocab.bpe", load_bpe, a, b);
    time_encode("bert long case", bert, inp, n);
    time_encode("bert 64 KiB", bert, big, bn);
    time_encode("gpt2 long case", gpt2, inp, n);
    time_encode("gpt2 64 KiB", gpt2, big, bn);
    tokenizer_free(bert);
    tokenizer_free(gpt2);
    return 0;
}
