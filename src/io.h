/* io.h — whole-file reads and atomic writes.
 *
 * io_read_file() returns a malloc'd, NUL-terminated copy of a file (caller
 * frees) or NULL with err filled ("FILE: No such file or directory").
 * io_write_atomic() writes data to PATH.tmp.XXXXXX in the same directory
 * and renames it over PATH, so readers never see a partial file (no fsync:
 * this guards against failures of attnviz, not of the machine); on
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
 * failure every temporary file is removed, and files already replaced get
 * their old contents back (kept meanwhile as hard links). dir is created if
 * missing. */
int io_write_files(const char *dir, const attn_file *files, int n, attn_error *err);
void files_free(attn_file *files, int n);

/* A streamed output: bytes are collected in buf and written out whenever
 * io_stream_flush() finds more than 1 MiB, so output of any size needs
 * little memory. A file path streams into PATH.tmp.XXXXXX, renamed over
 * PATH by io_stream_commit(); io_stream_abort() removes it. Path "-" (or
 * NULL) streams to stdout. */
typedef struct {
    attn_buf buf;
    int fd;
    char *path;   /* NULL for stdout */
    char *tmp;    /* temporary file, or NULL */
} attn_stream;

int io_stream_open(attn_stream *s, const char *path, attn_error *err);
/* Writes buf out when it holds more than 1 MiB (always when force). */
int io_stream_flush(attn_stream *s, int force, attn_error *err);
int io_stream_commit(attn_stream *s, attn_error *err);
void io_stream_abort(attn_stream *s);

#endif
