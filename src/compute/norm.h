/* norm.h — the norms of the residual stream: LayerNorm and RMSNorm.
 *
 * One row at a time, statistics in double; the rows are split across the
 * threads (parallel.h) from 64 rows on, which does not change the bits.
 * Callers own every buffer and nothing allocates or fails. out may equal x
 * (in place).
 */
#ifndef ATTN_NORM_H
#define ATTN_NORM_H

/* out[n, d] = (x - mean) / sqrt(var + eps) · w + b per row (biased
 * variance, as torch.nn.LayerNorm); w, b may be NULL (1 and 0). */
void layernorm_forward(float *out, const float *x, const float *w, const float *b, int n, int d,
                       double eps);

/* out[n, d] = x / sqrt(mean(x²) + eps) · (offset + w) per row, as Hugging
 * Face's LlamaRMSNorm (offset 0) and GemmaRMSNorm (offset 1: the gain is
 * 1 + w); w may be NULL (gain offset + 1 when offset is 0, else offset).
 * Rows are ld floats apart in both x and out (d <= ld), so one call can
 * normalise every head of a [n, heads·d] matrix (n·heads rows of d). */
void rmsnorm_forward(float *out, const float *x, const float *w, float offset, int n, int d, int ld,
                     double eps);

#endif
