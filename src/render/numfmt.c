/* numfmt.c — see numfmt.h.
 *
 * A finite float is v = m · 2^e with a 24-bit integer m. Its first 9
 * significant digits are D = round(v · 10^k) for the k that puts D in
 * [10^8, 10^9): D = round(m · 5^k · 2^(e+k)). For k ≤ 17, m · 5^k < 2^64,
 * so D, and the round-half-even printf applies to the exact value, are
 * computed exactly with 64-bit integers.
 */
#include "render/numfmt.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const uint64_t pow5[18] = {
    1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull, 390625ull, 1953125ull,
    9765625ull, 48828125ull, 244140625ull, 1220703125ull, 6103515625ull, 30517578125ull,
    152587890625ull, 762939453125ull,
};

/* round_half_even(m · 5^k · 2^s) for m · 5^k < 2^64; *ok = 0 on overflow. */
static uint64_t scaled_digits(uint64_t m, int k, int s, int *ok)
{
    uint64_t p = m * pow5[k];
    *ok = 1;
    if (s >= 0) {
        if (s >= 64 || p > (UINT64_MAX >> s)) {
            *ok = 0;
            return 0;
        }
        return p << s;
    }
    int r = -s;
    if (r >= 64) return 0; /* tiny: cannot happen for k chosen below */
    uint64_t q = p >> r, rem = p & ((1ull << r) - 1), half = 1ull << (r - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    return q;
}

int numfmt_g9(char *buf, float v)
{
    if (v == 0.0f) {
        if (signbit(v)) {
            memcpy(buf, "-0", 3);
            return 2;
        }
        memcpy(buf, "0", 2);
        return 1;
    }
    float a = fabsf(v);
    if (!(a >= 1e-9f && a < 1e9f)) return snprintf(buf, NUMFMT_MAX, "%.9g", (double)v);
    uint32_t bits;
    memcpy(&bits, &a, sizeof bits);                 /* normal here: a >= 1e-9 */
    uint64_t m = (bits & 0x7fffffu) | 0x800000u;    /* 24-bit mantissa */
    int e = (int)(bits >> 23) - 150;                /* a = m · 2^e */
    /* decimal exponent estimate floor(log10 a), corrected below */
    int x = (int)floor((double)(e + 23) * 0.30102999566398120);
    uint64_t d = 0;
    int ok = 0;
    for (int tries = 0; tries < 3; tries++) {
        int k = 8 - x;
        if (k < 0 || k > 17) return snprintf(buf, NUMFMT_MAX, "%.9g", (double)v);
        d = scaled_digits(m, k, e + k, &ok);
        if (!ok) return snprintf(buf, NUMFMT_MAX, "%.9g", (double)v);
        if (d >= 1000000000ull) x++;
        else if (d < 100000000ull) x--;
        else break;
    }
    if (d == 1000000000ull) { /* rounding carried into a new digit */
        d = 100000000ull;
        x++;
    }
    if (d < 100000000ull || d >= 1000000000ull) return snprintf(buf, NUMFMT_MAX, "%.9g", (double)v);
    char dig[9];
    for (int i = 8; i >= 0; i--) {
        dig[i] = (char)('0' + d % 10);
        d /= 10;
    }
    int nd = 9;
    while (nd > 1 && dig[nd - 1] == '0') nd--; /* %g drops trailing zeros */
    char *p = buf;
    if (v < 0) *p++ = '-';
    if (x < -4 || x >= 9) { /* exponent style: d.dddde-XX */
        *p++ = dig[0];
        if (nd > 1) {
            *p++ = '.';
            memcpy(p, dig + 1, (size_t)nd - 1);
            p += nd - 1;
        }
        *p++ = 'e';
        *p++ = x < 0 ? '-' : '+';
        int ax = x < 0 ? -x : x;
        *p++ = (char)('0' + ax / 10);
        *p++ = (char)('0' + ax % 10);
    } else if (x < 0) { /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -x - 1; i++) *p++ = '0';
        memcpy(p, dig, (size_t)nd);
        p += nd;
    } else { /* ddd.ddd */
        int intd = x + 1;
        for (int i = 0; i < intd; i++) *p++ = i < nd ? dig[i] : '0';
        if (nd > intd) {
            *p++ = '.';
            memcpy(p, dig + intd, (size_t)(nd - intd));
            p += nd - intd;
        }
    }
    *p = '\0';
    return (int)(p - buf);
}
