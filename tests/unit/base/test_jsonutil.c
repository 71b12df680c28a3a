/* Unit tests: json_duplicate_key() finds repeated names at any depth and
 * reports the path of the second occurrence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonutil.h"
#include "test.h"

/* Parses text and returns json_duplicate_key's result; path in path[]. */
static int dup(const char *text, char *path, size_t cap)
{
    cJSON *j = cJSON_Parse(text);
    if (!j) return -2;
    int rc = json_duplicate_key(j, path, cap);
    cJSON_Delete(j);
    return rc;
}

/* json_parse_doc on text[0..len) (text[len] must be NUL): 1 when it
 * parses, 0 when it fails with exactly the message want, -1 otherwise. */
static int parse(const char *text, size_t len, const char *want)
{
    attn_error err = {0};
    json_doc *doc = NULL;
    cJSON *j = json_parse_doc("f.json", text, len, &doc, &err);
    if (j) {
        json_doc_free(doc);
        return 1;
    }
    if (err.code == ATTN_EXIT_INPUT && strcmp(err.msg, want) == 0) return 0;
    printf("# got \"%s\", want \"%s\"\n", err.msg, want);
    return -1;
}

int main(void)
{
    char p[128];
    CHECK("none", dup("{\"a\":1,\"b\":{\"a\":2},\"c\":[{\"a\":1,\"b\":2}]}", p, sizeof p) == 0);
    CHECK("top-level", dup("{\"a\":1,\"b\":2,\"a\":3}", p, sizeof p) == 1);
    CHECK_STR("top-level-path", p, "a");
    CHECK("nested", dup("{\"config\":{\"causal\":false,\"causal\":true}}", p, sizeof p) == 1);
    CHECK_STR("nested-path", p, "config.causal");
    CHECK("in-array", dup("{\"t\":{\"x\":[1,{\"s\":1,\"s\":2}]}}", p, sizeof p) == 1);
    CHECK_STR("in-array-path", p, "t.x[1].s");
    CHECK("top-array", dup("[{},{\"k\":[],\"k\":{}}]", p, sizeof p) == 1);
    CHECK_STR("top-array-path", p, "[1].k");
    CHECK("scalar", dup("3", p, sizeof p) == 0);

    /* a large object (sorted path): 200 distinct names, then a repeat of
     * name 7 and later of name 3; the earlier repeat in file order wins */
    char *big = malloc(8192), *q = big;
    q += sprintf(q, "{");
    for (int i = 0; i < 200; i++) q += sprintf(q, "\"n%d\":%d,", i, i);
    q += sprintf(q, "\"n7\":0,\"n3\":0}");
    CHECK("large-object", dup(big, p, sizeof p) == 1);
    CHECK_STR("large-object-first-repeat", p, "n7");
    big[strlen(big) - 16] = '}'; /* cut before the repeats: "...,\"n199\":199}" */
    big[strlen(big) - 15] = '\0';
    CHECK("large-object-clean", dup(big, p, sizeof p) == 0);
    free(big);

    /* a path longer than the buffer is cut, still NUL-terminated */
    CHECK("short-buffer", dup("{\"abcdefghij\":{\"x\":1,\"x\":2}}", p, 6) == 1);
    CHECK("short-buffer-terminated", strlen(p) == 5);

    /* json_parse_doc: the message for each kind of bad file */
    CHECK("parse-ok", parse("{\"a\": [1, 2]}", sizeof "{\"a\": [1, 2]}" - 1, "") == 1);
    CHECK("parse-empty", parse(" \n", 2, "f.json: empty file") == 0);
    CHECK("parse-nul", parse("{\"a\":\0 1}", 9, "f.json: not valid JSON (NUL byte at byte 5)") == 0);
    CHECK("parse-utf8", parse("{\"a\":\n \"\xff\"}", 11, "f.json:2:3: invalid UTF-8 (byte 0xFF)") == 0);
    CHECK("parse-overlong", parse("[\"\xC0\x80\"]", 6, "f.json:1:3: invalid UTF-8 (byte 0xC0)") == 0);
    CHECK("parse-dup", parse("{\"c\": {\"x\": 1, \"x\": 2}}", 23, "f.json: duplicate key \"c.x\"") == 0);
    CHECK("parse-syntax", parse("{\"a\" 1}", 7, "f.json:1:6: not valid JSON") == 0);
    CHECK("parse-eof", parse("{\"a\": [1,", 9, "f.json:1:10: not valid JSON (unexpected end of file)") == 0);
    /* nesting: exactly the limit parses, one more is "nested too deeply"
     * (brackets inside strings do not count) */
    char *deep = malloc(8 * CJSON_NESTING_LIMIT + 64); /* [{"k": ... 1 }...] */
    size_t n = 0;
    n += (size_t)sprintf(deep + n, "[\"[[[\",");
    for (int i = 1; i < CJSON_NESTING_LIMIT; i++) deep[n++] = '[';
    for (int i = 0; i < CJSON_NESTING_LIMIT; i++) deep[n++] = ']';
    deep[n] = '\0';
    CHECK("parse-depth-at-limit", parse(deep, n, "") == 1);
    n = 0;
    for (int i = 0; i <= CJSON_NESTING_LIMIT; i++) deep[n++] = '{', n += (size_t)sprintf(deep + n, "\"k\":");
    deep[n++] = '1';
    for (int i = 0; i <= CJSON_NESTING_LIMIT; i++) deep[n++] = '}';
    deep[n] = '\0';
    char want[96];
    snprintf(want, sizeof want, "f.json:1:%d: nested too deeply (more than %d levels)",
             5 * CJSON_NESTING_LIMIT + 1, CJSON_NESTING_LIMIT);
    CHECK("parse-too-deep", parse(deep, n, want) == 0);
    free(deep);

    /* the arena: its first block is sized from the text (4 bytes a byte),
     * later ones double; a dense array needs about 32 bytes of nodes a
     * byte (many blocks), a long string one allocation past the block */
    enum { N_DENSE = 200000, N_STR = 300000 };
    char *dense = malloc(2 * N_DENSE + 2);
    n = 0;
    dense[n++] = '[';
    for (int i = 0; i < N_DENSE; i++) dense[n++] = (char)('0' + i % 10), dense[n++] = ',';
    dense[n - 1] = ']';
    dense[n] = '\0';
    attn_error err = {0};
    json_doc *doc = NULL;
    cJSON *j = json_parse_doc("f.json", dense, n, &doc, &err);
    CHECK("parse-dense-array", j && cJSON_GetArraySize(j) == N_DENSE);
    CHECK("parse-dense-array-last", j && cJSON_GetArrayItem(j, N_DENSE - 1)->valueint == (N_DENSE - 1) % 10);
    json_doc_free(doc);
    free(dense);
    char *str = malloc(N_STR + 16);
    n = (size_t)sprintf(str, "{\"s\": \"");
    memset(str + n, 'x', N_STR);
    n += N_STR;
    n += (size_t)sprintf(str + n, "\"}");
    j = json_parse_doc("f.json", str, n, &doc, &err);
    const cJSON *sv = j ? cJSON_GetObjectItemCaseSensitive(j, "s") : NULL;
    CHECK("parse-long-string", cJSON_IsString(sv) && strlen(sv->valuestring) == N_STR);
    json_doc_free(doc);
    free(str);
    return test_done();
}
