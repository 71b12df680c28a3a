/* nstr.h — a normalized string: the text a tokenizer stage works on, with
 * the original byte span of each of its bytes, as Hugging Face tokenizers'
 * NormalizedString keeps it. Stages rewrite it (nstr_transform: a list of
 * code points, each with its change: 0 replaces a character, 1 inserts one,
 * -N replaces one and removes the N after it) and cut it (nstr_split by a
 * list of matches, with one of the five delimiter behaviours); the spans
 * follow, so a token made from bytes [a, b) of it covers the original text
 * [al[a].s, al[b-1].e).
 *
 * Offsets are absolute byte offsets into the text tokenizer_encode() got
 * (at most 4 GiB - 1 bytes). An nstr owns its buffers: nstr_free().
 * Functions returning int give 0, or -1 when memory runs out (nothing else
 * can fail).
 */
#ifndef ATTN_NSTR_H
#define ATTN_NSTR_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t s, e;    /* original span [s, e) */
} nspan;

typedef struct {
    char *b;          /* [len + 1] the normalized UTF-8, NUL-terminated */
    nspan *al;        /* [len] the original span of each byte */
    size_t len, cap;
    uint32_t os, oe;  /* the original span of the whole string */
} nstr;

/* One code point of a transformation and its change (see the file comment). */
typedef struct {
    uint32_t cp;
    int32_t change;
} nchange;

/* A growable list of changes (the caller's scratch). */
typedef struct {
    nchange *c;       /* [n] */
    size_t n, cap;
    int failed;       /* memory ran out */
} nchanges;

void nchanges_push(nchanges *l, uint32_t cp, int32_t change);

/* Makes room for need elements of size elem in *p (capacity *cap, grown
 * by doubling from 64): 0, or -1 when memory runs out (*p unchanged). */
int tk_grow(void **p, size_t *cap, size_t need, size_t elem);

/* A piece of a string found by a pattern: [s, e) and whether it is a match
 * (patterns cover the whole string with matches and the gaps between). */
typedef struct {
    size_t s, e;
    int match;
} nmatch;

typedef struct {
    nmatch *m;        /* [n] */
    size_t n, cap;
    int failed;
} nmatches;

void nmatches_push(nmatches *l, size_t s, size_t e, int match);

/* Hugging Face's SplitDelimiterBehavior. */
typedef enum { NSPLIT_REMOVED, NSPLIT_ISOLATED, NSPLIT_MERGED_PREV, NSPLIT_MERGED_NEXT, NSPLIT_CONTIGUOUS } nsplit_how;

/* s[0..len) of the original text at offset off, each character spanning
 * itself. */
int nstr_init(nstr *n, const char *s, size_t len, uint32_t off);
void nstr_free(nstr *n);
/* Bytes [a, b) of src (on character boundaries) as a new string. */
int nstr_slice(const nstr *src, size_t a, size_t b, nstr *out);

/* Replaces bytes [a, b) by the code points of ch, whose first initial_skip
 * characters of [a, b) are dropped before the first change is read
 * (NormalizedString::transform_range). */
int nstr_transform(nstr *n, size_t a, size_t b, const nchange *ch, size_t nch, size_t initial_skip);
/* Prepends the code points of s (NormalizedString::prepend; nothing when n
 * is empty). */
int nstr_prepend(nstr *n, const char *s);
/* Replaces every non-overlapping occurrence of pat[0..plen) by rep
 * (NormalizedString::replace with a string pattern). */
int nstr_replace_str(nstr *n, const char *pat, size_t plen, const char *rep);
/* Replaces the matches of m (a cover of n from a pattern) by rep. */
int nstr_replace_matches(nstr *n, const nmatches *m, const char *rep);
/* Removes leading / trailing whitespace (char::is_whitespace). */
int nstr_strip(nstr *n, int left, int right, nchanges *scratch);

/* Cuts n by the matches m (covering n) as how says, into out[] (each
 * non-empty piece a new string, appended; *nout counts them, *cap is the
 * array's room, grown with realloc). Invert: matches and gaps swap. */
int nstr_split(const nstr *n, const nmatches *m, nsplit_how how, int invert, nstr **out, size_t *nout,
               size_t *cap);

/* Appends a copy of bytes [a, b) of n to out (when not empty), as
 * nstr_split does. */
int nstr_push_slice(const nstr *n, size_t a, size_t b, nstr **out, size_t *nout, size_t *cap);

/* Matches of the characters for which pred(cp) holds, each one its own
 * match (the Pattern of a char predicate). */
void nstr_find_chars(const nstr *n, int (*pred)(uint32_t cp, const void *arg), const void *arg, nmatches *m);
/* Non-overlapping occurrences of pat[0..plen), leftmost first (an empty
 * pat matches nothing). */
void nstr_find_str(const char *s, size_t len, const char *pat, size_t plen, nmatches *m);

/* The original span of bytes [a, b) (a < b) of n. */
static inline nspan nstr_span(const nstr *n, size_t a, size_t b)
{
    nspan r = {n->al[a].s, n->al[b - 1].e};
    return r;
}

#endif
