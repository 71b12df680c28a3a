/* stack_bufs.c — see stack_impl.h: the buffers of one pass of a layer
 * stack (stack.c, seq2seq.c), taken one by one and freed together. */
#include <stdlib.h>

#include "compute/stack_impl.h"

float *stack_take(stack_bufs *b, size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    b->all[b->n_all++] = p;
    return p;
}

int stack_bufs_ok(stack_bufs *b)
{
    for (int i = 0; i < b->n_all; i++)
        if (!b->all[i]) {
            stack_bufs_free(b);
            return 0;
        }
    return 1;
}

void stack_bufs_free(stack_bufs *b)
{
    for (int i = 0; i < b->n_all; i++) free(b->all[i]);
    b->n_all = 0;
}
