/* attention.c — see attention.h.
 *
 * The softmax is the one loop attnviz runs itself over every weight, so it is
 * written to be fast: exp is a branch-free polynomial (Cephes' expf
 * coefficients: |relative error| < 2 ulp over the range softmax uses), the
 * loops run 16 floats at a time with AVX-512, or 8 with AVX2, where the CPU
 * has them (chosen at run time), and in plain C otherwise, all three giving
 * the same bits, and the rows of one head are
 * split across linalg_threads() threads together with their Q·Kᵀ product.
 */
#include "compute/attention.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

#include "compute/finite.h"
#include "compute/linalg.h"
#include "compute/parallel.h"

/* The constants of exp, shared by the three paths (their bits must agree):
 * below EXP_MIN e^x is 0; x = n·ln 2 + r with n = round(x·log2 e) and ln 2
 * split in two (Cody-Waite); e^r ≈ 1 + r + r²·P(r), P's coefficients from
 * the highest power down (Cephes expf). */
#define EXP_MIN   (-87.3f)
#define EXP_LOG2E 1.44269504088896341f
#define EXP_LN2_1 0.693359375f
#define EXP_LN2_2 (-2.12194440e-4f)
static const float exp_poly[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                  4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

/* e^x for x <= 0 (softmax arguments after the max is subtracted); inputs
 * below -87.3 give 0. Same arithmetic as the AVX2 path, lane for lane.
 * Never undefined: NaN gives 0 and x > 0 is taken as 0, so n, converted to
 * an integer below, is always in [-126, 0]. */
static inline float exp_neg(float x)
{
    if (!(x >= EXP_MIN)) return 0.0f;
    if (x > 0.0f) x = 0.0f;
    float n = floorf(x * EXP_LOG2E + 0.5f); /* round(x / ln 2) */
    float r = x - n * EXP_LN2_1;
    r = r - n * EXP_LN2_2;
    float p = exp_poly[0];
    for (int i = 1; i < 6; i++) p = p * r + exp_poly[i];
    p = p * r * r + r + 1.0f;
    int32_t e = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale;
}

/* softmax of row[0..n) in place; row[n..cols) = 0. The sum runs in 8
 * interleaved partial sums added in lane order, then the tail: the AVX2
 * path's order exactly, so both give the same bits. */
static void softmax_row_c(float *row, int n, int cols)
{
    float max = -INFINITY;
    for (int j = 0; j < n; j++) max = row[j] > max ? row[j] : max;
    float lane[8] = {0};
    int n8 = n / 8 * 8, j;
    for (j = 0; j < n8; j++) {
        row[j] = exp_neg(row[j] - max);
        lane[j % 8] += row[j];
    }
    float sum = 0.0f;
    for (int i = 0; i < 8; i++) sum += lane[i];
    for (; j < n; j++) {
        row[j] = exp_neg(row[j] - max);
        sum += row[j];
    }
    float inv = n > 0 ? 1.0f / sum : 0.0f;
    for (j = 0; j < n; j++) row[j] *= inv;
    for (j = n; j < cols; j++) row[j] = 0.0f;
}

#ifdef HAVE_AVX2_PATH
__attribute__((target("avx2,fma"))) static inline __m256 exp_neg8(__m256 x)
{
    const __m256 lo = _mm256_set1_ps(EXP_MIN);
    __m256 zero_mask = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    x = _mm256_max_ps(x, lo);
    __m256 n = _mm256_floor_ps(_mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(EXP_LOG2E)),
                                             _mm256_set1_ps(0.5f)));
    __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(EXP_LN2_1)));
    r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(EXP_LN2_2)));
    __m256 p = _mm256_set1_ps(exp_poly[0]);
    for (int i = 1; i < 6; i++) p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(exp_poly[i]));
    p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r), _mm256_set1_ps(1.0f));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23);
    __m256 y = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
    return _mm256_andnot_ps(zero_mask, y);
}

__attribute__((target("avx2,fma"))) static void softmax_row_avx2(float *row, int n, int cols)
{
    int j = 0;
    __m256 vmax = _mm256_set1_ps(-INFINITY);
    for (; j + 8 <= n; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(row + j));
    float lanes[8];
    _mm256_storeu_ps(lanes, vmax);
    float max = -INFINITY;
    for (int i = 0; i < 8; i++) max = lanes[i] > max ? lanes[i] : max;
    for (; j < n; j++) max = row[j] > max ? row[j] : max;
    __m256 vm = _mm256_set1_ps(max), vsum = _mm256_setzero_ps();
    for (j = 0; j + 8 <= n; j += 8) {
        __m256 e = exp_neg8(_mm256_sub_ps(_mm256_loadu_ps(row + j), vm));
        _mm256_storeu_ps(row + j, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    _mm256_storeu_ps(lanes, vsum);
    float sum = 0.0f;
    for (int i = 0; i < 8; i++) sum += lanes[i];
    for (; j < n; j++) {
        row[j] = exp_neg(row[j] - max);
        sum += row[j];
    }
    float inv = n > 0 ? 1.0f / sum : 0.0f;
    __m256 vinv = _mm256_set1_ps(inv);
    for (j = 0; j + 8 <= n; j += 8) _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), vinv));
    for (; j < n; j++) row[j] *= inv;
    for (j = n; j < cols; j++) row[j] = 0.0f;
}
#endif

static int use_simd = 2;

void softmax_use_simd(int level) { use_simd = level; }

/* The AVX2 code on 16 lanes: the same operations per element, and the sum
 * still kept in 8 lanes (each 16-float block adds its low half, then its
 * high half), so the bits equal the AVX2 and plain C paths. */
__attribute__((target("avx512f"))) static inline __m512 exp_neg16(__m512 x)
{
    const __m512 lo = _mm512_set1_ps(EXP_MIN);
    __mmask16 zero = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
    x = _mm512_max_ps(x, lo);
    __m512 n = _mm512_roundscale_ps(_mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(EXP_LOG2E)),
                                                  _mm512_set1_ps(0.5f)),
                                    _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(EXP_LN2_1)));
    r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(EXP_LN2_2)));
    __m512 p = _mm512_set1_ps(exp_poly[0]);
    for (int i = 1; i < 6; i++) p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(exp_poly[i]));
    p = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(p, r), r), r), _mm512_set1_ps(1.0f));
    __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23);
    __m512 y = _mm512_mul_ps(p, _mm512_castsi512_ps(e));
    return _mm512_maskz_mov_ps((__mmask16)~zero, y);
}

__attribute__((target("avx512f"))) static void softmax_row_avx512(float *row, int n, int cols)
{
    int j = 0;
    __m512 vmax = _mm512_set1_ps(-INFINITY);
    for (; j + 16 <= n; j += 16) vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(row + j));
    float max = _mm512_reduce_max_ps(vmax);
    for (; j < n; j++) max = row[j] > max ? row[j] : max;
    __m512 vm = _mm512_set1_ps(max);
    __m256 vsum = _mm256_setzero_ps();
    for (j = 0; j + 16 <= n; j += 16) {
        __m512 e = exp_neg16(_mm512_sub_ps(_mm512_loadu_ps(row + j), vm));
        _mm512_storeu_ps(row + j, e);
        vsum = _mm256_add_ps(vsum, _mm512_castps512_ps256(e));
        vsum = _mm256_add_ps(vsum, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1)));
    }
    if (j + 8 <= n) { /* one 8-float block left, as the AVX2 path takes it */
        __m512 e = exp_neg16(_mm512_sub_ps(_mm512_maskz_loadu_ps(0xff, row + j), vm));
        _mm256_storeu_ps(row + j, _mm512_castps512_ps256(e));
        vsum = _mm256_add_ps(vsum, _mm512_castps512_ps256(e));
        j += 8;
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, vsum);
    float sum = 0.0f;
    for (int i = 0; i < 8; i++) sum += lanes[i];
    for (; j < n; j++) {
        row[j] = exp_neg(row[j] - max);
        sum += row[j];
    }
    float inv = n > 0 ? 1.0f / sum : 0.0f;
    __m512 vinv = _mm512_set1_ps(inv);
    for (j = 0; j + 16 <= n; j += 16) _mm512_storeu_ps(row + j, _mm512_mul_ps(_mm512_loadu_ps(row + j), vinv));
    for (; j < n; j++) row[j] *= inv;
    for (j = n; j < cols; j++) row[j] = 0.0f;
}

/* The keys row r of softmax_masked_forward() keeps: [*lo, return value):
 * causal masks those after its position, window those too far before. */
static int kept_keys(int r, int cols, int row0, int causal, int window, int *lo)
{
    const long pos = (long)row0 + r;
    int n = cols;
    *lo = 0;
    if (causal) n = pos + 1 < cols ? (int)(pos + 1) : cols;
    if (window > 0 && pos - window + 1 > 0) *lo = pos - window + 1 < n ? (int)(pos - window + 1) : n;
    return n;
}

void softmax_masked_forward(float *x, int rows, int cols, int row0, int causal, int window)
{
#ifdef HAVE_AVX2_PATH
    static int have_avx2 = -1, have_avx512 = -1;
    if (have_avx2 < 0) have_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (have_avx512 < 0) have_avx512 = have_avx2 && __builtin_cpu_supports("avx512f");
    const int avx2 = have_avx2 && use_simd >= 1, avx512 = have_avx512 && use_simd >= 2;
#endif
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * (size_t)cols; /* [cols] */
        int lo, n = kept_keys(r, cols, row0, causal, window, &lo);
        for (int j = 0; j < lo; j++) row[j] = 0.0f;
        row += lo; /* the keys this query sees: [lo, n) */
#ifdef HAVE_AVX2_PATH
        if (avx512) {
            softmax_row_avx512(row, n - lo, cols - lo);
            continue;
        }
        if (avx2) {
            softmax_row_avx2(row, n - lo, cols - lo);
            continue;
        }
#endif
        softmax_row_c(row, n - lo, cols - lo);
    }
}

void softmax_forward(float *x, int rows, int cols, int causal, int row0)
{
    softmax_masked_forward(x, rows, cols, row0, causal, 0);
}

/* softmax_masked_forward(), except that a row whose scores (those the mask
 * keeps) are not all finite becomes all NaN, for finite.h's check to find. */
static void softmax_checked(float *att, int rows, int cols, int row0, int causal, int window)
{
    int bad = 0, lo, n;
    for (int r = 0; r < rows && !bad; r++) {
        n = kept_keys(r, cols, row0, causal, window, &lo);
        bad = !finite_all(att + (size_t)r * (size_t)cols + lo, (size_t)(n - lo));
    }
    if (!bad) {
        softmax_masked_forward(att, rows, cols, row0, causal, window);
        return;
    }
    for (int r = 0; r < rows; r++) {
        float *row = att + (size_t)r * (size_t)cols; /* [cols] */
        n = kept_keys(r, cols, row0, causal, window, &lo);
        if (finite_all(row + lo, (size_t)(n - lo))) {
            softmax_masked_forward(row, 1, cols, row0 + r, causal, window);
        } else {
            for (int j = 0; j < cols; j++) row[j] = NAN;
        }
    }
}

/* One head's rows: the scores and softmax, or the values. */
typedef struct {
    float *att;          /* [n_q, n_k] */
    const float *q, *k;  /* scores: row strides ld_q, ld_k */
    const float *v;      /* values: row stride ld_v */
    float *out;          /* values: [n_q, ld_out] */
    int ld_q, ld_k, ld_v, ld_out, n_k, d_head;
    attn_score_opts o;
} head_job;

/* Query rows per call: each chunk is one product, whatever the threads. */
enum { ROW_CHUNK = 64 };

static void scores_rows(void *ctx, int r0, int r1)
{
    const head_job *j = ctx;
    float *att = j->att + (size_t)r0 * j->n_k; /* [r1 - r0, n_k] */
    matmul_nt(att, j->n_k, j->q + (size_t)r0 * j->ld_q, j->ld_q, j->k, j->ld_k, r1 - r0, j->n_k, j->d_head,
              j->o.scale);
    if (j->o.softcap > 0.0f)
        for (size_t i = 0; i < (size_t)(r1 - r0) * (size_t)j->n_k; i++)
            att[i] = tanhf(att[i] / j->o.softcap) * j->o.softcap;
    if (j->o.bias) {
        const float *b = j->o.bias + (size_t)r0 * j->n_k; /* [r1 - r0, n_k] */
        for (size_t i = 0; i < (size_t)(r1 - r0) * (size_t)j->n_k; i++) att[i] += b[i];
    }
    softmax_checked(att, r1 - r0, j->n_k, j->o.q_pos0 + r0, j->o.causal, j->o.window);
}

static void values_rows(void *ctx, int r0, int r1)
{
    const head_job *j = ctx;
    matmul_nn(j->out + (size_t)r0 * j->ld_out, j->ld_out, j->att + (size_t)r0 * j->n_k, j->n_k, j->v,
              j->ld_v, r1 - r0, j->d_head, j->n_k);
}

/* Heads at a time: as many as BATCH_BYTES of weights hold (every head of
 * a layer for short inputs and decoding steps: one meeting of the threads
 * a layer), at least one per thread, at most 64 MiB (long inputs: fewer,
 * down to one) and ATTN_MAX_BATCH. A batch of fewer multiply-adds than
 * PARALLEL_MIN_WORK runs on the calling thread (the example sentence's 4
 * heads of 16 x 16, a decoding step of a small model). */
enum { MAX_BATCH = ATTN_MAX_BATCH, BATCH_BYTES = 4 << 20 };

typedef struct {
    head_job h[MAX_BATCH];
    int chunks;  /* units per head */
    int n_q;
} batch_job;

static void batch_units(void *ctx, int u0, int u1)
{
    const batch_job *b = ctx;
    for (int u = u0; u < u1; u++) {
        const head_job *h = &b->h[u / b->chunks];
        const int r0 = (u % b->chunks) * ROW_CHUNK, r1 = r0 + ROW_CHUNK < b->n_q ? r0 + ROW_CHUNK : b->n_q;
        scores_rows((void *)h, r0, r1);
        if (h->out) values_rows((void *)h, r0, r1);
    }
}

void attention_heads_forward(const attn_head_io *heads, int n_heads, int ld_q, int ld_k, int ld_v, int ld_out,
                             int n_q, int n_k, int d_head, const attn_score_opts *o)
{
    for (int h0 = 0; h0 < n_heads; h0 += MAX_BATCH) {
        batch_job b = {.chunks = (n_q + ROW_CHUNK - 1) / ROW_CHUNK, .n_q = n_q};
        const int nb = n_heads - h0 < MAX_BATCH ? n_heads - h0 : MAX_BATCH;
        for (int i = 0; i < nb; i++) {
            const attn_head_io *io = &heads[h0 + i];
            b.h[i] = (head_job){.att = io->att, .q = io->q, .k = io->k, .v = io->v, .out = io->out, .ld_q = ld_q,
                                .ld_k = ld_k, .ld_v = ld_v, .ld_out = ld_out, .n_k = n_k, .d_head = d_head, .o = *o};
            b.h[i].o.bias = io->bias;
        }
        if ((double)nb * n_q * n_k * d_head * 2.0 < PARALLEL_MIN_WORK) batch_units(&b, 0, nb * b.chunks);
        else parallel_chunks(nb * b.chunks, 1, 2, batch_units, &b);
    }
}

int attention_batch_heads(int n_heads, int n_q, int n_k)
{
    const double per = (double)n_q * n_k * sizeof(float); /* one head's weights, bytes */
    const int T = linalg_threads();
    double b = per > 0 ? (double)BATCH_BYTES / per : MAX_BATCH;
    if (b < T) b = T;
    if (b * per > 64.0 * (1 << 20)) b = 64.0 * (1 << 20) / per;
    if (b > n_heads) b = n_heads;
    if (b > MAX_BATCH) b = MAX_BATCH;
    return b < 1 ? 1 : (int)b;
}

void attention_head_forward(float *att, const float *q, int ld_q, const float *k,
                            int ld_k, int n_q, int n_k, int d_head, float scale,
                            int causal)
{
    attn_score_opts o = {.scale = scale, .causal = causal};
    attention_scores_forward(att, q, ld_q, k, ld_k, n_q, n_k, d_head, &o);
}

void attention_scores_forward(float *att, const float *q, int ld_q, const float *k, int ld_k, int n_q, int n_k,
                              int d_head, const attn_score_opts *o)
{
    head_job j = {.att = att, .q = q, .k = k, .ld_q = ld_q, .ld_k = ld_k, .n_k = n_k, .d_head = d_head, .o = *o};
    parallel_chunks(n_q, ROW_CHUNK, 2, scores_rows, &j);
}

void attention_values_forward(float *out_h, int ld_out, const float *att,
                              const float *v, int ld_v, int n_q, int n_k, int d_head)
{
    head_job j = {.att = (float *)att, .v = v, .out = out_h, .ld_v = ld_v, .ld_out = ld_out,
                  .n_k = n_k, .d_head = d_head};
    parallel_chunks(n_q, ROW_CHUNK, 2, values_rows, &j);
}

void attention_additive_forward(float *att, const float *q, int ld_q, const float *k, int ld_k,
                                const float *wq_h, const float *wk_h, const float *v_h,
                                int n_q, int n_k, int d_head, int causal, float *scratch)
{
    float *a = scratch;                         /* [n_q, d_head] Wq_h·q_i */
    float *b = scratch + (size_t)n_q * d_head;  /* [n_k, d_head] Wk_h·k_j */
    matmul_nt(a, d_head, q, ld_q, wq_h, d_head, n_q, d_head, d_head, 1.0f);
    matmul_nt(b, d_head, k, ld_k, wk_h, d_head, n_k, d_head, d_head, 1.0f);
    for (int i = 0; i < n_q; i++) {
        const float *ai = a + (size_t)i * d_head;
        for (int j = 0; j < n_k; j++) {
            const float *bj = b + (size_t)j * d_head;
            float s = 0.0f;
            for (int c = 0; c < d_head; c++) s += v_h[c] * tanhf(ai[c] + bj[c]);
            att[(size_t)i * n_k + j] = s;
        }
    }
    softmax_checked(att, n_q, n_k, 0, causal, 0);
}
