/* Unit tests: dynlib_open() fills a table of function pointers from a
 * library opened by soname (zlib here, which every machine that builds
 * attnviz has), and on a missing library or function fails with the reason
 * and leaves the table alone. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/dynlib.h"
#include "test.h"

typedef struct {
    const char *(*zlibVersion)(void);
    unsigned long (*crc32)(unsigned long crc, const unsigned char *buf, unsigned len);
    void (*absent)(void);
} ztable;

int main(void)
{
    char why[256];
    ztable t = {0};
    const dynlib_sym ok[] = {DYNLIB_SYM(ztable, zlibVersion), DYNLIB_SYM(ztable, crc32)};
    CHECK("zlib opens", dynlib_open("libz.so.1", ok, 2, &t, why, sizeof why) == 0);
    CHECK("zlibVersion found", t.zlibVersion != NULL && strncmp(t.zlibVersion(), "1.", 2) == 0);
    /* CRC-32 of "abc" (ISO 3309; the standard check value): a function, not just an address */
    CHECK("crc32 computes", t.crc32 != NULL && t.crc32(0, (const unsigned char *)"abc", 3) == 0x352441c2UL);

    ztable u = {0};
    const dynlib_sym missing_fn[] = {DYNLIB_SYM(ztable, zlibVersion), {"attnviz_no_such_function",
                                                                        offsetof(ztable, absent)}};
    CHECK("missing function fails", dynlib_open("libz.so.1", missing_fn, 2, &u, why, sizeof why) == -1);
    CHECK_STR("missing function named", why, "libz.so.1: no function attnviz_no_such_function");
    CHECK("table untouched on failure", u.zlibVersion == NULL && u.absent == NULL);

    CHECK("missing library fails", dynlib_open("libattnviz-absent.so.9", ok, 2, &u, why, sizeof why) == -1);
    CHECK("missing library named", strstr(why, "libattnviz-absent.so.9") != NULL);
    printf("# %s\n", why);
    CHECK("table untouched", u.zlibVersion == NULL && u.crc32 == NULL);
    return test_done();
}
