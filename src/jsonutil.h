/* jsonutil.h — parsing JSON files (cJSON) with the checks cJSON does not
 * make, and messages a person can act on.
 *
 * cJSON keeps every member of an object, so {"a": 1, "a": 2} parses, and
 * look-ups see the first. json_duplicate_key() finds such a key anywhere
 * in a tree, so loaders can refuse the file instead of silently picking one.
 * json_parse_file_text() is the whole parse every loader of a JSON file
 * uses: it also rejects NUL bytes and invalid UTF-8 (RFC 8259 JSON is
 * UTF-8, and strings such as tokenizer.vocab go to the screen), and tells a
 * file nested deeper than cJSON's limit from one that is not JSON.
 *
 * Nothing allocates except a temporary sort index for objects with many
 * members (and the tree json_parse_file_text() returns); nothing prints.
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

/* Parses text[0..len) (with text[len] == '\0') as one JSON value. Returns
 * the tree (the caller frees it with cJSON_Delete(), or with the allocator
 * it installed through cJSON_InitHooks()) or NULL with err filled, always
 * ATTN_EXIT_INPUT except for memory, and naming what (the file) and, where
 * there is one, the line and column:
 *   "what: empty file", "what: not valid JSON (NUL byte at byte 12)",
 *   "what:3:7: invalid UTF-8", "what:1:1001: nested too deeply (more than
 *   1000 levels)", "what:9:1: not valid JSON (unexpected end of file)",
 *   "what:2:5: not valid JSON", "what: duplicate key \"config.causal\"". */
cJSON *json_parse_file_text(const char *what, const char *text, size_t len, attn_error *err);

#endif
