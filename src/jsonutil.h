/* jsonutil.h — checks on parsed JSON (cJSON) that cJSON does not make.
 *
 * cJSON keeps every member of an object, so {"a": 1, "a": 2} parses, and
 * look-ups see the first. json_duplicate_key() finds such a key anywhere
 * in a tree, so loaders can refuse the file instead of silently picking one.
 *
 * Nothing allocates except a temporary sort index for objects with many
 * members; nothing prints.
 */
#ifndef ATTN_JSONUTIL_H
#define ATTN_JSONUTIL_H

#include <stddef.h>

#include <cJSON.h>

/* Returns 1 if some object under node (node included, depth first, members
 * in file order) has two members with the same name, writing the path of
 * the second one to path[cap] ("config.causal", "tensors.x[3].shape";
 * truncated to fit); 0 if there is none; -1 when memory runs out. */
int json_duplicate_key(const cJSON *node, char *path, size_t cap);

#endif
