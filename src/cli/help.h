/* help.h — the usage text (--help), which main.c prints to stdout for
 * --help and tests/e2e/docs.sh checks against the options main.c accepts.
 * Nothing here fails; the caller checks the stream for write errors. */
#ifndef ATTN_HELP_H
#define ATTN_HELP_H

#include <stdio.h>

void help_print(FILE *f);

#endif
