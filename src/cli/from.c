/* from.c — see from.h. */
#include "cli/from.h"

int run_from(run_state *s, const options *o, attn_error *err)
{
    (void)s;
    return attn_fail(err, ATTN_EXIT_INPUT, "--from %s: not yet", o->from);
}
