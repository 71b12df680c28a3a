/* fuzz_safetensors.c — one .safetensors file (attnviz -m FILE.safetensors).
 *
 * The input is the file. st_open() validates it; every tensor of a file
 * that opens is then read as the loader reads it (st_to_float() for the
 * floating-point dtypes, st_check_finite() for the 16-bit ones), and the
 * invariants of safetensors.h are checked: data inside the file, byte
 * counts that match shape × dtype size.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "model/safetensors.h"

static size_t dtype_size(st_dtype t)
{
    switch (t) {
    case ST_BOOL: case ST_U8: case ST_I8: case ST_F8_E4M3: case ST_F8_E5M2: return 1;
    case ST_I16: case ST_U16: case ST_F16: case ST_BF16: return 2;
    case ST_I32: case ST_U32: case ST_F32: return 4;
    default: return 8;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4400];
    attn_error err = {0};
    fuzz_setup();
    fuzz_begin();
    fuzz_write("model.safetensors", data, size, path, sizeof path);
    st_set *s = st_open(path, &err);
    if (!s) {
        fuzz_check_error(&err);
        return 0;
    }
    for (int i = 0; i < st_count(s); i++) {
        const st_tensor *t = st_at(s, i);
        fuzz_assert(st_find(s, t->name) == t, "tensor %d is not found by its name", i);
        size_t n = 1;
        for (int d = 0; d < t->ndim; d++) n *= (size_t)t->shape[d];
        fuzz_assert(n * dtype_size(t->dtype) == t->nbytes, "tensor %d: %zu bytes for %zu elements", i, t->nbytes,
                    n);
        const float *f = NULL;
        int owned = 0;
        if (st_to_float(t, &f, &owned, &err) == 0) {
            volatile float sink = 0.0f;
            for (size_t k = 0; k < n; k++) sink += f[k] * 0.0f; /* every element is readable */
            (void)sink;
            if (owned) free((void *)f);
        } else {
            fuzz_check_error(&err);
        }
        if (st_check_finite(t, &err) != 0) fuzz_check_error(&err);
    }
    st_close(s);
    return 0;
}
