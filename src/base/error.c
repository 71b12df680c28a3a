/* error.c — see error.h. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>

#include "base/textesc.h"

int attn_fail(attn_error *err, int code, const char *fmt, ...)
{
    if (err) {
        /* The one escaping path for every message: whatever a message
         * quotes (a JSON key, a config value, an option, a token) reaches
         * the terminal with its control and bidi characters escaped
         * (textesc.h). Escaping is idempotent, so a message that quotes an
         * earlier message (a prefix added) is not escaped twice. */
        char raw[4 * sizeof err->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        textesc_to(err->msg, sizeof err->msg, raw);
        err->code = code;
    }
    return -1;
}

int attn_oom(attn_error *err, const char *what)
{
    return attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory (%s)", what);
}
