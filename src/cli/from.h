/* from.h — --from FILE: attention computed elsewhere, rendered by every
 * view. The file is read by compute/result_read.h; this file chooses the
 * layers and heads (-l, -H, --aggregate, --rollout) and renders it.
 * Returns 0, or -1 with err filled.
 */
#ifndef ATTN_CLI_FROM_H
#define ATTN_CLI_FROM_H

#include "cli/run.h"

int run_from(run_state *s, const options *o, attn_error *err);

#endif
