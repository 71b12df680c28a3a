/* Unit tests: numfmt_g9 must equal printf("%.9g") byte for byte. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/rng.h"
#include "render/numfmt.h"
#include "test.h"

static int same(float v)
{
    char a[64], b[NUMFMT_MAX];
    snprintf(a, sizeof a, "%.9g", (double)v);
    int n = numfmt_g9(b, v);
    if (strcmp(a, b) != 0 || n != (int)strlen(a)) {
        printf("# mismatch for %a: printf \"%s\", numfmt \"%s\"\n", (double)v, a, b);
        return 0;
    }
    return 1;
}

int main(void)
{
    const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 0.1f, 1e-4f, 9.99999e-5f, 1e-5f,
                             123456789.0f, 999999999.0f, 1e9f, 1e-9f, 3.4028235e38f, 1.4e-45f,
                             0.0725936815f, 7.98595102e-06f, 0.999999996f, 0.99999994f,
                             1.0f / 3.0f, 2.0f / 3.0f, 0.000152587890625f};
    int ok = 1;
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) ok &= same(special[i]);
    CHECK("special-values", ok);

    /* every float in [1e-4, 1) with a 1-in-97 stride over the bit patterns */
    ok = 1;
    uint32_t lo, hi;
    float f = 1e-4f;
    memcpy(&lo, &f, 4);
    f = 1.0f;
    memcpy(&hi, &f, 4);
    long n = 0;
    for (uint32_t u = lo; u <= hi && ok; u += 97, n++) {
        memcpy(&f, &u, 4);
        ok &= same(f);
    }
    CHECK("stride-1e-4-to-1", ok && n > 1000000);

    /* random bit patterns over the whole range, both signs */
    attn_rng r;
    rng_seed(&r, 1);
    ok = 1;
    for (int i = 0; i < 2000000 && ok; i++) {
        uint32_t u = (uint32_t)rng_next(&r);
        memcpy(&f, &u, 4);
        ok &= same(f);
    }
    CHECK("random-bit-patterns", ok);

    /* softmax-like values: exp of uniform scores */
    ok = 1;
    for (int i = 0; i < 1000000 && ok; i++) ok &= same(expf(-30.0f * rng_uniform(&r)) / 7.0f);
    CHECK("softmax-like", ok);

    /* ties: floats with exactly 10 significant digits ending in 5 round half-even */
    ok = 1;
    for (int k = 1; k < 40 && ok; k++) ok &= same(ldexpf(1.0f, -k)) & same(3.0f * ldexpf(1.0f, -k));
    CHECK("powers-of-two", ok);
    return test_done();
}
