/* textesc.h — the one escaping of untrusted text (token labels, paths,
 * command lines) for every output a person reads: the terminal view, CSV,
 * --explain, SVG and PNG text, PNG text chunks and error messages.
 *
 * A token can hold characters that are invisible or that change how the
 * rest of a line is shown: C0 controls U+0000..U+001F (an ESC starts a
 * terminal escape sequence), DEL and the C1 controls U+007F..U+009F, the
 * bidirectional controls U+061C, U+200E, U+200F, U+202A..U+202E (U+202E
 * RIGHT-TO-LEFT OVERRIDE turns "abc" into "cba" on screen) and
 * U+2066..U+2069, the line and paragraph separators U+2028, U+2029, and the
 * non-characters U+FFFE, U+FFFF. Each such code point is written as the six
 * ASCII characters \uXXXX (upper-case hex, as a JSON or Python escape reads),
 * and each byte that is not part of valid UTF-8 as \xHH; everything else is
 * copied unchanged. JSON output keeps the exact text instead, with the same
 * code points written as JSON \u escapes (json_string), so nothing is lost.
 *
 * Nothing here prints or exits. textesc_put() appends to an attn_buf (a
 * failed allocation marks the buffer failed, buf.h); textesc_dup() returns
 * a malloc'd string (caller frees) or NULL when memory runs out.
 */
#ifndef ATTN_TEXTESC_H
#define ATTN_TEXTESC_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* 1 if cp is written escaped (the set above), else 0. */
int textesc_unsafe(uint32_t cp);

/* 1 if s (NUL-terminated) holds anything textesc_put() would change. */
int textesc_needed(const char *s);

/* Appends s with the escapes above. */
void textesc_put(attn_buf *out, const char *s);

/* s with the escapes above, as a new string. */
char *textesc_dup(const char *s);

/* s with the escapes above, into dst[cap] (cap >= 1), cut before the first
 * character or escape that would not fit; always NUL-terminated. Returns
 * the length written. Allocates nothing (attn_fail() uses it). */
size_t textesc_to(char *dst, size_t cap, const char *s);

/* s[0..len) (which may hold NUL bytes) for a message, in double quotes:
 * the escapes above, and '"' and '\\' with a backslash before them; cut
 * with "..." to fit dst[cap] (cap >= 8). */
void textesc_quote(char *dst, size_t cap, const char *s, size_t len);

/* Appends s with the escapes above, then '&', '<', '>' and '"' as the
 * character references &amp; &lt; &gt; &quot;: text or an attribute value
 * (in double quotes) of SVG and HTML. */
void textesc_markup(attn_buf *out, const char *s);

/* Appends s as a JSON string literal: '"' and '\' escaped, \n, \r and \t,
 * every other code point of textesc_unsafe() as \uXXXX; other UTF-8 passes
 * through unchanged. */
void json_string(attn_buf *out, const char *s);

/* As json_string(), for JSON inside an HTML <script> element: '<', '>' and
 * '&' are written as \u003C, \u003E and \u0026, so that neither "</script"
 * nor "<!--" can appear, and a byte that is not valid UTF-8 as \uFFFD (the
 * page is UTF-8). */
void json_string_html(attn_buf *out, const char *s);

#endif
