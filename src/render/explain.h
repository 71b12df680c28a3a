/* explain.h — the arithmetic behind one query's attention weights.
 *
 * For one query token and every shown layer and head, explain_* walk the
 * chain a student learns: the query vector q (the head's slice of the
 * projected query), each key's raw score (q·k_j, or vᵀ·tanh(W_q·q + W_k·k_j)
 * for the additive score), the scaling by √d_head, the softmax with the
 * maximum subtracted and the exponentials shown, the weights, and the
 * weighted sum of value vectors that is the head's output. The steps are
 * recomputed in double from the trace of Q, K, V; the weights printed are
 * the result's own (so they equal the CSV's).
 *
 * Ownership: everything is borrowed; output is appended to out. Returns 0,
 * or -1 with err filled.
 */
#ifndef ATTN_EXPLAIN_H
#define ATTN_EXPLAIN_H

#include "base/buf.h"
#include "base/error.h"
#include "compute/result.h"
#include "compute/transformer.h"
#include "model/model.h"

/* Readable text for the terminal. */
int explain_text(attn_buf *out, const attn_result *r, const attn_trace *tr, const attn_model *m,
                 int query, attn_error *err);

/* The same numbers as one JSON object on one line. */
int explain_json(attn_buf *out, const attn_result *r, const attn_trace *tr, const attn_model *m,
                 int query, attn_error *err);

#endif
