/* Unit tests: BLAS called from several of attnviz's threads at once gives
 * the same products as one thread. Debian's serial OpenBLAS is built
 * without USE_LOCKING, so two concurrent calls may take the same buffer
 * and give wrong numbers (with it, all 400 products here differed on 2
 * cores, 2026-12-06);
 * the Makefile links the pthread variant, whose allocator locks. Here a
 * linear layer of one input row and 32768 output columns (256 chunks of
 * BLAS calls split across 2 threads) runs 400 times; every result must be
 * the bits of the first and within float rounding of a double product. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/linalg.h"
#include "compute/parallel.h"
#include "test.h"

enum { D_IN = 64, D_OUT = 32768, REPS = 400 };

int main(void)
{
    setenv("ATTNVIZ_THREADS", "2", 1); /* two threads even on one core */
    float *w = malloc((size_t)D_OUT * D_IN * sizeof *w), *b = malloc(D_OUT * sizeof *b); /* [D_OUT, D_IN], [D_OUT] */
    float *x = malloc(D_IN * sizeof *x), *y0 = malloc(D_OUT * sizeof *y0), *y = malloc(D_OUT * sizeof *y); /* [1, D_IN], [1, D_OUT] x2 */
    if (!w || !b || !x || !y0 || !y) return 1;
    unsigned s = 12345;
    for (size_t i = 0; i < (size_t)D_OUT * D_IN; i++) w[i] = (float)((s = s * 1103515245u + 12345u) >> 8) / 16777216.0f - 0.5f;
    for (int i = 0; i < D_OUT; i++) b[i] = (float)i / D_OUT;
    for (int i = 0; i < D_IN; i++) x[i] = (float)(i % 7) - 3.0f;
    attn_linear lin = {.w = w, .b = b, .ld = D_IN};
    CHECK("threads-2", linalg_threads() == 2);
    int rc = linear_forward(y0, x, &lin, 1, D_IN, D_OUT);
    int close = rc == 0;
    for (int c = 0; c < D_OUT; c++) {
        double d = b[c];
        for (int p = 0; p < D_IN; p++) d += (double)w[(size_t)c * D_IN + p] * x[p];
        close &= fabs(d - y0[c]) <= 1e-5 * (1.0 + fabs(d));
    }
    CHECK("linear-near-double", close);
    int differ = 0;
    for (int r = 0; r < REPS; r++) {
        memset(y, 0, D_OUT * sizeof *y);
        rc |= linear_forward(y, x, &lin, 1, D_IN, D_OUT);
        differ += memcmp(y, y0, D_OUT * sizeof *y) != 0;
    }
    if (differ) printf("# %d of %d products differ from the first\n", differ, REPS);
    CHECK("concurrent-blas-same-bits-400-calls", rc == 0 && differ == 0);
    free(w), free(b), free(x), free(y0), free(y);
    return test_done();
}
