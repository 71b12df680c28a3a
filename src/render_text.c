/* render_text.c — the data formats: CSV (RFC 4180) and JSON. See render.h. */
#include <stdio.h>
#include <string.h>

#include "render.h"

/* RFC 4180: quote a field holding a comma, quote, CR or LF; double quotes. */
static void csv_field(attn_buf *out, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        buf_puts(out, s);
        return;
    }
    buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"') buf_putc(out, '"');
        buf_putc(out, *s);
    }
    buf_putc(out, '"');
}

int render_csv(attn_buf *out, const attn_result *r, int header, attn_error *err)
{
    if (header)
        buf_puts(out, r->meta.sentence ? "sentence,layer,head,query_index,query_token,key_index,key_token,weight\n"
                                       : "layer,head,query_index,query_token,key_index,key_token,weight\n");
    for (int li = 0; li < r->n_layers; li++)
        for (int hi = 0; hi < r->n_heads; hi++) {
            const float *w = result_head(r, li, hi); /* [n_q, n_k] */
            char prefix[64], label[16];
            const char *head = result_head_label(r, hi, label);
            if (r->meta.sentence)
                snprintf(prefix, sizeof prefix, "%d,%d,%s,", r->meta.sentence, r->layers[li] + 1, head);
            else
                snprintf(prefix, sizeof prefix, "%d,%s,", r->layers[li] + 1, head);
            for (int q = 0; q < r->n_q; q++)
                for (int k = 0; k < r->n_k; k++) {
                    buf_puts(out, prefix);
                    buf_printf(out, "%d,", q);
                    csv_field(out, r->queries->tok[q].text);
                    buf_printf(out, ",%d,", k);
                    csv_field(out, r->keys->tok[k].text);
                    buf_printf(out, ",%.9g\n", (double)w[(size_t)q * r->n_k + k]);
                }
        }
    return out->failed ? attn_oom(err, "CSV output") : 0;
}

/* A JSON string literal (RFC 8259 escapes; UTF-8 passes through). */
static void json_string(attn_buf *out, const char *s)
{
    buf_putc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf_putc(out, '\\');
            buf_putc(out, (char)c);
        } else if (c == '\n') {
            buf_puts(out, "\\n");
        } else if (c == '\t') {
            buf_puts(out, "\\t");
        } else if (c == '\r') {
            buf_puts(out, "\\r");
        } else if (c < 0x20) {
            buf_printf(out, "\\u%04x", c);
        } else {
            buf_putc(out, (char)c);
        }
    }
    buf_putc(out, '"');
}

static void json_tokens(attn_buf *out, const attn_tokens *t)
{
    buf_putc(out, '[');
    for (int i = 0; i < t->n; i++) {
        buf_puts(out, i ? ",{\"text\":" : "{\"text\":");
        json_string(out, t->tok[i].text);
        buf_printf(out, ",\"start\":%zu,\"end\":%zu}", t->tok[i].start, t->tok[i].end);
    }
    buf_putc(out, ']');
}

int render_json(attn_buf *out, const attn_result *r, attn_error *err)
{
    buf_putc(out, '{');
    if (r->meta.sentence) buf_printf(out, "\"sentence\":%d,", r->meta.sentence);
    buf_puts(out, "\"tokens\":");
    json_tokens(out, r->queries);
    if (r->keys != r->queries) {
        buf_puts(out, ",\"keys\":");
        json_tokens(out, r->keys);
    }
    buf_puts(out, ",\"model\":{\"source\":");
    json_string(out, r->meta.model ? r->meta.model : "seeded");
    if (r->meta.seeded) buf_printf(out, ",\"seed\":%llu", (unsigned long long)r->meta.seed);
    buf_printf(out, ",\"d_model\":%d,\"n_heads\":%d,\"n_layers\":%d,\"score\":", r->meta.d_model,
               r->meta.n_heads, r->meta.n_layers);
    json_string(out, r->meta.score ? r->meta.score : "scaled_dot");
    buf_printf(out, ",\"causal\":%s}", r->causal ? "true" : "false");
    buf_puts(out, ",\"layers\":[");
    for (int li = 0; li < r->n_layers; li++) {
        buf_printf(out, "%s{\"layer\":%d,\"heads\":[", li ? "," : "", r->layers[li] + 1);
        for (int hi = 0; hi < r->n_heads; hi++) {
            const float *w = result_head(r, li, hi); /* [n_q, n_k] */
            if (r->aggregate)
                buf_printf(out, "%s{\"head\":\"%s\",\"weights\":[", hi ? "," : "", r->aggregate);
            else
                buf_printf(out, "%s{\"head\":%d,\"weights\":[", hi ? "," : "", r->heads[hi] + 1);
            for (int q = 0; q < r->n_q; q++) {
                buf_puts(out, q ? ",[" : "[");
                for (int k = 0; k < r->n_k; k++)
                    buf_printf(out, k ? ",%.9g" : "%.9g", (double)w[(size_t)q * r->n_k + k]);
                buf_putc(out, ']');
            }
            buf_puts(out, "]}");
        }
        buf_puts(out, "]}");
    }
    buf_puts(out, "]}\n");
    return out->failed ? attn_oom(err, "JSON output") : 0;
}
