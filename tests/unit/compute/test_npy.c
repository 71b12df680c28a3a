/* test_npy.c — the .npy reader (compute/npy.h) on hand-built files:
 * versions 1.0 and 2.0, little- and big-endian f2/f4/f8, Fortran order,
 * header variants numpy writes, and refusals. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/npy.h"
#include "test.h"

/* Builds a .npy in buf: preamble of version major, header h (padded to
 * 64 with spaces and '\n'), then data[n]. Returns the length. */
static size_t make(unsigned char *buf, int major, const char *h, const void *data, size_t n)
{
    size_t pre = major == 1 ? 10 : 12, hl = strlen(h);
    size_t total = (pre + hl + 1 + 63) / 64 * 64, pad = total - pre - hl - 1;
    size_t len = total - pre;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    buf[8] = (unsigned char)(len & 255);
    buf[9] = (unsigned char)(len >> 8);
    if (major > 1) buf[10] = buf[11] = 0;
    memcpy(buf + pre, h, hl);
    memset(buf + pre + hl, ' ', pad);
    buf[pre + hl + pad] = '\n';
    memcpy(buf + total, data, n);
    return total + n;
}

int main(void)
{
    unsigned char buf[1024];
    attn_error err = {0};
    npy_array a;
    float f[6] = {0.5f, 0.25f, 0.125f, 1.0f, 2.0f, 3.0f};
    size_t n = make(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f, sizeof f);
    CHECK("v1 <f4 (2, 3): parses", npy_parse("x", buf, n, &a, &err) == 0 && a.ndim == 2 && a.shape[0] == 2 &&
                                        a.shape[1] == 3 && memcmp(a.data, f, sizeof f) == 0);
    npy_free(&a);
    n = make(buf, 2, "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}", f, sizeof f);
    CHECK("v2, keys in another order, no trailing comma", npy_parse("x", buf, n, &a, &err) == 0 && a.data[5] == 3.0f);
    npy_free(&a);
    float ft[6] = {0.5f, 1.0f, 0.25f, 2.0f, 0.125f, 3.0f}; /* column-major of the same (2, 3) */
    n = make(buf, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", ft, sizeof ft);
    CHECK("Fortran order is transposed into C order", npy_parse("x", buf, n, &a, &err) == 0 &&
                                                         memcmp(a.data, f, sizeof f) == 0);
    npy_free(&a);
    double d[6];
    for (int i = 0; i < 6; i++) d[i] = f[i];
    n = make(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", d, sizeof d);
    CHECK("<f8 to float32", npy_parse("x", buf, n, &a, &err) == 0 && memcmp(a.data, f, sizeof f) == 0);
    npy_free(&a);
    unsigned char be[24];
    for (int i = 0; i < 6; i++) {
        uint32_t u;
        memcpy(&u, &f[i], 4);
        for (int j = 0; j < 4; j++) be[4 * i + j] = (unsigned char)(u >> (24 - 8 * j));
    }
    n = make(buf, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", be, sizeof be);
    CHECK(">f4 big-endian", npy_parse("x", buf, n, &a, &err) == 0 && memcmp(a.data, f, sizeof f) == 0);
    npy_free(&a);
    uint16_t h[2] = {0x3800, 0x3C00}; /* 0.5, 1.0 in IEEE half */
    n = make(buf, 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (1, 2), }", h, sizeof h);
    CHECK("<f2 half floats", npy_parse("x", buf, n, &a, &err) == 0 && a.data[0] == 0.5f && a.data[1] == 1.0f);
    npy_free(&a);
    n = make(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", f, sizeof f);
    CHECK("Python 2 longs in the shape", npy_parse("x", buf, n, &a, &err) == 0);
    npy_free(&a);

    n = make(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f, sizeof f - 1);
    CHECK("truncated data is refused", npy_parse("x", buf, n, &a, &err) != 0 && strstr(err.msg, "truncated") &&
                                          a.data == NULL);
    n = make(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f, sizeof f) - 30;
    CHECK("truncated in the header is refused", npy_parse("x", buf, n, &a, &err) != 0);
    n = make(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3), }", f, 12);
    CHECK("(3) is not a tuple", npy_parse("x", buf, n, &a, &err) != 0 && strstr(err.msg, "'shape'"));
    n = make(buf, 1, "{'descr': '<u4', 'fortran_order': False, 'shape': (2, 3), }", f, sizeof f);
    CHECK("an integer dtype is refused", npy_parse("x", buf, n, &a, &err) != 0 && strstr(err.msg, "'<u4'"));
    n = make(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f, sizeof f);
    buf[5] = 'X';
    CHECK("a wrong magic is refused", npy_parse("x", buf, n, &a, &err) != 0 && strstr(err.msg, "magic"));
    float nan6[6] = {0, 0, 0, 0, 0, 0};
    nan6[4] = NAN;
    n = make(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", nan6, sizeof nan6);
    CHECK("NaN is refused with its index", npy_parse("x", buf, n, &a, &err) != 0 && strstr(err.msg, "NaN at [1, 1]") &&
                                              a.data == NULL);
    CHECK("an empty file is refused", npy_parse("x", buf, 0, &a, &err) != 0);
    return test_done();
}
