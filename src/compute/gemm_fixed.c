/* gemm_fixed.c — see gemm_fixed.h. Register-blocked: a tile of MR rows by
 * NR columns of c stays in registers while a panel of b (KB rows of those
 * NR columns, copied out or transposed) is swept; between panels the
 * partial sums go back to c as the floats they are, so the blocking does
 * not change a bit. */
#include "compute/gemm_fixed.h"

#include <string.h>

enum { MR = 4, NR = 16, KB = 256 };

/* tile[r][:] += a[r][p] · P[p][:] for p < pn, in order. */
static void kernel_c(float tile[MR][NR], const float *const a[MR], const float *P, int pn)
{
    for (int p = 0; p < pn; p++)
        for (int r = 0; r < MR; r++) {
            const float x = a[r][p];
            for (int j = 0; j < NR; j++) tile[r][j] += x * P[p * NR + j];
        }
}

static int use_simd = 1;
void gemm_fixed_use_simd(int on) { use_simd = on; }

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx2"))) static void kernel_avx2(float tile[MR][NR], const float *const a[MR],
                                                        const float *P, int pn)
{
    __m256 c00 = _mm256_loadu_ps(tile[0]), c01 = _mm256_loadu_ps(tile[0] + 8);
    __m256 c10 = _mm256_loadu_ps(tile[1]), c11 = _mm256_loadu_ps(tile[1] + 8);
    __m256 c20 = _mm256_loadu_ps(tile[2]), c21 = _mm256_loadu_ps(tile[2] + 8);
    __m256 c30 = _mm256_loadu_ps(tile[3]), c31 = _mm256_loadu_ps(tile[3] + 8);
    const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
    for (int p = 0; p < pn; p++) {
        const __m256 b0 = _mm256_loadu_ps(P + p * NR), b1 = _mm256_loadu_ps(P + p * NR + 8);
        __m256 x = _mm256_broadcast_ss(a0 + p);
        c00 = _mm256_add_ps(c00, _mm256_mul_ps(x, b0));
        c01 = _mm256_add_ps(c01, _mm256_mul_ps(x, b1));
        x = _mm256_broadcast_ss(a1 + p);
        c10 = _mm256_add_ps(c10, _mm256_mul_ps(x, b0));
        c11 = _mm256_add_ps(c11, _mm256_mul_ps(x, b1));
        x = _mm256_broadcast_ss(a2 + p);
        c20 = _mm256_add_ps(c20, _mm256_mul_ps(x, b0));
        c21 = _mm256_add_ps(c21, _mm256_mul_ps(x, b1));
        x = _mm256_broadcast_ss(a3 + p);
        c30 = _mm256_add_ps(c30, _mm256_mul_ps(x, b0));
        c31 = _mm256_add_ps(c31, _mm256_mul_ps(x, b1));
    }
    _mm256_storeu_ps(tile[0], c00), _mm256_storeu_ps(tile[0] + 8, c01);
    _mm256_storeu_ps(tile[1], c10), _mm256_storeu_ps(tile[1] + 8, c11);
    _mm256_storeu_ps(tile[2], c20), _mm256_storeu_ps(tile[2] + 8, c21);
    _mm256_storeu_ps(tile[3], c30), _mm256_storeu_ps(tile[3] + 8, c31);
}

static void (*kernel_of(void))(float[MR][NR], const float *const[MR], const float *, int)
{
    static int have_avx2 = -1;
    if (have_avx2 < 0) have_avx2 = __builtin_cpu_supports("avx2");
    return use_simd && have_avx2 ? kernel_avx2 : kernel_c;
}
#else
static void (*kernel_of(void))(float[MR][NR], const float *const[MR], const float *, int) { return kernel_c; }
#endif

void gemm_fixed(float *c, int ldc, const float *a, int lda, const float *b, int ldb, int bt, int m, int n, int k,
                float alpha, const float *bias)
{
    void (*kernel)(float[MR][NR], const float *const[MR], const float *, int) = kernel_of();
    float P[KB * NR];     /* [pn, NR] b(p0 + p, j0 + j), zero past column n */
    float tile[MR][NR];   /* rows i0.. of c's columns j0.. */
    for (int j0 = 0; j0 < n; j0 += NR) {
        const int jn = n - j0 < NR ? n - j0 : NR;
        if (k == 0)
            for (int i = 0; i < m; i++) memset(c + (size_t)i * (size_t)ldc + (size_t)j0, 0, (size_t)jn * sizeof *c);
        for (int p0 = 0; p0 < k; p0 += KB) {
            const int pn = k - p0 < KB ? k - p0 : KB;
            for (int p = 0; p < pn; p++)
                for (int j = 0; j < NR; j++)
                    P[p * NR + j] = j >= jn ? 0.0f
                                  : bt ? b[(size_t)(j0 + j) * (size_t)ldb + (size_t)(p0 + p)]
                                       : b[(size_t)(p0 + p) * (size_t)ldb + (size_t)(j0 + j)];
            for (int i0 = 0; i0 < m; i0 += MR) {
                const int mr = m - i0 < MR ? m - i0 : MR;
                const float *rows[MR]; /* a's rows i0.. from column p0; missing rows repeat the first */
                for (int r = 0; r < MR; r++) rows[r] = a + (size_t)(i0 + (r < mr ? r : 0)) * (size_t)lda + (size_t)p0;
                for (int r = 0; r < MR; r++)
                    for (int j = 0; j < NR; j++)
                        tile[r][j] = p0 == 0 || r >= mr || j >= jn ? 0.0f
                                   : c[(size_t)(i0 + r) * (size_t)ldc + (size_t)(j0 + j)];
                kernel(tile, rows, P, pn);
                for (int r = 0; r < mr; r++)
                    memcpy(c + (size_t)(i0 + r) * (size_t)ldc + (size_t)j0, tile[r], (size_t)jn * sizeof *c);
            }
        }
        for (int i = 0; i < m; i++) {
            float *ci = c + (size_t)i * (size_t)ldc + (size_t)j0; /* [jn] */
            for (int j = 0; j < jn; j++) {
                float s = ci[j] * alpha;
                ci[j] = bias ? bias[j0 + j] + s : s;
            }
        }
    }
}
