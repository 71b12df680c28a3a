/* test_render_ansi.c — terminal heatmaps and focus view on hand-built results.
 *
 * Independent checks: display widths are computed here with a small table of
 * our own (not utf8.h), escape sequences are parsed here, the focus ranking is
 * compared with a sort done here, and 256-colour indices with a brute-force
 * search over the xterm palette. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/render.h"
#include "test.h"

/* ---- helpers --------------------------------------------------------------- */

static uint32_t dec(const char *s, int *n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) { *n = 1; return u[0]; }
    int k = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : 2;
    uint32_t c = u[0] & (0x7F >> k);
    for (int i = 1; i < k; i++) c = c << 6 | (u[i] & 0x3F);
    *n = k;
    return c;
}

/* Width table for the characters these tests use. */
static int cpw(uint32_t c)
{
    if ((c >= 0x300 && c <= 0x36F) || c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F)) return 0;
    if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x4E00 && c <= 0x9FFF) ||
        (c >= 0x1F300 && c <= 0x1FAFF)) return 2;
    return 1;
}

/* Copy of s[0..len) without CSI escape sequences. */
static char *strip(const char *s, size_t len)
{
    char *o = malloc(len + 1);
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == 0x1b && i + 1 < len && s[i + 1] == '[') {
            i += 2;
            while (i < len && !(s[i] >= 0x40 && s[i] <= 0x7E)) i++;
            continue;
        }
        o[j++] = s[i];
    }
    o[j] = '\0';
    return o;
}

static int strw(const char *s, size_t len)
{
    int w = 0, n;
    for (size_t i = 0; i < len; i += (size_t)n) w += cpw(dec(s + i, &n));
    return w;
}

/* Splits text into lines (modifies it); returns the count. */
static int lines_of(char *text, char **lines, int max)
{
    int n = 0;
    for (char *p = text; *p && n < max;) {
        char *e = strchr(p, '\n');
        if (e) *e = '\0';
        lines[n++] = p;
        if (!e) break;
        p = e + 1;
    }
    return n;
}

typedef struct {
    attn_token tok[256];
    char text[256][32];
    attn_tokens t;
    int layers[4], heads[16];
    attn_result r;
} fixture;

static uint64_t seed = 88172645463325252ull;
static float urand(void)
{
    seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
    return (float)(seed >> 40) / (float)(1 << 24);
}

/* n tokens (from words, or "w<i>"), H heads in one layer, random rows that sum
 * to 1 over the unmasked keys; masked cells get `junk` (should be 0, but the
 * renderer must not look at them). */
static void fx_init(fixture *f, int n, const char *const *words, int H, int causal, float junk)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < n; i++) {
        if (words) snprintf(f->text[i], sizeof f->text[i], "%s", words[i]);
        else snprintf(f->text[i], sizeof f->text[i], "w%d", i);
        f->tok[i].text = f->text[i];
        f->tok[i].id = -1;
    }
    f->t.tok = f->tok;
    f->t.n = n;
    for (int h = 0; h < H; h++) f->heads[h] = h;
    f->r.queries = f->r.keys = &f->t;
    f->r.n_q = f->r.n_k = n;
    f->r.n_layers = 1;
    f->r.n_heads = H;
    f->r.layers = f->layers;
    f->r.heads = f->heads;
    f->r.causal = causal;
    f->r.weights = malloc(sizeof(float) * (size_t)H * (size_t)n * (size_t)n);
    for (int h = 0; h < H; h++)
        for (int q = 0; q < n; q++) {
            float *row = f->r.weights + ((size_t)h * (size_t)n + (size_t)q) * (size_t)n, s = 0;
            for (int k = 0; k < n; k++) {
                row[k] = (causal && k > q) ? 0.0f : 0.05f + urand();
                s += (causal && k > q) ? 0.0f : row[k];
            }
            for (int k = 0; k < n; k++) row[k] = (causal && k > q) ? junk : row[k] / s;
        }
}

static char *render(const attn_result *r, attn_color_depth c, int width, int values, int query,
                    int top, size_t *len)
{
    ansi_opts o = {c, width, values, CMAP_VIRIDIS, query, top, NULL};
    attn_buf b;
    attn_error e;
    buf_init(&b);
    if (render_ansi(&b, r, &o, &e) != 0) { printf("render_ansi: %s\n", e.msg); buf_free(&b); return NULL; }
    if (len) *len = b.len;
    return b.data;
}

/* ---- tests ----------------------------------------------------------------- */

static const char *const SENT[6] = {"the", "cat", "saw", "the", "dog", "."};

static void test_widths(void)
{
    static const int widths[] = {20, 33, 40, 80, 200};
    int bad_width = 0, bad_esc = 0, bad_trail = 0, runs = 0;
    for (int size = 0; size < 3; size++)
        for (int causal = 0; causal < 2; causal++) {
            fixture *f = malloc(sizeof *f);
            int n = size == 0 ? 6 : size == 1 ? 64 : 200, H = size == 2 ? 2 : 4;
            fx_init(f, n, n == 6 ? SENT : NULL, H, causal, 0.0f);
            for (int c = 0; c < 3; c++)
                for (int wi = 0; wi < 5; wi++)
                    for (int mode = 0; mode < 3; mode++) {
                        size_t len;
                        char *out = render(&f->r, (attn_color_depth)c, widths[wi], mode == 1,
                                           mode == 2 ? n / 2 : -1, 3, &len);
                        if (!out) { bad_width++; continue; }
                        runs++;
                        if ((memchr(out, 0x1b, len) != NULL) != (c != COLOR_NONE)) bad_esc++;
                        char *plain = strip(out, len), *ls[4096];
                        int nl = lines_of(plain, ls, 4096);
                        for (int i = 0; i < nl; i++) {
                            size_t l = strlen(ls[i]);
                            if (strw(ls[i], l) > widths[wi]) {
                                if (bad_width++ < 3) printf("  too wide (%d): %s\n", widths[wi], ls[i]);
                            }
                            if (c == COLOR_NONE && l && ls[i][l - 1] == ' ') bad_trail++;
                        }
                        free(plain);
                        free(out);
                    }
            free(f->r.weights);
            free(f);
        }
    CHECK("ansi: 270 renders ran", runs == 270);
    CHECK("ansi: every line fits the width (20..200 cols, all modes)", bad_width == 0);
    CHECK("ansi: escape bytes iff colour", bad_esc == 0);
    CHECK("ansi: no trailing spaces in monochrome", bad_trail == 0);
}

/* The line whose row label (right-aligned) is lab, or NULL. */
static char *row_line(char **ls, int n, const char *lab)
{
    size_t l = strlen(lab);
    for (int i = 0; i < n; i++) {
        const char *p = ls[i];
        while (*p == ' ') p++;
        if (!strncmp(p, lab, l) && p[l] == ' ') return ls[i];
    }
    return NULL;
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

static void test_labels_and_mask(void)
{
    fixture f;
    fx_init(&f, 6, SENT, 2, 1, 0.9f);  /* masked cells hold junk 0.9 */
    static const char *const labs[6] = {"the₀", "cat", "saw", "the₃", "dog", "."};
    for (int c = 0; c < 3; c++) {
        size_t len;
        char *out = render(&f.r, (attn_color_depth)c, 80, 0, -1, 5, &len);
        char *plain = strip(out, len), *split = strip(out, len), *ls[256];
        int nl = lines_of(split, ls, 256), ok_rows = 1, ok_dots = 1;
        for (int q = 0; q < 6; q++) {
            char *line = row_line(ls, nl, labs[q]);
            if (!line) { ok_rows = 0; continue; }
            if (count(line, "·") != 2 * (6 - 1 - q)) ok_dots = 0;
        }
        char name[128];
        snprintf(name, sizeof name, "ansi: repeated tokens distinct (the₀, the₃) [depth %d]", c);
        CHECK(name, ok_rows && strstr(plain, "the₀") && strstr(plain, "the₃"));
        snprintf(name, sizeof name, "ansi: masked cells drawn as · , one per masked cell [depth %d]", c);
        CHECK(name, ok_dots);
        if (c == COLOR_TRUE) {
            uint8_t z[3];
            char esc[64];
            colormap_rgb(CMAP_VIRIDIS, 0.0f, z);
            snprintf(esc, sizeof esc, "48;2;%d;%d;%dm", z[0], z[1], z[2]);
            CHECK("ansi: masked cells never get the colour of 0", strstr(out, esc) == NULL);
        }
        /* the colour bar's max: the max unmasked weight, not the 0.9 junk */
        float mx = 0;
        for (int h = 0; h < 2; h++)
            for (int q = 0; q < 6; q++)
                for (int k = 0; k <= q; k++)
                    if (result_head(&f.r, 0, h)[q * 6 + k] > mx) mx = result_head(&f.r, 0, h)[q * 6 + k];
        char want[32];
        snprintf(want, sizeof want, "▏ %.2f", (double)mx);
        snprintf(name, sizeof name, "ansi: colour bar max = max unmasked weight %s [depth %d]", want, c);
        CHECK(name, strstr(plain, want) != NULL && strstr(plain, "0.00 ▕") != NULL);
        CHECK("ansi: title and caption", strstr(plain, "layer 1 · head 2") && strstr(plain, "rows = queries"));
        free(plain);
        free(split);
        free(out);
    }
    free(f.r.weights);
}

typedef struct { float w; int k; } pair;
static int pair_cmp(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->w != y->w) return x->w > y->w ? -1 : 1;
    return x->k - y->k;
}

static void test_focus(void)
{
    static const char *const labs[6] = {"the₀", "cat", "saw", "the₃", "dog", "."};
    for (int causal = 0; causal < 2; causal++) {
        fixture f;
        fx_init(&f, 6, SENT, 3, causal, 0.0f);
        int q = 2, top = 4;
        size_t len;
        char *out = render(&f.r, COLOR_NONE, 40, 0, q, top, &len), *ls[256];
        int nl = lines_of(out, ls, 256), ok = 1, heads_seen = 0;
        for (int h = 0; h < 3; h++) {
            char title[64];
            snprintf(title, sizeof title, "layer 1 · head %d", h + 1);
            int at = -1;
            for (int i = 0; i < nl; i++) if (!strcmp(ls[i], title)) at = i;
            if (at < 0) { ok = 0; continue; }
            heads_seen++;
            const float *row = result_head(&f.r, 0, h) + q * 6;
            pair p[6];
            int n = 0;
            for (int k = 0; k < 6; k++) if (!(causal && k > q)) { p[n].w = row[k]; p[n].k = k; n++; }
            qsort(p, (size_t)n, sizeof *p, pair_cmp);
            int want = n < top ? n : top;
            for (int i = 0; i < want; i++) {
                char expect[64], val[16];
                const char *line = at + 1 + i < nl ? ls[at + 1 + i] : "";
                snprintf(expect, sizeof expect, "saw → %s ", labs[p[i].k]);
                snprintf(val, sizeof val, " %.2f", (double)p[i].w);
                size_t ll = strlen(line), vl = strlen(val);
                if (strncmp(line, expect, strlen(expect)) || ll < vl || strcmp(line + ll - vl, val)) {
                    printf("  focus line %d of head %d: \"%s\", want \"%s…%s\"\n", i, h + 1, line, expect, val);
                    ok = 0;
                }
            }
            /* exactly `want` entries */
            if (at + 1 + want < nl && strstr(ls[at + 1 + want], "→")) ok = 0;
        }
        CHECK(causal ? "ansi: focus ranking matches a sort (causal: masked keys left out)"
                     : "ansi: focus ranking matches a sort, values 2 decimals", ok && heads_seen == 3);
        free(out);
        free(f.r.weights);
    }
}

static void test_focus_ties(void)
{
    fixture f;
    fx_init(&f, 6, SENT, 1, 0, 0.0f);
    for (int k = 0; k < 6; k++) f.r.weights[4 * 6 + k] = k == 2 ? 0.5f : 0.1f;  /* query "dog" */
    char *out = render(&f.r, COLOR_NONE, 80, 0, 4, 4, NULL);
    const char *a = strstr(out, "dog → saw "), *b = strstr(out, "dog → the₀ "),
               *c = strstr(out, "dog → cat "), *d = strstr(out, "dog → the₃ ");
    CHECK("ansi: focus ties ranked by key index", a && b && c && d && a < b && b < c && c < d &&
                                                  !strstr(out, "dog → dog"));
    free(out);
    free(f.r.weights);
}

static void test_wide_chars(void)
{
    static const char *const words[7] = {"猫", "が", "😀", "cat", "the", "😀", "éa\xcc\x81"};
    fixture f;
    fx_init(&f, 7, words, 1, 0, 0.0f);
    /* weights 0.1..0.3, so every cell has a visible shade (t >= 1/3) */
    for (int q = 0; q < 7; q++)
        for (int k = 0; k < 7; k++) f.r.weights[q * 7 + k] = 0.1f + 0.2f * (float)((q + k) % 3) / 2.0f;
    static const int widths[] = {40, 80, 200};
    for (int wi = 0; wi < 3; wi++) {
        size_t len;
        char *out = render(&f.r, COLOR_NONE, widths[wi], 0, -1, 5, &len), *ls[256];
        int nl = lines_of(out, ls, 256), lw = -1, cells = -1, ok = 1, rows = 0, first_row = -1;
        for (int i = 0; i < nl; i++) {
            /* a map row: label, one space, 7 cells of ramp characters */
            const char *sp = strstr(ls[i], " ░");
            if (!sp) sp = strstr(ls[i], " ▒");
            if (!sp) sp = strstr(ls[i], " ▓");
            if (!sp) sp = strstr(ls[i], " █");
            if (!sp || strstr(ls[i], "▕")) continue;
            rows++;
            if (first_row < 0) first_row = i;
            int a = strw(ls[i], (size_t)(sp - ls[i])), b = strw(sp + 1, strlen(sp + 1));
            if (lw < 0) { lw = a; cells = b; }
            if (a != lw || b != cells) ok = 0;
        }
        char name[128];
        snprintf(name, sizeof name, "ansi: CJK/emoji rows aligned: same label width, same map width [%d cols]", widths[wi]);
        CHECK(name, ok && rows == 7 && cells % 7 == 0);
        int cw = cells / 7, ok2 = 1, glyphs = 0;
        for (int i = 1; i < first_row; i++) {  /* key labels: after the title, before the rows */
            int col = 0, n;
            for (const char *p = ls[i]; *p; p += n) {
                uint32_t c = dec(p, &n);
                int w = cpw(c);
                if (c != ' ' && w > 0) {
                    glyphs++;
                    if (col < lw + 1 || (col - lw - 1) % cw) ok2 = 0;
                }
                col += w;
            }
        }
        snprintf(name, sizeof name, "ansi: CJK/emoji key labels start on cell boundaries [%d cols]", widths[wi]);
        CHECK(name, ok2 && glyphs >= 7 && first_row > 1 && !strncmp(ls[0] + lw + 1, "layer 1", 7));
        free(out);
    }
    free(f.r.weights);
}

static int nearest256_dist(const uint8_t c[3], int idx)
{
    static const int lv[6] = {0, 95, 135, 175, 215, 255};
    int r, g, b;
    if (idx >= 232) r = g = b = 8 + 10 * (idx - 232);
    else { int i = idx - 16; r = lv[i / 36]; g = lv[i / 6 % 6]; b = lv[i % 6]; }
    return (c[0] - r) * (c[0] - r) + (c[1] - g) * (c[1] - g) + (c[2] - b) * (c[2] - b);
}

static void test_colours(void)
{
    fixture f;
    fx_init(&f, 4, SENT, 1, 0, 0.0f);
    for (int q = 0; q < 4; q++)
        for (int k = 0; k < 4; k++) f.r.weights[q * 4 + k] = 0.1f * (float)(k + 1);
    for (int run = 0; run < 4; run++) {
        int depth = run % 2 ? COLOR_TRUE : COLOR_256;
        attn_colormap cm = run < 2 ? CMAP_VIRIDIS : CMAP_GRAYS;
        ansi_opts o = {(attn_color_depth)depth, 80, 0, cm, -1, 5, NULL};
        attn_buf buf;
        attn_error e;
        buf_init(&buf);
        render_ansi(&buf, &f.r, &o, &e);
        char *out = buf.data;
        /* first map row: the 4 background colours in order */
        const char *p = strstr(out, "the₀ ");
        int ok = p != NULL, found = 0;
        for (int k = 0; p && k < 4; k++) {
            p = strstr(p, "48;");
            if (!p) { ok = 0; break; }
            uint8_t want[3];
            colormap_rgb(cm, (float)(k + 1) / 4.0f, want);
            if (depth == COLOR_TRUE) {
                int r, g, b;
                if (sscanf(p, "48;2;%d;%d;%dm", &r, &g, &b) != 3 || r != want[0] || g != want[1] || b != want[2]) ok = 0;
            } else {
                int idx, best = 1 << 30;
                if (sscanf(p, "48;5;%dm", &idx) != 1 || idx < 16 || idx > 255) { ok = 0; break; }
                for (int i = 16; i < 256; i++) if (nearest256_dist(want, i) < best) best = nearest256_dist(want, i);
                if (nearest256_dist(want, idx) != best) ok = 0;
            }
            found++;
            p += 3;
        }
        char name[128];
        snprintf(name, sizeof name, "%s [%s]",
                 depth == COLOR_TRUE ? "ansi: truecolor cells are the colormap's RGB"
                                     : "ansi: 256-colour cells are the nearest xterm palette colour",
                 colormap_name(cm));
        CHECK(name, ok && found == 4);
        free(out);
    }
    free(f.r.weights);
}

static void test_dense_values_errors(void)
{
    fixture *f = malloc(sizeof *f);
    fx_init(f, 64, NULL, 2, 1, 0.0f);
    size_t len;
    char *out = render(&f->r, COLOR_TRUE, 80, 0, -1, 5, &len);
    CHECK("ansi: dense colour maps use half blocks", strstr(out, "▀") && strstr(out, "tokens:"));
    free(out);
    out = render(&f->r, COLOR_NONE, 80, 1, -1, 5, &len);
    CHECK("ansi: --values dropped with a note when too wide", strstr(out, "--values ignored") != NULL);
    CHECK("ansi: monochrome dense maps use no half blocks", !strstr(out, "▀") && strstr(out, "░"));
    free(out);
    free(f->r.weights);
    fx_init(f, 200, NULL, 1, 0, 0.0f);
    out = render(&f->r, COLOR_256, 40, 0, -1, 5, &len);
    CHECK("ansi: a 200-token map at 40 cols is downsampled and says so", strstr(out, "downsampled") != NULL);
    free(out);
    free(f->r.weights);

    fx_init(f, 4, SENT, 1, 0, 0.0f);
    for (int k = 0; k < 16; k++) f->r.weights[k] = (float)(k % 4) * 0.25f + 0.03f;
    out = render(&f->r, COLOR_NONE, 80, 1, -1, 5, &len);
    CHECK("ansi: --values prints each weight with 2 decimals",
          strstr(out, " 0.03 0.28 0.53 0.78") != NULL);
    free(out);
    char *a = render(&f->r, COLOR_TRUE, 80, 1, -1, 5, NULL), *b = render(&f->r, COLOR_TRUE, 80, 1, -1, 5, NULL);
    CHECK("ansi: deterministic", a && b && !strcmp(a, b));
    free(a);
    free(b);

    f->r.aggregate = "mean";
    f->heads[0] = -1;
    out = render(&f->r, COLOR_NONE, 80, 0, -1, 5, &len);
    CHECK("ansi: an aggregate is titled by its name", strstr(out, "layer 1 · mean\n") != NULL);
    free(out);
    f->r.aggregate = NULL;
    f->heads[0] = 0;

    ansi_opts o = {COLOR_NONE, 80, 0, CMAP_VIRIDIS, 4, 5, NULL};
    attn_buf buf;
    attn_error e = {0, ""};
    buf_init(&buf);
    CHECK("ansi: query index out of range is an input error",
          render_ansi(&buf, &f->r, &o, &e) == -1 && e.code == ATTN_EXIT_INPUT);
    buf_free(&buf);

    /* a token with control characters cannot inject an escape */
    snprintf(f->text[1], sizeof f->text[1], "a\x1b[31mb");
    out = render(&f->r, COLOR_NONE, 80, 0, -1, 5, &len);
    CHECK("ansi: control characters in tokens are neutralised", !memchr(out, 0x1b, len));
    free(out);
    out = render(&f->r, COLOR_NONE, 80, 0, 1, 5, &len);
    CHECK("ansi: ... also in the focus view", !memchr(out, 0x1b, len));
    free(out);
    free(f->r.weights);
    free(f);
}

/* Cross-attention: 3 queries, 5 keys from another text. */
static void test_cross(void)
{
    fixture q, k;
    static const char *const src[5] = {"le", "chat", "voit", "le", "chien"};
    fx_init(&q, 3, SENT, 2, 0, 0.0f);
    fx_init(&k, 5, src, 2, 0, 0.0f);
    free(q.r.weights);
    q.r.keys = &k.t;
    q.r.n_k = 5;
    q.r.weights = k.r.weights;  /* [2][5][5]: the first 3 rows of each head are used as [2][3][5] */
    int bad = 0;
    for (int w = 20; w <= 200; w += 30)
        for (int c = 0; c < 3; c++) {
            size_t len;
            char *out = render(&q.r, (attn_color_depth)c, w, 0, -1, 5, &len), *plain = strip(out, len), *ls[512];
            /* key labels are vertical: "le" repeated gets subscripts ₀ and ₃ */
            int nl = lines_of(plain, ls, 512), firsts = 0;
            for (int i = 0; i < nl; i++) {
                char t[256];
                size_t n = 0;
                for (const char *p = ls[i]; *p && n < sizeof t - 1; p++) if (*p != ' ') t[n++] = *p;
                t[n] = '\0';
                if (!strcmp(t, "lcvlc") || !strcmp(t, "lcvlclcvlc")) firsts++;  /* 1 or 2 heads */
            }
            if (!strstr(out, "₀") || !strstr(out, "₃") || !strstr(out, "saw") || firsts < 1) {
                printf("  cross labels missing at %d cols\n", w);
                bad++;
            }
            for (int i = 0; i < nl; i++) if (strw(ls[i], strlen(ls[i])) > w) bad++;
            free(plain);
            free(out);
        }
    CHECK("ansi: cross-attention (3 queries x 5 keys): labels from both texts, widths fit", bad == 0);
    char *out = render(&q.r, COLOR_NONE, 80, 0, 1, 3, NULL);
    CHECK("ansi: cross-attention focus lists source keys", out && strstr(out, "cat → ") && strstr(out, "le₀"));
    free(out);
    free(k.r.weights);
}

static void test_speed(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return; /* timings of a sanitizer build mean nothing */
#endif
    fixture *f = malloc(sizeof *f);
    fx_init(f, 64, NULL, 12, 0, 0.0f);
    static const int widths[] = {80, 200};
    for (int wi = 0; wi < 2; wi++) {
        clock_t t0 = clock();
        int reps = 20;
        size_t len = 0;
        for (int i = 0; i < reps; i++) free(render(&f->r, COLOR_TRUE, widths[wi], 0, -1, 5, &len));
        double ms = 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC / reps;
        /* reported, not asserted: timings belong to make bench */
        printf("# 12 heads x 64 tokens, truecolor, %d cols: %.2f ms per render, %zu bytes\n",
               widths[wi], ms, len);
    }
    free(f->r.weights);
    free(f);
}

int main(void)
{
    test_widths();
    test_labels_and_mask();
    test_focus();
    test_focus_ties();
    test_wide_chars();
    test_colours();
    test_dense_values_errors();
    test_cross();
    test_speed();
    return test_done();
}
