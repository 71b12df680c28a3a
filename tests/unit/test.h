/* test.h — a tiny unit-test harness: each CHECK prints one line,
 * "PASS name" or "FAIL name: file:line: expression", which tests/run.sh
 * counts. test_done() returns the exit status (1 if anything failed). */
#ifndef ATTN_TEST_H
#define ATTN_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures_;

#define CHECK(name, cond)                                                      \
    do {                                                                       \
        if (cond) {                                                            \
            printf("PASS %s\n", (name));                                       \
        } else {                                                               \
            printf("FAIL %s: %s:%d: %s\n", (name), __FILE__, __LINE__, #cond); \
            test_failures_++;                                                  \
        }                                                                      \
    } while (0)

#define CHECK_NEAR(name, a, b, tol)                                            \
    do {                                                                       \
        double a_ = (a), b_ = (b);                                             \
        if (fabs(a_ - b_) <= (tol)) {                                          \
            printf("PASS %s\n", (name));                                       \
        } else {                                                               \
            printf("FAIL %s: %s:%d: %s = %.9g, expected %.9g (tol %g)\n",      \
                   (name), __FILE__, __LINE__, #a, a_, b_, (double)(tol));     \
            test_failures_++;                                                  \
        }                                                                      \
    } while (0)

#define CHECK_STR(name, a, b)                                                  \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (a_ && b_ && strcmp(a_, b_) == 0) {                                 \
            printf("PASS %s\n", (name));                                       \
        } else {                                                               \
            printf("FAIL %s: %s:%d: \"%s\" != \"%s\"\n", (name), __FILE__,     \
                   __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)");          \
            test_failures_++;                                                  \
        }                                                                      \
    } while (0)

static inline int test_done(void) { return test_failures_ ? 1 : 0; }

/* The whole of stream f, NUL-terminated (malloc'd; NULL when memory runs
 * out); *len (if not NULL) gets its length. */
static inline char *test_read_stream(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0, got;
    char *d = malloc(cap);
    while (d && (got = fread(d + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *p = realloc(d, cap *= 2);
            if (!p) free(d);
            d = p;
        }
    }
    if (d) d[n] = '\0';
    if (len) *len = n;
    return d;
}

/* The whole file at path (see test_read_stream), or NULL. */
static inline char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *d = test_read_stream(f, len);
    fclose(f);
    return d;
}

/* llama.cpp's tokenizer test vectors: each case is followed by this. */
#define TEST_CASE_SEP "\n__ggml_vocab_test__\n"

/* The first TEST_CASE_SEP in s[0..end), or NULL (cases may hold NUL bytes). */
static inline char *test_find_sep(char *s, const char *end)
{
    size_t n = strlen(TEST_CASE_SEP);
    for (; s + n <= end; s++)
        if (memcmp(s, TEST_CASE_SEP, n) == 0) return s;
    return NULL;
}

/* The start of a case (at most max bytes of s[0..len)), control bytes
 * escaped, no character cut: for check names and messages. */
static inline void test_case_label(char *dst, size_t cap, const char *s, size_t len, size_t max)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 6 < cap && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20) o += (size_t)snprintf(dst + o, cap - o, "\\x%02X", c);
        else dst[o++] = (char)c;
    }
    while (o > 0 && ((unsigned char)dst[o - 1] & 0xC0) == 0x80) o--; /* no cut character */
    if (o > 0 && (unsigned char)dst[o - 1] >= 0xC0) o--;
    dst[o] = '\0';
}

#endif
