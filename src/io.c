/* io.c — see io.h. */
#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *io_read_file(const char *path, size_t *len, attn_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    while (data) {
        if (n + 1 >= cap) {
            char *p = cap > ((size_t)1 << 40) ? NULL : realloc(data, cap * 2);
            if (!p) { free(data); data = NULL; break; }
            data = p;
            cap *= 2;
        }
        size_t got = fread(data + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    if (!data) {
        fclose(f);
        attn_oom(err, path);
        return NULL;
    }
    if (ferror(f)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: read error: %s", path, strerror(errno));
        fclose(f);
        free(data);
        return NULL;
    }
    fclose(f);
    data[n] = '\0';
    if (len) *len = n;
    return data;
}

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


/* Creates a fresh temporary file beside path, with the permissions a new
 * file gets (0666 & ~umask); returns its descriptor and name (*tmp,
 * malloc'd), or -1 with err filled. */
static int open_temp(const char *path, char **tmp, attn_error *err)
{
    size_t plen = strlen(path);
    *tmp = malloc(plen + 16);
    if (!*tmp) return attn_oom(err, path);
    memcpy(*tmp, path, plen);
    memcpy(*tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(*tmp);
    mode_t mask = umask(0);
    umask(mask);
    if (fd < 0 || fchmod(fd, 0666 & ~mask) != 0) {
        attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(*tmp);
        }
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    return fd;
}

/* Writes data to a fresh temporary file beside path; returns its name
 * (malloc'd) or NULL with err filled. */
static char *write_temp(const char *path, const void *data, size_t len, attn_error *err)
{
    char *tmp;
    int fd = open_temp(path, &tmp, err);
    if (fd < 0) return NULL;
    int rc = write_all(fd, data, len), saved = errno;
    if (close(fd) != 0 && rc == 0) { rc = -1; saved = errno; }
    if (rc != 0) {
        unlink(tmp);
        free(tmp);
        attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(saved));
        return NULL;
    }
    return tmp;
}

int io_write_files(const char *dir, const attn_file *files, int n, attn_error *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: not a directory", dir);
    char **paths = calloc((size_t)n + 1, sizeof *paths);
    char **tmps = calloc((size_t)n + 1, sizeof *tmps);
    int rc = 0, i;
    if (!paths || !tmps) rc = attn_oom(err, dir);
    for (i = 0; rc == 0 && i < n; i++) {
        size_t l = strlen(dir) + strlen(files[i].name) + 2;
        paths[i] = malloc(l);
        if (!paths[i]) { rc = attn_oom(err, dir); break; }
        snprintf(paths[i], l, "%s/%s", dir, files[i].name);
        tmps[i] = write_temp(paths[i], files[i].data.data, files[i].data.len, err);
        if (!tmps[i]) rc = -1;
    }
    /* a file about to be replaced keeps a hard link under a backup name
     * until every rename has worked, so a failure can put it back */
    char **baks = rc == 0 ? calloc((size_t)n + 1, sizeof *baks) : NULL;
    if (rc == 0 && !baks) rc = attn_oom(err, dir);
    for (i = 0; rc == 0 && i < n; i++) {
        struct stat old;
        if (lstat(paths[i], &old) != 0 || !S_ISREG(old.st_mode)) continue;
        size_t l = strlen(paths[i]) + 32;
        if (!(baks[i] = malloc(l))) { rc = attn_oom(err, dir); break; }
        snprintf(baks[i], l, "%s.bak.%ld", paths[i], (long)getpid());
        if (link(paths[i], baks[i]) != 0) { free(baks[i]); baks[i] = NULL; } /* no hard links here */
    }
    for (i = 0; rc == 0 && i < n; i++) {
        if (rename(tmps[i], paths[i]) != 0) {
            rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", paths[i], strerror(errno));
            for (int j = 0; j < i; j++) { /* undo: old contents back, new files gone */
                if (baks[j] && rename(baks[j], paths[j]) == 0) { free(baks[j]); baks[j] = NULL; }
                else unlink(paths[j]);
            }
        } else {
            free(tmps[i]);
            tmps[i] = NULL;
        }
    }
    for (i = 0; i < n && paths && tmps; i++) {
        if (tmps[i]) { unlink(tmps[i]); free(tmps[i]); }
        if (baks && baks[i]) { unlink(baks[i]); free(baks[i]); }
        free(paths[i]);
    }
    free(paths);
    free(tmps);
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

int io_write_atomic(const char *path, const void *data, size_t len, attn_error *err)
{
    if (strcmp(path, "-") == 0) {
        if (write_all(STDOUT_FILENO, data, len) != 0)
            return attn_fail(err, ATTN_EXIT_RUNTIME, "stdout: %s", strerror(errno));
        return 0;
    }
    char *tmp = write_temp(path, data, len, err);
    if (!tmp) return -1;
    int rc = 0;
    if (rename(tmp, path) != 0) {
        rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int io_stream_open(attn_stream *s, const char *path, attn_error *err)
{
    memset(s, 0, sizeof *s);
    buf_init(&s->buf);
    s->fd = STDOUT_FILENO;
    if (!path || strcmp(path, "-") == 0) return 0;
    size_t l = strlen(path) + 1;
    if (!(s->path = malloc(l))) return attn_oom(err, path);
    memcpy(s->path, path, l);
    s->fd = open_temp(path, &s->tmp, err);
    if (s->fd < 0) {
        free(s->path);
        s->path = NULL;
        return -1;
    }
    return 0;
}

int io_stream_flush(attn_stream *s, int force, attn_error *err)
{
    if (s->buf.failed) return attn_oom(err, s->path ? s->path : "output");
    if (!force && s->buf.len < ((size_t)1 << 20)) return 0;
    if (write_all(s->fd, s->buf.data, s->buf.len) != 0)
        return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", s->path ? s->path : "stdout", strerror(errno));
    s->buf.len = 0;
    return 0;
}

int io_stream_commit(attn_stream *s, attn_error *err)
{
    int rc = io_stream_flush(s, 1, err);
    if (s->tmp) {
        if (close(s->fd) != 0 && rc == 0)
            rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", s->path, strerror(errno));
        s->fd = -1;
        if (rc == 0 && rename(s->tmp, s->path) != 0)
            rc = attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", s->path, strerror(errno));
        if (rc != 0) unlink(s->tmp);
    }
    free(s->tmp);
    free(s->path);
    buf_free(&s->buf);
    memset(s, 0, sizeof *s);
    s->fd = -1;
    return rc;
}

void io_stream_abort(attn_stream *s)
{
    if (s->tmp) {
        if (s->fd >= 0) close(s->fd);
        unlink(s->tmp);
    }
    free(s->tmp);
    free(s->path);
    buf_free(&s->buf);
    memset(s, 0, sizeof *s);
    s->fd = -1;
}
