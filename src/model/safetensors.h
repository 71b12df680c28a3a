/* safetensors.h — reading .safetensors checkpoints (one file or sharded).
 *
 * The format: an 8-byte little-endian header length N, N bytes of UTF-8
 * JSON, then raw little-endian tensor bytes. The JSON maps each tensor name
 * to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
 * the byte after the header); an optional "__metadata__" maps strings to
 * strings. st_open() maps the file read-only (mmap, MAP_PRIVATE) and
 * validates every rule before anything reads a tensor:
 *   - the path is a regular file (a directory, FIFO or device is refused
 *     without blocking), at least 8 bytes long; 0 < N <= 100 MB (10^8
 *     bytes) and N fits in the file;
 *   - the header has no NUL byte, is valid UTF-8 and valid JSON (trailing
 *     spaces allowed), an object, with no duplicate key (at any level) and
 *     no "\u0000" escape;
 *   - each tensor name is non-empty; its entry is an object with exactly the
 *     keys dtype, shape, data_offsets;
 *   - dtype is one of BOOL U8 I8 F8_E4M3 F8_E5M2 I16 U16 F16 BF16 I32 U32
 *     F32 I64 U64 F64; shape a list of at most ST_MAX_DIMS integers;
 *     data_offsets exactly two. Every such number must be written as digits
 *     (no sign, fraction or exponent: -1, 2.5, 4.0, 1e3 are refused) and
 *     fit in 64 bits (a dimension in 63); the shape's product times the
 *     dtype size equals end - begin without overflow;
 *   - begin <= end, and the tensors' byte ranges, sorted, tile the data
 *     area exactly: no gap, no overlap, ending at the end of the file;
 *   - "__metadata__", when present, is an object of string values.
 * Messages name the file and the tensor: "model.safetensors: tensor
 * 'encoder.layer.0.attention.self.query.weight': data_offsets [0, 100] hold
 * 100 bytes, but shape [4, 4] of F32 needs 64".
 *
 * Nothing reads the data area while opening (a 440 MB checkpoint opens in
 * the time of its header parse); st_to_float() reads one tensor.
 * The host must be little-endian like the format (every supported target
 * is; safetensors.c refuses to compile on a big-endian one).
 *
 * A sharded checkpoint is a model.safetensors.index.json ({"metadata": {...},
 * "weight_map": {name: shard file name}}; no other top-level key):
 * st_open_index() opens every distinct shard named there once (relative to
 * the index's directory; plain file names only, no '/', not "." or "..")
 * and checks that each name in weight_map is in the shard it names, that no
 * tensor appears in two shards, and that every tensor of every shard is
 * listed in weight_map. A weight_map name may not be empty or
 * "__metadata__". An error inside a shard names the shard and the index.
 *
 * Order: st_at(i) gives the tensors in header order, file after file
 * (shards in order of first mention in weight_map).
 *
 * Ownership: an st_set owns its mappings and names; st_close() releases them
 * and with them every pointer st_tensor.data handed out. Functions return 0
 * (or non-NULL), or -1 (NULL) with err filled: ATTN_EXIT_INPUT for invalid
 * or missing files, ATTN_EXIT_RUNTIME for I/O errors and memory.
 */
#ifndef ATTN_SAFETENSORS_H
#define ATTN_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define ST_MAX_DIMS 8
#define ST_MAX_HEADER (100u * 1000u * 1000u)

typedef enum {
    ST_BOOL, ST_U8, ST_I8, ST_F8_E4M3, ST_F8_E5M2, ST_I16, ST_U16, ST_F16, ST_BF16,
    ST_I32, ST_U32, ST_F32, ST_I64, ST_U64, ST_F64
} st_dtype;

typedef struct {
    const char *name;          /* owned by the set */
    st_dtype dtype;
    int ndim;                  /* 0 (a scalar) .. ST_MAX_DIMS */
    int64_t shape[ST_MAX_DIMS];
    const void *data;          /* inside the mapping; may be unaligned */
    size_t nbytes;
    const char *file;          /* the file it is in (for messages) */
} st_tensor;

typedef struct st_set st_set;

/* Opens and validates one .safetensors file. */
st_set *st_open(const char *path, attn_error *err);

/* Opens and validates a sharded checkpoint from its index JSON file. */
st_set *st_open_index(const char *index_path, attn_error *err);

int st_count(const st_set *s);
const st_tensor *st_at(const st_set *s, int i);
/* The tensor of that name, or NULL. */
const st_tensor *st_find(const st_set *s, const char *name);

const char *st_dtype_name(st_dtype t);

/* Converts a floating-point tensor (F32, F16, BF16; also F64) to float32:
 * for an F32 tensor whose data is 4-byte aligned, *out points into the
 * mapping (no copy) and *owned = 0; otherwise *out is a new malloc'd array
 * (caller frees: free((void *)*out)) and *owned = 1. F16 (subnormals
 * included) and BF16 convert exactly; F64 rounds to nearest. Fails (naming
 * the file and tensor) for other dtypes, and for values that are not
 * finite: NaN or ±inf in the file, or F64 values out of float range
 * ("... element 17 is NaN", counted row-major from 0). Every element is
 * read, so this is the one call that touches a tensor's pages. */
int st_to_float(const st_tensor *t, const float **out, int *owned, attn_error *err);

/* As st_to_float(), except that F32 data handed out in place (*owned = 0)
 * is not read at all: its pages are not touched until the values are used.
 * The caller checks it with st_check_finite() when it must (model.h:
 * model_check_weights). */
int st_to_float_unchecked(const st_tensor *t, const float **out, int *owned, attn_error *err);

/* For an F32, F16 or BF16 tensor, fails as st_to_float() does if an
 * element is inf or NaN, without converting anything (the caller reads the
 * data in place, half.h); 0 for other dtypes. */
int st_check_finite(const st_tensor *t, attn_error *err);

/* The elements of an F32, F16 or BF16 tensor (0 for other dtypes), and the
 * first of elements [start, start + n) that is inf or NaN, or start + n
 * when all are finite (other dtypes: start + n). st_check_finite() is the
 * whole tensor's scan; a caller may split the scan into ranges (threads). */
size_t st_float_elements(const st_tensor *t);
size_t st_scan_finite(const st_tensor *t, size_t start, size_t n);

void st_close(st_set *s);

#endif
