/* io_read.c — the reading half of io.h: size limits, whole files that
 * never wait on a FIFO, and standard input one line at a time. The writing
 * half is io.c. */
#include "base/io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- limits ------------------------------------------------------------------ */

/* "1 GiB", "16 MiB", "1.5 GiB" or "1000 bytes". */
static void size_text(char *s, size_t cap, uintmax_t n)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    int u = -1;
    double v = (double)n;
    while (u < 3 && v >= 1024.0) {
        v /= 1024.0;
        u++;
    }
    if (u < 0) snprintf(s, cap, "%ju bytes", n);
    else if (v == (double)(uintmax_t)v) snprintf(s, cap, "%ju %s", (uintmax_t)v, units[u]);
    else snprintf(s, cap, "%.1f %s", v, units[u]);
}

int io_limit(const char *env, size_t dflt, size_t *out, attn_error *err)
{
    const char *v = getenv(env);
    *out = dflt;
    if (!v || !*v) return 0;
    const char *p = v;
    uintmax_t n = 0;
    int digits = 0, shift = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (n > (UINTMAX_MAX - 9) / 10) digits = -100;
        n = n * 10 + (uintmax_t)(*p - '0');
    }
    const char *suffix = "KMGT";
    const char *k = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ? strchr(suffix, *p & ~0x20) : NULL;
    if (k) {
        shift = 10 * (int)(k - suffix + 1);
        p++;
        if (*p == 'i') p++;
        if (*p == 'B') p++;
    } else if (*p == 'B') {
        p++;
    }
    if (digits <= 0 || *p || n == 0 || n > ((uintmax_t)SIZE_MAX >> 2) >> shift) /* room for + 2 */
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: '%s' is not a size (bytes, or a number with K, M, G or T: 2G)", env, v);
    *out = (size_t)(n << shift);
    return 0;
}

/* "what: 1.4 GiB is larger than the limit for kind (1 GiB; set ENV to
 * raise it)"; size 0 when unknown (a stream). */
static int too_large(attn_error *err, const char *what, uintmax_t size, size_t max, const char *env,
                     const char *kind)
{
    char lim[32], got[48] = "larger";
    size_text(lim, sizeof lim, max);
    if (size) {
        size_text(got, sizeof got - 16, size);
        strcat(got, " is larger");
    } else if (strcmp(kind, "a line") == 0) {
        strcpy(got, "longer");
    }
    return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s than the limit for %s (%s; set %s to raise it)", what,
                     got, kind, lim, env);
}

/* ---- reading ----------------------------------------------------------------- */

char *io_read_file(const char *path, size_t *len, attn_error *err)
{
    size_t max;
    if (io_limit("ATTNVIZ_MAX_FILE", IO_MAX_FILE, &max, err)) return NULL;
    /* O_NONBLOCK: opening a FIFO does not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    int rc = 0;
    memset(&st, 0, sizeof st);
    if (fstat(fd, &st) != 0) rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", path, strerror(errno));
    else if (S_ISDIR(st.st_mode)) rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", path, strerror(EISDIR));
    else if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max)
        rc = too_large(err, path, (uintmax_t)st.st_size, max, "ATTNVIZ_MAX_FILE", "a file read whole");
    /* blocking reads from here: a FIFO nobody writes to reads as empty */
    int fl = fcntl(fd, F_GETFL);
    if (fl != -1) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 2 : 65536, n = 0;
    char *data = rc == 0 ? malloc(cap) : NULL;
    if (rc == 0 && !data) rc = attn_oom(err, path);
    while (rc == 0) {
        if (n + 1 >= cap) {
            size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
            char *p = realloc(data, ncap);
            if (!p) { rc = attn_oom(err, path); break; }
            data = p;
            cap = ncap;
        }
        ssize_t got = read(fd, data + n, cap - n - 1);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: read error: %s", path, strerror(errno));
        } else if (got == 0) {
            break;
        } else if ((n += (size_t)got) > max) {
            rc = too_large(err, path, 0, max, "ATTNVIZ_MAX_FILE", "a file read whole");
        }
    }
    close(fd);
    if (rc == 0 && n == 0 && S_ISFIFO(st.st_mode))
        rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: a FIFO with nothing to read (no writer had it open)", path);
    if (rc != 0) {
        free(data);
        return NULL;
    }
    data[n] = '\0';
    if (len) *len = n;
    return data;
}

int io_check_regular(const char *path, attn_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC); /* a FIFO: no waiting */
    struct stat st;
    int rc = fd < 0 || fstat(fd, &st) != 0 ? attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", path, strerror(errno))
             : S_ISREG(st.st_mode) ? 0
             : attn_fail(err, ATTN_EXIT_INPUT, "%s: not a regular file", path);
    if (fd >= 0) close(fd);
    return rc;
}

int io_lines_open(io_lines *r, int fd, const char *what, attn_error *err)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->what = what;
    r->cap = 65536;
    if (io_limit("ATTNVIZ_MAX_LINE", IO_MAX_LINE, &r->max, err)) return -1;
    if (!(r->buf = malloc(r->cap + 1))) return attn_oom(err, what); /* + 1: room for a NUL after a last line */
    return 0;
}

void io_lines_close(io_lines *r)
{
    free(r->buf);
    r->buf = NULL;
}

/* Reads more into r->buf (compacting or growing it); 0 at the end of the
 * input, -1 with err filled. */
static int lines_fill(io_lines *r, attn_error *err)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end < 65536 / 2) {
        size_t ncap = r->cap * 2;
        char *p = realloc(r->buf, ncap + 1);
        if (!p) return attn_oom(err, r->what);
        r->buf = p;
        r->cap = ncap;
    }
    for (;;) {
        ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (got >= 0) {
            r->end += (size_t)got;
            if (got == 0) r->eof = 1;
            return 0;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) { /* a non-blocking descriptor */
            struct pollfd pfd = {r->fd, POLLIN, 0};
            poll(&pfd, 1, -1);
            continue;
        }
        return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: read error: %s", r->what, strerror(errno));
    }
}

int io_lines_next(io_lines *r, char **line, size_t *len, attn_error *err)
{
    size_t scanned = 0; /* bytes of the current line known to hold no '\n' or NUL */
    for (;;) {
        char *p = r->buf + r->start;
        size_t avail = r->end - r->start, upto = avail < r->max + 1 ? avail : r->max + 1;
        char *nl = scanned < upto ? memchr(p + scanned, '\n', upto - scanned) : NULL;
        size_t l = nl ? (size_t)(nl - p) : upto;
        char *nul = scanned < l ? memchr(p + scanned, '\0', l - scanned) : NULL;
        if (nul)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s, line %ld: NUL byte at byte %zu (text must be UTF-8 "
                             "without NUL)", r->what, r->line + 1, (size_t)(nul - p));
        if (!nl && avail > r->max) {
            char what[64];
            snprintf(what, sizeof what, "%s, line %ld", r->what, r->line + 1);
            return too_large(err, what, 0, r->max, "ATTNVIZ_MAX_LINE", "a line");
        }
        if (nl || (r->eof && avail > 0)) {
            r->start += nl ? l + 1 : l;
            p[l] = '\0'; /* over the '\n', or in the byte kept free after the data */
            if (l && p[l - 1] == '\r') p[--l] = '\0';
            r->line++;
            *line = p;
            *len = l;
            return 1;
        }
        if (r->eof) return 0;
        scanned = l;
        if (lines_fill(r, err)) return -1;
    }
}

int io_file_in(const char *dir, const char *name, char *path, size_t cap)
{
    struct stat st;
    snprintf(path, cap, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int io_exe_dir(char *dir, size_t cap)
{
    if (cap < 2) return -1;
    ssize_t n = readlink("/proc/self/exe", dir, cap - 1);
    char *slash = NULL;
    if (n > 0 && (size_t)n < cap - 1) { /* n == cap - 1: perhaps cut */
        dir[n] = '\0';
        slash = strrchr(dir, '/');
    }
    if (!slash) {
        dir[0] = '\0';
        return -1;
    }
    *slash = '\0';
    return 0;
}
