/* test_html.c — the HTML page (render_html) on hand-built results: every
 * placeholder of the template filled, the CSP naming the embedded assets'
 * hashes, hostile token text with no '<' in the data block and escaped in
 * the markup, float32 weights (their base64 decoded here) up to 262,144
 * weights and deflated 16-bit codes above (inflated and decoded here:
 * within 2^-10), and the size limit refused before any weight is read. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "render/html_assets.h"
#include "render/render.h"
#include "test.h"

/* base64 (standard alphabet, '=' padding) decoded here; returns bytes */
static size_t unbase64(const char *s, size_t n, unsigned char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        acc = acc << 6 | (uint32_t)(strchr(abc, s[i]) - abc);
        if ((bits += 6) >= 8) out[len++] = (unsigned char)(acc >> (bits -= 8));
    }
    return len;
}

/* The "weights" string of the first set, and its encoding. */
static const char *weights_of(const char *page, size_t *n, char enc[8])
{
    const char *e = strstr(page, "\"encoding\":\"");
    const char *w = strstr(page, "\"weights\":\"");
    if (!e || !w) return NULL;
    size_t len = strcspn(e + 12, "\"");
    memcpy(enc, e + 12, len < 7 ? len : 7);
    enc[len < 7 ? len : 7] = 0;
    w += 11;
    *n = strcspn(w, "\"");
    return w;
}

typedef struct {
    attn_result r;
    attn_tokens t;
    int layer, head;
} fixture;

/* n tokens named by texts (cycled), 1 layer, 1 head, weights f(q, k) */
static void make(fixture *f, int n, const char *const *texts, int n_texts, float (*w)(int, int))
{
    memset(f, 0, sizeof *f);
    f->t.n = n;
    f->t.tok = calloc((size_t)n, sizeof *f->t.tok);
    for (int i = 0; i < n; i++) {
        f->t.tok[i].text = (char *)texts[i % n_texts];
        f->t.tok[i].word = i;
    }
    f->r.queries = f->r.keys = &f->t;
    f->r.n_q = f->r.n_k = n;
    f->r.n_layers = f->r.n_heads = 1;
    f->r.layers = &f->layer;
    f->r.heads = &f->head;
    f->r.weights = malloc((size_t)n * n * sizeof(float));
    for (int q = 0; q < n; q++)
        for (int k = 0; k < n; k++) f->r.weights[(size_t)q * n + k] = w(q, k);
    f->r.meta.model = "/models/tiny";
    f->r.meta.architecture = "attention";
    f->r.meta.n_layers = f->r.meta.n_heads = 1;
    f->r.meta.d_model = 8;
}

static void unmake(fixture *f)
{
    free(f->t.tok);
    free(f->r.weights);
}

static float smooth(int q, int k) { return 1.0f / (float)(1 + q + 3 * k); }
static float tiny(int q, int k) { return q == k ? 0.0f : ldexpf(1.0f + (float)(k % 256) / 300.0f, -(q % 120)); }

static html_opts opts(const char *sentence)
{
    static const int layer0 = 0;
    html_opts o = {.cmap = CMAP_VIRIDIS, .sentence = sentence, .layers = &layer0, .n_layers = 1, .query = -1};
    return o;
}

int main(void)
{
    attn_buf b;
    attn_error err = {0};
    fixture f;

    /* hostile text */
    const char *evil[] = {"</script><script>alert(1)</script>", "<img src=x onerror=alert(2)>", "\"q'", "a\u202Eb", /* \u: exactly four digits, so b is not part of it */
                          "\x01<!--"};
    make(&f, 5, evil, 5, smooth);
    buf_init(&b);
    html_opts o = opts("</script><img src=x onerror=alert(2)> \xE2\x80\xAE");
    int rc = render_html(&b, &f.r, &o, &err);
    CHECK("hostile-renders", rc == 0 && !b.failed);
    CHECK("no-placeholder-left", !strstr(b.data, "@@"));
    const char *data = strstr(b.data, "id=\"attnviz-data\">");
    const char *end = data ? strstr(data, "</script>") : NULL;
    int lt = 0;
    for (const char *p = data ? data + 18 : NULL; p && p < end; p++) lt += *p == '<';
    CHECK("data-block-has-no-lt", data && end && lt == 0);
    int scripts = 0;
    for (const char *p = b.data; (p = strstr(p, "<script")); p++) scripts++;
    CHECK("two-script-elements", scripts == 2);
    CHECK("markup-escaped", strstr(b.data, "<span>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</span>") &&
                                strstr(b.data, "<span>a\\u202Eb</span>") && strstr(b.data, "<span>\\u0001&lt;!--</span>") &&
                                !strstr(b.data, "<img"));
    char csp[200];
    snprintf(csp, sizeof csp, "script-src 'sha256-%s'; style-src 'sha256-%s'", html_asset_js_sha256,
             html_asset_css_sha256);
    CHECK("csp-names-asset-hashes", strstr(b.data, "default-src 'none'") && strstr(b.data, csp));
    CHECK("title-names-model", strstr(b.data, "model: tiny (attention only, 1 layer × 1 head) · 5 tokens"));

    /* float32 weights, exactly */
    size_t n;
    char enc[8];
    const char *w = weights_of(b.data, &n, enc);
    unsigned char *bytes = malloc(n);
    size_t got = w ? unbase64(w, n, bytes) : 0;
    int exact = w && strcmp(enc, "f32") == 0 && got == 25 * 4;
    for (size_t i = 0; exact && i < 25; i++) {
        float v;
        memcpy(&v, bytes + 4 * i, 4); /* little-endian hosts */
        exact = v == f.r.weights[i];
    }
    CHECK("f32-weights-exact", exact);
    free(bytes);
    buf_free(&b);
    unmake(&f);

    /* 16 bits past 262,144 weights (513 x 513), high bytes then low bytes,
     * raw deflate: inflated here with zlib */
    const char *word[] = {"w"};
    make(&f, 513, word, 1, tiny);
    buf_init(&b);
    o = opts("w");
    rc = render_html(&b, &f.r, &o, &err);
    w = rc == 0 ? weights_of(b.data, &n, enc) : NULL;
    unsigned char *packed = malloc(n + 1);
    size_t packed_n = w ? unbase64(w, n, packed) : 0;
    const size_t cells = 513u * 513u;
    bytes = malloc(2 * cells);
    z_stream z;
    memset(&z, 0, sizeof z);
    got = 0;
    if (w && inflateInit2(&z, -15) == Z_OK) {
        z.next_in = packed;
        z.avail_in = (uInt)packed_n;
        z.next_out = bytes;
        z.avail_out = (uInt)(2 * cells);
        if (inflate(&z, Z_FINISH) == Z_STREAM_END) got = 2 * cells - z.avail_out;
        inflateEnd(&z);
    }
    free(packed);
    double worst = 0;
    int zeros = 1;
    for (size_t i = 0; got == 2 * cells && i < cells; i++) {
        uint32_t bits = ((uint32_t)bytes[i] << 8 | bytes[cells + i]) << 14;
        float v;
        memcpy(&v, &bits, 4);
        float want = f.r.weights[i];
        if (want == 0.0f) zeros &= v == 0.0f;
        else if (fabs(v - want) / want > worst) worst = fabs(v - want) / want;
    }
    CHECK("u16z-encoding-past-262144", w && strcmp(enc, "u16z") == 0 && got == 2 * cells && packed_n < got);
    CHECK("u16-within-2^-10", worst <= ldexp(1.0, -10) && worst > 0);
    CHECK("u16-zero-stays-zero", zeros);
    free(bytes);
    buf_free(&b);
    unmake(&f);

    /* the limit: refused before a weight is read (weights NULL here) */
    attn_tokens t = {.n = 4096};
    int l0 = 0, h0 = 0;
    attn_result big = {.queries = &t, .keys = &t, .n_q = 4096, .n_k = 4096, .n_layers = 1, .n_heads = 1,
                       .layers = &l0, .heads = &h0};
    buf_init(&b);
    o = opts("x");
    rc = render_html(&b, &big, &o, &err);
    CHECK("limit-refused", rc == -1 && err.code == ATTN_EXIT_INPUT && strstr(err.msg, "-l and -H") &&
                               strstr(err.msg, "16,777,216 weights") && b.len == 0);
    buf_free(&b);
    return test_done();
}
