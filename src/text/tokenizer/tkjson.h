/* tkjson.h — reading the members of a tokenizer.json, for every stage's
 * reader: typed look-ups with defaults, and messages that name the file and
 * the JSON path ("tokenizer.json: pre_tokenizer.pretokenizers[1].behavior:
 * ...").
 *
 * A null member counts as absent (serde's Option). Every function returns 0,
 * or -1 with err filled (ATTN_EXIT_INPUT, or ATTN_EXIT_RUNTIME for memory).
 * Strings returned point into the cJSON tree.
 */
#ifndef ATTN_TKJSON_H
#define ATTN_TKJSON_H

#include <stddef.h>

#include <cJSON.h>

#include "base/error.h"
#include "text/tokenizer/regex.h"

typedef struct {
    const char *file;  /* named in messages */
    attn_error *err;
    const char *text;  /* the file's text (NULL when not at hand), for tkj_raw */
    size_t len;
} tkj;

/* "FILE: PATH: message"; returns -1. */
int tkj_fail(const tkj *j, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* "FILE: PATH.type "T" is not supported (SUPPORTED)"; returns -1. */
int tkj_unsupported(const tkj *j, const char *path, const char *type, const char *supported);
/* s quoted for a message (one of four rotating buffers). */
const char *tkj_q(const char *s);
/* dst = "BASE.KEY" (or "BASE[I]" when key is NULL). */
void tkj_at(char *dst, size_t cap, const char *base, const char *key, int i);

int tkj_bool(const tkj *j, const cJSON *obj, const char *key, const char *path, int def, int *out);
int tkj_str(const tkj *j, const cJSON *obj, const char *key, const char *path, const char *def, const char **out);
/* An integer in [lo, hi]. */
int tkj_int(const tkj *j, const cJSON *obj, const char *key, const char *path, long lo, long hi, long def,
            long *out);
/* obj's "type" ("" when obj is absent or null); an object is required. */
int tkj_type(const tkj *j, const cJSON *obj, const char *path, const char **type);
/* The "type" of a stage node as an index into names[0..n) in *kind, or
 * TKJ_NONE (absent or null), or TKJ_SEQUENCE; any other type is an error
 * listing supported. */
enum { TKJ_NONE = -1, TKJ_SEQUENCE = -2 };
int tkj_kind(const tkj *j, const cJSON *node, const char *path, const char *const *names, int n, const char *supported,
             int *kind);
/* An array member (absent: NULL with 0; anything else is an error). */
int tkj_array(const tkj *j, const cJSON *obj, const char *key, const char *path, const cJSON **out);
/* Calls fn for each element of node[key] (an array; absent: none) with its
 * JSON path "PATH.KEY[i]" and depth + 1: the list of a Sequence. A null
 * element, or Sequences nested more than 32 deep, is an error. */
typedef int (*tkj_each_fn)(void *ctx, const tkj *j, const cJSON *item, const char *path, int depth);
int tkj_each(const tkj *j, const cJSON *node, const char *key, const char *path, int depth, tkj_each_fn fn,
             void *ctx);
/* obj[key] as a pattern: {"String": s} or {"Regex": r} (compiled). */
int tkj_pattern(const tkj *j, const cJSON *obj, const char *key, const char *path, tk_pattern *out);
/* A string of exactly one character (Metaspace's replacement, CharDelimiterSplit's delimiter);
 * def when the key is absent, and an error when def is NULL (required). */
int tkj_char(const tkj *j, const cJSON *obj, const char *key, const char *path, const char *def, char out[5]);

/* The text of the value at keys[0].keys[1]... of the file's top-level
 * object (j->text) in [*start, *end), or -1 when it is not found: a scan of
 * the raw JSON, for what the parsed tree loses (the digits of numbers). */
int tkj_raw(const tkj *j, const char *const *keys, int n, const char **start, const char **end);

/* A JSON number p[0..n) as Rust's serde_json reads it without its
 * float_roundtrip feature, as tokenizers does: the digits as a 64-bit
 * integer (those past 19 digits dropped), one conversion to double, one
 * multiplication or division by a power of ten. That is not always the
 * nearest double (strtod's): "-9.234709739685059" is -9.23470973968506.
 * Returns 0, or -1 when p is not a number. */
int tkj_serde_f64(const char *p, size_t n, double *out);

/* The text of the value at keys[0].keys[1]... of the file's top-level
 * object (j->text) in [*start, *end), or -1 when it is not found: a scan of
 * the raw JSON, for what the parsed tree loses (the digits of numbers). */
int tkj_raw(const tkj *j, const char *const *keys, int n, const char **start, const char **end);

/* A JSON number p[0..n) as Rust's serde_json reads it without its
 * float_roundtrip feature, as tokenizers does: the digits as a 64-bit
 * integer (those past 19 digits dropped), one conversion to double, one
 * multiplication or division by a power of ten. That is not always the
 * nearest double (strtod's): "-9.234709739685059" is -9.23470973968506.
 * Returns 0, or -1 when p is not a number. */
int tkj_serde_f64(const char *p, size_t n, double *out);

#endif
