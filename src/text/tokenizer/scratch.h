/* scratch.h — the working memory of one tokenizer_encode() call, shared
 * by its stages: a list of changes (normalizers), lists of matches
 * (patterns, pre-tokenizers), the regular-expression scratch. It belongs to
 * the call, never to the tokenizer, so a tokenizer may encode in several
 * threads at once. tk_scratch_free() releases what the stages grew.
 */
#ifndef ATTN_TK_SCRATCH_H
#define ATTN_TK_SCRATCH_H

#include <stdlib.h>

#include "text/tokenizer/nstr.h"
#include "text/tokenizer/regex.h"

typedef struct {
    nchanges ch;
    nmatches m;
    tk_rx_scratch *rx;  /* made on first use */
} tk_scratch;

static inline void tk_scratch_free(tk_scratch *sc)
{
    free(sc->ch.c);
    free(sc->m.m);
    tk_rx_scratch_free(sc->rx);
}

/* The regex scratch, made when first needed; NULL when memory runs out. */
static inline tk_rx_scratch *tk_scratch_rx(tk_scratch *sc)
{
    if (!sc->rx) sc->rx = tk_rx_scratch_new();
    return sc->rx;
}

#endif
