/* scale.c — the colour scale of every view. See scale.h for the contract. */
#include "render/scale.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const scale_norm_names[] = {"all", "layer", "head", "row", NULL};

#define LOG_DECADES 1000.0f /* log scale without --vmin: hi / 1000 to hi */

int scale_check(const scale_opts *o, attn_error *err)
{
    if (o->has_vmin && o->has_vmax && !(o->vmin < o->vmax))
        return attn_fail(err, ATTN_EXIT_INPUT, "--vmin %g --vmax %g: vmin must be below vmax", o->vmin,
                         o->vmax);
    if (o->log && o->has_vmin && !(o->vmin > 0))
        return attn_fail(err, ATTN_EXIT_INPUT, "--log: --vmin %g must be above 0 on a log scale", o->vmin);
    if (o->log && o->has_vmax && !(o->vmax > 0))
        return attn_fail(err, ATTN_EXIT_INPUT, "--log: --vmax %g must be above 0 on a log scale", o->vmax);
    return 0;
}

/* Group of cell (li, hi, q). */
static size_t group_of(const attn_scale *s, int li, int hi, int q)
{
    switch (s->o.norm) {
    case NORM_LAYER: return (size_t)li;
    case NORM_HEAD: return (size_t)li * (size_t)s->n_heads + (size_t)hi;
    case NORM_ROW:
        return ((size_t)li * (size_t)s->n_heads + (size_t)hi) * (size_t)(s->q1 - s->q0) + (size_t)(q - s->q0);
    default: return 0;
    }
}

int scale_build(attn_scale *s, const attn_result *r, int q0, int q1, const scale_opts *o, attn_error *err)
{
    static const scale_opts dflt = {NORM_ALL, 0, 0, 0.0, 0.0, 0};
    memset(s, 0, sizeof *s);
    s->o = o ? *o : dflt;
    if (s->o.has_vmin && s->o.has_vmax) s->o.norm = NORM_ALL; /* one fixed range */
    if (q0 < 0) q0 = 0;
    if (q1 > r->n_q) q1 = r->n_q;
    if (q1 < q0) q1 = q0;
    s->n_layers = r->n_layers;
    s->n_heads = r->n_heads;
    s->q0 = q0;
    s->q1 = q1;
    int rows = q1 - q0 > 0 ? q1 - q0 : 1;
    size_t maps = (size_t)r->n_layers * (size_t)r->n_heads;
    size_t groups = s->o.norm == NORM_LAYER ? (size_t)r->n_layers
                  : s->o.norm == NORM_HEAD  ? maps
                  : s->o.norm == NORM_ROW   ? maps * (size_t)rows : 1;
    if (groups == 0) groups = 1;
    s->groups = (int)groups;
    s->lo = malloc(groups * sizeof *s->lo); /* [groups] */
    s->hi = malloc(groups * sizeof *s->hi); /* [groups] */
    char *seen = calloc(groups, 1);         /* [groups] 1: a counted weight */
    if (!s->lo || !s->hi || !seen) {
        free(seen);
        scale_free(s);
        return attn_oom(err, "colour scale");
    }
    float *mn = s->lo, *mx = s->hi; /* min and max first, then the ranges */
    for (size_t g = 0; g < groups; g++) mn[g] = mx[g] = 0.0f;
    for (int li = 0; li < r->n_layers; li++)
        for (int hi = 0; hi < r->n_heads; hi++) {
            const float *w = result_head(r, li, hi);
            for (int q = q0; q < q1; q++) {
                size_t g = group_of(s, li, hi, q);
                for (int k = 0; k < r->n_k; k++) {
                    float v = w[(size_t)q * (size_t)r->n_k + (size_t)k];
                    if (result_masked_in(r, li, q, k) || !isfinite(v)) continue;
                    if (!seen[g] || v > mx[g]) mx[g] = v;
                    if (!seen[g] || v < mn[g]) mn[g] = v;
                    seen[g] = 1;
                }
            }
        }
    for (size_t g = 0; g < groups; g++) {
        float hi = s->o.has_vmax ? (float)s->o.vmax : mx[g], lo;
        if (s->o.has_vmin) lo = (float)s->o.vmin;
        else if (s->o.log) lo = hi > 0.0f ? hi / LOG_DECADES : 1.0f / LOG_DECADES;
        else lo = seen[g] && mn[g] < 0.0f ? mn[g] : 0.0f;
        if (!seen[g] && !s->o.has_vmax) hi = lo; /* nothing counted: repaired below */
        if (!(hi > lo)) hi = s->o.log ? lo * LOG_DECADES : lo + 1.0f;
        s->lo[g] = lo;
        s->hi[g] = hi;
    }
    free(seen);
    return 0;
}

void scale_free(attn_scale *s)
{
    free(s->lo);
    free(s->hi);
    s->lo = s->hi = NULL;
    s->groups = 0;
}

void scale_range(const attn_scale *s, int li, int hi, int q, float *lo, float *hi_out)
{
    size_t g = group_of(s, li, hi, q < s->q0 ? s->q0 : q);
    if (g >= (size_t)s->groups) g = 0;
    *lo = s->lo[g];
    *hi_out = s->hi[g];
}

double scale_pos(double lo, double hi, int log_scale, double v)
{
    double t;
    if (isnan(v)) return 0.0;
    if (log_scale) t = v <= lo ? 0.0 : log(v / lo) / log(hi / lo);
    else t = (v - lo) / (hi - lo);
    return t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
}

float scale_t(const attn_scale *s, int li, int hi, int q, float v)
{
    float lo, h;
    scale_range(s, li, hi, q, &lo, &h);
    return (float)scale_pos(lo, h, s->o.log, v);
}

int scale_single(const attn_scale *s, int li, int hi, float *lo, float *hi_out)
{
    int l0 = li < 0 ? 0 : li, l1 = li < 0 ? s->n_layers : li + 1;
    int h0 = hi < 0 ? 0 : hi, h1 = hi < 0 ? s->n_heads : hi + 1;
    int first = 1;
    for (int l = l0; l < l1; l++)
        for (int h = h0; h < h1; h++)
            for (int q = s->q0; q < (s->q1 > s->q0 ? s->q1 : s->q0 + 1); q++) {
                float a, b;
                scale_range(s, l, h, q, &a, &b);
                if (first) {
                    *lo = a;
                    *hi_out = b;
                    first = 0;
                } else if (a != *lo || b != *hi_out) {
                    return 0;
                }
                if (s->o.norm != NORM_ROW) break; /* one group per head at most */
            }
    if (first) scale_range(s, 0, 0, s->q0, lo, hi_out);
    return 1;
}

void scale_caption(const attn_scale *s, int n_maps, char *buf, size_t cap)
{
    const scale_opts *o = &s->o;
    const char *group = o->norm == NORM_LAYER ? "of each layer"
                      : o->norm == NORM_HEAD  ? (n_maps > 1 ? "of each head" : "of this head")
                      : o->norm == NORM_ROW   ? "of each row"
                      : n_maps > 1 ? "shared by all heads" : "of this head";
    char lo[48], hi[48];
    int neg = 0;
    for (int g = 0; g < s->groups; g++) neg |= s->lo[g] < 0.0f;
    if (o->has_vmin) snprintf(lo, sizeof lo, "%g", o->vmin);
    else snprintf(lo, sizeof lo, "%s", o->log ? "max/1000" : neg ? "min weight" : "0");
    if (o->has_vmax) snprintf(hi, sizeof hi, "%g", o->vmax);
    else snprintf(hi, sizeof hi, "max weight");
    if (o->has_vmin && o->has_vmax)
        snprintf(buf, cap, "%sfixed, %s to %s", o->log ? "log, " : "", lo, hi);
    else
        snprintf(buf, cap, "%s%s to %s%s%s", o->log ? "log, " : "", lo, hi,
                 o->norm == NORM_ALL ? ", " : " ", group);
}

int scale_ticks(double lo, double hi, int log, double *vals, int cap, int *decimals)
{
    int n = 0;
    if (cap <= 0 || !(hi > lo)) return 0;
    if (log) {
        *decimals = -1;
        for (double p = pow(10.0, ceil(log10(lo) - 1e-9)); p <= hi * (1.0 + 1e-9) && n < cap; p *= 10.0)
            vals[n++] = p;
        if (n < 2 && cap >= 2) {
            vals[0] = lo;
            vals[1] = hi;
            n = 2;
        }
        return n;
    }
    static const double mult[] = {1.0, 2.0, 2.5, 5.0, 10.0};
    double raw = (hi - lo) / 6.0, mag = pow(10.0, floor(log10(raw)));
    double step = 10.0 * mag;
    int mi = 4;
    for (int i = 0; i < 5; i++)
        if (mult[i] * mag >= raw * (1.0 - 1e-9)) {
            step = mult[i] * mag;
            mi = i;
            break;
        }
    int d = (int)-floor(log10(step) + 1e-9);
    if (d < 0) d = 0;
    if (mi == 2) d++;
    *decimals = d;
    double first = ceil(lo / step - 1e-9) * step;
    for (int k = 0; n < cap; k++) {
        double v = first + k * step;
        if (v > hi * (1.0 + 1e-9) + 1e-12) break;
        vals[n++] = v == 0.0 ? 0.0 : v; /* no "-0" */
    }
    return n;
}
