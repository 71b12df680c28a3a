/* half.c — see half.h. */
#include "model/half.h"

#include <string.h>

/* IEEE 754 binary16 -> binary32, exact: normals re-biased (15 -> 127),
 * subnormals m * 2^-24 (exact in float), inf and NaN kept. */
static float f16_one(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0) {
        float v = (float)man * 0x1p-24f;
        return sign ? -v : v;
    }
    if (exp == 31) bits = sign | 0x7f800000u | (man << 13);
    else bits = sign | ((exp + 112u) << 23) | (man << 13);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* bfloat16 is the top half of a binary32 */
static float bf16_one(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static size_t half_scan_c(const unsigned char *p, size_t i, size_t n, uint16_t expmask)
{
    for (; i < n; i++) {
        uint16_t h;
        memcpy(&h, p + 2 * i, 2);
        if ((h & expmask) == expmask) return i;
    }
    return n;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

/* 1 if the CPU has F16C (CPUID leaf 1, ECX bit 29) and the OS saves the
 * AVX registers. Read with cpuid.h, which gcc and clang both have: clang
 * 14's __builtin_cpu_supports() does not know "f16c". */
static int cpu_has_f16c(void)
{
    unsigned a, b, c, d;
    return __builtin_cpu_supports("avx") && __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}

/* 16 values at a time: a block with an inf or NaN is rescanned in C for the
 * first one (a checkpoint has none, so the fast loop runs to the end) */
__attribute__((target("avx2"))) static size_t half_scan_avx2(const unsigned char *p, size_t n, uint16_t expmask)
{
    const __m256i m = _mm256_set1_epi16((short)expmask);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256i v = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(const void *)(p + 2 * i)), m);
        if (_mm256_movemask_epi8(_mm256_cmpeq_epi16(v, m))) return half_scan_c(p, i, i + 16, expmask);
    }
    return half_scan_c(p, i, n, expmask);
}

/* BF16: the 16 bits are the top of a float */
__attribute__((target("avx2"))) static void bf16_avx2(float *f, const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i)));
        _mm256_storeu_ps(f + i, _mm256_castsi256_ps(_mm256_slli_epi32(w, 16)));
    }
    for (; i < n; i++) {
        uint16_t h;
        memcpy(&h, p + 2 * i, 2);
        f[i] = bf16_one(h);
    }
}
#endif

int half_have_avx2_f16c(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    static int have = -1;
    if (have < 0) have = __builtin_cpu_supports("avx2") && cpu_has_f16c();
    return have;
#else
    return 0;
#endif
}

size_t half_scan(const void *src, size_t n, half_kind kind)
{
    const uint16_t expmask = kind == HALF_F16 ? 0x7c00u : 0x7f80u;
#if defined(__x86_64__) && defined(__GNUC__)
    static int have_avx2 = -1;
    if (have_avx2 < 0) have_avx2 = __builtin_cpu_supports("avx2");
    if (have_avx2) return half_scan_avx2(src, n, expmask);
#endif
    return half_scan_c(src, 0, n, expmask);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* F16 with the F16C instruction, exact as f16_one */
__attribute__((target("avx,f16c"))) static void f16_f16c(float *f, const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(f + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p + 2 * i))));
    for (; i < n; i++) {
        uint16_t h;
        memcpy(&h, p + 2 * i, 2);
        f[i] = f16_one(h);
    }
}
#endif

void half_to_float(float *dst, const void *src, size_t n, half_kind kind)
{
    const unsigned char *p = src;
#if defined(__x86_64__) && defined(__GNUC__)
    static int have_f16c = -1, have_avx2 = -1;
    if (have_f16c < 0) have_f16c = cpu_has_f16c();
    if (have_avx2 < 0) have_avx2 = __builtin_cpu_supports("avx2");
    if (kind == HALF_F16 && have_f16c) {
        f16_f16c(dst, p, n);
        return;
    }
    if (kind == HALF_BF16 && have_avx2) {
        bf16_avx2(dst, p, n);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++) {
        uint16_t h;
        memcpy(&h, p + 2 * i, 2);
        dst[i] = kind == HALF_F16 ? f16_one(h) : bf16_one(h);
    }
}
