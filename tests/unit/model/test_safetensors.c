/* Unit tests: the safetensors reader. Small valid files are written here,
 * byte by byte (8-byte length, header, data), into a temporary directory:
 * every dtype, names and shapes, st_find, aligned (no copy) and misaligned
 * (copied) F32 data, F16/BF16 against the IEEE tables and against a formula
 * for every finite bit pattern, F64 range, sharded sets, and paths that are
 * not files (directory, FIFO, device). Then every malformed checkpoint of
 * tests/bad/checkpoints/ (expect.tsv) must fail with its message. */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/safetensors.h"
#include "test.h"

#define BAD_DIR "tests/bad/checkpoints"

static char tmpdir[64];
static char made[64][320];     /* files to remove at the end */
static int n_made;

/* Writes tmpdir/name; returns its path (static storage, one per file). */
static const char *put(const char *name, const void *bytes, size_t len)
{
    char *path = made[n_made++];
    snprintf(path, sizeof made[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        if (len) fwrite(bytes, 1, len, f);
        fclose(f);
    }
    return path;
}

/* A safetensors file: header text padded with spaces to pad bytes more,
 * then data. */
static const char *put_st(const char *name, const char *header, size_t pad, const void *data, size_t dlen)
{
    size_t hl = strlen(header), n = hl + pad;
    unsigned char *buf = malloc(8 + n + dlen + 1);
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)n >> (8 * i));   /* little-endian */
    memcpy(buf + 8, header, hl);
    memset(buf + 8 + hl, ' ', pad);
    if (dlen) memcpy(buf + 8 + n, data, dlen);
    const char *p = put(name, buf, 8 + n + dlen);
    free(buf);
    return p;
}

static uint32_t fbits(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

/* CHECK that s opened; prints the message when not. */
static int opened(const char *name, const st_set *s, const attn_error *err)
{
    CHECK(name, s != NULL);
    if (!s) printf("# %s\n", err->msg);
    return s != NULL;
}

/* ---- every dtype, names, shapes, st_find ------------------------------------ */
static void test_dtypes(void)
{
    static const char *names[] = {"BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2", "I16", "U16", "F16", "BF16",
                                  "I32", "U32", "F32", "I64", "U64", "F64"};
    static const int size[] = {1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8};
    char header[4096];
    size_t len = 0, off = 0;
    len += (size_t)sprintf(header + len, "{\"__metadata__\":{\"format\":\"pt\"}");
    /* tensor "t.<DTYPE>" of shape [3, 2]; written in reverse dtype order so
     * header order differs from name order */
    for (int i = 14; i >= 0; i--) {
        size_t nb = (size_t)size[i] * 6;
        len += (size_t)sprintf(header + len, ",\"t.%s\":{\"dtype\":\"%s\",\"shape\":[3,2],\"data_offsets\":[%zu,%zu]}",
                               names[i], names[i], off, off + nb);
        off += nb;
    }
    /* a scalar, an empty tensor, 8 dimensions */
    len += (size_t)sprintf(header + len, ",\"scalar\":{\"shape\":[],\"dtype\":\"F32\",\"data_offsets\":[%zu,%zu]}",
                           off, off + 4);
    off += 4;
    len += (size_t)sprintf(header + len, ",\"empty\":{\"dtype\":\"F16\",\"shape\":[0,3],\"data_offsets\":[%zu,%zu]}",
                           off, off);
    len += (size_t)sprintf(header + len, ",\"eight\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,2,1],"
                           "\"data_offsets\":[%zu,%zu]}}", off, off + 2);
    off += 2;
    unsigned char data[512];
    for (size_t i = 0; i < off; i++) data[i] = (unsigned char)(i * 7 + 1);
    const char *path = put_st("dtypes.safetensors", header, 3, data, off);
    attn_error err = {0};
    st_set *s = st_open(path, &err);
    if (!opened("dtypes-open", s, &err)) return;
    CHECK("dtypes-count", st_count(s) == 18);
    int ok_order = 1, ok_meta = 1, ok_data = 1, ok_find = 1;
    size_t at = 0;
    for (int k = 0; k < 15; k++) {
        int i = 14 - k;
        const st_tensor *t = st_at(s, k);
        char want[32];
        snprintf(want, sizeof want, "t.%s", names[i]);
        if (!t || strcmp(t->name, want) != 0) ok_order = 0;
        if (!t) continue;
        if ((int)t->dtype != i || strcmp(st_dtype_name(t->dtype), names[i]) != 0 || t->ndim != 2 ||
            t->shape[0] != 3 || t->shape[1] != 2 || t->nbytes != (size_t)size[i] * 6 ||
            strcmp(t->file, path) != 0)
            ok_meta = 0;
        if (memcmp(t->data, data + at, t->nbytes) != 0) ok_data = 0;
        if (st_find(s, want) != t) ok_find = 0;
        at += t->nbytes;
    }
    CHECK("dtypes-header-order", ok_order);
    CHECK("dtypes-dtype-shape-nbytes", ok_meta);
    CHECK("dtypes-data-pointers", ok_data);
    CHECK("dtypes-find", ok_find);
    const st_tensor *sc = st_find(s, "scalar"), *em = st_find(s, "empty"), *e8 = st_find(s, "eight");
    CHECK("scalar-shape", sc && sc->ndim == 0 && sc->nbytes == 4);
    CHECK("empty-tensor", em && em->ndim == 2 && em->shape[0] == 0 && em->shape[1] == 3 && em->nbytes == 0);
    CHECK("eight-dims", e8 && e8->ndim == 8 && e8->shape[6] == 2 && e8->nbytes == 2);
    CHECK("find-missing", st_find(s, "nope") == NULL && st_find(s, "__metadata__") == NULL &&
                              st_find(s, "t.F3") == NULL && st_find(s, "") == NULL);
    CHECK("at-out-of-range", st_at(s, -1) == NULL && st_at(s, 18) == NULL);
    if (em) {
        const float *f;
        int owned;
        CHECK("empty-converts", st_to_float(em, &f, &owned, &err) == 0);
        if (owned) free((void *)f);
    }
    const st_tensor *i32 = st_find(s, "t.I32");
    const float *f;
    int owned;
    CHECK("int-does-not-convert", i32 && st_to_float(i32, &f, &owned, &err) == -1 &&
                                      err.code == ATTN_EXIT_INPUT && strstr(err.msg, "dtype I32") &&
                                      strstr(err.msg, "t.I32") && strstr(err.msg, "dtypes.safetensors"));
    st_close(s);
    CHECK("count-null-set", st_count(NULL) == 0 && st_find(NULL, "a") == NULL);
}

/* ---- an empty header: no tensors, and then no data ------------------------------ */
static void test_empty_header(void)
{
    attn_error err = {0};
    st_set *s = st_open(put_st("none.safetensors", "{}", 6, NULL, 0), &err);
    CHECK("no-tensors-opens", s && st_count(s) == 0 && st_at(s, 0) == NULL && st_find(s, "a") == NULL);
    st_close(s);
    s = st_open(put_st("none-meta.safetensors", "{\"__metadata__\":{}}", 0, NULL, 0), &err);
    CHECK("only-metadata-opens", s && st_count(s) == 0);
    st_close(s);
    s = st_open(put_st("none-data.safetensors", "{}", 0, "abcd", 4), &err);
    CHECK("no-tensors-but-data-refused", !s && strstr(err.msg, "the last 4 bytes belong to no tensor"));
}

/* ---- F32 alignment: in place when aligned, copied when not ------------------- */
static void test_alignment(void)
{
    const float v[6] = {1.5f, -2.25f, 3e-39f /* subnormal */, 65504.0f, -0.0f, 1e30f};
    const char *h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";
    size_t hl = strlen(h);
    for (int mis = 0; mis < 4; mis++) {
        /* pad so that 8 + N = 0 mod 4 plus mis */
        size_t pad = (4 - (8 + hl) % 4) % 4 + (size_t)mis;
        char name[48];
        snprintf(name, sizeof name, "align%d.safetensors", mis);
        const char *path = put_st(name, h, pad, v, sizeof v);
        attn_error err = {0};
        st_set *s = st_open(path, &err);
        const st_tensor *t = s ? st_find(s, "w") : NULL;
        const float *f = NULL;
        int owned = -1, same = 0;
        if (t && st_to_float(t, &f, &owned, &err) == 0) {
            same = 1;
            for (int i = 0; i < 6; i++) same &= fbits(f[i]) == fbits(v[i]);
        }
        char nm[64];
        snprintf(nm, sizeof nm, "f32-offset-mod4-%d-values", mis);
        CHECK(nm, same);
        snprintf(nm, sizeof nm, "f32-offset-mod4-%d-%s", mis, mis ? "copied" : "in-place");
        CHECK(nm, mis ? owned == 1 && (const void *)f != t->data
                      : owned == 0 && (const void *)f == t->data);
        if (owned == 1) free((void *)f);
        st_close(s);
    }
}

/* One 1-D tensor "x" of dtype dt over n elements of esize bytes; returns
 * the converted floats (malloc'd copy) or NULL with err filled. */
static float *convert_one(const char *file, const char *dt, const void *data, size_t n, size_t esize,
                          attn_error *err)
{
    char h[200];
    snprintf(h, sizeof h, "{\"x\":{\"dtype\":\"%s\",\"shape\":[%zu],\"data_offsets\":[0,%zu]}}", dt, n, n * esize);
    const char *path = put_st(file, h, 0, data, n * esize);
    st_set *s = st_open(path, err);
    if (!s) return NULL;
    const float *f;
    int owned;
    float *copy = NULL;
    if (st_to_float(st_find(s, "x"), &f, &owned, err) == 0) {
        copy = malloc(n * sizeof *copy + 1);
        memcpy(copy, f, n * sizeof *copy);
        if (owned) free((void *)f);
    }
    st_close(s);
    return copy;
}

/* ---- F16 and BF16 ------------------------------------------------------------- */
typedef struct {
    uint16_t h;
    float f;
} half_case;

/* Converts the n bit patterns of table through a file of dtype dt and
 * compares the floats bit for bit (so -0 differs from +0). */
static int check_table(const char *file, const char *dt, const half_case *table, size_t n)
{
    uint16_t hv[32] = {0};
    for (size_t i = 0; i < n && i < 32; i++) hv[i] = table[i].h;
    attn_error err = {0};
    float *f = convert_one(file, dt, hv, n, 2, &err);
    int ok = f != NULL;
    for (size_t i = 0; ok && i < n; i++)
        if (fbits(f[i]) != fbits(table[i].f)) {
            printf("# %s 0x%04X -> %.9g, expected %.9g\n", dt, table[i].h, f[i], table[i].f);
            ok = 0;
        }
    free(f);
    return ok;
}

/* Every finite bit pattern of a 16-bit binary format with mb mantissa and
 * eb exponent bits (bias 2^(eb-1) - 1) against the definition, in double:
 * (-1)^s x (e ? (2^mb + m) x 2^(e - bias - mb) : m x 2^(1 - bias - mb)). */
static int check_every_pattern(const char *file, const char *dt, int mb, int eb)
{
    unsigned emax = (1u << eb) - 1, bias = (1u << (eb - 1)) - 1;
    uint16_t *all = malloc(65536 * sizeof *all);
    size_t cnt = 0;
    for (uint32_t h = 0; h < 65536; h++)
        if (((h >> mb) & emax) != emax) all[cnt++] = (uint16_t)h;
    attn_error err = {0};
    float *f = convert_one(file, dt, all, cnt, 2, &err);
    int ok = f != NULL && cnt == 65536 - (1u << (mb + 1));
    for (size_t i = 0; ok && i < cnt; i++) {
        unsigned s = all[i] >> 15, e = (all[i] >> mb) & emax, m = all[i] & ((1u << mb) - 1);
        double ref = e ? ldexp((double)((1u << mb) + m), (int)e - (int)bias - mb)
                       : ldexp((double)m, 1 - (int)bias - mb);
        if (fbits(f[i]) != fbits((float)(s ? -ref : ref))) ok = 0;
    }
    free(f);
    free(all);
    return ok;
}

static void test_half(void)
{
    /* IEEE 754 binary16 table values */
    static const half_case f16[] = {
        {0x3C00, 1.0f},      {0x7BFF, 65504.0f},          {0x0001, 0x1p-24f},   {0x0400, 0x1p-14f},
        {0x03FF, 0x1.ff8p-15f /* 1023 x 2^-24 */},         {0xC000, -2.0f},      {0x8000, -0.0f},
        {0x3555, 0.333251953125f}, {0x0000, 0.0f},        {0xFBFF, -65504.0f},  {0x3800, 0.5f},
        {0x3E00, 1.5f},      {0x8001, -0x1p-24f},
    };
    CHECK("f16-ieee-table", check_table("f16.safetensors", "F16", f16, sizeof f16 / sizeof f16[0]));
    static const half_case bf[] = {
        {0x3F80, 1.0f}, {0xC000, -2.0f}, {0x4049, 3.140625f}, {0x7F7F, 0x1.fep127f}, {0x0001, 0x1p-133f},
        {0x0080, 0x1p-126f}, {0x8000, -0.0f}, {0x3E80, 0.25f}, {0xFF7F, -0x1.fep127f},
    };
    CHECK("bf16-table", check_table("bf16.safetensors", "BF16", bf, sizeof bf / sizeof bf[0]));
    CHECK("f16-every-finite-pattern", check_every_pattern("f16all.safetensors", "F16", 10, 5));
    CHECK("bf16-every-finite-pattern", check_every_pattern("bf16all.safetensors", "BF16", 7, 8));

    /* non-finite patterns are refused with their index */
    attn_error err = {0};
    uint16_t inf16[3] = {0x3C00, 0x3C00, 0xFC00};
    float *f = convert_one("f16inf.safetensors", "F16", inf16, 3, 2, &err);
    CHECK("f16-neg-inf-refused", !f && strstr(err.msg, "element 2 is -inf") && err.code == ATTN_EXIT_INPUT);
    free(f);
    uint16_t nanbf[2] = {0x7F81, 0};
    f = convert_one("bf16nan.safetensors", "BF16", nanbf, 2, 2, &err);
    CHECK("bf16-signalling-nan-refused", !f && strstr(err.msg, "element 0 is NaN"));
    free(f);
    uint16_t infbf[2] = {0, 0x7F80};
    f = convert_one("bf16inf.safetensors", "BF16", infbf, 2, 2, &err);
    CHECK("bf16-inf-refused", !f && strstr(err.msg, "element 1 is +inf"));
    free(f);
}

/* ---- F64 -> float: rounding, range ------------------------------------------- */
static void test_f64(void)
{
    const double v[] = {1.0, 0.1, -2.5, (double)FLT_MAX, 0x1.fffffefffffffp127 /* rounds down to FLT_MAX */,
                        1e-50 /* underflows to 0 */, -1e-45};
    size_t n = sizeof v / sizeof v[0];
    attn_error err = {0};
    float *f = convert_one("f64.safetensors", "F64", v, n, 8, &err);
    int ok = f != NULL;
    for (size_t i = 0; ok && i < n; i++) ok = fbits(f[i]) == fbits((float)v[i]);
    CHECK("f64-rounds-to-nearest", ok);
    CHECK("f64-near-max-is-flt-max", f && f[4] == FLT_MAX);
    free(f);
    const double over[2] = {0.0, -0x1.ffffffp127};   /* half an ulp past FLT_MAX: rounds to -inf */
    f = convert_one("f64over.safetensors", "F64", over, 2, 8, &err);
    CHECK("f64-out-of-range-refused", !f && strstr(err.msg, "element 1 = ") &&
                                          strstr(err.msg, "is out of float range"));
    free(f);
    const double nan[1] = {NAN};
    f = convert_one("f64nan.safetensors", "F64", nan, 1, 8, &err);
    CHECK("f64-nan-refused", !f && strstr(err.msg, "element 0 is NaN"));
    free(f);
}

/* ---- a sharded set ----------------------------------------------------------- */
static void test_sharded(void)
{
    const float a[4] = {1, 2, 3, 4}, b[2] = {5, 6};
    const uint16_t c[2] = {0x3C00, 0xC000};
    put_st("s-00001.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
           "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}", 4,
           (const float[]){1, 2, 3, 4, 5, 6}, 24);
    put_st("s-00002.safetensors", "{\"c\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 0, c, 4);
    const char *ix = "{\"metadata\":{\"total_size\":28},\"weight_map\":{\"b\":\"s-00001.safetensors\","
                     "\"c\":\"s-00002.safetensors\",\"a\":\"s-00001.safetensors\"}}";
    const char *path = put("s.index.json", ix, strlen(ix));
    attn_error err = {0};
    st_set *s = st_open_index(path, &err);
    if (!opened("sharded-open", s, &err)) return;
    CHECK("sharded-count", st_count(s) == 3);
    const st_tensor *ta = st_find(s, "a"), *tb = st_find(s, "b"), *tc = st_find(s, "c");
    CHECK("sharded-find", ta && tb && tc && !st_find(s, "d"));
    CHECK("sharded-files", ta && tc && strstr(ta->file, "/s-00001.safetensors") &&
                               strstr(tc->file, "/s-00002.safetensors") && ta->file == tb->file);
    /* order: the first shard named in weight_map (s-00001) first, header order */
    CHECK("sharded-order", st_at(s, 0) == ta && st_at(s, 1) == tb && st_at(s, 2) == tc);
    const float *f;
    int owned;
    CHECK("sharded-a", st_to_float(ta, &f, &owned, &err) == 0 && memcmp(f, a, 16) == 0);
    if (owned) free((void *)f);
    CHECK("sharded-b", st_to_float(tb, &f, &owned, &err) == 0 && memcmp(f, b, 8) == 0);
    if (owned) free((void *)f);
    CHECK("sharded-c-f16", st_to_float(tc, &f, &owned, &err) == 0 && owned == 1 && f[0] == 1.0f && f[1] == -2.0f);
    if (owned) free((void *)f);
    st_close(s);

    /* an index in the current directory (no '/' in its path) */
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) && chdir(tmpdir) == 0) {
        s = st_open_index("s.index.json", &err);
        CHECK("sharded-relative-index", s && st_count(s) == 3 && strcmp(st_find(s, "c")->file,
                                                                         "s-00002.safetensors") == 0);
        st_close(s);
        CHECK("chdir-back", chdir(cwd) == 0);
    }
}

/* ---- paths that are not regular files ----------------------------------------- */
static void test_not_files(void)
{
    attn_error err = {0};
    st_set *s = st_open(tmpdir, &err);
    CHECK("directory-refused", !s && err.code == ATTN_EXIT_INPUT && strstr(err.msg, "is a directory") &&
                                   strstr(err.msg, tmpdir));
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/fifo.safetensors", tmpdir);
    if (mkfifo(fifo, 0600) == 0) {
        strcpy(made[n_made++], fifo);
        s = st_open(fifo, &err);     /* would block forever without O_NONBLOCK (alarm in main) */
        CHECK("fifo-refused", !s && err.code == ATTN_EXIT_INPUT && strstr(err.msg, "not a regular file"));
        const char *ix = "{\"weight_map\":{\"a\":\"fifo.safetensors\"}}";
        const char *ip = put("fifo.index.json", ix, strlen(ix));
        s = st_open_index(ip, &err);
        CHECK("fifo-shard-refused", !s && strstr(err.msg, "not a regular file") && strstr(err.msg, "fifo.index.json"));
        s = st_open_index(fifo, &err);
        CHECK("fifo-index-refused", !s && strstr(err.msg, "not a regular file"));
    } else {
        printf("SKIP fifo-refused: mkfifo failed\n");
    }
    s = st_open("/dev/null", &err);
    CHECK("device-refused", !s && strstr(err.msg, "/dev/null: is not a regular file"));
    s = st_open("/nonexistent/x.safetensors", &err);
    CHECK("missing-file", !s && err.code == ATTN_EXIT_INPUT && strstr(err.msg, "No such file"));
    s = st_open_index("/nonexistent/x.index.json", &err);
    CHECK("missing-index", !s && err.code == ATTN_EXIT_INPUT && strstr(err.msg, "No such file"));

    /* a name with a control character is shown as '?', on one line */
    const char *h = "{\"a\\nb\":{\"dtype\":\"F99\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    const char *p = put_st("ctrl.safetensors", h, 0, "\0\0\0\0", 4);
    s = st_open(p, &err);
    CHECK("control-char-name-shown", !s && strstr(err.msg, "tensor 'a?b'") && !strchr(err.msg, '\n'));
}

/* ---- the malformed corpus ------------------------------------------------------- */

/* Opens path (an index when it ends in .json) and converts every tensor:
 * 0 when all of it works, else -1 with err filled. */
static int open_and_convert(const char *path, attn_error *err)
{
    size_t n = strlen(path);
    int index = n > 5 && strcmp(path + n - 5, ".json") == 0;
    st_set *s = index ? st_open_index(path, err) : st_open(path, err);
    if (!s) return -1;
    int rc = 0;
    for (int i = 0; i < st_count(s) && rc == 0; i++) {
        const float *f;
        int owned;
        rc = st_to_float(st_at(s, i), &f, &owned, err);
        if (rc == 0 && owned) free((void *)f);
    }
    st_close(s);
    return rc;
}

static void test_corpus(void)
{
    FILE *f = fopen(BAD_DIR "/expect.tsv", "r");
    CHECK("corpus-expect-tsv", f != NULL);
    if (!f) return;
    char line[1024], listed[128][80];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || !line[0]) continue;
        char *tab = strchr(line, '\t');
        if (!tab || n == 128) {
            CHECK("corpus-line-format", 0);
            continue;
        }
        *tab = '\0';
        const char *file = line, *want = tab + 1;
        snprintf(listed[n++], sizeof listed[0], "%.70s", file);
        char path[256], name[160];
        snprintf(path, sizeof path, "%s/%.200s", BAD_DIR, file);
        snprintf(name, sizeof name, "bad/%.150s", file);
        attn_error err = {0};
        int rc = open_and_convert(path, &err);
        if (rc == 0) {
            printf("FAIL %s: accepted\n", name);
            test_failures_++;
        } else if (err.code != ATTN_EXIT_INPUT || !strstr(err.msg, file) || !strstr(err.msg, want) ||
                   strchr(err.msg, '\n')) {
            printf("FAIL %s: code %d, message \"%s\", expected the file name and \"%s\"\n", name, err.code,
                   err.msg, want);
            test_failures_++;
        } else {
            printf("PASS %s\n", name);
        }
    }
    fclose(f);
    CHECK("corpus-at-least-20", n >= 20);

    /* every file of the directory is listed, a control, or the generator's */
    DIR *d = opendir(BAD_DIR);
    int stray = 0, good = 0, good_ok = 1;
    for (struct dirent *e; d && (e = readdir(d));) {
        const char *nm = e->d_name;
        if (nm[0] == '.' || !strcmp(nm, "make_bad.py") || !strcmp(nm, "README.md") || !strcmp(nm, "expect.tsv"))
            continue;
        if (strncmp(nm, "good_", 5) == 0) {
            char path[256];
            attn_error err = {0};
            snprintf(path, sizeof path, "%s/%.200s", BAD_DIR, nm);
            good++;
            if (open_and_convert(path, &err) != 0) {
                printf("# control %s fails: %s\n", nm, err.msg);
                good_ok = 0;
            }
            continue;
        }
        int found = 0;
        for (int i = 0; i < n; i++) found |= strcmp(listed[i], nm) == 0;
        if (!found) {
            printf("# %s is not in expect.tsv\n", nm);
            stray = 1;
        }
    }
    if (d) closedir(d);
    CHECK("corpus-every-file-listed", d && !stray);
    CHECK("corpus-controls-open", good >= 4 && good_ok);
}

int main(void)
{
    alarm(60);   /* a FIFO that blocks would hang: fail instead */
    strcpy(tmpdir, "/tmp/attnviz-st-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("FAIL tmpdir: mkdtemp failed\n");
        return 1;
    }
    test_dtypes();
    test_empty_header();
    test_alignment();
    test_half();
    test_f64();
    test_sharded();
    test_not_files();
    test_corpus();
    for (int i = 0; i < n_made; i++) unlink(made[i]);
    rmdir(tmpdir);
    return test_done();
}
