/* test.h — a tiny unit-test harness: each CHECK prints one line,
 * "PASS name" or "FAIL name: file:line: expression", which tests/run.sh
 * counts. test_done() returns the exit status (1 if anything failed). */
#ifndef ATTN_TEST_H
#define ATTN_TEST_H

#include <math.h>
#include <stdio.h>
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

#endif
