/* io.h — whole-file reads and atomic writes.
 *
 * io_read_file() returns a malloc'd, NUL-terminated copy of a file (caller
 * frees) or NULL with err filled ("FILE: No such file or directory").
 * io_write_atomic() writes data to PATH.tmp.XXXXXX in the same directory,
 * fsyncs, and renames it over PATH, so readers never see a partial file; on
 * any failure the temporary file is removed and -1 returned. path "-" writes
 * to stdout.
 */
#ifndef ATTN_IO_H
#define ATTN_IO_H

#include <stddef.h>

#include "error.h"

char *io_read_file(const char *path, size_t *len, attn_error *err);
int io_write_atomic(const char *path, const void *data, size_t len, attn_error *err);


#include "buf.h"

/* One named output file built in memory (an image per head, say). */
typedef struct {
    char *name;      /* file name (no directory), malloc'd */
    attn_buf data;
} attn_file;

/* Writes every file into dir all-or-nothing: each goes to a temporary file
 * first, and only when all were written are they renamed into place; on any
 * failure every temporary file is removed. dir is created if missing. */
int io_write_files(const char *dir, const attn_file *files, int n, attn_error *err);
void files_free(attn_file *files, int n);

#endif
