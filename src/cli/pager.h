/* pager.h — paging terminal output that is taller than the terminal, as
 * git does.
 *
 * The pager is $ATTNVIZ_PAGER, else $PAGER, else "less -FRX" (-F: quit when
 * the text fits, -R: keep colours, -X: leave it on the screen); an empty
 * value or "cat" means no pager. It runs through /bin/sh -c with the text on
 * its standard input and LESS=FRX in its environment when LESS is unset.
 * attnviz waits for it to end; while it runs, SIGINT and SIGQUIT are left to
 * the pager (the user quits it with q), and a pager that stops reading
 * early is no error. A pager that cannot start (the shell's exit status
 * 126 or 127) is ignored: the text goes to standard output.
 *
 * Nothing is paged unless the caller asks: pager_rows() says how tall the
 * terminal on standard output is. Returns: pager_write() 0, or -1 with err
 * filled (an I/O error on the fallback write).
 */
#ifndef ATTN_CLI_PAGER_H
#define ATTN_CLI_PAGER_H

#include <stddef.h>

#include "base/error.h"

/* Rows of the terminal on standard output (TIOCGWINSZ, else $LINES), or 0
 * when standard output is not a terminal or its height is unknown. */
int pager_rows(void);

/* The pager command, or NULL for none. */
const char *pager_command(void);

/* Shows data[0..len) through cmd. */
int pager_write(const char *cmd, const char *data, size_t len, attn_error *err);

#endif
