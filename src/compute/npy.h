/* npy.h — NumPy .npy arrays, read strictly (format versions 1.0, 2.0, 3.0).
 *
 * The file is "\x93NUMPY", a major and minor version byte (1.0, 2.0 or
 * 3.0), the header's length (2 bytes little-endian for 1.0, 4 for 2.0 and
 * 3.0), then the header: a Python dict literal as numpy.lib.format writes
 * it, {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4, 4), },
 * with exactly those three keys (in any order, each once), padded with
 * spaces and ended by '\n' (ASCII for 1.0 and 2.0, UTF-8 for 3.0). Then the
 * data: exactly the product of the shape times the item size in bytes, no
 * fewer (truncated) and no more (trailing bytes).
 *
 * descr: a float, little- or big-endian ('<f2', '<f4', '<f8', '>f2',
 * '>f4', '>f8'; '=' is this machine's order, little-endian). Every value
 * must be finite and, from float64, within float32's range; they are
 * converted to float32, in C order (a Fortran-order array is transposed).
 * shape: 1 to NPY_MAX_DIMS sizes, each at least 1.
 *
 * Ownership: out->data (malloc'd) is the caller's (npy_free()). Returns 0,
 * or -1 with err filled: ATTN_EXIT_INPUT with a message naming `what` and
 * the problem ("x.npy: dtype '<i8': not a float array (f2, f4 or f8)",
 * "x.npy: NaN at [1, 0, 3, 2]", "x.npy: truncated: 48 bytes of data,
 * 64 expected"), ATTN_EXIT_RUNTIME when memory runs out.
 */
#ifndef ATTN_NPY_H
#define ATTN_NPY_H

#include <stddef.h>

#include "base/error.h"

#define NPY_MAX_DIMS 32

typedef struct {
    int ndim;
    long long shape[NPY_MAX_DIMS];
    float *data;      /* [shape[0]] … [shape[ndim-1]], C order */
} npy_array;

int npy_parse(const char *what, const unsigned char *bytes, size_t len, npy_array *out, attn_error *err);
void npy_free(npy_array *a);

#endif
