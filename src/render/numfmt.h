/* numfmt.h — fast float formatting for the data outputs.
 *
 * numfmt_g9() writes exactly what printf("%.9g", (double)v) writes (9
 * significant digits, enough for any float32 to read back exactly), about
 * ten times faster: the digits come from exact integer arithmetic on the
 * float's mantissa, with printf as the fallback for the few values that
 * arithmetic cannot cover (|v| < 1e-9 or > 1e9, NaN, infinities). buf holds
 * at least 24 bytes; returns the length written (no NUL is needed by the
 * caller, but one is written).
 */
#ifndef ATTN_NUMFMT_H
#define ATTN_NUMFMT_H

#define NUMFMT_MAX 24

int numfmt_g9(char *buf, float v);

#endif
