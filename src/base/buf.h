/* buf.h — a growable byte buffer that renderers write into.
 *
 * Every renderer builds its whole output in one attn_buf; main.c writes it
 * once (to stdout, or atomically to a file with io.h). The buffer owns its
 * memory; buf_free() releases it. Appends return 0, or -1 when memory runs
 * out, after which the buffer is marked failed (b->failed) and further
 * appends are no-ops returning -1, so a renderer may check once at the end.
 */
#ifndef ATTN_BUF_H
#define ATTN_BUF_H

#include <stddef.h>

typedef struct {
    char *data;     /* [cap] bytes, data[len] is always '\0' when cap > 0 */
    size_t len;
    size_t cap;
    int failed;     /* set once an allocation failed */
} attn_buf;

void buf_init(attn_buf *b);
void buf_free(attn_buf *b);
int buf_reserve(attn_buf *b, size_t extra);
int buf_put(attn_buf *b, const void *p, size_t n);
int buf_puts(attn_buf *b, const char *s);
int buf_putc(attn_buf *b, char c);
int buf_printf(attn_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
