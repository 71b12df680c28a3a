/* safetensors.c — one .safetensors file: map it, validate every rule of the
 * format (see safetensors.h), look tensors up. The JSON checks are in
 * safetensors_json.c, conversion to float in safetensors_convert.c,
 * sharded checkpoints in safetensors_index.c.
 *
 * Nothing here reads the data area: st_open() touches the 8-byte length and
 * the header only, so opening a large checkpoint costs the header parse.
 */
#include "model/safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/safetensors_impl.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors.c reads little-endian data in place: big-endian hosts are not supported"
#endif

static const struct {
    const char *name;
    unsigned size;            /* bytes per element */
} dtypes[] = {
    [ST_BOOL] = {"BOOL", 1},    [ST_U8] = {"U8", 1},   [ST_I8] = {"I8", 1},
    [ST_F8_E4M3] = {"F8_E4M3", 1}, [ST_F8_E5M2] = {"F8_E5M2", 1},
    [ST_I16] = {"I16", 2},      [ST_U16] = {"U16", 2}, [ST_F16] = {"F16", 2},
    [ST_BF16] = {"BF16", 2},    [ST_I32] = {"I32", 4}, [ST_U32] = {"U32", 4},
    [ST_F32] = {"F32", 4},      [ST_I64] = {"I64", 8}, [ST_U64] = {"U64", 8},
    [ST_F64] = {"F64", 8},
};
#define N_DTYPES ((int)(sizeof dtypes / sizeof dtypes[0]))

const char *st_dtype_name(st_dtype t)
{
    return (int)t >= 0 && (int)t < N_DTYPES ? dtypes[t].name : "?";
}

/* "[4, 4]" into buf[cap] */
static const char *shape_text(const int64_t *shape, int ndim, char *buf, size_t cap)
{
    size_t len = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (len < cap) snprintf(buf + len, cap - len, "]");
    return buf;
}

/* ---- opening and mapping ---------------------------------------------------- */

int st_map_file(const char *path, const unsigned char **map, size_t *size, attn_error *err)
{
    *map = NULL;
    *size = 0;
    /* O_NONBLOCK: opening a FIFO with no writer returns at once instead of
     * waiting; fstat then refuses it before anything reads */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", path,
                         S_ISDIR(st.st_mode) ? "is a directory, not a file"
                                             : "is not a regular file (a FIFO, socket or device)");
    }
    if ((uintmax_t)st.st_size > SIZE_MAX) {
        close(fd);
        return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: too large to map", path);
    }
    *size = (size_t)st.st_size;
    if (*size == 0) {
        close(fd);
        return 0;
    }
    void *p = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED) {
        *size = 0;
        return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: cannot map the file: %s", path, strerror(e));
    }
    *map = p;
    return 0;
}

/* ---- the header --------------------------------------------------------------- */

typedef struct {
    const char *path;
    const st_json *j;
    const char *name;         /* the tensor's name, shown */
    attn_error *err;
} hdr_ctx;

/* Reads the integer node v as an exact uint64 (what: "shape[1]"). */
static int get_u64(const hdr_ctx *h, const cJSON *v, const char *what, uint64_t *out)
{
    if (!cJSON_IsNumber(v))
        return attn_fail(h->err, ATTN_EXIT_INPUT, "%s: tensor '%s': %s must be an integer, got %s",
                         h->path, h->name, what, st_json_type(v));
    const st_num *n = &h->j->nums[v->valueint];
    int len = n->len > 40 ? 40 : (int)n->len;
    const char *txt = h->j->text + n->at;
    switch (n->kind) {
    case ST_NUM_NEGATIVE:
        return attn_fail(h->err, ATTN_EXIT_INPUT, "%s: tensor '%s': %s = %.*s is negative", h->path,
                         h->name, what, len, txt);
    case ST_NUM_NOT_INTEGER:
        return attn_fail(h->err, ATTN_EXIT_INPUT,
                         "%s: tensor '%s': %s = %.*s is not an integer literal (digits only)", h->path,
                         h->name, what, len, txt);
    case ST_NUM_TOO_BIG:
        return attn_fail(h->err, ATTN_EXIT_INPUT, "%s: tensor '%s': %s = %.*s%s does not fit in 64 bits",
                         h->path, h->name, what, len, txt, n->len > 40 ? "..." : "");
    }
    *out = n->value;
    return 0;
}

static const char *const entry_keys[] = {"dtype", "shape", "data_offsets"};

/* Validates one tensor entry e (everything but its place among the others)
 * and fills t and off[begin, end]. data_size: bytes after the header. */
static int check_entry(const hdr_ctx *h, const cJSON *e, uint64_t data_size, st_tensor *t,
                       uint64_t off[2])
{
    const char *p = h->path, *nm = h->name;
    attn_error *err = h->err;
    if (!cJSON_IsObject(e))
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tensor '%s': the entry is %s, not an object {dtype, shape, data_offsets}",
                         p, nm, st_json_type(e));
    for (const cJSON *m = e->child; m; m = m->next) {
        int known = 0;
        for (int k = 0; k < 3; k++) known |= strcmp(m->string, entry_keys[k]) == 0;
        if (!known) {
            char shown[ST_SHOW];
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "%s: tensor '%s': unknown key \"%s\" (allowed: dtype, shape, data_offsets)",
                             p, nm, st_show(m->string, shown));
        }
    }
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    for (int k = 0; k < 3; k++)
        if (!(k == 0 ? dt : k == 1 ? sh : of))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': no \"%s\"", p, nm, entry_keys[k]);

    if (!cJSON_IsString(dt))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': dtype must be a string, got %s", p, nm,
                         st_json_type(dt));
    int d = 0;
    while (d < N_DTYPES && strcmp(dt->valuestring, dtypes[d].name) != 0) d++;
    if (d == N_DTYPES) {
        char shown[ST_SHOW];
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tensor '%s': unknown dtype \"%s\" (known: BOOL U8 I8 F8_E4M3 F8_E5M2 I16 "
                         "U16 F16 BF16 I32 U32 F32 I64 U64 F64)", p, nm, st_show(dt->valuestring, shown));
    }
    t->dtype = (st_dtype)d;

    if (!cJSON_IsArray(sh))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': shape must be an array of integers, got %s",
                         p, nm, st_json_type(sh));
    int ndim = cJSON_GetArraySize(sh);
    if (ndim > ST_MAX_DIMS)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': shape has %d dimensions, at most %d "
                         "are supported", p, nm, ndim, ST_MAX_DIMS);
    t->ndim = ndim;
    int i = 0;
    for (const cJSON *c = sh->child; c; c = c->next, i++) {
        char what[32];
        snprintf(what, sizeof what, "shape[%d]", i);
        uint64_t v;
        if (get_u64(h, c, what, &v)) return -1;
        if (v > (uint64_t)INT64_MAX)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': %s = %llu is larger than 2^63 - 1",
                             p, nm, what, (unsigned long long)v);
        t->shape[i] = (int64_t)v;
    }

    if (!cJSON_IsArray(of) || cJSON_GetArraySize(of) != 2) {
        char got[32];
        if (cJSON_IsArray(of)) snprintf(got, sizeof got, "%d elements", cJSON_GetArraySize(of));
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tensor '%s': data_offsets must be an array of exactly 2 integers, got %s",
                         p, nm, cJSON_IsArray(of) ? got : st_json_type(of));
    }
    if (get_u64(h, of->child, "data_offsets[0]", &off[0]) ||
        get_u64(h, of->child->next, "data_offsets[1]", &off[1]))
        return -1;
    unsigned long long b = off[0], en = off[1];
    if (b > en)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': data_offsets [%llu, %llu]: begin %llu "
                         "is after end %llu", p, nm, b, en, b, en);

    /* elements x element size, without overflow */
    char st[200];
    uint64_t bytes = dtypes[d].size;
    for (i = 0; i < ndim; i++) {
        uint64_t dim = (uint64_t)t->shape[i];
        if (dim && bytes > UINT64_MAX / dim)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': shape %s of %s needs more than "
                             "2^64 - 1 bytes", p, nm, shape_text(t->shape, ndim, st, sizeof st),
                             dtypes[d].name);
        bytes *= dim;
    }
    if (bytes > SIZE_MAX)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': shape %s of %s needs more bytes than "
                         "this machine can address", p, nm, shape_text(t->shape, ndim, st, sizeof st),
                         dtypes[d].name);
    if (en - b != bytes)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu "
                         "bytes, but shape %s of %s needs %llu", p, nm, b, en, en - b,
                         shape_text(t->shape, ndim, st, sizeof st), dtypes[d].name,
                         (unsigned long long)bytes);
    if (en > data_size)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': data_offsets [%llu, %llu] run past the "
                         "end of the data area, which holds %llu bytes", p, nm, b, en,
                         (unsigned long long)data_size);
    t->nbytes = (size_t)bytes;
    return 0;
}

static int check_metadata(const char *path, const cJSON *m, attn_error *err)
{
    if (!cJSON_IsObject(m))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: __metadata__ must be an object of strings, got %s",
                         path, st_json_type(m));
    for (const cJSON *c = m->child; c; c = c->next)
        if (!cJSON_IsString(c)) {
            char shown[ST_SHOW];
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: __metadata__ value \"%s\" must be a string, got %s",
                             path, st_show(c->string, shown), st_json_type(c));
        }
    return 0;
}

typedef struct {
    uint64_t b, e;
    int i;                    /* index into the file's tensors */
} span;

static int cmp_span(const void *x, const void *y)
{
    const span *a = x, *b = y;
    if (a->b != b->b) return a->b < b->b ? -1 : 1;
    if (a->e != b->e) return a->e < b->e ? -1 : 1;
    return a->i - b->i;
}

/* The byte ranges, sorted, must tile [0, data_size) exactly. */
static int check_tiling(const char *path, span *sp, int n, const st_tensor *t, uint64_t data_size,
                        attn_error *err)
{
    qsort(sp, (size_t)n, sizeof *sp, cmp_span);
    uint64_t pos = 0;
    char s1[ST_SHOW], s2[ST_SHOW];
    for (int k = 0; k < n; k++) {
        const char *name = st_show(t[sp[k].i].name, s2);
        if (sp[k].b > pos && k == 0)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: bytes [0, %llu) of the data area belong to no "
                             "tensor (the first, '%s', starts at %llu)", path,
                             (unsigned long long)sp[k].b, name, (unsigned long long)sp[k].b);
        if (sp[k].b > pos)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: bytes [%llu, %llu) of the data area belong to no "
                             "tensor (a gap between '%s' and '%s')", path, (unsigned long long)pos,
                             (unsigned long long)sp[k].b, st_show(t[sp[k - 1].i].name, s1), name);
        if (sp[k].b < pos)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensors '%s' [%llu, %llu] and '%s' [%llu, %llu] "
                             "overlap", path, st_show(t[sp[k - 1].i].name, s1),
                             (unsigned long long)sp[k - 1].b, (unsigned long long)sp[k - 1].e, name,
                             (unsigned long long)sp[k].b, (unsigned long long)sp[k].e);
        pos = sp[k].e;
    }
    if (pos < data_size)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: the data area holds %llu bytes but the tensors end at "
                         "%llu: the last %llu bytes belong to no tensor", path,
                         (unsigned long long)data_size, (unsigned long long)pos,
                         (unsigned long long)(data_size - pos));
    return 0;
}

/* Validates the header of a mapped file; appends its tensors to s. */
static int read_header(st_set *s, const st_file *f, attn_error *err)
{
    const char *path = f->path;
    if (f->size == 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: empty file (a safetensors file starts with an 8-byte "
                         "header length)", path);
    if (f->size < 8)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: the file holds %zu bytes, too short for the 8-byte "
                         "header length", path, f->size);
    uint64_t n;
    memcpy(&n, f->map, 8);                          /* little-endian host */
    if (n == 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: header length is 0 (the header must be a JSON object)",
                         path);
    if (n > ST_MAX_HEADER)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: header length %llu exceeds the %u-byte limit (100 MB)",
                         path, (unsigned long long)n, ST_MAX_HEADER);
    if (n > f->size - 8)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: header length %llu runs past the end of the file "
                         "(%zu bytes after the length)", path, (unsigned long long)n, f->size - 8);
    uint64_t data_size = f->size - 8 - n;
    const unsigned char *data = f->map + 8 + n;

    st_json j;
    int rc = -1, count = 0;
    span *sp = NULL;
    st_tensor *t = NULL;
    if (st_parse_json(path, "header", f->map + 8, (size_t)n, &j, err)) goto done;
    if (!cJSON_IsObject(j.root)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: header is %s, not a JSON object", path, st_json_type(j.root));
        goto done;
    }
    int members = cJSON_GetArraySize(j.root);
    t = calloc((size_t)members + 1, sizeof *t);
    sp = calloc((size_t)members + 1, sizeof *sp);
    if (!t || !sp) {
        attn_oom(err, path);
        goto done;
    }
    for (const cJSON *e = j.root->child; e; e = e->next) {
        if (strcmp(e->string, "__metadata__") == 0) {
            if (check_metadata(path, e, err)) goto done;
            continue;
        }
        char shown[ST_SHOW];
        hdr_ctx h = {path, &j, st_show(e->string, shown), err};
        if (!e->string[0]) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: empty tensor name \"\"", path);
            goto done;
        }
        uint64_t off[2];
        if (check_entry(&h, e, data_size, &t[count], off)) goto done;
        t[count].name = e->string;                  /* borrowed until copied below */
        t[count].data = data + off[0];
        t[count].file = f->path;
        sp[count] = (span){off[0], off[1], count};
        count++;
    }
    if (check_tiling(path, sp, count, t, data_size, err)) goto done;

    if (s->n + count > s->cap) {
        int nc = s->n + count;
        st_tensor *p = realloc(s->tensors, (size_t)nc * sizeof *p);
        if (!p) {
            attn_oom(err, path);
            goto done;
        }
        s->tensors = p;
        s->cap = nc;
    }
    for (int k = 0; k < count; k++) {
        char *name = malloc(strlen(t[k].name) + 1);
        if (!name) {
            attn_oom(err, path);
            goto done;
        }
        t[k].name = strcpy(name, t[k].name);
        s->tensors[s->n++] = t[k];
    }
    rc = 0;
done:
    st_json_free(&j);
    free(sp);
    free(t);
    return rc;
}

/* ---- the set ------------------------------------------------------------------ */

st_set *st_set_new(attn_error *err)
{
    st_set *s = calloc(1, sizeof *s);
    if (!s) attn_oom(err, "safetensors");
    return s;
}

int st_add_file(st_set *s, const char *path, attn_error *err)
{
    if (s->n_files == s->cap_files) {
        int nc = s->cap_files ? s->cap_files * 2 : 4;
        st_file *p = realloc(s->files, (size_t)nc * sizeof *p);
        if (!p) return attn_oom(err, path);
        s->files = p;
        s->cap_files = nc;
    }
    st_file *f = &s->files[s->n_files];
    memset(f, 0, sizeof *f);
    f->path = malloc(strlen(path) + 1);
    if (!f->path) return attn_oom(err, path);
    strcpy(f->path, path);
    s->n_files++;
    if (st_map_file(path, &f->map, &f->size, err)) return -1;
    return read_header(s, f, err);
}

typedef struct {
    const char *name;
    int i;
} named;

static int cmp_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->i - y->i;
}

int st_sort_names(st_set *s, attn_error *err)
{
    free(s->by_name);
    s->by_name = malloc(((size_t)s->n + 1) * sizeof *s->by_name);
    named *tmp = malloc(((size_t)s->n + 1) * sizeof *tmp);   /* [n] */
    if (!s->by_name || !tmp) {
        free(tmp);
        return attn_oom(err, "safetensors name index");
    }
    for (int i = 0; i < s->n; i++) tmp[i] = (named){s->tensors[i].name, i};
    qsort(tmp, (size_t)s->n, sizeof *tmp, cmp_named);
    for (int i = 0; i < s->n; i++) s->by_name[i] = tmp[i].i;
    free(tmp);
    return 0;
}

st_set *st_open(const char *path, attn_error *err)
{
    st_set *s = st_set_new(err);
    if (!s) return NULL;
    if (st_add_file(s, path, err) || st_sort_names(s, err)) {
        st_close(s);
        return NULL;
    }
    return s;
}

int st_count(const st_set *s) { return s ? s->n : 0; }

const st_tensor *st_at(const st_set *s, int i)
{
    return s && i >= 0 && i < s->n ? &s->tensors[i] : NULL;
}

const st_tensor *st_find(const st_set *s, const char *name)
{
    if (!s || !s->by_name) return NULL;
    int lo = 0, hi = s->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        const st_tensor *t = &s->tensors[s->by_name[mid]];
        int c = strcmp(name, t->name);
        if (c == 0) return t;
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
    }
    return NULL;
}

void st_close(st_set *s)
{
    if (!s) return;
    for (int i = 0; i < s->n; i++) free((char *)s->tensors[i].name);
    for (int i = 0; i < s->n_files; i++) {
        if (s->files[i].map) munmap((void *)s->files[i].map, s->files[i].size);
        free(s->files[i].path);
    }
    free(s->files);
    free(s->tensors);
    free(s->by_name);
    free(s);
}
