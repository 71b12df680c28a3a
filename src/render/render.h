/* render.h — the renderers: attention result → bytes.
 *
 * Every renderer reads one attn_result (result.h) and writes into memory:
 * text formats append to an attn_buf that main.c writes once; figure formats
 * (PNG, SVG) return an array of attn_file (io.h) that main.c writes
 * all-or-nothing. Renderers never print, never exit and never touch the file
 * system. Each returns 0, or -1 with err filled.
 *
 * Ownership: *files and every buffer inside are allocated by the renderer
 * and released by the caller with files_free(*files, *n_files).
 */
#ifndef ATTN_RENDER_H
#define ATTN_RENDER_H

#include "base/buf.h"
#include "base/error.h"
#include "base/io.h"
#include "base/textesc.h"
#include "compute/result.h"
#include "render/colormap.h"
#include "render/scale.h"

/* The mark before the label of a generated token (--generate) in the
 * terminal and in figures: "›" (CSV and JSON say it in a column / field). */
#define GENERATED_MARK "\xE2\x80\xBA"

/* ---- text formats ------------------------------------------------------ */

/* CSV, RFC 4180, header (written when header is set)
 * layer,head,query_index,query_token,key_index,key_token,weight
 * layer and head 1-based, token indices 0-based, weights as printf("%.9g")
 * (float32 round-trips); masked cells are written with weight 0; token
 * texts with control or bidi characters are escaped (textesc.h). When
 * r->meta.sentence > 0 (a line of standard input) every row starts with a
 * "sentence" column holding it; with --window (r->meta.n_windows > 0) a
 * "window" column follows. */
int render_csv(attn_buf *out, const attn_result *r, int header, attn_error *err);

/* JSON, one object per result on one line (JSON Lines for several
 * sentences): {"sentence": N (stdin only), "text": "...", "source_text"
 * (cross-attention), "tokens_total", "window": {"index", "count", "start",
 * "end"}, "note" (when set), "tokens": [{"text","start","end"}...], "keys":
 * [...] (only for cross-attention), "model": {...}, "layers": [{"layer": 1,
 * "heads": [{"head": 1, "weights": [[row of query 0], ...]}]}]} */
int render_json(attn_buf *out, const attn_result *r, attn_error *err);

/* json_string(), the JSON string literal every renderer writes: textesc.h. */

/* The same two formats one head at a time, for results too large to hold
 * (r->weights may be NULL): *_begin once, *_head for every shown (li, hi)
 * in order with that head's w[n_q, n_k], render_json_end once. *_rows
 * write query rows [q0, q1) of a head, so that a caller can write a head
 * in pieces (in order, from q0 = 0 to q1 = n_q) and flush between them. */
void render_csv_begin(attn_buf *out, const attn_result *r, int header);
void render_csv_head(attn_buf *out, const attn_result *r, int li, int hi, const float *w);
void render_csv_rows(attn_buf *out, const attn_result *r, int li, int hi, const float *w, int q0, int q1);
void render_json_begin(attn_buf *out, const attn_result *r);
void render_json_head(attn_buf *out, const attn_result *r, int li, int hi, const float *w);
void render_json_rows(attn_buf *out, const attn_result *r, int li, int hi, const float *w, int q0, int q1);
void render_json_end(attn_buf *out, const attn_result *r);

/* ---- terminal ------------------------------------------------------------ */

typedef enum { COLOR_NONE = 0, COLOR_256, COLOR_TRUE } attn_color_depth;

typedef struct {
    attn_color_depth color;   /* COLOR_NONE: monochrome, no escape sequences */
    int width;                /* terminal columns to fit (>= 20) */
    int values;               /* --values: print each weight, 2 decimals */
    attn_colormap cmap;
    int query;                /* -1: heatmaps; else focus view of this query index */
    int top;                  /* focus view: how many keys per head (>= 1) */
    const scale_opts *colour; /* colour scale (scale.h); NULL: the default */
} ansi_opts;

/* Heatmap per shown head (or, with o->query >= 0, the focus view). */
int render_ansi(attn_buf *out, const attn_result *r, const ansi_opts *o, attn_error *err);

/* ---- the first screen (overview.c) ------------------------------------------ */

/* The note every view shows about what part of the input a result holds
 * (--truncate, --window) and r->meta.note, as one line without a newline,
 * in buf[cap]. Returns 1 when there is a note, else 0 (buf = ""). */
int render_note(const attn_result *r, char *buf, size_t cap);

/* The header: the model (name, architecture, layers × heads, parameters),
 * the token count and the tokens as the model sees them, wrapped to
 * o->width. */
int render_header(attn_buf *out, const attn_result *r, const ansi_opts *o, attn_error *err);

/* The header's words for the model, which every view that names the model
 * uses: "model: pretrained (BERT, 4 layers × 4 heads, 1.8 M parameters) ·
 * 16 tokens" (the name escaped with textesc.h). render_model_name() is the
 * name alone: config.json's _name_or_path, the last part of the model's
 * path, or "generated (--seed 42)", cut to fit buf[cap] between characters;
 * it returns buf. */
void render_model_line(attn_buf *out, const attn_result *r);
const char *render_model_name(const attn_meta *m, char *buf, size_t cap);

typedef struct {
    int all;                  /* 1: every head (--overview); 0: the most focused ones */
    const char *query;        /* -q TOKEN given, or NULL: the hint names one */
} overview_opts;

/* The heads ranked by focus (the mean over query rows of the row's largest
 * weight), each with its dominant pattern in words, then a hint of the
 * next command. See overview.c for the patterns. */
int render_overview(attn_buf *out, const attn_result *r, const ansi_opts *o, const overview_opts *ov,
                    attn_error *err);

/* ---- figures -------------------------------------------------------------- */

typedef struct {
    attn_colormap cmap;
    int grid;                 /* 1: one figure with every shown head */
    const char *font;         /* font file, or NULL: fontconfig "DejaVu Sans" */
    const char *title;        /* NULL: "Layer 1 · Head 2" / grid default */
    double scale;             /* pixel scale; 1.0 = 96 dpi */
    int dpi;                  /* written to pHYs; = round(96 * scale) */
    int transparent;          /* transparent instead of white background */
    const scale_opts *colour; /* colour scale (scale.h); NULL: the default */
    int cell;                 /* least cell side in units (figure.h); 0: the default */
} figure_opts;

/* One PNG per shown head named "layer<L>-head<H>.png" (1-based), or with
 * o->grid a single "grid.png". */
int render_png(const attn_result *r, const figure_opts *o, attn_file **files,
               int *n_files, attn_error *err);

/* As render_png, with .svg files. */
int render_svg(const attn_result *r, const figure_opts *o, attn_file **files,
               int *n_files, attn_error *err);

/* ---- HTML page ------------------------------------------------------------ */

typedef struct {
    attn_colormap cmap;
    const char *title;        /* NULL: the sentence and the model */
    const char *sentence;     /* the text the queries come from, or NULL (--from) */
    const char *source;       /* --source: the keys' text, or NULL */
    const int *layers;        /* [n_layers] shown layers, 0-based, sorted */
    int n_layers;
    const char *aggregate;    /* NULL, "mean" or "max": one more matrix per layer */
    int rollout;              /* 1: the rollout of every shown layer too */
    int words;                /* 1: the matrices regrouped by word as a second set */
    int no_special;           /* 1: special tokens left out of every set */
    int query;                /* -1, or the query index to focus at first */
    const scale_opts *colour; /* the colour scale the page starts with (scale.h; the
                                 page can change it); NULL: the default */
    const char *note;         /* render_note()'s note (--truncate), or NULL */
} html_opts;

/* Most weights one page holds (all its matrices, every set); past it
 * render_html() fails with a message that suggests -l and -H. */
#define HTML_MAX_WEIGHTS (1L << 22)

/* One self-contained HTML page (render/html/page.*: the views are drawn by
 * its script) of the shown heads of r, plus the matrices o asks for. r
 * holds the heads of the layers o->layers, and with o->rollout every layer
 * from the first to the last shown (rollout multiplies through them). With
 * o->words or o->no_special, r's tokens must have words assigned (words.h).
 * All text goes into the page escaped: nothing in a token can end the data
 * or run script, and the page's own Content-Security-Policy allows only its
 * script and style. */
int render_html(attn_buf *out, const attn_result *r, const html_opts *o, attn_error *err);

#endif
