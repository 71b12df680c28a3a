/* error.c — see error.h. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>

int attn_fail(attn_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return -1;
}

int attn_oom(attn_error *err, const char *what)
{
    return attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory (%s)", what);
}
