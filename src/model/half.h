/* half.h — 16-bit floats (IEEE binary16 "F16" and bfloat16 "BF16") to
 * float32, exactly.
 *
 * For checkpoints stored in 16 bits: safetensors_convert.c converts whole
 * tensors with half_to_float(), and the embedding step converts only the
 * rows of the tokens it needs from a table kept in 16 bits. The input is
 * little-endian bytes (read with memcpy: any alignment), all finite
 * (half_scan() finds the first that is not). Nothing allocates or fails.
 */
#ifndef ATTN_HALF_H
#define ATTN_HALF_H

#include <stddef.h>
#include <stdint.h>

typedef enum { HALF_F16 = 1, HALF_BF16 = 2 } half_kind;

/* dst[n] = the n 16-bit values at src (F16C instructions where the CPU has
 * them; the same values either way). */
void half_to_float(float *dst, const void *src, size_t n, half_kind kind);

/* The index of the first inf or NaN among the n values at src, or n. */
size_t half_scan(const void *src, size_t n, half_kind kind);

/* 1 if the CPU has AVX2 and F16C (and the OS saves the AVX registers),
 * else 0: the test of every F16C path (clang 14's __builtin_cpu_supports()
 * does not know "f16c"; this reads CPUID, as gcc and clang both can). */
int half_have_avx2_f16c(void);

#endif
