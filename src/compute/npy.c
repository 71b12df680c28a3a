/* npy.c — see npy.h. */
#include "compute/npy.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "model/half.h"

void npy_free(npy_array *a)
{
    free(a->data);
    a->data = NULL;
}

/* ---- the header: a Python dict literal ---------------------------------- */

typedef struct {
    const char *p, *end;
} cursor;

static void skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
}

static int eat(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string into buf[cap]; 0 on success. */
static int read_string(cursor *c, char *buf, size_t cap)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return -1;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || n + 1 >= cap) return -1;
        buf[n++] = *c->p++;
    }
    if (c->p >= c->end) return -1;
    c->p++;
    buf[n] = '\0';
    return 0;
}

static int read_word(cursor *c, const char *w)
{
    skip_space(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && strncmp(c->p, w, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

/* A tuple of non-negative integers: (), (3,), (2, 3), (2, 3,). */
static int read_shape(cursor *c, npy_array *a)
{
    if (!eat(c, '(')) return -1;
    a->ndim = 0;
    for (;;) {
        if (eat(c, ')')) return 0;
        skip_space(c);
        if (c->p >= c->end || *c->p < '0' || *c->p > '9' || a->ndim == NPY_MAX_DIMS) return -1;
        long long v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            if (v > (LLONG_MAX - 9) / 10) return -1;
            v = v * 10 + (*c->p++ - '0');
        }
        if (c->p < c->end && *c->p == 'L') c->p++; /* Python 2 longs */
        a->shape[a->ndim++] = v;
        if (eat(c, ')')) return a->ndim == 1 ? -1 : 0; /* (3) is not a tuple */
        if (!eat(c, ',')) return -1;
    }
}

/* Parses the dict; fills descr, fortran and the shape. */
static int parse_header(const char *what, const char *h, size_t n, char *descr, size_t dcap, int *fortran,
                        npy_array *a, attn_error *err)
{
    cursor c = {h, h + n};
    int seen[3] = {0, 0, 0};
    if (!eat(&c, '{'))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: header is not a dict ({'descr': ..., ...})", what);
    for (;;) {
        char key[32];
        if (eat(&c, '}')) break;
        if (read_string(&c, key, sizeof key) != 0 || !eat(&c, ':'))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: header is not a dict of 'key': value", what);
        int k = strcmp(key, "descr") == 0 ? 0 : strcmp(key, "fortran_order") == 0 ? 1
              : strcmp(key, "shape") == 0 ? 2 : -1;
        if (k < 0)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: header key '%s' (want descr, fortran_order, shape)", what,
                             key);
        if (seen[k]++) return attn_fail(err, ATTN_EXIT_INPUT, "%s: header key '%s' twice", what, key);
        int bad = 0;
        if (k == 0) bad = read_string(&c, descr, dcap) != 0;
        else if (k == 1) *fortran = read_word(&c, "True") ? 1 : read_word(&c, "False") ? 0 : (bad = 1, 0);
        else bad = read_shape(&c, a) != 0;
        if (bad)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: header: the value of '%s' is not %s", what, key,
                             k == 0 ? "a dtype string" : k == 1 ? "True or False" : "a tuple of sizes");
        if (eat(&c, '}')) break;
        if (!eat(&c, ','))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: header: no ',' after '%s'", what, key);
    }
    skip_space(&c);
    if (c.p != c.end)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: header: something after the dict", what);
    for (int k = 0; k < 3; k++)
        if (!seen[k])
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: header has no '%s'", what,
                             k == 0 ? "descr" : k == 1 ? "fortran_order" : "shape");
    return 0;
}

/* ---- the data ---------------------------------------------------------- */

static double load(const unsigned char *p, int size, int big)
{
    unsigned char b[8];
    for (int i = 0; i < size; i++) b[i] = big ? p[size - 1 - i] : p[i]; /* to little-endian */
    if (size == 2) {
        float f;
        half_to_float(&f, b, 1, HALF_F16);
        return f;
    }
    if (size == 4) {
        uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--) u = u << 8 | b[i];
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* "[1, 0, 3, 2]" of C-order flat index i. */
static void index_text(const npy_array *a, size_t i, char *buf, size_t cap)
{
    long long idx[NPY_MAX_DIMS];
    for (int d = a->ndim - 1; d >= 0; d--) {
        idx[d] = (long long)(i % (size_t)a->shape[d]);
        i /= (size_t)a->shape[d];
    }
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < a->ndim && n < cap; d++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", d ? ", " : "", idx[d]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

int npy_parse(const char *what, const unsigned char *bytes, size_t len, npy_array *out, attn_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < 10 || memcmp(bytes, "\x93NUMPY", 6) != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: not a NumPy .npy file (no \\x93NUMPY magic)", what);
    int major = bytes[6], minor = bytes[7];
    if (major < 1 || major > 3 || minor != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: .npy format version %d.%d (1.0, 2.0 and 3.0 are read)", what,
                         major, minor);
    size_t pre = major == 1 ? 10 : 12;
    if (len < pre) return attn_fail(err, ATTN_EXIT_INPUT, "%s: truncated in the header", what);
    size_t hlen = major == 1 ? (size_t)bytes[8] | (size_t)bytes[9] << 8
                             : (size_t)bytes[8] | (size_t)bytes[9] << 8 | (size_t)bytes[10] << 16 |
                                   (size_t)bytes[11] << 24;
    if (hlen > len - pre)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: truncated: the header is %zu bytes, the file has %zu after "
                         "the preamble", what, hlen, len - pre);
    const char *h = (const char *)bytes + pre;
    if (hlen == 0 || h[hlen - 1] != '\n')
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: header does not end with a newline", what);
    size_t bad_at;
    for (size_t i = 0; i < hlen; i++)
        if (major < 3 && (unsigned char)h[i] >= 0x80)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: header is not ASCII", what);
    if (major == 3 && utf8_validate(h, hlen, &bad_at) != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: header is not UTF-8", what);
    char descr[32];
    int fortran = 0;
    if (parse_header(what, h, hlen - 1, descr, sizeof descr, &fortran, out, err)) return -1;
    int size = 0, big = 0;
    if ((descr[0] == '<' || descr[0] == '>' || descr[0] == '=') && descr[1] == 'f' &&
        (strcmp(descr + 2, "2") == 0 || strcmp(descr + 2, "4") == 0 || strcmp(descr + 2, "8") == 0)) {
        size = descr[2] - '0';
        big = descr[0] == '>';
    }
    if (!size)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: dtype '%s': not a float array (f2, f4 or f8, '<' or '>')",
                         what, descr);
    if (out->ndim == 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: shape (): a single number, not a matrix", what);
    size_t count = 1;
    for (int d = 0; d < out->ndim; d++) {
        if (out->shape[d] < 1)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: shape has a dimension of size 0", what);
        if ((unsigned long long)out->shape[d] > SIZE_MAX / 8 / count)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: shape too large", what);
        count *= (size_t)out->shape[d];
    }
    size_t have = len - pre - hlen, want = count * (size_t)size;
    if (have != want)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s: %zu bytes of data, %zu expected for the shape and dtype",
                         what, have < want ? "truncated" : "trailing bytes", have, want);
    out->data = malloc(count * sizeof *out->data); /* [count] C order */
    if (!out->data) return attn_oom(err, what);
    const unsigned char *src = bytes + pre + hlen;
    for (size_t i = 0; i < count; i++) {
        size_t j = i; /* position in the file of C-order element i */
        if (fortran) {
            size_t rest = i, stride = 1;
            long long idx[NPY_MAX_DIMS];
            for (int d = out->ndim - 1; d >= 0; d--) {
                idx[d] = (long long)(rest % (size_t)out->shape[d]);
                rest /= (size_t)out->shape[d];
            }
            j = 0;
            for (int d = 0; d < out->ndim; d++) {
                j += (size_t)idx[d] * stride;
                stride *= (size_t)out->shape[d];
            }
        }
        double v = load(src + j * (size_t)size, size, big);
        if (!isfinite(v) || fabs(v) > FLT_MAX) {
            char at[256];
            index_text(out, i, at, sizeof at);
            npy_free(out);
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s at %s", what,
                             isnan(v) ? "NaN" : isfinite(v) ? "a value beyond float32's range" : "infinity", at);
        }
        out->data[i] = (float)v;
    }
    return 0;
}
