/* buf.c — see buf.h. */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(attn_buf *b) { memset(b, 0, sizeof *b); }

void buf_free(attn_buf *b)
{
    free(b->data);
    buf_init(b);
}

int buf_reserve(attn_buf *b, size_t extra)
{
    if (b->failed) return -1;
    if (extra > (size_t)-1 - b->len - 1) { b->failed = 1; return -1; }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) { b->failed = 1; return -1; }
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_put(attn_buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != 0) return -1;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(attn_buf *b, const char *s) { return buf_put(b, s, strlen(s)); }

int buf_putc(attn_buf *b, char c) { return buf_put(b, &c, 1); }

int buf_printf(attn_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) != 0) { b->failed = 1; return -1; }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}
