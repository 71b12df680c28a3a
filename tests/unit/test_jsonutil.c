/* Unit tests: json_duplicate_key() finds repeated names at any depth and
 * reports the path of the second occurrence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
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
    return test_done();
}
