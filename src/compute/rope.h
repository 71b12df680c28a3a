/* rope.h — rotary position embeddings (RoFormer; model.h's attn_rope), as
 * Hugging Face computes them: the inverse frequencies of every rope_type in
 * float32 as modeling_rope_utils.py does, angles position · inv_freq in
 * float32, cos and sin of them times the attention factor, and rotate_half
 * (the first half of the rotated components against the second).
 *
 * Callers own every buffer; nothing allocates or fails.
 */
#ifndef ATTN_ROPE_H
#define ATTN_ROPE_H

#include "model/model.h"

/* inv_freq[r->dim / 2] and *scale (what cos and sin are multiplied by) for
 * a pass whose last position is seq_len - 1: "dynamic" rescales its base
 * beyond max_position_embeddings, "longrope" takes its long factors beyond
 * original_max_position_embeddings; the other types ignore seq_len. */
void rope_inv_freq(float *inv_freq, float *scale, const attn_rope *r, int seq_len);

/* cs[n][dim]: for positions pos0 .. pos0 + n - 1, cos of each of the
 * dim / 2 angles, then their sin, all times scale. */
void rope_table(float *cs, const float *inv_freq, float scale, int dim, int pos0, int n);

/* In each of n rows (ld floats apart, row i at the position of cs's row i),
 * rotates n_vec vectors that start step floats apart: the first dim
 * components of each, x_j ← x_j·cos_j - x_{j+dim/2}·sin_j and
 * x_{j+dim/2} ← x_{j+dim/2}·cos_j + x_j·sin_j; the rest stay (partial
 * rotary). */
void rope_apply(float *x, int ld, int n, int n_vec, int step, const float *cs, int dim);

#endif
