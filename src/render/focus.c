/* focus.c — the focus view of the terminal renderer (render_ansi()
 * with o->query >= 0; see render.h and ansi_common.h).
 *
 * Per shown head, the o->top unmasked keys by weight (ties: lower key index
 * first; NaN ranks last) as "it → animal ██████▍ 0.41": the query label, the
 * key label, a bar in eighths of a column (coloured by the weight unless
 * COLOR_NONE) and the weight. Bars follow the colour scale (scale.h) built
 * on the query's row: by default one scale, 0 to the largest weight listed,
 * at most BAR_MAX columns. Heads go side by side in bands, as many
 * as fit in the width, balanced across bands, each under its title.
 */
#include "render/ansi_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

#define BAR_MAX 20  /* bar length */

typedef struct { float w; int k; } ranked;  /* a key and its weight */

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->w > y->w) return -1;
    if (x->w < y->w) return 1;
    return (x->k > y->k) - (x->k < y->k);
}

int ansi_render_focus(ansi_pen *p, const attn_result *r, const ansi_opts *o,
                      const ansi_label *ql, const ansi_label *kl, int width, attn_error *err)
{
    int q = o->query, n_maps = r->n_layers * r->n_heads;
    int top = o->top < 1 ? 1 : o->top;
    if (top > r->n_k) top = r->n_k;
    ranked *rk = malloc((size_t)n_maps * (size_t)(r->n_k > 0 ? r->n_k : 1) * sizeof *rk); /* [maps][n_k] */
    int *cnt = calloc((size_t)(n_maps > 0 ? n_maps : 1), sizeof *cnt);                    /* [maps] */
    int cap = width / 6 < 4 ? 4 : width / 6 > 14 ? 14 : width / 6;
    char **kab = ansi_abbrevs(kl, r->n_k, cap, 0), **qab = ansi_abbrevs(ql + q, 1, cap, 0);
    attn_scale sc = {0};
    int rc = -1;
    if (!rk || !cnt || !kab || !qab) { attn_oom(err, "focus view"); goto done; }
    if (scale_build(&sc, r, q, q + 1, o->colour, err)) goto done;
    int kw = 1, tw = 0, vw = 4; /* widest key label, title, value ("0.25"; "5.7e-07") */
    for (int m = 0; m < n_maps; m++) {
        const float *w = result_head(r, m / r->n_heads, m % r->n_heads) + (size_t)q * (size_t)r->n_k;
        ranked *row = rk + (size_t)m * (size_t)r->n_k;
        int n = 0;
        for (int k = 0; k < r->n_k; k++)
            if (!result_masked_in(r, m / r->n_heads, q, k)) { row[n].w = isnan(w[k]) ? -INFINITY : w[k]; row[n].k = k; n++; }
        qsort(row, (size_t)n, sizeof *row, ranked_cmp);
        cnt[m] = n < top ? n : top;
        for (int i = 0; i < cnt[m]; i++) {
            char v[32];
            int w2 = utf8_width(kab[row[i].k]);
            if (w2 > kw) kw = w2;
            ansi_fmt_weight(v, sizeof v, row[i].w);
            if ((int)strlen(v) > vw) vw = (int)strlen(v);
        }
        char t[64];
        ansi_title_of(t, sizeof t, r, m);
        if (utf8_width(t) > tw) tw = utf8_width(t);
    }
    int qw = utf8_width(qab[0]), fixed = qw + 3 + kw + 1 + 1 + vw;
    int bar = BAR_MAX;
    if (fixed + bar > width) bar = width - fixed;
    /* a shorter bar rather than one head per row: two side by side when a
     * bar of at least 10 cells allows it */
    int two = (width - ANSI_GAP) / 2 - fixed;
    if (n_maps > 1 && two >= 10 && two < bar && 2 * (fixed + bar) + ANSI_GAP > width) bar = two;
    if (bar < 1) bar = 1;
    int bw = fixed + bar > tw ? fixed + bar : tw;
    int hpb = (width + ANSI_GAP) / (bw + ANSI_GAP);
    if (hpb < 1) hpb = 1;
    int bands = (n_maps + hpb - 1) / hpb;
    hpb = (n_maps + bands - 1) / bands;

    char head[800], mx[32], bars[300];
    float lo, hi;
    if (scale_single(&sc, -1, -1, &lo, &hi) && lo == 0.0f && !sc.o.log) {
        ansi_fmt_weight(mx, sizeof mx, hi);
        snprintf(bars, sizeof bars, "bars 0 to %s, one scale for all heads", mx);
    } else {
        char cap_[256];
        scale_caption(&sc, n_maps, cap_, sizeof cap_);
        snprintf(bars, sizeof bars, "bars %s", cap_);
    }
    snprintf(head, sizeof head, "focus: query \"%s\" (index %d); the %d key%s it attends to most in "
             "each head; %s", qab[0], q, top, top > 1 ? "s" : "", bars);
    ansi_pen_wrap(p, head, width);
    for (int band = 0; band < bands; band++) {
        int first = band * hpb, last = first + hpb < n_maps ? first + hpb : n_maps;
        ansi_pen_nl(p);
        for (int m = first; m < last; m++) {
            char t[64];
            ansi_title_of(t, sizeof t, r, m);
            ansi_pen_goto(p, (m - first) * (bw + ANSI_GAP));
            ansi_pen_sgr(p, -1, -1, 0, 1);
            ansi_pen_text(p, t, -1);
            ansi_pen_plain(p);
        }
        ansi_pen_nl(p);
        for (int i = 0; i < top; i++) {
            for (int m = first; m < last; m++) {
                if (i >= cnt[m]) continue;
                const ranked *e = rk + (size_t)m * (size_t)r->n_k + i;
                int x = (m - first) * (bw + ANSI_GAP);
                ansi_pen_goto(p, x);
                ansi_pen_text(p, qab[0], qw);
                ansi_pen_text(p, " → ", 3);
                ansi_pen_text(p, kab[e->k], -1);
                ansi_pen_goto(p, x + qw + 3 + kw + 1);
                float t = scale_t(&sc, m / r->n_heads, m % r->n_heads, q, e->w);
                int n8 = (int)(t * (float)bar * 8.0f + 0.5f);
                if (n8 > bar * 8) n8 = bar * 8;
                if (o->color != COLOR_NONE)
                    ansi_pen_sgr(p, ansi_color_code(o->color, o->cmap, t, NULL), -1, 0, 0);
                static const char *const eighth[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
                for (int c = 0; c < n8 / 8; c++) ansi_pen_text(p, "█", 1);
                if (n8 % 8) ansi_pen_text(p, eighth[n8 % 8], 1);
                ansi_pen_plain(p);
                char v[32];
                ansi_fmt_weight(v, sizeof v, e->w);
                ansi_pen_goto(p, x + qw + 3 + kw + 1 + bar + 1);
                ansi_pen_text(p, v, -1);
            }
            ansi_pen_nl(p);
        }
    }
    rc = 0;
done:
    scale_free(&sc);
    free(rk);
    free(cnt);
    ansi_strs_free(kab, r->n_k);
    ansi_strs_free(qab, 1);
    return rc;
}
