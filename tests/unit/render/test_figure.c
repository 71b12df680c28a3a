/* test_figure.c — font.c, raster.c, figure.c, png.c and svg.c
 * on a hand-built attention result (no model involved). */
#include <fontconfig/fontconfig.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/figure.h"
#include "render/font.h"
#include "render/raster.h"
#include "render/render.h"
#include "test.h"

static const char *const WORDS[12] = {"the", "animal", "didn't", "cross", "the", "street",
                                      "because", "it", "was", "too", "tired", "."};

typedef struct {
    attn_tokens toks;
    attn_token tok[1200];
    int layers[4], heads[4];
    attn_result r;
} fixture;

/* n tokens, L × H heads; rows are a deterministic softmax-like pattern with
 * one clear maximum: layer 0 head 0, query n-1, key 1 (the largest weight). */
static fixture *make(int n, int L, int H, int causal)
{
    fixture *f = calloc(1, sizeof *f);
    for (int i = 0; i < n; i++) f->tok[i].text = (char *)WORDS[i % 12];
    f->toks.tok = f->tok;
    f->toks.n = n;
    for (int i = 0; i < 4; i++) f->layers[i] = f->heads[i] = i;
    attn_result *r = &f->r;
    r->queries = r->keys = &f->toks;
    r->n_q = r->n_k = n;
    r->n_layers = L;
    r->n_heads = H;
    r->layers = f->layers;
    r->heads = f->heads;
    r->causal = causal;
    r->weights = calloc((size_t)L * H * n * n, sizeof(float)); /* [L][H][n][n] */
    for (int l = 0; l < L; l++)
        for (int h = 0; h < H; h++) {
            float *w = (float *)result_head(r, l, h);
            for (int q = 0; q < n; q++) {
                int kmax = causal ? q : n - 1;
                for (int k = 0; k <= kmax; k++) w[q * n + k] = 1.0f / (float)(kmax + 1);
            }
        }
    if (n > 2) {
        float *w = (float *)result_head(r, 0, 0);
        w[(n - 1) * n + 1] = 1.5f; /* above the causal row 0 (1.0) */
    }
    r->meta.model = "seeded";
    r->meta.seeded = 1;
    r->meta.seed = 42;
    return f;
}

static void unmake(fixture *f)
{
    free(f->r.weights);
    free(f);
}

static figure_opts opts(double scale, int grid)
{
    figure_opts o;
    memset(&o, 0, sizeof o);
    o.cmap = CMAP_VIRIDIS;
    o.scale = scale;
    o.grid = grid;
    return o;
}

static void test_font(void)
{
    attn_error err = {0};
    attn_font *f = font_open(NULL, &err);
    CHECK("font: fontconfig finds DejaVu Sans", f != NULL);
    if (!f) { printf("    %s\n", err.msg); return; }
    CHECK_STR("font: family", font_family(f), "DejaVu Sans");
    double w13 = font_width(f, "animal didn't", 13), w26 = font_width(f, "animal didn't", 26);
    CHECK_NEAR("font: width proportional to size", w26, 2 * w13, 1e-9);
    CHECK("font: width plausible (0.4–0.7 em a letter)", w13 > 13 * 0.4 * 13 && w13 < 13 * 0.7 * 13);
    CHECK_NEAR("font: empty text has no width", font_width(f, "", 13), 0, 0);
    font_mask m;
    CHECK("font: render", font_render(f, "Hello", 20, 0.0, &m, &err) == 0);
    int ink = 0, full = 0;
    for (int i = 0; i < m.w * m.h; i++) { ink += m.data[i] > 0; full += m.data[i] == 255; }
    CHECK("font: render draws ink, some fully covered", ink > 50 && full > 10);
    /* 'H' is 0.729 em tall and sits on the baseline */
    CHECK("font: cap height above the baseline", m.oy >= 14 && m.oy <= 16);
    CHECK("font: ink width ≈ advance width", m.w > font_width(f, "Hello", 20) - 4 &&
                                                 m.w <= font_width(f, "Hello", 20) + 2);
    int w = m.w, h = m.h, ox = m.ox, oy = m.oy;
    uint8_t corner = m.data[0]; /* top-left goes to bottom-left */
    CHECK("font: rotate", font_mask_rotate_ccw(&m) == 0);
    CHECK("font: rotate swaps the sides", m.w == h && m.h == w);
    CHECK("font: rotate moves the origin", m.ox == oy && m.oy == w - ox);
    CHECK("font: rotate moves pixels counter-clockwise", m.data[(size_t)(m.h - 1) * m.w] == corner);
    font_mask_free(&m);
    font_mask m2, m3;
    font_render(f, "tired", 13, 0.0, &m2, &err);
    font_render(f, "tired", 13, 0.0, &m3, &err);
    CHECK("font: rendering is deterministic", m2.w == m3.w && m2.h == m3.h &&
                                                   memcmp(m2.data, m3.data, (size_t)m2.w * m2.h) == 0);
    font_mask_free(&m3);
    font_render(f, "tired", 13, 0.5, &m3, &err);
    CHECK("font: a fractional pen offset changes the coverage",
          m2.w != m3.w || memcmp(m2.data, m3.data, (size_t)m2.w * m2.h) != 0);
    font_mask_free(&m2);
    font_mask_free(&m3);
    /* fallback: U+1D4D0 (script A) is not in DejaVu Sans; fontconfig finds
     * DejaVu Math TeX Gyre (fonts-dejavu-extra) when installed */
    font_mask box, fb;
    font_render(f, "\xF4\x8F\xBF\xBD", 20, 0.0, &box, &err);  /* U+10FFFD: .notdef */
    font_render(f, "\xF0\x9D\x93\x90", 20, 0.0, &fb, &err);   /* U+1D4D0 */
    FcPattern *pat = FcNameParse((const FcChar8 *)":charset=1d4d0");
    FcObjectSet *os = FcObjectSetBuild(FC_FILE, (char *)NULL);
    FcConfig *cfg = FcInitLoadConfigAndFonts();
    FcFontSet *fs = cfg ? FcFontList(cfg, pat, os) : NULL;
    if (fs && fs->nfont > 0)
        CHECK("font: a fallback font draws what the font lacks",
              box.w != fb.w || box.h != fb.h || memcmp(box.data, fb.data, (size_t)box.w * box.h) != 0);
    else
        printf("SKIP font: no font with U+1D4D0 installed\n");
    if (fs) FcFontSetDestroy(fs);
    FcObjectSetDestroy(os);
    FcPatternDestroy(pat);
    if (cfg) FcConfigDestroy(cfg);
    font_mask_free(&box);
    font_mask_free(&fb);
    font_close(f);

    attn_error e2 = {0};
    CHECK("font: missing --font file fails", font_open("/nonexistent/x.ttf", &e2) == NULL);
    CHECK("font: missing file is an input error", e2.code == ATTN_EXIT_INPUT);
    CHECK("font: message names the file", strstr(e2.msg, "/nonexistent/x.ttf") != NULL);
    char path[] = "/tmp/attnviz_notfont_XXXXXX";
    FILE *fp = fdopen(mkstemp(path), "w");
    fputs("not a font\n", fp);
    fclose(fp);
    attn_error e3 = {0};
    CHECK("font: a file that is not a font fails", font_open(path, &e3) == NULL &&
                                                        e3.code == ATTN_EXIT_INPUT);
    remove(path);
}

static const fig_item *find(const figure *fig, fig_kind kind)
{
    for (int i = 0; i < fig->n; i++)
        if (fig->items[i].kind == kind) return &fig->items[i];
    return NULL;
}

/* Query labels drawn in a figure. */
static int count_qlabels(const figure *fig)
{
    int n = 0;
    for (int i = 0; i < fig->n; i++)
        n += fig->items[i].kind == FIG_TEXT && strcmp(fig->items[i].role, "qlabel") == 0;
    return n;
}

static void test_layout(void)
{
    attn_error err = {0};
    attn_font *font = font_open(NULL, &err);
    if (!font) return;
    fixture *f = make(12, 2, 2, 1);
    figure_opts o = opts(1.0, 0);
    figure a, b;
    CHECK("layout: build", figure_build(&a, &f->r, &o, font, 0, 0, &err) == 0);
    const fig_item *m = find(&a, FIG_MATRIX);
    CHECK("layout: 12 tokens get 40-pixel cells", m && m->cell == 40 && m->w == 480);
    CHECK("layout: width 600–800 pixels at scale 1", a.w >= 600 && a.w <= 800);
    CHECK_STR("layout: default title", a.title, "Layer 1 \xC2\xB7 Head 1");
    int texts = 0, klabels = 0;
    for (int i = 0; i < a.n; i++) {
        const fig_item *it = &a.items[i];
        if (it->kind == FIG_TEXT) texts++;
        if (it->kind == FIG_TEXT && strcmp(it->role, "klabel") == 0) klabels += it->rot == 90;
        if (it->kind != FIG_TEXT && (it->x < 0 || it->y < 0 || it->x + it->w > a.w ||
                                     it->y + it->h > a.h))
            CHECK("layout: every box inside the canvas", 0);
    }
    CHECK("layout: 12 rotated key labels", klabels == 12);
    CHECK("layout: labels, ticks, captions, title, legend", texts >= 12 + 12 + 3 + 3 + 1 + 1);
    CHECK("layout: masked legend for causal results", find(&a, FIG_HATCH) != NULL);
    o = opts(2.0, 0);
    CHECK("layout: build at scale 2", figure_build(&b, &f->r, &o, font, 0, 0, &err) == 0);
    const fig_item *m2 = find(&b, FIG_MATRIX);
    CHECK("layout: --scale 2 doubles cells", m2 && m2->cell == 80);
    CHECK("layout: --scale 2 doubles the canvas", abs(b.w - 2 * a.w) <= 3 && abs(b.h - 2 * a.h) <= 3);
    figure_free(&a);
    figure_free(&b);
    CHECK("layout: build for the scale", figure_build(&a, &f->r, &o, font, 0, 0, &err) == 0);
    CHECK_NEAR("vmax: the largest weight of every head", a.vmax, 1.5, 1e-7);
    CHECK("vmax: one range for all heads", a.single && a.vmin == 0.0f);
    figure_free(&a);
    ((float *)result_head(&f->r, 1, 1))[5] = 5.0f; /* q 0, k 5: masked */
    CHECK("layout: build again", figure_build(&a, &f->r, &o, font, 0, 0, &err) == 0);
    CHECK_NEAR("vmax: masked cells do not count", a.vmax, 1.5, 1e-7);
    figure_free(&a);
    o = opts(1.0, 1);
    CHECK("layout: grid", figure_build(&a, &f->r, &o, font, -1, -1, &err) == 0);
    int mats = 0;
    for (int i = 0; i < a.n; i++) mats += a.items[i].kind == FIG_MATRIX;
    CHECK("layout: grid has a matrix per head", mats == 4);
    CHECK_STR("layout: grid title", a.title, "Attention weights");
    figure_free(&a);
    o.title = "Mine";
    figure_build(&a, &f->r, &o, font, -1, -1, &err);
    CHECK_STR("layout: --title", a.title, "Mine");
    figure_free(&a);
    unmake(f);
    f = make(200, 1, 1, 0);
    o = opts(1.0, 0);
    figure_build(&a, &f->r, &o, font, 0, 0, &err);
    int ql = count_qlabels(&a);
    m = find(&a, FIG_MATRIX);
    CHECK("layout: 200 tokens keep the least cell (10) and every label", m && m->cell == 10 && ql == 200);
    figure_free(&a);
    o.cell = 4;
    figure_build(&a, &f->r, &o, font, 0, 0, &err);
    ql = count_qlabels(&a);
    m = find(&a, FIG_MATRIX);
    CHECK("layout: --cell 4 gives 4-pixel cells and every 3rd label", m && m->cell == 4 && ql == 67);
    figure_free(&a);
    o.cell = 0;
    unmake(f);
    f = make(1000, 1, 1, 0);
    figure_build(&a, &f->r, &o, font, 0, 0, &err);
    ql = count_qlabels(&a);
    m = find(&a, FIG_MATRIX);
    CHECK("layout: 1000 tokens: cells shrink to fit 6000 pixels, every 2nd label",
          m && m->cell == 6 && m->w == 6000 && ql == 500);
    figure_free(&a);
    unmake(f);

    f = make(3, 1, 1, 0);
    f->tok[1].text = "Stra\xC3\x9F" "enbahn-Verkehrsinformationssystem\xC3\xBC" "bersicht";
    figure_build(&a, &f->r, &o, font, 0, 0, &err);
    const char *cut = NULL;
    for (int i = 0; i < a.n; i++)
        if (a.items[i].kind == FIG_TEXT && strcmp(a.items[i].role, "qlabel") == 0 &&
            strncmp(a.items[i].text, "Stra", 4) == 0)
            cut = a.items[i].text;
    CHECK("layout: a long label is cut with an ellipsis",
          cut && strlen(cut) > 10 && strcmp(cut + strlen(cut) - 3, "\xE2\x80\xA6") == 0);
    CHECK("layout: a cut label fits 150 units", cut && font_width(font, cut, 13) <= 150.0 &&
                                                     font_width(font, cut, 13) > 130.0);
    figure_free(&a);
    unmake(f);
    font_close(font);
}

/* Decodes PNG bytes into RGBA (caller frees); NULL on failure. */
static uint8_t *decode(const attn_buf *b, int *w, int *h)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, b->data, b->len)) return NULL;
    img.format = PNG_FORMAT_RGBA;
    uint8_t *px = malloc(PNG_IMAGE_SIZE(img));
    if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) { free(px); return NULL; }
    *w = (int)img.width;
    *h = (int)img.height;
    return px;
}

static void test_png(void)
{
    fixture *f = make(12, 2, 2, 1);
    figure_opts o = opts(1.0, 0);
    attn_file *files = NULL, *again = NULL;
    int n = 0, n2 = 0;
    attn_error err = {0};
    CHECK("png: render", render_png(&f->r, &o, &files, &n, &err) == 0);
    if (!files) { printf("    %s\n", err.msg); unmake(f); return; }
    CHECK("png: one file per head", n == 4);
    CHECK_STR("png: first name", files[0].name, "layer1-head1.png");
    CHECK_STR("png: last name", files[3].name, "layer2-head2.png");
    CHECK("png: signature", files[0].data.len > 8 && memcmp(files[0].data.data, "\x89PNG\r\n\x1a\n", 8) == 0);
    render_png(&f->r, &o, &again, &n2, &err);
    CHECK("png: deterministic bytes", n2 == n && again && files[0].data.len == again[0].data.len &&
                                          memcmp(files[0].data.data, again[0].data.data, files[0].data.len) == 0);
    files_free(again, n2);

    /* colours: rebuild the layout to know where the cells are */
    attn_font *font = font_open(NULL, &err);
    figure fig;
    figure_build(&fig, &f->r, &o, font, 0, 0, &err);
    const fig_item *m = find(&fig, FIG_MATRIX);
    int w, h;
    uint8_t *px = decode(&files[0].data, &w, &h);
    CHECK("png: decodes at the layout's size", px && w == fig.w && h == fig.h);
    if (px && m) {
        uint8_t top[3], low[3];
        colormap_rgb(CMAP_VIRIDIS, 1.0f, top);
        colormap_rgb(CMAP_VIRIDIS, (1.0f / 12) / 1.5f, low);
        const uint8_t *c = px + ((size_t)(m->y + 11 * m->cell + m->cell / 2) * w + m->x +
                                 m->cell + m->cell / 2) * 4;
        CHECK("png: the largest weight has the colormap's top colour",
              c[0] == top[0] && c[1] == top[1] && c[2] == top[2] && c[3] == 255);
        c = px + ((size_t)(m->y + 11 * m->cell + 2) * w + m->x + 5 * m->cell + 2) * 4;
        CHECK("png: other cells by weight / max", c[0] == low[0] && c[1] == low[1] && c[2] == low[2]);
        int gray = 1, light = 0; /* masked cell q 0, k 5: gray hatch only */
        for (int y = 0; y < m->cell; y++)
            for (int x = 0; x < m->cell; x++) {
                c = px + ((size_t)(m->y + y) * w + m->x + 5 * m->cell + x) * 4;
                gray &= c[0] == c[1] && c[1] == c[2] && c[0] >= 0xa0;
                light += c[0] == 0xe6;
            }
        CHECK("png: masked cells are a gray hatch", gray && light > 0 && light < m->cell * m->cell);
        c = px;
        CHECK("png: white background", c[0] == 255 && c[1] == 255 && c[2] == 255 && c[3] == 255);
    }
    free(px);
    figure_free(&fig);
    files_free(files, n);

    o.transparent = 1;
    CHECK("png: transparent render", render_png(&f->r, &o, &files, &n, &err) == 0);
    px = files ? decode(&files[0].data, &w, &h) : NULL;
    figure_build(&fig, &f->r, &o, font, 0, 0, &err);
    m = find(&fig, FIG_MATRIX);
    CHECK("png: transparent outside the plot, opaque cells",
          px && m && px[3] == 0 && px[((size_t)(m->y + 1) * w + m->x + 1) * 4 + 3] == 255);
    free(px);
    figure_free(&fig);
    files_free(files, n);

    o = opts(1.0, 1);
    CHECK("png: grid render", render_png(&f->r, &o, &files, &n, &err) == 0);
    CHECK("png: grid is one grid.png", n == 1 && strcmp(files[0].name, "grid.png") == 0);
    files_free(files, n);
    font_close(font);
    unmake(f);

    f = make(1001, 1, 1, 0);
    files = (attn_file *)1;
    o = opts(1.0, 0);
    CHECK("png: over 1000 tokens is refused", render_png(&f->r, &o, &files, &n, &err) == -1 &&
                                                   files == NULL && n == 0 &&
                                                   err.code == ATTN_EXIT_INPUT);
    unmake(f);
    f = make(12, 1, 2, 0);
    o.font = "/nonexistent/font.ttf";
    CHECK("png: unreadable --font", render_png(&f->r, &o, &files, &n, &err) == -1 &&
                                         files == NULL && err.code == ATTN_EXIT_INPUT);
    unmake(f);
}

static int emitted;

/* An emitter that writes a few bytes and fails on the third figure. */
static int emit_fail3(const figure *fig, const attn_result *r, const figure_opts *o,
                      attn_font *font, attn_buf *out, attn_error *err)
{
    (void)fig; (void)r; (void)o; (void)font;
    buf_puts(out, "partial");
    if (++emitted == 3) return attn_fail(err, ATTN_EXIT_RUNTIME, "disk full (simulated)");
    return 0;
}

static void test_partway(void)
{
    fixture *f = make(12, 2, 2, 0);
    figure_opts o = opts(1.0, 0);
    attn_file *files = (attn_file *)1;
    int n = 7;
    attn_error err = {0};
    emitted = 0;
    CHECK("part-way: a failure on figure 3 of 4 fails the render",
          figure_files(&f->r, &o, "png", emit_fail3, &files, &n, &err) == -1);
    CHECK("part-way: no file is returned", files == NULL && n == 0 && emitted == 3);
    CHECK_STR("part-way: the error is the emitter's", err.msg, "disk full (simulated)");
    unmake(f);
}

static void test_svg(void)
{
    fixture *f = make(12, 1, 2, 1);
    figure_opts o = opts(1.0, 0);
    attn_file *files = NULL;
    int n = 0;
    attn_error err = {0};
    CHECK("svg: render", render_svg(&f->r, &o, &files, &n, &err) == 0);
    if (!files) { unmake(f); return; }
    CHECK_STR("svg: names", files[1].name, "layer1-head2.svg");
    const char *s = files[0].data.data;
    CHECK("svg: XML declaration and root", strncmp(s, "<?xml", 5) == 0 && strstr(s, "<svg xmlns="));
    CHECK("svg: labels are text elements", strstr(s, ">animal</text>") && strstr(s, ">because</text>"));
    CHECK("svg: rotated key labels", strstr(s, "transform=\"rotate(-90 "));
    CHECK("svg: title", strstr(s, "<title>Layer 1 \xC2\xB7 Head 1</title>"));
    CHECK("svg: masked cells use the hatch", strstr(s, "fill=\"url(#masked)\""));
    int rects = 0;
    for (const char *p = s; (p = strstr(p, "<rect x=")) != NULL; p++) rects++;
    CHECK("svg: a rect per cell", rects >= 144);
    CHECK("svg: ends with </svg>", files[0].data.len > 7 &&
                                       strcmp(s + files[0].data.len - 7, "</svg>\n") == 0);
    files_free(files, n);
    unmake(f);
}

int main(void)
{
    test_font();
    test_layout();
    test_png();
    test_partway();
    test_svg();
    return test_done();
}
