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

/* P[p][j] = b(p0 + p, j0 + j) for p < pn, j < NR (0 past column jn). */
static void pack_c(float *P, const float *b, int ldb, int bt, int p0, int pn, int j0, int jn)
{
    if (jn < NR) memset(P, 0, (size_t)pn * NR * sizeof *P);
    if (bt)
        for (int j = 0; j < jn; j++) {
            const float *src = b + (size_t)(j0 + j) * (size_t)ldb + (size_t)p0; /* b[j0 + j, p0..] */
            for (int p = 0; p < pn; p++) P[p * NR + j] = src[p];
        }
    else
        for (int p = 0; p < pn; p++)
            memcpy(P + p * NR, b + (size_t)(p0 + p) * (size_t)ldb + (size_t)j0, (size_t)jn * sizeof *P);
}

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

/* pack_c for bt with a full panel: 8 x 8 blocks transposed in registers. */
__attribute__((target("avx2"))) static void pack_avx2(float *P, const float *b, int ldb, int bt, int p0, int pn,
                                                      int j0, int jn)
{
    if (!bt || jn < NR) {
        pack_c(P, b, ldb, bt, p0, pn, j0, jn);
        return;
    }
    int p = 0;
    for (; p + 8 <= pn; p += 8)
        for (int jb = 0; jb < NR; jb += 8) {
            __m256 r[8], t[8];
            for (int j = 0; j < 8; j++)
                r[j] = _mm256_loadu_ps(b + (size_t)(j0 + jb + j) * (size_t)ldb + (size_t)(p0 + p));
            for (int j = 0; j < 8; j += 2) {
                t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
                t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
            }
            for (int j = 0; j < 8; j += 4) {
                r[j] = _mm256_shuffle_ps(t[j], t[j + 2], 0x44);
                r[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], 0xEE);
                r[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0x44);
                r[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0xEE);
            }
            /* r[0..3]: columns 0, 1, 2, 3 of rows 0-3 | 4-7 in the low lanes,
             * r[4..7] likewise for rows 4-7 */
            for (int q = 0; q < 4; q++) {
                _mm256_storeu_ps(P + (p + q) * NR + jb, _mm256_permute2f128_ps(r[q], r[q + 4], 0x20));
                _mm256_storeu_ps(P + (p + q + 4) * NR + jb, _mm256_permute2f128_ps(r[q], r[q + 4], 0x31));
            }
        }
    for (; p < pn; p++)
        for (int j = 0; j < NR; j++) P[p * NR + j] = b[(size_t)(j0 + j) * (size_t)ldb + (size_t)(p0 + p)];
}

typedef void (*kernel_fn)(float[MR][NR], const float *const[MR], const float *, int);
typedef void (*pack_fn)(float *, const float *, int, int, int, int, int, int);

static int simd(void)
{
    static int have_avx2 = -1;
    if (have_avx2 < 0) have_avx2 = __builtin_cpu_supports("avx2");
    return use_simd && have_avx2;
}
static kernel_fn kernel_of(void) { return simd() ? kernel_avx2 : kernel_c; }
static pack_fn pack_of(void) { return simd() ? pack_avx2 : pack_c; }
#else
typedef void (*kernel_fn)(float[MR][NR], const float *const[MR], const float *, int);
typedef void (*pack_fn)(float *, const float *, int, int, int, int, int, int);
static kernel_fn kernel_of(void) { return kernel_c; }
static pack_fn pack_of(void) { return pack_c; }
#endif

void gemm_fixed(float *c, int ldc, const float *a, int lda, const float *b, int ldb, int bt, int m, int n, int k,
                float alpha, const float *bias)
{
    const kernel_fn kernel = kernel_of();
    const pack_fn pack = pack_of();
    float P[KB * NR];     /* [pn, NR] b(p0 + p, j0 + j), zero past column n */
    float tile[MR][NR];   /* rows i0.. of c's columns j0.. */
    for (int j0 = 0; j0 < n; j0 += NR) {
        const int jn = n - j0 < NR ? n - j0 : NR;
        if (k == 0)
            for (int i = 0; i < m; i++) memset(c + (size_t)i * (size_t)ldc + (size_t)j0, 0, (size_t)jn * sizeof *c);
        for (int p0 = 0; p0 < k; p0 += KB) {
            const int pn = k - p0 < KB ? k - p0 : KB;
            pack(P, b, ldb, bt, p0, pn, j0, jn);
            for (int i0 = 0; i0 < m; i0 += MR) {
                const int mr = m - i0 < MR ? m - i0 : MR;
                const float *rows[MR]; /* a's rows i0.. from column p0; missing rows repeat the first */
                for (int r = 0; r < MR; r++) rows[r] = a + (size_t)(i0 + (r < mr ? r : 0)) * (size_t)lda + (size_t)p0;
                memset(tile, 0, sizeof tile);
                if (p0 > 0)
                    for (int r = 0; r < mr; r++)
                        memcpy(tile[r], c + (size_t)(i0 + r) * (size_t)ldc + (size_t)j0, (size_t)jn * sizeof *c);
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
