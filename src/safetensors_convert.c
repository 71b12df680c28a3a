/* safetensors_convert.c — st_to_float(): F32, F16, BF16 and F64 tensors as
 * float32, every element checked finite.
 *
 * F32 data that is 4-byte aligned in the mapping is handed out in place
 * (scanned, not copied); everything else goes to a new array. Elements are
 * read with memcpy, so unaligned data is fine; the host is little-endian
 * like the file (safetensors.c refuses to build otherwise).
 */
#include "safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors_impl.h"

/* IEEE 754 binary16 -> binary32, exact: normals re-biased (15 -> 127),
 * subnormals m * 2^-24 (exact in float), inf and NaN kept. */
static float f16_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0) {
        float v = (float)man * 0x1p-24f;
        return sign ? -v : v;
    }
    if (exp == 31) bits = sign | 0x7f800000u | (man << 13);
    else bits = sign | ((exp + 112u) << 23) | (man << 13);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* bfloat16 is the top half of a binary32 */
static float bf16_to_float(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* how a non-finite element is described */
static const char *nonfinite(int negative, int nan)
{
    return nan ? "is NaN" : negative ? "is -inf" : "is +inf";
}

static int bad_element(const st_tensor *t, size_t i, const char *what, attn_error *err)
{
    char shown[ST_SHOW];
    return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' (%s): element %zu %s", t->file,
                     st_show(t->name, shown), st_dtype_name(t->dtype), i, what);
}

/* The first non-finite element of F32 data, or n. */
static size_t f32_scan(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, p + 4 * i, 4);
        if ((b & 0x7f800000u) == 0x7f800000u) return i;
    }
    return n;
}

/* The smallest double magnitude that rounds to inf in float: half an ulp
 * above FLT_MAX, 2^128 - 2^103 (rounds to even, i.e. up). */
#define F64_FLOAT_LIMIT 0x1.ffffffp127

int st_to_float(const st_tensor *t, const float **out, int *owned, attn_error *err)
{
    *out = NULL;
    *owned = 0;
    const unsigned char *p = t->data;
    size_t esize = t->dtype == ST_F64 ? 8 : t->dtype == ST_F32 ? 4 : 2;
    if (t->dtype != ST_F32 && t->dtype != ST_F16 && t->dtype != ST_BF16 && t->dtype != ST_F64) {
        char shown[ST_SHOW];
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' has dtype %s; only F32, F16, BF16 and "
                         "F64 convert to float", t->file, st_show(t->name, shown), st_dtype_name(t->dtype));
    }
    size_t n = t->nbytes / esize;

    if (t->dtype == ST_F32) {
        size_t i = f32_scan(p, n);
        if (i < n) {
            uint32_t b;
            memcpy(&b, p + 4 * i, 4);
            return bad_element(t, i, nonfinite(b >> 31, (b & 0x7fffffu) != 0), err);
        }
        if (((uintptr_t)p & (_Alignof(float) - 1)) == 0) {
            *out = (const float *)(const void *)p;   /* in the mapping, no copy */
            return 0;
        }
    }

    float *f = malloc(n ? n * sizeof *f : 1);   /* [n] */
    if (!f) return attn_oom(err, t->file);
    for (size_t i = 0; i < n; i++) {
        if (t->dtype == ST_F32) {
            memcpy(&f[i], p + 4 * i, 4);
        } else if (t->dtype == ST_F64) {
            double d;
            memcpy(&d, p + 8 * i, 8);
            if (!isfinite(d)) {
                free(f);
                return bad_element(t, i, nonfinite(signbit(d) != 0, isnan(d)), err);
            }
            if (d >= F64_FLOAT_LIMIT || d <= -F64_FLOAT_LIMIT) {
                char what[64];
                snprintf(what, sizeof what, "= %.17g is out of float range", d);
                free(f);
                return bad_element(t, i, what, err);
            }
            f[i] = (float)d;
        } else {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            int f16 = t->dtype == ST_F16;
            uint16_t expmask = f16 ? 0x7c00u : 0x7f80u;
            if ((h & expmask) == expmask) {
                free(f);
                return bad_element(t, i, nonfinite(h >> 15, (h & ~(0x8000u | expmask)) != 0), err);
            }
            f[i] = f16 ? f16_to_float(h) : bf16_to_float(h);
        }
    }
    *out = f;
    *owned = 1;
    return 0;
}
