/* error.h — the one error type every module fills.
 *
 * Library functions never print and never exit. A function that can fail
 * returns int (0 on success, -1 on failure) or a pointer (NULL on failure)
 * and, on failure, fills the caller's attn_error with a one-line message
 * (naming the file, option or position) and an exit class: ATTN_EXIT_INPUT
 * (2: usage or invalid input) or ATTN_EXIT_RUNTIME (1: I/O, out of memory).
 * Only main.c prints "attnviz: <msg>" and exits with err.code; for
 * ATTN_EXIT_PIPE it prints nothing.
 */
#ifndef ATTN_ERROR_H
#define ATTN_ERROR_H

enum { ATTN_EXIT_OK = 0, ATTN_EXIT_RUNTIME = 1, ATTN_EXIT_INPUT = 2,
       ATTN_EXIT_PIPE = 141 /* the reader of a pipe went away (EPIPE): exit quietly, as
                               a process killed by SIGPIPE would (128 + 13) */ };

typedef struct {
    int code;        /* ATTN_EXIT_RUNTIME, ATTN_EXIT_INPUT or ATTN_EXIT_PIPE once set */
    char msg[512];   /* one line, no trailing newline */
} attn_error;

/* Fills err (may be NULL) with code and a printf-style message; returns -1
 * so callers can write `return attn_fail(err, ATTN_EXIT_INPUT, "...")`.
 * The message is escaped as textesc.h escapes untrusted text (control and
 * bidi characters as \uXXXX, bytes that are not UTF-8 as \xHH), so it may
 * quote input as it is; it allocates nothing. */
int attn_fail(attn_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Out-of-memory shorthand: attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory (<what>)"). */
int attn_oom(attn_error *err, const char *what);

#endif
