/* io.h — reading inputs with limits, writing outputs without destroying.
 *
 * Reading. io_read_file() returns a malloc'd, NUL-terminated copy of a file
 * (caller frees) or NULL with err filled ("FILE: No such file or
 * directory"). It never hangs on a FIFO that has no writer (the open does
 * not wait; such a FIFO reads as empty, which is an error), refuses a
 * directory, and stops at the limit for files read whole: 1 GiB, or the
 * size in the environment variable ATTNVIZ_MAX_FILE (bytes, or a number
 * with K, M, G or T: 2G). io_lines reads standard input one line at a time,
 * each at most 16 MiB (ATTNVIZ_MAX_LINE), and reports a NUL byte as such.
 * Input errors are ATTN_EXIT_INPUT, I/O errors and memory ATTN_EXIT_RUNTIME.
 *
 * Writing. An output path is resolved first:
 *   - "-", /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: written to
 *     that descriptor (a shell's `>>` keeps appending);
 *   - a symbolic link is followed to its final target (the link stays a
 *     link; a dangling link creates its target);
 *   - an existing character or block device, FIFO or socket is written
 *     through: opened for writing and written (a FIFO waits for a reader,
 *     as a shell redirection does); nothing is created or renamed;
 *   - a directory is an error;
 *   - a regular file is replaced atomically: the data goes to
 *     TARGET.tmp.XXXXXX in the target's own directory, which is renamed
 *     over it (readers never see a partial file; no fsync: this guards
 *     against failures of attnviz, not of the machine). The new file gets
 *     the old one's permission bits and, where allowed (as root), its owner
 *     and group. A file the user may not write (access(2) with W_OK: a
 *     read-only file when not root, an immutable file, a read-only file
 *     system) is refused with ATTN_EXIT_RUNTIME, as cp(1) would refuse it;
 *     root may replace a read-only file, as with cp(1);
 *   - a path that does not exist is created (mode 0666 & ~umask).
 * On any failure the temporary file is removed and -1 returned; an
 * interrupted run (SIGINT, SIGTERM, SIGHUP) removes it too (cleanup.h). A
 * write to a pipe whose reader has gone (EPIPE) fails with
 * ATTN_EXIT_PIPE, which main.c turns into a quiet exit 141.
 */
#ifndef ATTN_IO_H
#define ATTN_IO_H

#include <stddef.h>

#include "base/error.h"

#define IO_MAX_FILE ((size_t)1 << 30)  /* default of ATTNVIZ_MAX_FILE */
#define IO_MAX_LINE ((size_t)16 << 20) /* default of ATTNVIZ_MAX_LINE */

/* The size limit in environment variable env ("ATTNVIZ_MAX_FILE"), dflt
 * when it is unset or empty; -1 with err filled when it is not a size. */
int io_limit(const char *env, size_t dflt, size_t *out, attn_error *err);

char *io_read_file(const char *path, size_t *len, attn_error *err);

/* 0 if path opens for reading and is a regular file (checked without
 * waiting on a FIFO), else -1 with err filled (ATTN_EXIT_INPUT): for files
 * another library opens by name (a font, for FreeType). */
int io_check_regular(const char *path, attn_error *err);

/* 1 if dir/name is a regular file (nothing is opened); the joined path goes
 * to path[cap] either way. */
int io_file_in(const char *dir, const char *name, char *path, size_t cap);

/* The directory of the running program (/proc/self/exe without its last
 * component) into dir[cap]; 0, or -1 when it cannot be read or does not
 * fit (dir is then ""). */
int io_exe_dir(char *dir, size_t cap);

/* Lines of a descriptor (standard input), read as they come. */
typedef struct {
    int fd;
    const char *what;    /* names the input in messages: "standard input" */
    char *buf;           /* [cap] */
    size_t cap, start, end; /* unread bytes are buf[start, end) */
    size_t max;          /* longest line allowed, in bytes */
    long line;           /* 1-based number of the line last returned */
    int eof;
} io_lines;

int io_lines_open(io_lines *r, int fd, const char *what, attn_error *err);
/* Returns 1 with the next line in *line (NUL-terminated, without its '\n'
 * and a '\r' before it; valid until the next call), 0 at the end of the
 * input, or -1 with err filled: "standard input, line 3: NUL byte at byte
 * 7", "... longer than the 1 MiB limit ...", a read error. */
int io_lines_next(io_lines *r, char **line, size_t *len, attn_error *err);
void io_lines_close(io_lines *r);

int io_write_atomic(const char *path, const void *data, size_t len, attn_error *err);

#include "base/buf.h"

/* One named output file built in memory (an image per head, say). */
typedef struct {
    char *name;      /* file name (no directory), malloc'd */
    attn_buf data;
} attn_file;

/* Writes every file into dir all-or-nothing: each goes to a temporary file
 * first, and only when all were written are they renamed into place; on any
 * failure every temporary file is removed, and files already replaced get
 * their old contents back (kept meanwhile as hard links). dir is created if
 * missing. A file of dir that is not a regular file (a FIFO, a device) is
 * refused before anything is written. When dir itself is a device, a FIFO
 * or standard output and there is a single file, it is written through. */
int io_write_files(const char *dir, const attn_file *files, int n, attn_error *err);
void files_free(attn_file *files, int n);

/* A streamed output: bytes are collected in buf and written out whenever
 * io_stream_flush() finds more than 1 MiB, so output of any size needs
 * little memory. A regular file streams into TARGET.tmp.XXXXXX, renamed
 * over it by io_stream_commit(); io_stream_abort() removes it. Devices and
 * FIFOs are written through as above. Path "-" (or NULL) streams to
 * stdout. */
typedef struct {
    attn_buf buf;
    int fd;
    char *path;   /* as given, for messages; NULL for stdout */
    char *target; /* the file renamed into place, or NULL (written through) */
    char *tmp;    /* temporary file, or NULL */
} attn_stream;

int io_stream_open(attn_stream *s, const char *path, attn_error *err);
/* Writes buf out when it holds more than 1 MiB (always when force). */
int io_stream_flush(attn_stream *s, int force, attn_error *err);
int io_stream_commit(attn_stream *s, attn_error *err);
void io_stream_abort(attn_stream *s);

#endif
