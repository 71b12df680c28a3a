/* utf8.h — UTF-8 decoding, validation and terminal display width.
 *
 * Pure functions over caller-owned bytes; nothing allocates. Display widths
 * follow Unicode East Asian Width (W/F = 2) and emoji presentation (2), with
 * combining marks, ZWJ and variation selectors 0, as wcwidth() does but
 * independent of the locale.
 */
#ifndef ATTN_UTF8_H
#define ATTN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 if s[0..len) is valid UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF), else -1 and *bad_offset = offset of the first bad
 * byte. */
int utf8_validate(const char *s, size_t len, size_t *bad_offset);

/* Decodes one code point from valid UTF-8 at s (at most len bytes); returns
 * the number of bytes consumed (1-4) and stores the code point in *cp; for an
 * invalid sequence returns 1 and stores U+FFFD. */
int utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Writes code point cp (at most U+10FFFF, not a surrogate) as UTF-8 to out,
 * which has room for 4 bytes; returns the number of bytes (1-4). */
int utf8_encode(uint32_t cp, char *out);

/* utf8_decode() for a NUL-terminated string: never reads past the NUL. */
int utf8_next(const char *s, uint32_t *cp);

/* A closed range of code points [lo, hi]. */
typedef struct {
    uint32_t lo, hi;
} cp_range;

/* 1 if cp lies in one of t[0..n), which is sorted and disjoint. */
int utf8_in_ranges(const cp_range *t, size_t n, uint32_t cp);

/* Terminal display width of a code point: 0 for combining marks, ZWJ and
 * variation selectors, 2 for East Asian wide/fullwidth and emoji, else 1. */
int utf8_cp_width(uint32_t cp);

/* Display width of a UTF-8 string (sum of utf8_cp_width). */
int utf8_width(const char *s);

/* The length of the longest prefix of s[0..len) of at most max bytes that
 * ends between two characters (len when it fits): where a copy into a
 * fixed array may cut the text without cutting a character. */
size_t utf8_prefix(const char *s, size_t len, size_t max);

#endif
