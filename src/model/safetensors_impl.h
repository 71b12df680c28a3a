/* safetensors_impl.h — internals shared by safetensors.c (one file) and
 * safetensors_index.c (sharded checkpoints). Not part of the public API.
 *
 * An st_set owns: the mapped files (files[], each path malloc'd and its
 * mapping), the tensors (tensors[], each name malloc'd; tensor.file points
 * at files[k].path) and the name index by_name[] (tensor indices sorted by
 * name, for st_find and for finding a name held by two shards).
 */
#ifndef ATTN_SAFETENSORS_IMPL_H
#define ATTN_SAFETENSORS_IMPL_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "model/safetensors.h"

typedef struct {
    char *path;                 /* as opened (dir/name for shards) */
    const unsigned char *map;   /* [size] bytes, PROT_READ, or NULL when empty */
    size_t size;
} st_file;

struct st_set {
    st_file *files;             /* [n_files] */
    int n_files, cap_files;
    st_tensor *tensors;         /* [n], in header order, files in order */
    int n, cap;
    int *by_name;               /* [n] indices into tensors, sorted by name */
};

/* An integer literal of a header, in file order (see st_parse_json). */
typedef struct {
    uint64_t value;             /* exact, when kind == ST_NUM_OK */
    size_t at, len;             /* its text: json text[at, at + len) */
    int kind;                   /* ST_NUM_OK, _NEGATIVE, _NOT_INTEGER, _TOO_BIG */
} st_num;

enum { ST_NUM_OK, ST_NUM_NEGATIVE, ST_NUM_NOT_INTEGER, ST_NUM_TOO_BIG };

/* A parsed JSON text. root's number nodes carry, in valueint, their index
 * into nums[] (cJSON keeps only a double, which cannot hold every 64-bit
 * offset exactly; nums[] holds the exact value read from the text). */
typedef struct {
    char *text;                 /* NUL-terminated copy of the bytes */
    cJSON *root;
    st_num *nums;               /* [n_nums] */
    size_t n_nums;
} st_json;

st_set *st_set_new(attn_error *err);

/* Maps, validates and appends one .safetensors file to s. On failure s
 * keeps what it has (st_close releases it). */
int st_add_file(st_set *s, const char *path, attn_error *err);

/* Fills s->by_name (after the last st_add_file). */
int st_sort_names(st_set *s, attn_error *err);

/* Opens path as a regular file (O_NONBLOCK, then fstat: a FIFO, device or
 * directory is refused without reading) and maps it read-only. An empty
 * file gives *map = NULL, *size = 0 (the caller words the error). */
int st_map_file(const char *path, const unsigned char **map, size_t *size, attn_error *err);

/* Parses bytes[0..len) of path as JSON: no NUL byte, valid UTF-8, no
 * "\u0000" escape, valid JSON (trailing white space allowed), no duplicate
 * key at any level. what names the bytes in messages ("header"). */
int st_parse_json(const char *path, const char *what, const unsigned char *bytes, size_t len,
                  st_json *j, attn_error *err);
void st_json_free(st_json *j);

/* "a string", "an array", ... for messages. */
const char *st_json_type(const cJSON *v);

/* name made printable for a message (control bytes as '?', cut to fit buf
 * with "..." at a UTF-8 boundary); returns buf. */
#define ST_SHOW 96
const char *st_show(const char *name, char buf[ST_SHOW]);

#endif
