/* io.c — the writing half of io.h: outputs resolved (descriptors, devices,
 * links, files) and replaced atomically. The reading half is io_read.c. */
#include "base/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The error of a failed write to what. */
static int write_error(attn_error *err, const char *what)
{
    return attn_fail(err, errno == EPIPE ? ATTN_EXIT_PIPE : ATTN_EXIT_RUNTIME, "%s: %s", what,
                     strerror(errno));
}

/* The descriptor a path names directly (/dev/stdout, /dev/fd/3,
 * /proc/self/fd/3), or -1. */
static int fd_path(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0) return STDOUT_FILENO;
    if (strcmp(path, "/dev/stderr") == 0) return STDERR_FILENO;
    const char *n = strncmp(path, "/dev/fd/", 8) == 0 ? path + 8
                    : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14 : NULL;
    if (!n || *n < '0' || *n > '9' || strlen(n) > 6 || n[strspn(n, "0123456789")]) return -1;
    return atoi(n);
}

static char *dup_str(const char *s)
{
    size_t l = strlen(s) + 1;
    char *d = malloc(l);
    if (d) memcpy(d, s, l);
    return d;
}

/* path with every symbolic link at its end followed (malloc'd), or NULL
 * with err filled. The directories on the way are left as they are. */
static char *follow_links(const char *path, attn_error *err)
{
    char *cur = dup_str(path);
    for (int hops = 0; cur; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) return cur;
        if (hops == 40) {
            attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(ELOOP));
            free(cur);
            return NULL;
        }
        size_t cap = (size_t)st.st_size + 1 > 4096 ? (size_t)st.st_size + 1 : 4096;
        char *link = malloc(cap);
        ssize_t n = link ? readlink(cur, link, cap - 1) : -1;
        if (n < 0) {
            if (link) attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
            else attn_oom(err, path);
            free(link);
            free(cur);
            return NULL;
        }
        link[n] = '\0';
        char *slash = strrchr(cur, '/');
        if (link[0] == '/' || !slash) { /* absolute, or relative to the current directory */
            free(cur);
            cur = link;
            continue;
        }
        size_t dl = (size_t)(slash - cur) + 1;
        char *next = malloc(dl + (size_t)n + 1);
        if (next) {
            memcpy(next, cur, dl);
            memcpy(next + dl, link, (size_t)n + 1);
        } else {
            attn_oom(err, path);
        }
        free(link);
        free(cur);
        cur = next;
    }
    return NULL;
}

/* Where and how an output path is written (see io.h). */
typedef enum { OUT_CREATE, OUT_REPLACE, OUT_THROUGH } out_kind;
typedef struct {
    out_kind kind;
    char *target;    /* malloc'd: the file created or replaced */
    struct stat old; /* OUT_REPLACE: the file replaced */
    int fd;          /* OUT_THROUGH: open for writing */
} out_target;

static int output_resolve(const char *path, out_target *t, attn_error *err)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    if (!*path) return attn_fail(err, ATTN_EXIT_INPUT, "empty output path");
    int n = fd_path(path);
    if (n >= 0) {
        t->kind = OUT_THROUGH;
        if ((t->fd = fcntl(n, F_DUPFD_CLOEXEC, 3)) < 0)
            return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
        return 0;
    }
    if (!(t->target = follow_links(path, err))) return -1;
    int rc = 0;
    if (stat(t->target, &t->old) != 0) {
        if (errno == ENOENT) t->kind = OUT_CREATE;
        else rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
    } else if (S_ISDIR(t->old.st_mode)) {
        rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(EISDIR));
    } else if (S_ISREG(t->old.st_mode)) {
        t->kind = OUT_REPLACE;
        if (faccessat(AT_FDCWD, t->target, W_OK, AT_EACCESS) != 0)
            rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s (the file is left as it is)", path,
                           strerror(errno));
    } else {
        t->kind = OUT_THROUGH; /* opened by open_through(): a FIFO waits there for a reader */
    }
    if (rc != 0) {
        free(t->target);
        t->target = NULL;
    }
    return rc;
}

/* Opens an OUT_THROUGH target for writing (a device, a FIFO) unless it is
 * a descriptor already; -1 with err filled. */
static int open_through(out_target *t, const char *path, attn_error *err)
{
    if (t->fd < 0 && (t->fd = open(t->target, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
        return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
    return 0;
}

/* Removes a registered temporary file. */
static void drop_temp(const char *tmp)
{
    unlink(tmp);
    cleanup_remove(tmp);
}

/* Creates a fresh temporary file beside t->target, registered for removal
 * on a signal, with the mode (and, where allowed, the owner and group) of
 * the file it replaces, or the mode a new file gets (0666 & ~umask);
 * returns its descriptor and name (*tmp, malloc'd), or -1 with err filled. */
static int open_temp(const out_target *t, const char *path, char **tmp, attn_error *err)
{
    size_t plen = strlen(t->target);
    if (!(*tmp = malloc(plen + 16))) return attn_oom(err, path);
    memcpy(*tmp, t->target, plen);
    memcpy(*tmp + plen, ".tmp.XXXXXX", 12);
    sigset_t held;
    cleanup_hold(&held); /* no signal between creating it and registering it */
    int fd = mkstemp(*tmp);
    int rc = fd < 0 ? attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(errno)) : 0;
    if (rc == 0 && cleanup_add(*tmp) != 0) {
        close(fd);
        unlink(*tmp);
        rc = attn_oom(err, path);
    }
    cleanup_release(&held);
    if (rc == 0) {
        int ok;
        if (t->kind == OUT_REPLACE) {
            if (t->old.st_uid != geteuid() || t->old.st_gid != getegid())
                if (fchown(fd, t->old.st_uid, t->old.st_gid) != 0) { /* not allowed: ours stay */ }
            ok = fchmod(fd, t->old.st_mode & 07777) == 0;
        } else {
            mode_t mask = umask(0);
            umask(mask);
            ok = fchmod(fd, 0666 & ~mask) == 0;
        }
        if (!ok) {
            rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
            close(fd);
            drop_temp(*tmp);
        }
    }
    if (rc != 0) {
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    return fd;
}

/* Writes data to a fresh temporary file beside t->target; returns its name
 * (malloc'd) or NULL with err filled. */
static char *write_temp(const out_target *t, const char *path, const void *data, size_t len,
                        attn_error *err)
{
    char *tmp;
    int fd = open_temp(t, path, &tmp, err);
    if (fd < 0) return NULL;
    int rc = write_all(fd, data, len), saved = errno;
    if (close(fd) != 0 && rc == 0) { rc = -1; saved = errno; }
    if (rc != 0) {
        drop_temp(tmp);
        free(tmp);
        attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(saved));
        return NULL;
    }
    return tmp;
}

/* Renames tmp over target with signals held; on failure removes tmp. */
static int commit(const char *tmp, const char *target, const char *path, attn_error *err)
{
    sigset_t held;
    cleanup_hold(&held);
    int rc = 0;
    if (rename(tmp, target) != 0) {
        rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    cleanup_remove(tmp);
    cleanup_release(&held);
    return rc;
}

int io_write_atomic(const char *path, const void *data, size_t len, attn_error *err)
{
    if (strcmp(path, "-") == 0) {
        if (write_all(STDOUT_FILENO, data, len) != 0) return write_error(err, "stdout");
        return 0;
    }
    out_target t;
    if (output_resolve(path, &t, err)) return -1;
    int rc = 0;
    if (t.kind == OUT_THROUGH) {
        if ((rc = open_through(&t, path, err)) == 0) {
            if (write_all(t.fd, data, len) != 0) rc = write_error(err, path);
            if (close(t.fd) != 0 && rc == 0) rc = write_error(err, path);
        }
    } else {
        char *tmp = write_temp(&t, path, data, len, err);
        rc = tmp ? commit(tmp, t.target, path, err) : -1;
        free(tmp);
    }
    free(t.target);
    return rc;
}

int io_write_files(const char *dir, const attn_file *files, int n, attn_error *err)
{
    struct stat st;
    if (fd_path(dir) >= 0 ||
        (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))) { /* a device, a FIFO */
        if (n != 1)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: %d images to write; give a directory, or --grid "
                             "for one figure", dir, n);
        return io_write_atomic(dir, files[0].data.data, files[0].data.len, err);
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: not a directory", dir);
    char **paths = calloc((size_t)n + 1, sizeof *paths);
    char **tmps = calloc((size_t)n + 1, sizeof *tmps);
    out_target *ts = calloc((size_t)n + 1, sizeof *ts);
    int rc = 0, i;
    if (!paths || !tmps || !ts) rc = attn_oom(err, dir);
    for (i = 0; rc == 0 && i < n; i++) { /* every target checked before anything is written */
        size_t l = strlen(dir) + strlen(files[i].name) + 2;
        paths[i] = malloc(l);
        if (!paths[i]) { rc = attn_oom(err, dir); break; }
        snprintf(paths[i], l, "%s/%s", dir, files[i].name);
        if (output_resolve(paths[i], &ts[i], err)) {
            rc = -1;
        } else if (ts[i].kind == OUT_THROUGH) {
            if (ts[i].fd >= 0) close(ts[i].fd);
            rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: not a regular file (images are replaced all or "
                           "nothing)", paths[i]);
        }
    }
    for (i = 0; rc == 0 && i < n; i++)
        if (!(tmps[i] = write_temp(&ts[i], paths[i], files[i].data.data, files[i].data.len, err))) rc = -1;
    /* the commit, with signals held: a file about to be replaced keeps a
     * hard link under a backup name until every rename has worked, so a
     * failure can put it back */
    sigset_t held;
    cleanup_hold(&held);
    char **baks = rc == 0 ? calloc((size_t)n + 1, sizeof *baks) : NULL;
    if (rc == 0 && !baks) rc = attn_oom(err, dir);
    for (i = 0; rc == 0 && i < n; i++) {
        if (ts[i].kind != OUT_REPLACE) continue;
        size_t l = strlen(ts[i].target) + 32;
        if (!(baks[i] = malloc(l))) { rc = attn_oom(err, dir); break; }
        snprintf(baks[i], l, "%s.bak.%ld", ts[i].target, (long)getpid());
        if (link(ts[i].target, baks[i]) != 0) { free(baks[i]); baks[i] = NULL; } /* no hard links here */
    }
    for (i = 0; rc == 0 && i < n; i++) {
        if (rename(tmps[i], ts[i].target) != 0) {
            rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", paths[i], strerror(errno));
            for (int j = 0; j < i; j++) { /* undo: old contents back, new files gone */
                if (baks[j] && rename(baks[j], ts[j].target) == 0) { free(baks[j]); baks[j] = NULL; }
                else unlink(ts[j].target);
            }
        } else {
            cleanup_remove(tmps[i]);
            free(tmps[i]);
            tmps[i] = NULL;
        }
    }
    for (i = 0; i < n && paths && tmps && ts; i++) {
        if (tmps[i]) { drop_temp(tmps[i]); free(tmps[i]); }
        if (baks && baks[i]) { unlink(baks[i]); free(baks[i]); }
        free(paths[i]);
        free(ts[i].target);
    }
    cleanup_release(&held);
    free(paths);
    free(tmps);
    free(ts);
    free(baks);
    return rc;
}

void files_free(attn_file *files, int n)
{
    if (!files) return;
    for (int i = 0; i < n; i++) {
        free(files[i].name);
        buf_free(&files[i].data);
    }
    free(files);
}

int io_stream_open(attn_stream *s, const char *path, attn_error *err)
{
    memset(s, 0, sizeof *s);
    buf_init(&s->buf);
    s->fd = STDOUT_FILENO;
    if (!path || strcmp(path, "-") == 0) return 0;
    out_target t;
    if (output_resolve(path, &t, err)) return -1;
    if (!(s->path = dup_str(path))) {
        if (t.fd >= 0) close(t.fd);
        free(t.target);
        return attn_oom(err, path);
    }
    if (t.kind == OUT_THROUGH) {
        int rc = open_through(&t, path, err);
        free(t.target);
        s->fd = t.fd;
        if (rc) io_stream_abort(s);
        return rc;
    }
    s->target = t.target;
    s->fd = open_temp(&t, path, &s->tmp, err);
    if (s->fd < 0) {
        io_stream_abort(s);
        return -1;
    }
    return 0;
}

int io_stream_flush(attn_stream *s, int force, attn_error *err)
{
    if (s->buf.failed) return attn_oom(err, s->path ? s->path : "output");
    if (!force && s->buf.len < ((size_t)1 << 20)) return 0;
    if (write_all(s->fd, s->buf.data, s->buf.len) != 0) return write_error(err, s->path ? s->path : "stdout");
    s->buf.len = 0;
    return 0;
}

/* Frees s and marks it closed. */
static void stream_clear(attn_stream *s)
{
    free(s->tmp);
    free(s->target);
    free(s->path);
    buf_free(&s->buf);
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

int io_stream_commit(attn_stream *s, attn_error *err)
{
    int rc = io_stream_flush(s, 1, err);
    if (s->path) { /* our own descriptor: a temporary file, or written through */
        if (close(s->fd) != 0 && rc == 0) rc = write_error(err, s->path);
        s->fd = -1;
    }
    if (s->tmp) {
        if (rc == 0) rc = commit(s->tmp, s->target, s->path, err);
        else drop_temp(s->tmp);
    }
    stream_clear(s);
    return rc;
}

void io_stream_abort(attn_stream *s)
{
    if (s->path && s->fd >= 0) close(s->fd);
    if (s->tmp) drop_temp(s->tmp);
    stream_clear(s);
}
