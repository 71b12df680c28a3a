/* jsonutil.c — see jsonutil.h. */
#include "base/jsonutil.h"

#include "base/io.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The first member of object obj (in file order) whose name an earlier
 * member has, or NULL (*oom set when the table could not be allocated).
 * Small objects are compared pairwise; large ones through a hash table of
 * the names seen so far. */
static const cJSON *object_duplicate(const cJSON *obj, int *oom)
{
    size_t n = 0;
    for (const cJSON *c = obj->child; c; c = c->next) n++;
    if (n <= 16) {
        for (const cJSON *c = obj->child; c; c = c->next)
            for (const cJSON *e = obj->child; e != c; e = e->next)
                if (strcmp(e->string, c->string) == 0) return c;
        return NULL;
    }
    size_t cap = 64;
    while (cap < 2 * n) cap *= 2;
    const cJSON **slot = calloc(cap, sizeof *slot); /* [cap] members seen, by name hash */
    if (!slot) {
        *oom = 1;
        return NULL;
    }
    const cJSON *dup = NULL;
    for (const cJSON *c = obj->child; c && !dup; c = c->next) {
        size_t i = name_hash(c->string) & (cap - 1);
        while (slot[i] && strcmp(slot[i]->string, c->string) != 0) i = (i + 1) & (cap - 1);
        if (slot[i]) dup = c;
        else slot[i] = c;
    }
    free(slot);
    return dup;
}

/* Appends ".name" or "[i]" to path[len..cap); returns the new length. */
static size_t path_push(char *path, size_t len, size_t cap, const cJSON *parent, const cJSON *child,
                        int index)
{
    if (len >= cap) return len;
    int w = cJSON_IsObject(parent) ? snprintf(path + len, cap - len, "%s%s", len ? "." : "", child->string)
                                   : snprintf(path + len, cap - len, "[%d]", index);
    size_t nl = len + (w > 0 ? (size_t)w : 0);
    return nl < cap ? nl : cap - 1;
}

/* Searches node's tree; returns 1 with *dup the repeated member and
 * path[0..depth) the chain of (parent, child) from node down to its object,
 * 0 when there is none, -1 when memory runs out. */
typedef struct {
    const cJSON *parent, *child;
    int index;
} step;

static int walk(const cJSON *node, step *chain, int depth, int max, const cJSON **dup)
{
    if (cJSON_IsObject(node)) {
        int oom = 0;
        *dup = object_duplicate(node, &oom);
        if (oom) return -1;
        if (*dup) {
            if (depth < max) chain[depth] = (step){node, *dup, 0};
            return 1;
        }
    }
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node)) return 0;
    int i = 0;
    for (const cJSON *c = node->child; c; c = c->next, i++) {
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c)) continue;
        if (depth < max) chain[depth] = (step){node, c, i};
        int rc = walk(c, chain, depth + 1, max, dup);
        if (rc) return rc;
    }
    return 0;
}

int json_duplicate_key(const cJSON *node, char *path, size_t cap)
{
    if (!path || cap == 0) return -1;
    path[0] = '\0';
    enum { MAX = 1100 }; /* deeper than cJSON nests */
    step *chain = malloc(MAX * sizeof *chain); /* [MAX] the way down, built only when needed */
    const cJSON *dup = NULL;
    if (!chain) return -1;
    int rc = walk(node, chain, 0, MAX, &dup);
    if (rc == 1) {
        size_t len = 0;
        for (int d = 0; d < MAX; d++) {
            len = path_push(path, len, cap, chain[d].parent, chain[d].child, chain[d].index);
            if (chain[d].child == dup) break;
        }
    }
    free(chain);
    return rc;
}

/* ---- whole-file parsing into an arena ---- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[]; /* cap bytes */
} arena_block;

struct json_doc {
    arena_block *blocks;
};

#define ARENA_BLOCK_MAX ((size_t)1 << 20)

static arena_block *parse_arena; /* the arena of the parse in progress */
static int parse_oom;
/* The next block's size: the first from the text's length (4 bytes of
 * nodes a byte of text covers most files), then doubling up to
 * ARENA_BLOCK_MAX, so that a small file does not take (and a sanitizer
 * build does not map and poison) a megabyte. */
static size_t parse_block;

static void *arena_alloc(size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!parse_arena || parse_arena->cap - parse_arena->used < n) {
        size_t cap = n > parse_block ? n : parse_block;
        parse_block = parse_block < ARENA_BLOCK_MAX / 2 ? 2 * parse_block : ARENA_BLOCK_MAX;
        arena_block *b = malloc(sizeof *b + cap);
        if (!b) {
            parse_oom = 1;
            return NULL;
        }
        b->next = parse_arena;
        b->used = 0;
        b->cap = cap;
        parse_arena = b;
    }
    void *p = (char *)parse_arena->data + parse_arena->used;
    parse_arena->used += n;
    return p;
}

static void arena_free_one(void *p) { (void)p; } /* freed with the arena */

void json_doc_free(json_doc *doc)
{
    if (!doc) return;
    while (doc->blocks) {
        arena_block *next = doc->blocks->next;
        free(doc->blocks);
        doc->blocks = next;
    }
    free(doc);
}

void json_line_col(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Depth of open arrays and objects at byte off of text (strings skipped). */
static long depth_at(const char *text, size_t off)
{
    long depth = 0;
    int in_string = 0;
    for (size_t i = 0; i < off && text[i]; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\' && i + 1 < off) i++;
            else if (c == '"') in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return depth;
}

cJSON *json_parse_doc(const char *path, const char *text, size_t len, json_doc **doc,
                      attn_error *err)
{
    int line, col;
    size_t bad;
    *doc = NULL;
    if (strspn(text, " \t\r\n") == len) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: empty file", path);
        return NULL;
    }
    if (strlen(text) != len) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: not valid JSON (NUL byte at byte %zu)", path, strlen(text));
        return NULL;
    }
    if (utf8_validate(text, len, &bad) != 0) {
        json_line_col(text, bad, &line, &col);
        attn_fail(err, ATTN_EXIT_INPUT, "%s:%d:%d: invalid UTF-8 (byte 0x%02X)", path, line, col,
                  (unsigned char)text[bad]);
        return NULL;
    }
    json_doc *d = calloc(1, sizeof *d);
    if (!d) {
        attn_oom(err, path);
        return NULL;
    }
    cJSON_Hooks hooks = {arena_alloc, arena_free_one};
    const char *end = NULL;
    parse_arena = NULL;
    parse_oom = 0;
    parse_block = len < ARENA_BLOCK_MAX / 4 ? 4 * len + 1024 : ARENA_BLOCK_MAX;
    cJSON_InitHooks(&hooks);
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1); /* + 1: the NUL */
    cJSON_InitHooks(NULL);
    d->blocks = parse_arena;
    parse_arena = NULL;
    if (!root) {
        json_doc_free(d);
        if (parse_oom) {
            attn_oom(err, path);
            return NULL;
        }
        size_t off = end && end >= text ? (size_t)(end - text) : 0;
        const char *e = cJSON_GetErrorPtr();
        if (e && e >= text && e <= text + len) off = (size_t)(e - text);
        json_line_col(text, off, &line, &col);
        if (depth_at(text, off) >= CJSON_NESTING_LIMIT)
            attn_fail(err, ATTN_EXIT_INPUT, "%s:%d:%d: nested too deeply (more than %d levels)", path, line,
                      col, CJSON_NESTING_LIMIT);
        else
            attn_fail(err, ATTN_EXIT_INPUT, "%s:%d:%d: not valid JSON%s", path, line, col,
                      off + strspn(text + off, " \t\r\n") >= len ? " (unexpected end of file)" : "");
        return NULL;
    }
    char where[256];
    int dup = json_duplicate_key(root, where, sizeof where);
    if (dup != 0) {
        if (dup < 0) attn_oom(err, path);
        else attn_fail(err, ATTN_EXIT_INPUT, "%s: duplicate key \"%s\"", path, where);
        json_doc_free(d);
        return NULL;
    }
    *doc = d;
    return root;
}

cJSON *json_load(const char *path, json_doc **doc, attn_error *err)
{
    size_t len = 0;
    *doc = NULL;
    char *text = io_read_file(path, &len, err);
    if (!text) return NULL;
    cJSON *root = json_parse_doc(path, text, len, doc, err);
    free(text);
    return root;
}
