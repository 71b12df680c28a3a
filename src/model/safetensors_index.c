/* safetensors_index.c — a sharded checkpoint: model.safetensors.index.json
 * ({"metadata": {...}, "weight_map": {tensor name: shard file name}}).
 *
 * Every distinct shard is opened once (file names only, relative to the
 * index's directory) and validated like a single file; then the index and
 * the shards must agree exactly: each weight_map entry is in the shard it
 * names, no tensor is in two shards, and every tensor of every shard is in
 * weight_map.
 */
#include "model/safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "model/safetensors_impl.h"

/* A shard name must be a plain file name in the index's directory. */
static int check_shard_name(const char *index, const char *tensor, const char *shard, attn_error *err)
{
    char s1[ST_SHOW], s2[ST_SHOW];
    if (!shard[0] || strchr(shard, '/') || strcmp(shard, ".") == 0 || strcmp(shard, "..") == 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: weight_map: tensor '%s': shard name \"%s\" must be a "
                         "plain file name (no '/', not '.' or '..')", index, st_show(tensor, s1),
                         st_show(shard, s2));
    return 0;
}

/* Checks the index's structure; returns weight_map. */
static const cJSON *check_index(const char *path, const cJSON *root, attn_error *err)
{
    char s1[ST_SHOW];
    if (!cJSON_IsObject(root)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: the index is %s, not a JSON object {\"metadata\": {...}, "
                  "\"weight_map\": {...}}", path, st_json_type(root));
        return NULL;
    }
    for (const cJSON *c = root->child; c; c = c->next)
        if (strcmp(c->string, "metadata") != 0 && strcmp(c->string, "weight_map") != 0) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: unknown key \"%s\" in the index (allowed: metadata, "
                      "weight_map)", path, st_show(c->string, s1));
            return NULL;
        }
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    if (meta && !cJSON_IsObject(meta)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: metadata must be an object, got %s", path, st_json_type(meta));
        return NULL;
    }
    const cJSON *wm = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    if (!wm || !cJSON_IsObject(wm)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", path,
                  wm ? "weight_map must be an object {tensor name: shard file}" : "no \"weight_map\"");
        return NULL;
    }
    if (!wm->child) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: weight_map is empty (it names no shard)", path);
        return NULL;
    }
    for (const cJSON *c = wm->child; c; c = c->next) {
        if (!c->string[0] || strcmp(c->string, "__metadata__") == 0) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: weight_map: \"%s\" is not a tensor name%s", path,
                      c->string, c->string[0] ? " (it is reserved for file metadata)" : " (empty tensor name)");
            return NULL;
        }
        if (!cJSON_IsString(c)) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: weight_map: tensor '%s': the shard must be a string "
                      "(a file name), got %s", path, st_show(c->string, s1), st_json_type(c));
            return NULL;
        }
        if (check_shard_name(path, c->string, c->valuestring, err)) return NULL;
    }
    return wm;
}

/* The distinct shard names of weight_map, in order of first appearance. */
static const char **distinct_shards(const cJSON *wm, int *n)
{
    int cap = cJSON_GetArraySize(wm);
    const char **sh = malloc((size_t)cap * sizeof *sh);   /* [at most cap] */
    *n = 0;
    if (!sh) return NULL;
    for (const cJSON *c = wm->child; c; c = c->next) {
        int k = 0;
        while (k < *n && strcmp(sh[k], c->valuestring) != 0) k++;
        if (k == *n) sh[(*n)++] = c->valuestring;
    }
    return sh;
}

/* Opens every shard; the index and the shards must agree. */
static int load_shards(st_set *s, const char *path, const cJSON *wm, attn_error *err)
{
    int n_shards;
    const char **shards = distinct_shards(wm, &n_shards);
    if (!shards) return attn_oom(err, path);
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    int rc = 0;
    for (int k = 0; k < n_shards && rc == 0; k++) {
        size_t len = dirlen + strlen(shards[k]) + 1;
        char *sp = malloc(len);
        if (!sp) {
            rc = attn_oom(err, path);
            break;
        }
        snprintf(sp, len, "%.*s%s", (int)dirlen, path, shards[k]);
        if (st_add_file(s, sp, err)) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            rc = attn_fail(err, err->code, "%s (a shard named in %s)", msg, path);
        }
        free(sp);
    }
    free(shards);
    return rc;
}

static int check_agreement(const st_set *s, const char *path, const cJSON *wm, attn_error *err)
{
    char s1[ST_SHOW], s2[ST_SHOW];
    /* a name in two shards: neighbours in the sorted name index */
    for (int k = 1; k < s->n; k++) {
        const st_tensor *a = &s->tensors[s->by_name[k - 1]], *b = &s->tensors[s->by_name[k]];
        if (strcmp(a->name, b->name) == 0)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' is in two shards: %s and %s", path,
                             st_show(a->name, s1), a->file, b->file);
    }
    char *listed = calloc((size_t)s->n + 1, 1);   /* [n] 1 when weight_map names it */
    if (!listed) return attn_oom(err, path);
    int k = 0, rc = 0;
    const char *dirend = strrchr(path, '/');
    size_t dirlen = dirend ? (size_t)(dirend - path) + 1 : 0;
    for (const cJSON *c = wm->child; c && rc == 0; c = c->next) {
        const st_tensor *t = st_find(s, c->string);
        if (!t) {
            rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: weight_map puts tensor '%s' in %s, but that shard "
                           "does not hold it", path, st_show(c->string, s1), c->valuestring);
        } else if (strcmp(t->file + dirlen, c->valuestring) != 0) {
            rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: weight_map puts tensor '%s' in %s, but it is in %s",
                           path, st_show(c->string, s1), c->valuestring, t->file + dirlen);
        } else {
            listed[t - s->tensors] = 1;
        }
    }
    for (k = 0; k < s->n && rc == 0; k++)
        if (!listed[k])
            rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: shard %s holds tensor '%s', which weight_map does "
                           "not list (the index must name every tensor)", path, s->tensors[k].file,
                           st_show(s->tensors[k].name, s2));
    free(listed);
    return rc;
}

st_set *st_open_index(const char *index_path, attn_error *err)
{
    const unsigned char *map;
    size_t size;
    if (st_map_file(index_path, &map, &size, err)) return NULL;
    st_json j;
    st_set *s = NULL;
    int ok = 0;
    if (size == 0) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: empty file (a shard index is a JSON object)", index_path);
        memset(&j, 0, sizeof j);
    } else if (st_parse_json(index_path, "the index", map, size, &j, err) == 0) {
        const cJSON *wm = check_index(index_path, j.root, err);
        s = wm ? st_set_new(err) : NULL;
        ok = s && load_shards(s, index_path, wm, err) == 0 && st_sort_names(s, err) == 0 &&
             check_agreement(s, index_path, wm, err) == 0;
    }
    st_json_free(&j);
    if (map) munmap((void *)map, size);
    if (!ok) {
        st_close(s);
        return NULL;
    }
    return s;
}
