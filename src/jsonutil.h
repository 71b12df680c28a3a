/* jsonutil.h — parsing whole JSON files with cJSON, and checks on parsed
 * JSON that cJSON does not make.
 *
 * cJSON keeps every member of an object, so {"a": 1, "a": 2} parses, and
 * look-ups see the first. json_duplicate_key() finds such a key anywhere
 * in a tree, so loaders can refuse the file instead of silently picking one.
 *
 * json_load() reads, parses and checks a whole file. Nothing prints.
 */
#ifndef ATTN_JSONUTIL_H
#define ATTN_JSONUTIL_H

#include <stddef.h>

#include <cJSON.h>

#include "error.h"

/* Returns 1 if some object under node (node included, depth first, members
 * in file order) has two members with the same name, writing the path of
 * the second one to path[cap] ("config.causal", "tensors.x[3].shape";
 * truncated to fit); 0 if there is none; -1 when memory runs out. */
int json_duplicate_key(const cJSON *node, char *path, size_t cap);

/* A parsed file whose nodes all live in one arena: bump allocation and one
 * free at the end are several times faster than malloc/free per node for
 * files of many thousand values (a tokenizer's vocabulary, a weight file).
 * cJSON's allocator is global, so it points at the arena only during
 * json_parse_doc(); not for concurrent use from several threads. */
typedef struct json_doc json_doc;

/* Parses text[0..len) (text[len] must be '\0', as io_read_file() leaves
 * it); path names the file in messages: "PATH: empty file",
 * "PATH: not valid JSON (contains a NUL byte)", "PATH:LINE:COL: not valid
 * JSON" (with " (unexpected end of file)" when it stops early). Returns the
 * root, owned by *doc (never cJSON_Delete it), or NULL with err filled
 * (ATTN_EXIT_INPUT, or ATTN_EXIT_RUNTIME when memory runs out). */
cJSON *json_parse_doc(const char *path, const char *text, size_t len, json_doc **doc,
                      attn_error *err);
void json_doc_free(json_doc *doc);

/* Reads a whole JSON file (io_read_file), parses it as json_parse_doc()
 * does and refuses duplicate keys ("PATH: duplicate key \"a.b\""): the
 * root, owned by *doc, or NULL with err filled. For small files whose every
 * key matters (config.json, tokenizer_config.json). */
cJSON *json_load(const char *path, json_doc **doc, attn_error *err);

/* Line and column (1-based) of byte offset off in text, for messages. */
void json_line_col(const char *text, size_t off, int *line, int *col);

#endif
