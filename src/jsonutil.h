/* jsonutil.h — checks on parsed JSON (cJSON) that cJSON does not make.
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

/* Reads and parses a whole JSON file: a malloc'd tree (cJSON_Delete()), or
 * NULL with err filled: "PATH: ..." for I/O errors (ATTN_EXIT_INPUT when the
 * file is missing or unreadable), "PATH:LINE:COL: not valid JSON",
 * "PATH: not valid JSON (contains a NUL byte)", "PATH: duplicate key
 * \"a.b\"" (ATTN_EXIT_INPUT). */
cJSON *json_load(const char *path, attn_error *err);

/* Line and column (1-based) of byte offset off in text, for messages. */
void json_line_col(const char *text, size_t off, int *line, int *col);

/* Returns 1 if some object under node (node included, depth first, members
 * in file order) has two members with the same name, writing the path of
 * the second one to path[cap] ("config.causal", "tensors.x[3].shape";
 * truncated to fit); 0 if there is none; -1 when memory runs out. */
int json_duplicate_key(const cJSON *node, char *path, size_t cap);

#endif
