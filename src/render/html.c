/* html.c — the HTML page (render.h): the template of src/render/html/
 * filled with escaped text, the weights as data, and the embedded style and
 * script, which draw the views in the browser.
 *
 * What the C side writes: the title, model line and tokens as HTML text (a
 * page without JavaScript still shows them), the Content-Security-Policy
 * naming the hashes of the page's own script and style (nothing else may
 * run or load), and one JSON object in <script type="application/json">
 * whose strings are escaped so that no "<" appears in it. Weights are
 * base64: float32 up to EXACT_WEIGHTS weights in the page, else 16 bits
 * each, deflated (put_weights). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textesc.h"
#include "base/utf8.h"
#include "render/ansi_common.h"
#include "render/html_assets.h"
#include "render/html_sets.h"
#include "render/libs.h"
#include "render/render.h"

/* Up to this many weights in the page, each is stored as its float32 (the
 * tooltip shows it as CSV does); above, as 16 bits, deflated. */
#define EXACT_WEIGHTS (1L << 18)

/* The 16-bit code of a weight w in [0, 2): bits 14..29 of its float32,
 * rounded to nearest (1 sign bit and the top exponent bit are 0 there), so
 * the page reads back the float whose bits are code << 14: 7 exponent and
 * 9 mantissa bits, a relative error under 2^-10 (0.1 %) for every weight
 * down to 1e-38, and 0 stays 0. */
static uint16_t code16(float w)
{
    if (!(w > 0.0f)) return 0;
    uint32_t b;
    memcpy(&b, &w, sizeof b);
    return (uint16_t)((b + 0x2000u) >> 14);
}

/* 1 when every weight fits code16(): finite, >= 0 and below 2 (less the
 * rounding margin), as attention weights are. */
static int fits16(const float *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(w[i] >= 0.0f && w[i] < 1.99f)) return 0;
    return 1;
}

static void put_base64(attn_buf *out, const unsigned char *p, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (buf_reserve(out, (n + 2) / 3 * 4 + 1) != 0) return;
    char *o = out->data + out->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = abc[v >> 18];
        *o++ = abc[v >> 12 & 63];
        *o++ = abc[v >> 6 & 63];
        *o++ = abc[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = abc[v >> 18];
        *o++ = abc[v >> 12 & 63];
        *o++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
}

/* The weights w[n] in base64: exact, as little-endian float32 ("f32");
 * else their code16 in two planes, the n high bytes then the n low bytes
 * (runs of like exponents), compressed with raw deflate ("u16z": the page
 * inflates it with DecompressionStream). A large page is about a third
 * smaller so, and opens as much faster. */
static void put_weights(attn_buf *out, const float *w, size_t n, int exact)
{
    const size_t size = n * (exact ? 4 : 2);
    unsigned char *bytes = malloc(size + 1), *packed = NULL;
    if (!bytes) {
        out->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (exact) {
            uint32_t v;
            memcpy(&v, &w[i], sizeof v);
            for (size_t j = 0; j < 4; j++) bytes[4 * i + j] = (unsigned char)(v >> (8 * j));
        } else {
            uint16_t c = code16(w[i]);
            bytes[i] = (unsigned char)(c >> 8);
            bytes[n + i] = (unsigned char)c;
        }
    }
    z_stream z;
    memset(&z, 0, sizeof z);
    if (exact) {
        put_base64(out, bytes, size);
    } else if (lib_z->deflateInit2_(&z, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, (int)sizeof z) ==
               Z_OK) { /* deflateInit2(), a macro; render_html() opened zlib */
        uLong cap = lib_z->deflateBound(&z, (uLong)size);
        if ((packed = malloc(cap)) != NULL) {
            z.next_in = bytes;
            z.avail_in = (uInt)size;
            z.next_out = packed;
            z.avail_out = (uInt)cap;
        }
        if (packed && lib_z->deflate(&z, Z_FINISH) == Z_STREAM_END) put_base64(out, packed, cap - z.avail_out);
        else out->failed = 1;
        lib_z->deflateEnd(&z);
    } else {
        out->failed = 1;
    }
    free(packed);
    free(bytes);
}

/* The first max code points of s, with "…" when cut. */
static void put_cut(attn_buf *out, const char *s, int max)
{
    const char *p = s;
    for (int i = 0; *p && i < max; i++) {
        uint32_t cp;
        p += utf8_next(p, &cp);
    }
    buf_put(out, s, (size_t)(p - s));
    if (*p) buf_puts(out, "…");
}

/* "1,234,567" */
static const char *grouped(char buf[32], long long v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lld", v), j = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) buf[j++] = ',';
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    return buf;
}

/* The texts a page names itself by, unescaped. */
typedef struct {
    attn_buf title;  /* "“The cat sat.” — pretrained" (or --title) */
    attn_buf model;  /* render_model_line(): "model: pretrained (BERT, 4 layers × 4 heads, …) · 6 tokens" */
    char name[256];  /* render_model_name(): "pretrained" */
} page_names;

static void names_make(page_names *nm, const attn_result *r, const html_opts *o)
{
    buf_init(&nm->title);
    buf_init(&nm->model);
    render_model_name(&r->meta, nm->name, sizeof nm->name);
    if (o->title) {
        buf_puts(&nm->title, o->title);
    } else if (!o->sentence) {
        buf_printf(&nm->title, "attention from %s", nm->name);
    } else {
        buf_puts(&nm->title, "“");
        put_cut(&nm->title, o->sentence, 100);
        buf_printf(&nm->title, "” — %s", nm->name);
    }
    render_model_line(&nm->model, r); /* r: the set shown first */
    if (r->keys != r->queries) buf_printf(&nm->model, ", attending to %d source token%s", r->n_k, r->n_k == 1 ? "" : "s");
}

static void json_key_str(attn_buf *out, const char *key, const char *v)
{
    buf_printf(out, "\"%s\":", key);
    if (v) json_string_html(out, v);
    else buf_puts(out, "null");
}

static void json_tokens(attn_buf *out, const attn_tokens *t)
{
    buf_putc(out, '[');
    for (int i = 0; i < t->n; i++) {
        if (i) buf_putc(out, ',');
        json_string_html(out, t->tok[i].text);
    }
    buf_putc(out, ']');
}

/* The tokens' labels as the terminal shows them (ansi_common.h: escaped,
 * a repeated text with its index as subscript: the₁, the₇). */
static void json_labels(attn_buf *out, const attn_tokens *t)
{
    ansi_label *l = ansi_labels_build(t, t->n);
    if (!l) {
        out->failed = 1;
        return;
    }
    buf_putc(out, '[');
    for (int i = 0; i < t->n; i++) {
        if (i) buf_putc(out, ',');
        json_string_html(out, l[i].s);
    }
    buf_putc(out, ']');
    ansi_labels_free(l, t->n);
}

static void put_set(attn_buf *out, const html_sets *s, const html_set *set, int exact)
{
    const attn_result *r = &set->r;
    const size_t n = (size_t)r->n_layers * (size_t)r->n_heads * (size_t)r->n_q * (size_t)r->n_k;
    exact = exact || !fits16(r->weights, n);
    buf_putc(out, '{');
    json_key_str(out, "name", set->name);
    buf_puts(out, ",\"queries\":");
    json_tokens(out, r->queries);
    buf_puts(out, ",\"keys\":");
    if (r->keys == r->queries) buf_puts(out, "null");
    else json_tokens(out, r->keys);
    buf_puts(out, ",\"query_labels\":");
    json_labels(out, r->queries);
    buf_puts(out, ",\"key_labels\":");
    if (r->keys == r->queries) buf_puts(out, "null");
    else json_labels(out, r->keys);
    buf_puts(out, ",\"layers\":[");
    for (int li = 0; li < r->n_layers; li++) buf_printf(out, "%s%d", li ? "," : "", r->layers[li] + 1);
    buf_puts(out, "],\"columns\":[");
    for (int c = 0; c < r->n_heads; c++) {
        if (c) buf_putc(out, ',');
        if (c < s->n_heads) buf_printf(out, "{\"head\":%d}", r->heads[c] + 1);
        else buf_printf(out, "{\"aggregate\":\"%s\"}", s->extra[c - s->n_heads]);
    }
    buf_printf(out, "],\"query\":%d,\"encoding\":\"%s\",\"weights\":\"", set->query, exact ? "f32" : "u16z");
    put_weights(out, r->weights, n, exact);
    buf_puts(out, "\"}");
}

static void put_data(attn_buf *out, const html_sets *s, const attn_result *r, const html_opts *o,
                     const page_names *nm)
{
    const attn_meta *m = &r->meta;
    long total = 0;
    for (int i = 0; i < s->n_sets; i++) {
        const attn_result *x = &s->set[i].r;
        total += (long)x->n_layers * x->n_heads * x->n_q * x->n_k;
    }
    buf_puts(out, "{\"attnviz_html\":1,");
    json_key_str(out, "title", nm->title.data);
    buf_putc(out, ',');
    json_key_str(out, "sentence", o->sentence);
    buf_putc(out, ',');
    json_key_str(out, "source", o->source);
    buf_puts(out, ",\"model\":{");
    json_key_str(out, "name", nm->name);
    buf_putc(out, ',');
    json_key_str(out, "path", m->seeded ? NULL : m->model);
    buf_putc(out, ',');
    json_key_str(out, "architecture", m->architecture);
    buf_printf(out, ",\"layers\":%d,\"heads\":%d,\"d_model\":%d,", m->n_layers, m->n_heads, m->d_model);
    json_key_str(out, "score", m->score);
    buf_printf(out, ",\"seeded\":%s", m->seeded ? "true" : "false");
    if (m->seeded) buf_printf(out, ",\"seed\":\"%llu\"", (unsigned long long)m->seed);
    buf_puts(out, "},");
    json_key_str(out, "model_line", nm->model.data);
    buf_putc(out, ',');
    json_key_str(out, "command_line", m->command_line);
    buf_printf(out, ",\"causal\":%s,\"colormap\":\"%s\",\"colormaps\":{", r->causal ? "true" : "false",
               colormap_name(o->cmap));
    for (int c = 0; c < CMAP_COUNT; c++) { /* the figures' colours at t = i / 255 */
        unsigned char rgb[256 * 3];
        for (int i = 0; i < 256; i++) colormap_rgb((attn_colormap)c, (float)i / 255.0f, rgb + 3 * i);
        buf_printf(out, "%s\"%s\":\"", c ? "," : "", colormap_name((attn_colormap)c));
        put_base64(out, rgb, sizeof rgb);
        buf_putc(out, '"');
    }
    static const scale_opts dflt = {NORM_ALL, 0, 0, 0.0, 0.0, 0};
    const scale_opts *sc = o->colour ? o->colour : &dflt;
    buf_printf(out, "},\"scale\":{\"norm\":\"%s\",\"vmin\":", scale_norm_names[sc->norm]);
    if (sc->has_vmin) buf_printf(out, "%.15g", sc->vmin);
    else buf_puts(out, "null");
    buf_puts(out, ",\"vmax\":");
    if (sc->has_vmax) buf_printf(out, "%.15g", sc->vmax);
    else buf_puts(out, "null");
    buf_printf(out, ",\"log\":%s},\"sets\":[", sc->log ? "true" : "false");
    for (int i = 0; i < s->n_sets; i++) {
        if (i) buf_putc(out, ',');
        put_set(out, s, &s->set[i], total <= EXACT_WEIGHTS);
    }
    buf_puts(out, "]}");
}

static void put_tokens(attn_buf *out, const attn_tokens *t)
{
    for (int i = 0; i < t->n; i++) {
        buf_puts(out, i ? " <span>" : "<span>");
        textesc_markup(out, t->tok[i].text);
        buf_puts(out, "</span>");
    }
}

/* The template with every @@NAME@@ replaced. */
static void fill(attn_buf *out, const html_sets *s, const attn_result *r, const html_opts *o,
                 const page_names *nm)
{
    const attn_result *shown = &s->set[0].r;
    const char *t = (const char *)html_asset_template, *end = t + html_asset_template_len;
    while (t < end) {
        const char *at = strstr(t, "@@");
        const char *close = at ? strstr(at + 2, "@@") : NULL;
        if (!close) {
            buf_put(out, t, (size_t)(end - t));
            break;
        }
        buf_put(out, t, (size_t)(at - t));
        const char *name = at + 2;
        const size_t len = (size_t)(close - name);
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
        if (IS("CSP"))
            buf_printf(out, "default-src 'none'; script-src 'sha256-%s'; style-src 'sha256-%s'; img-src data:; "
                            "base-uri 'none'; form-action 'none'", html_asset_js_sha256, html_asset_css_sha256);
        else if (IS("VERSION")) buf_puts(out, ATTNVIZ_VERSION);
        else if (IS("TITLE")) textesc_markup(out, nm->title.data);
        else if (IS("MODEL")) textesc_markup(out, nm->model.data);
        else if (IS("NOTE") && o->note) {
            buf_puts(out, "<p class=\"note\">Note: ");
            textesc_markup(out, o->note);
            buf_puts(out, "</p>");
        }
        else if (IS("N_QUERIES")) buf_printf(out, "%d", shown->n_q);
        else if (IS("QUERIES")) put_tokens(out, shown->queries);
        else if (IS("KEYS") && shown->keys != shown->queries) {
            buf_printf(out, "<p class=\"tokens\"><b>Keys, from the source (%d):</b> ", shown->n_k);
            put_tokens(out, shown->keys);
            buf_puts(out, "</p>");
        }
        else if (IS("CSS")) buf_put(out, html_asset_css, html_asset_css_len);
        else if (IS("JS")) buf_put(out, html_asset_js, html_asset_js_len);
        else if (IS("DATA")) put_data(out, s, r, o, nm);
#undef IS
        t = close + 2;
    }
}

int render_html(attn_buf *out, const attn_result *r, const html_opts *o, attn_error *err)
{
    if (!zlib_lib(err)) return -1;
    const long long cols = r->n_heads + (o->aggregate != NULL) + (o->rollout != 0);
    const long long weights = (long long)o->n_layers * cols * r->n_q * r->n_k;
    if (weights > HTML_MAX_WEIGHTS) {
        char a[32], b[32];
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "-f html: %d layer%s × %d head%s%s%s%s of %d × %d tokens are %s weights, more than a "
                         "page holds (%s); show fewer with -l and -H (for example -l %d -H 1), or use -f csv",
                         o->n_layers, o->n_layers == 1 ? "" : "s", r->n_heads, r->n_heads == 1 ? "" : "s",
                         o->aggregate ? " + " : "", o->aggregate ? o->aggregate : "", o->rollout ? " + rollout" : "",
                         r->n_q, r->n_k, grouped(a, weights), grouped(b, HTML_MAX_WEIGHTS), o->layers[0] + 1);
    }
    html_sets s;
    if (html_sets_build(&s, r, o, err) != 0) return -1;
    page_names nm;
    names_make(&nm, &s.set[0].r, o);
    fill(out, &s, r, o, &nm);
    int failed = nm.title.failed || nm.model.failed;
    buf_free(&nm.title);
    buf_free(&nm.model);
    html_sets_free(&s);
    return out->failed || failed ? attn_oom(err, "HTML page") : 0;
}
