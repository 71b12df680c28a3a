/* ansi_common.h — private to the terminal renderer (ansi.c, the
 * heatmaps and the entry point render_ansi(); focus.c, the focus
 * view): the pieces both draw with. Not part of the library interface; the
 * public one is render_ansi() in render.h.
 *
 * - Labels: a token's text with control and bidi characters escaped as
 *   \uXXXX (textesc.h: no token can inject an escape sequence or reorder the
 *   line) and, when the same text occurs more than once,
 *   its 0-based index as a subscript (the₀, the₄). Labels too long are
 *   abbreviated with '…', keeping the subscript. Sizes are display widths
 *   (utf8.h: CJK and emoji are 2 columns) or glyph counts.
 * - The pen: one output line at a time, with the SGR state and the column;
 *   padding is written lazily, so no line ends in padding. Colours are
 *   COLOR_TRUE 38;2/48;2 RGB, COLOR_256 the nearest (squared RGB distance) of
 *   the xterm cube 16..231 and grey ramp 232..255; COLOR_NONE writes no escape
 *   byte at all.
 *
 * Ownership: ansi_labels_build() and ansi_abbrevs() return malloc'd arrays
 * (each string malloc'd too) that the caller releases with
 * ansi_labels_free() / ansi_strs_free(); both return NULL when out of memory.
 * The pen writes into the caller's attn_buf and owns nothing; an allocation
 * failure sets out->failed (buf.h) and the caller checks it once at the end.
 * ansi_render_focus() (focus.c) returns 0, or -1 with err filled.
 */
#ifndef ATTN_ANSI_COMMON_H
#define ATTN_ANSI_COMMON_H

#include <stddef.h>

#include "render/render.h"

#define ANSI_GAP 2  /* columns between heads side by side */

/* ---- labels -------------------------------------------------------------- */

typedef struct {
    char *s;          /* token text (sanitized) + subscript index if repeated */
    size_t text_len;  /* bytes of the text part of s */
} ansi_label;

/* Labels of t->tok[0..n): repeated texts get their index as subscript.
 * Returns [n] labels, or NULL when out of memory. */
ansi_label *ansi_labels_build(const attn_tokens *t, int n);
void ansi_labels_free(ansi_label *l, int n);

/* Byte length of the glyph at s (a code point and the zero-width ones after
 * it); *w gets its display width. */
size_t ansi_glyph(const char *s, size_t len, int *w);

/* Size of s[0..len) in display columns, or in glyphs. */
int ansi_measure(const char *s, size_t len, int by_glyph);

/* Appends text[0..text_len) + suf shortened to at most max units (display
 * columns, or glyphs when by_glyph): all of it, or a prefix of the text +
 * "…" + suf (suf dropped too when there is no room for it). */
void ansi_put_shortened(attn_buf *b, const char *text, size_t text_len, const char *suf,
                        int max, int by_glyph);

/* Abbreviations of every label (text + subscript, at most max units) into
 * one malloc'd array of [n] malloc'd strings, or NULL when out of memory. */
char **ansi_abbrevs(const ansi_label *l, int n, int max, int by_glyph);
void ansi_strs_free(char **a, int n);

/* Appends v in decimal. */
void ansi_put_int(attn_buf *b, int v);

/* ---- the pen: one output line, colours, lazy padding ---------------------- */

typedef struct {
    attn_buf *b;
    attn_color_depth depth;
    int fg, bg, dim, bold;  /* current SGR state; colours -1 = default */
    int col;                /* display column of the next byte */
    int pend;               /* spaces owed before the next visible byte */
} ansi_pen;

/* Sets the SGR state (no-op in monochrome or when unchanged); colours are
 * ansi_color_code() values, -1 for the default. */
void ansi_pen_sgr(ansi_pen *p, int fg, int bg, int dim, int bold);
/* Default colours, not dim, not bold. */
void ansi_pen_plain(ansi_pen *p);
/* Visible text of display width w (computed when w < 0): s, or s[0..n). */
void ansi_pen_text(ansi_pen *p, const char *s, int w);
void ansi_pen_put(ansi_pen *p, const char *s, size_t n, int w);
/* Moves to column x with default-background spaces (written lazily, so
 * trailing padding never reaches the output); no-op when already past x. */
void ansi_pen_goto(ansi_pen *p, int x);
/* Ends the line: plain SGR, pending padding dropped, '\n', column 0. */
void ansi_pen_nl(ansi_pen *p);
/* Word-wrapped text (words separated by single spaces) from column 0 to at
 * most width columns, ending with a newline. */
void ansi_pen_wrap(ansi_pen *p, const char *s, int width);

/* ---- colours and numbers -------------------------------------------------- */

/* Colour code of scale position t (0..1) in colormap cm for depth: 0xRRGGBB
 * for COLOR_TRUE, else an xterm index. *light (when not NULL) is set when
 * the colour is light enough for black text. */
int ansi_color_code(attn_color_depth depth, attn_colormap cm, float t, int *light);

/* A weight as shown: "%.2f", or "%.1e" for tiny nonzero values. */
void ansi_fmt_weight(char *s, size_t n, float w);

/* "layer 1 · head 2", or for an aggregate "layer 1 · mean" (1-based), of
 * shown map number map = layer index * r->n_heads + head index. */
void ansi_title_of(char *s, size_t n, const attn_result *r, int map);

/* ---- the focus view (focus.c) ------------------------------------- */

/* Per head, the o->top keys query o->query attends to most, as bars, at most
 * width columns wide; ql, kl: labels of the queries and the keys. Returns 0,
 * or -1 with err filled (out of memory). */
int ansi_render_focus(ansi_pen *p, const attn_result *r, const ansi_opts *o,
                      const ansi_label *ql, const ansi_label *kl, int width, attn_error *err);

#endif
