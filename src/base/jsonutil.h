/* jsonutil.h — parsing JSON files (cJSON) with the checks cJSON does not
 * make, and messages a person can act on.
 *
 * cJSON keeps every member of an object, so {"a": 1, "a": 2} parses, and
 * look-ups see the first. json_duplicate_key() finds such a key anywhere
 * in a tree, so loaders can refuse the file instead of silently picking one.
 *
 * json_parse_doc() is the whole parse every loader of a JSON file uses: it
 * also rejects NUL bytes and invalid UTF-8 (RFC 8259 JSON is UTF-8, and
 * strings such as tokenizer.vocab go to the screen), duplicate keys, and
 * tells a file nested deeper than cJSON's limit from one that is not JSON.
 * json_load() reads a file and parses it so. Nothing prints.
 */
#ifndef ATTN_JSONUTIL_H
#define ATTN_JSONUTIL_H

#include <stddef.h>

#include <cJSON.h>

#include "base/error.h"

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
 * it) as one JSON value. Returns the root, owned by *doc (never
 * cJSON_Delete it), or NULL with err filled, ATTN_EXIT_INPUT except for
 * memory, naming path and, where there is one, the line and column:
 *   "path: empty file", "path: not valid JSON (NUL byte at byte 12)",
 *   "path:3:7: invalid UTF-8 (byte 0xFF)", "path:1:1001: nested too deeply
 *   (more than 1000 levels)", "path:9:1: not valid JSON (unexpected end of
 *   file)", "path:2:5: not valid JSON", "path: duplicate key \"a.b\"". */
cJSON *json_parse_doc(const char *path, const char *text, size_t len, json_doc **doc,
                      attn_error *err);
void json_doc_free(json_doc *doc);

/* Reads a whole JSON file (io_read_file) and parses it with
 * json_parse_doc(). */
cJSON *json_load(const char *path, json_doc **doc, attn_error *err);

/* Line and column (1-based) of byte offset off in text, for messages. */
void json_line_col(const char *text, size_t off, int *line, int *col);

#endif
