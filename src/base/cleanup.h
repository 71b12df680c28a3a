/* cleanup.h — temporary files that must not outlive an interrupted run.
 *
 * io.c writes every output file to a temporary file beside it and renames
 * it into place. cleanup_add() registers such a file; when SIGINT, SIGTERM
 * or SIGHUP arrives before cleanup_remove(), the handler unlinks every
 * registered file and ends the process with _exit(128 + signal number):
 * 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. The handler is installed
 * by the first cleanup_add() and only for signals that are not ignored (a
 * shell starts background jobs with SIGINT ignored, and that is kept). It
 * does nothing but unlink() and _exit(), both async-signal-safe, on paths
 * copied beforehand into nodes published with C11 atomics, so it may run in
 * any thread at any moment.
 *
 * cleanup_hold() / cleanup_release() keep those signals pending around a
 * commit (the renames that put outputs into place), so an interruption
 * comes before or after it, never in the middle: a signal held during a
 * commit is acted on when it is released (the temporary files are gone by
 * then, and the process exits 130/143).
 *
 * Nothing here prints. cleanup_add() returns 0, or -1 when memory runs out
 * (nothing is registered then); the registry owns its copies of the paths.
 */
#ifndef ATTN_CLEANUP_H
#define ATTN_CLEANUP_H

#include <signal.h>

int cleanup_add(const char *path);
/* Forgets path (after it was renamed into place or unlinked). */
void cleanup_remove(const char *path);

/* Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (*old gets the
 * previous mask); cleanup_release() restores it. */
void cleanup_hold(sigset_t *old);
void cleanup_release(const sigset_t *old);

#endif
