/* rng.h — the documented PRNG behind seeded weights.
 *
 * xoshiro256** (Blackman & Vigna, 2018) whose 256-bit state is filled by four
 * outputs of splitmix64 from the 64-bit seed. Floats are made from the top
 * 24 bits of one 64-bit output: u = (x >> 40) · 2⁻²⁴, exactly representable,
 * so the same seed gives bit-identical numbers on every platform (integer
 * arithmetic only; no libm).
 */
#ifndef ATTN_RNG_H
#define ATTN_RNG_H

#include <stdint.h>

typedef struct { uint64_t s[4]; } attn_rng;

void rng_seed(attn_rng *r, uint64_t seed);
uint64_t rng_next(attn_rng *r);
/* Uniform in [0, 1), 24 bits of resolution. */
float rng_uniform(attn_rng *r);
/* Uniform in [-a, a): (2u - 1) · a, computed in float. */
float rng_symmetric(attn_rng *r, float a);
/* 64-bit FNV-1a hash of a NUL-terminated string (for hashed embeddings). */
uint64_t rng_hash(const char *s);

#endif
