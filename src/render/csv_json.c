/* csv_json.c — the data formats: CSV (RFC 4180) and JSON. See render.h.
 * Rows are assembled with memcpy from parts made once per head, and floats
 * formatted by numfmt_g9, so output runs at hundreds of MB/s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textesc.h"
#include "render/numfmt.h"
#include "render/render.h"

/* RFC 4180: quote a field holding a comma, quote, CR or LF; double quotes.
 * Control and bidi characters are escaped first (textesc.h), so CR and LF
 * never reach the field. */
static void csv_field(attn_buf *out, const char *s)
{
    char *esc = NULL;
    if (textesc_needed(s) && !(s = esc = textesc_dup(s))) {
        out->failed = 1;
        return;
    }
    if (!s[strcspn(s, ",\"\r\n")]) {
        buf_puts(out, s);
        free(esc);
        return;
    }
    buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"') buf_putc(out, '"');
        buf_putc(out, *s);
    }
    buf_putc(out, '"');
    free(esc);
}

/* 1 when a token was generated (--generate): the CSV then has the
 * query_generated and key_generated columns. */
static int any_generated(const attn_result *r)
{
    for (int i = 0; i < r->n_q; i++)
        if (r->queries->tok[i].generated) return 1;
    for (int i = 0; i < r->n_k; i++)
        if (r->keys->tok[i].generated) return 1;
    return 0;
}

void render_csv_begin(attn_buf *out, const attn_result *r, int header)
{
    if (!header) return;
    if (r->meta.sentence) buf_puts(out, "sentence,");
    if (r->meta.n_windows) buf_puts(out, "window,");
    if (r->meta.part) buf_puts(out, "part,"); /* encoder-decoders: encoder, decoder or cross */
    buf_puts(out, any_generated(r) ? "layer,head,query_index,query_token,query_generated,key_index,key_token,"
                                     "key_generated,weight\n"
                                   : "layer,head,query_index,query_token,key_index,key_token,weight\n");
}

void render_csv_head(attn_buf *out, const attn_result *r, int li, int hi, const float *w)
{
    render_csv_rows(out, r, li, hi, w, 0, r->n_q);
}

void render_csv_rows(attn_buf *out, const attn_result *r, int li, int hi, const float *w, int q0, int q1)
{
    /* keys[k] = "k,token," for every key, at offsets koff[k] in one buffer */
    attn_buf keys, row;
    buf_init(&keys);
    buf_init(&row);
    size_t *koff = malloc(((size_t)r->n_k + 1) * sizeof *koff);
    if (!koff) {
        out->failed = 1;
        return;
    }
    const int gen = any_generated(r);
    for (int k = 0; k < r->n_k; k++) {
        koff[k] = keys.len;
        buf_printf(&keys, "%d,", k);
        csv_field(&keys, r->keys->tok[k].text);
        buf_puts(&keys, !gen ? "," : r->keys->tok[k].generated ? ",1," : ",0,");
    }
    koff[r->n_k] = keys.len;
    char label[16];
    const char *head = result_head_label(r, hi, label);
    for (int q = q0; q < q1 && !keys.failed; q++) {
        row.len = 0; /* "sentence,layer,head,q,token," */
        if (r->meta.sentence) buf_printf(&row, "%d,", r->meta.sentence);
        if (r->meta.n_windows) buf_printf(&row, "%d,", r->meta.window);
        if (r->meta.part) buf_printf(&row, "%s,", r->meta.part);
        buf_printf(&row, "%d,%s,%d,", r->layers[li] + 1, head, q);
        csv_field(&row, r->queries->tok[q].text);
        buf_puts(&row, !gen ? "," : r->queries->tok[q].generated ? ",1," : ",0,");
        if (row.failed || buf_reserve(out, keys.len + (size_t)r->n_k * (row.len + NUMFMT_MAX + 1)) != 0)
            break;
        char *p = out->data + out->len;
        const float *wq = w + (size_t)q * r->n_k; /* [n_k] */
        for (int k = 0; k < r->n_k; k++) {
            memcpy(p, row.data, row.len);
            p += row.len;
            memcpy(p, keys.data + koff[k], koff[k + 1] - koff[k]);
            p += koff[k + 1] - koff[k];
            p += numfmt_g9(p, wq[k]);
            *p++ = '\n';
        }
        out->len = (size_t)(p - out->data);
        out->data[out->len] = '\0';
    }
    if (keys.failed || row.failed) out->failed = 1;
    free(koff);
    buf_free(&keys);
    buf_free(&row);
}

int render_csv(attn_buf *out, const attn_result *r, int header, attn_error *err)
{
    render_csv_begin(out, r, header);
    for (int li = 0; li < r->n_layers; li++)
        for (int hi = 0; hi < r->n_heads; hi++) render_csv_head(out, r, li, hi, result_head(r, li, hi));
    return out->failed ? attn_oom(err, "CSV output") : 0;
}

static void json_tokens(attn_buf *out, const attn_tokens *t)
{
    buf_putc(out, '[');
    for (int i = 0; i < t->n; i++) {
        buf_puts(out, i ? ",{\"text\":" : "{\"text\":");
        json_string(out, t->tok[i].text);
        buf_printf(out, ",\"start\":%zu,\"end\":%zu", t->tok[i].start, t->tok[i].end);
        if (t->tok[i].id >= 0) buf_printf(out, ",\"id\":%d", (int)t->tok[i].id);
        if (t->tok[i].generated) buf_puts(out, ",\"generated\":true");
        buf_puts(out, t->tok[i].special ? ",\"special\":true}" : "}");
    }
    buf_putc(out, ']');
}

void render_json_begin(attn_buf *out, const attn_result *r)
{
    buf_putc(out, '{');
    if (r->meta.sentence) buf_printf(out, "\"sentence\":%d,", r->meta.sentence);
    if (r->meta.text) {
        buf_puts(out, "\"text\":");
        json_string(out, r->meta.text);
        buf_putc(out, ',');
    }
    if (r->meta.source_text) {
        buf_puts(out, "\"source_text\":");
        json_string(out, r->meta.source_text);
        buf_putc(out, ',');
    }
    if (r->meta.tokens_total) buf_printf(out, "\"tokens_total\":%d,", r->meta.tokens_total);
    if (r->meta.n_windows)
        buf_printf(out, "\"window\":{\"index\":%d,\"count\":%d,\"start\":%d,\"end\":%d},", r->meta.window,
                   r->meta.n_windows, r->meta.window_start, r->meta.window_end);
    if (r->meta.note) {
        buf_puts(out, "\"note\":");
        json_string(out, r->meta.note);
        buf_putc(out, ',');
    }
    if (r->meta.part) {
        buf_puts(out, "\"part\":");
        json_string(out, r->meta.part);
        buf_puts(out, ",\"target_text\":");
        json_string(out, r->meta.target_text ? r->meta.target_text : "");
        buf_printf(out, ",\"target_generated\":%s,", r->meta.target_generated ? "true" : "false");
    }
    buf_puts(out, "\"tokens\":");
    json_tokens(out, r->queries);
    if (r->keys != r->queries) {
        buf_puts(out, ",\"keys\":");
        json_tokens(out, r->keys);
    }
    buf_puts(out, ",\"model\":{\"source\":");
    json_string(out, r->meta.model ? r->meta.model : "seeded");
    if (r->meta.architecture) {
        buf_puts(out, ",\"architecture\":");
        json_string(out, r->meta.architecture);
    }
    if (r->meta.name) {
        buf_puts(out, ",\"name\":");
        json_string(out, r->meta.name);
    }
    if (r->meta.n_params) buf_printf(out, ",\"parameters\":%lld", (long long)r->meta.n_params);
    if (r->meta.context) buf_printf(out, ",\"context_length\":%d", r->meta.context);
    if (r->meta.seeded) buf_printf(out, ",\"seed\":%llu", (unsigned long long)r->meta.seed);
    if (r->meta.architecture) { /* a model ran (not --from) */
        buf_printf(out, ",\"d_model\":%d,\"n_heads\":%d,\"n_layers\":%d,", r->meta.d_model, r->meta.n_heads,
                   r->meta.n_layers);
        if (r->meta.n_kv_heads)
            buf_printf(out, "\"n_kv_heads\":%d,\"d_head\":%d,", r->meta.n_kv_heads, r->meta.d_head);
        buf_puts(out, "\"score\":");
        json_string(out, r->meta.score ? r->meta.score : "scaled_dot");
    } else {
        buf_printf(out, ",\"n_heads\":%d,\"n_layers\":%d", r->meta.n_heads, r->meta.n_layers);
    }
    buf_printf(out, ",\"causal\":%s}", r->causal ? "true" : "false");
    if (r->aggregate) {
        buf_puts(out, ",\"aggregate\":");
        json_string(out, r->aggregate);
    }
    buf_puts(out, ",\"layers\":[");
}

void render_json_head(attn_buf *out, const attn_result *r, int li, int hi, const float *w)
{
    render_json_rows(out, r, li, hi, w, 0, r->n_q);
}

void render_json_rows(attn_buf *out, const attn_result *r, int li, int hi, const float *w, int q0, int q1)
{
    if (q0 == 0 && hi == 0) buf_printf(out, "%s{\"layer\":%d,\"heads\":[", li ? "," : "", r->layers[li] + 1);
    if (q0 == 0 && r->aggregate)
        buf_printf(out, "%s{\"head\":\"%s\",\"weights\":[", hi ? "," : "", r->aggregate);
    else if (q0 == 0)
        buf_printf(out, "%s{\"head\":%d,\"weights\":[", hi ? "," : "", r->heads[hi] + 1);
    for (int q = q0; q < q1; q++) {
        if (buf_reserve(out, (size_t)r->n_k * (NUMFMT_MAX + 1) + 4) != 0) return;
        char *p = out->data + out->len;
        if (q) *p++ = ',';
        *p++ = '[';
        for (int k = 0; k < r->n_k; k++) {
            if (k) *p++ = ',';
            p += numfmt_g9(p, w[(size_t)q * r->n_k + k]);
        }
        *p++ = ']';
        out->len = (size_t)(p - out->data);
        out->data[out->len] = '\0';
    }
    if (q1 < r->n_q) return;
    buf_puts(out, "]}");
    if (hi == r->n_heads - 1) buf_puts(out, "]}");
}

void render_json_end(attn_buf *out, const attn_result *r)
{
    (void)r;
    buf_puts(out, "]}\n");
}

int render_json(attn_buf *out, const attn_result *r, attn_error *err)
{
    render_json_begin(out, r);
    for (int li = 0; li < r->n_layers; li++)
        for (int hi = 0; hi < r->n_heads; hi++) render_json_head(out, r, li, hi, result_head(r, li, hi));
    render_json_end(out, r);
    return out->failed ? attn_oom(err, "JSON output") : 0;
}
