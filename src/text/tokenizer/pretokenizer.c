/* pretokenizer.c — reading a tokenizer.json's "pre_tokenizer" and cutting
 * normalized strings with it (see pretokenizer.h), as tokenizers'
 * pre_tokenizers do.
 */
#include "text/tokenizer/pretokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "text/tokenizer/normalizer.h"
#include "text/tokenizer/unicode.h"

/* GPT-2's pre-tokenizer pattern (ByteLevel's use_regex). */
static const char gpt2_pattern[] = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
/* Whitespace's \w+|[^\w\s]+ with the classes of Rust's regex crate, in PCRE2. */
#define RUST_WORD "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}"
static const char whitespace_pattern[] = "[" RUST_WORD "]+|[^" RUST_WORD "\\p{White_Space}]+";

static const char *const pre_names[] = {"ByteLevel",    "Split", "Metaspace",         "Whitespace",
                                        "WhitespaceSplit", "Punctuation", "Digits", "BertPreTokenizer",
                                        "CharDelimiterSplit"};
#define N_NAMES (int)(sizeof pre_names / sizeof *pre_names)
#define SUPPORTED                                                                                  \
    "ByteLevel, Split, Metaspace, Whitespace, WhitespaceSplit, Punctuation, Digits, BertPreTokenizer, " \
    "CharDelimiterSplit or Sequence"

static const char *const behaviors[] = {"Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"};

int tk_pretokenizer_bytelevel(tk_pretokenizer *pt, int add_prefix_space, attn_error *err)
{
    char why[200]; /* [200] */
    tk_pretokenizer_free(pt);
    tk_pretok *p = calloc(1, sizeof *p);
    if (!p) return attn_oom(err, "pre-tokenizer");
    pt->p = p;
    pt->count = 1;
    p->type = TP_BYTELEVEL;
    p->add_prefix_space = add_prefix_space;
    p->use_regex = 1;
    if (!(p->pat.re = tk_regex_new(gpt2_pattern, strlen(gpt2_pattern), why, sizeof why)))
        return attn_fail(err, ATTN_EXIT_RUNTIME, "GPT-2's pattern: %s", why);
    return 0;
}

int tk_pretokenizer_bert(tk_pretokenizer *pt, attn_error *err)
{
    tk_pretokenizer_free(pt);
    if (!(pt->p = calloc(1, sizeof *pt->p))) return attn_oom(err, "pre-tokenizer");
    pt->count = 1;
    pt->p->type = TP_BERT;
    return 0;
}

static int read_behavior(const tkj *j, const cJSON *node, const char *path, nsplit_how def, nsplit_how *out)
{
    const char *s;
    char at[256]; /* [256] path.behavior */
    if (tkj_str(j, node, "behavior", path, NULL, &s) != 0) return -1;
    *out = def;
    if (!s) return 0;
    for (int i = 0; i < 5; i++)
        if (strcmp(s, behaviors[i]) == 0) {
            *out = (nsplit_how)i;
            return 0;
        }
    tkj_at(at, sizeof at, path, "behavior", 0);
    return tkj_fail(j, at, "%s is not a behavior (Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)",
                    tkj_q(s));
}

static int read_metaspace(tk_pretok *p, const tkj *j, const cJSON *node, const char *path)
{
    const char *scheme;
    int aps, has_aps = cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(node, "add_prefix_space"));
    char at[256]; /* [256] path.prepend_scheme */
    if (tkj_char(j, node, "replacement", path, "\xE2\x96\x81", p->repl) != 0 ||
        tkj_bool(j, node, "add_prefix_space", path, 1, &aps) != 0 ||
        tkj_str(j, node, "prepend_scheme", path, NULL, &scheme) != 0 || tkj_bool(j, node, "split", path, 1, &p->split))
        return -1;
    utf8_next(p->repl, &p->repl_cp);
    tkj_at(at, sizeof at, path, "prepend_scheme", 0);
    p->prepend = TK_PREPEND_ALWAYS;
    if (scheme) {
        if (strcmp(scheme, "first") == 0) p->prepend = TK_PREPEND_FIRST;
        else if (strcmp(scheme, "never") == 0) p->prepend = TK_PREPEND_NEVER;
        else if (strcmp(scheme, "always") != 0)
            return tkj_fail(j, at, "%s is not a prepend scheme (first, always, never)", tkj_q(scheme));
    }
    if (has_aps && !aps) {
        if (scheme && p->prepend != TK_PREPEND_NEVER)
            return tkj_fail(j, at, "%s contradicts add_prefix_space false", tkj_q(scheme));
        p->prepend = TK_PREPEND_NEVER;
    }
    return 0;
}

static int read_one(tk_pretokenizer *pt, const tkj *j, const cJSON *node, const char *path, int depth);

static int each_pre(void *ctx, const tkj *j, const cJSON *item, const char *path, int depth)
{
    return read_one(ctx, j, item, path, depth);
}

static int read_one(tk_pretokenizer *pt, const tkj *j, const cJSON *node, const char *path, int depth)
{
    int t;
    if (tkj_kind(j, node, path, pre_names, N_NAMES, SUPPORTED, &t) != 0) return -1;
    if (t == TKJ_NONE) return 0;
    if (t == TKJ_SEQUENCE) return tkj_each(j, node, "pretokenizers", path, depth, each_pre, pt);
    tk_pretok *p = realloc(pt->p, (size_t)(pt->count + 1) * sizeof *p);
    if (!p) return attn_oom(j->err, j->file);
    pt->p = p;
    p = memset(&p[pt->count++], 0, sizeof *p);
    p->type = (tk_pretok_type)t;
    char why[200]; /* [200] */
    switch (p->type) {
    case TP_BYTELEVEL:
        if (tkj_bool(j, node, "add_prefix_space", path, 1, &p->add_prefix_space) ||
            tkj_bool(j, node, "trim_offsets", path, 1, &p->trim_offsets) ||
            tkj_bool(j, node, "use_regex", path, 1, &p->use_regex))
            return -1;
        if (p->use_regex && !(p->pat.re = tk_regex_new(gpt2_pattern, strlen(gpt2_pattern), why, sizeof why)))
            return attn_fail(j->err, ATTN_EXIT_RUNTIME, "GPT-2's pattern: %s", why);
        return 0;
    case TP_SPLIT:
        return tkj_pattern(j, node, "pattern", path, &p->pat) || read_behavior(j, node, path, NSPLIT_ISOLATED, &p->how) ||
                       tkj_bool(j, node, "invert", path, 0, &p->invert)
                   ? -1
                   : 0;
    case TP_METASPACE:
        return read_metaspace(p, j, node, path);
    case TP_WHITESPACE:
        if (!(p->pat.re = tk_regex_new_pcre(whitespace_pattern, why, sizeof why)))
            return attn_fail(j->err, ATTN_EXIT_RUNTIME, "Whitespace's pattern: %s", why);
        return 0;
    case TP_PUNCTUATION:
        return read_behavior(j, node, path, NSPLIT_ISOLATED, &p->how);
    case TP_DIGITS:
        return tkj_bool(j, node, "individual_digits", path, 0, &p->individual);
    case TP_CHAR_DELIMITER:
        if (tkj_char(j, node, "delimiter", path, NULL, p->repl) != 0) return -1;
        utf8_next(p->repl, &p->repl_cp);
        return 0;
    default:
        return 0;
    }
}

int tk_pretokenizer_read(tk_pretokenizer *pt, const tkj *j, const cJSON *node, const char *path)
{
    memset(pt, 0, sizeof *pt);
    if (read_one(pt, j, node, path, 0) == 0) return 0;
    tk_pretokenizer_free(pt);
    return -1;
}

void tk_pretokenizer_free(tk_pretokenizer *pt)
{
    for (int i = 0; i < pt->count; i++) tk_pattern_free(&pt->p[i].pat);
    free(pt->p);
    memset(pt, 0, sizeof *pt);
}

/* ---- applying ---- */

static int is_ws(uint32_t cp, const void *arg) { return (void)arg, uc_whitespace(cp); }
static int is_punct(uint32_t cp, const void *arg) { return (void)arg, uc_punct(cp); }
static int is_numeric(uint32_t cp, const void *arg) { return (void)arg, uc_numeric(cp); }
static int is_cp(uint32_t cp, const void *arg) { return cp == *(const uint32_t *)arg; }

static int regex_split(const tk_pattern *pat, const nstr *s, nsplit_how how, int invert, nstr **out, size_t *nout,
                       size_t *cap, tk_scratch *sc, attn_error *err)
{
    char why[300]; /* [300] */
    if (pat->re && !tk_scratch_rx(sc)) return attn_oom(err, "pre-tokenizer");
    if (tk_pattern_matches(pat, sc->rx, s->b, s->len, &sc->m, why, sizeof why) != 0)
        return attn_fail(err, ATTN_EXIT_RUNTIME, "pre-tokenizer: %s", why);
    return nstr_split(s, &sc->m, how, invert, out, nout, cap) != 0 ? attn_oom(err, "pre-tokenizer") : 0;
}

static int char_split(const nstr *s, int (*pred)(uint32_t, const void *), const void *arg, nsplit_how how,
                      nstr **out, size_t *nout, size_t *cap, tk_scratch *sc, attn_error *err)
{
    nstr_find_chars(s, pred, arg, &sc->m);
    if (nstr_split(s, &sc->m, how, 0, out, nout, cap) != 0) return attn_oom(err, "pre-tokenizer");
    return 0;
}

static int bytelevel(const tk_pretok *p, const nstr *s, nstr **out, size_t *nout, size_t *cap, tk_scratch *sc,
                     attn_error *err)
{
    nstr t;
    size_t first = *nout;
    if (nstr_slice(s, 0, s->len, &t) != 0) return attn_oom(err, "pre-tokenizer");
    int rc = p->add_prefix_space && t.b[0] != ' ' ? nstr_prepend(&t, " ") : 0;
    if (rc != 0) {
        rc = attn_oom(err, "pre-tokenizer");
    } else if (p->use_regex) {
        rc = regex_split(&p->pat, &t, NSPLIT_ISOLATED, 0, out, nout, cap, sc, err);
    } else if (nstr_push_slice(&t, 0, t.len, out, nout, cap) != 0) {
        rc = attn_oom(err, "pre-tokenizer");
    }
    nstr_free(&t);
    for (size_t i = first; rc == 0 && i < *nout; i++)
        if (tk_norm_bytelevel(&(*out)[i], &sc->ch) != 0) rc = attn_oom(err, "pre-tokenizer");
    return rc;
}

static int metaspace(const tk_pretok *p, const nstr *s, nstr **out, size_t *nout, size_t *cap, tk_scratch *sc,
                     attn_error *err)
{
    nstr t;
    if (nstr_slice(s, 0, s->len, &t) != 0) return attn_oom(err, "pre-tokenizer");
    int rc = nstr_replace_str(&t, " ", 1, p->repl);
    size_t rl = strlen(p->repl);
    if (rc == 0 && (p->prepend == TK_PREPEND_ALWAYS || (p->prepend == TK_PREPEND_FIRST && t.os == 0)) &&
        !(t.len >= rl && memcmp(t.b, p->repl, rl) == 0))
        rc = nstr_prepend(&t, p->repl);
    if (rc != 0) rc = attn_oom(err, "pre-tokenizer");
    else if (p->split) rc = char_split(&t, is_cp, &p->repl_cp, NSPLIT_MERGED_NEXT, out, nout, cap, sc, err);
    else if (nstr_push_slice(&t, 0, t.len, out, nout, cap) != 0) rc = attn_oom(err, "pre-tokenizer");
    nstr_free(&t);
    return rc;
}

int tk_pretok_apply(const tk_pretok *p, const nstr *s, nstr **out, size_t *nout, size_t *cap, tk_scratch *sc,
                    attn_error *err)
{
    switch (p->type) {
    case TP_BYTELEVEL: return bytelevel(p, s, out, nout, cap, sc, err);
    case TP_METASPACE: return metaspace(p, s, out, nout, cap, sc, err);
    case TP_SPLIT: return regex_split(&p->pat, s, p->how, p->invert, out, nout, cap, sc, err);
    case TP_WHITESPACE: return regex_split(&p->pat, s, NSPLIT_REMOVED, 1, out, nout, cap, sc, err);
    case TP_WHITESPACE_SPLIT: return char_split(s, is_ws, NULL, NSPLIT_REMOVED, out, nout, cap, sc, err);
    case TP_PUNCTUATION: return char_split(s, is_punct, NULL, p->how, out, nout, cap, sc, err);
    case TP_DIGITS:
        return char_split(s, is_numeric, NULL, p->individual ? NSPLIT_ISOLATED : NSPLIT_CONTIGUOUS, out, nout, cap,
                          sc, err);
    case TP_CHAR_DELIMITER: return char_split(s, is_cp, &p->repl_cp, NSPLIT_REMOVED, out, nout, cap, sc, err);
    case TP_BERT: {
        size_t first = *nout, n;
        if (char_split(s, is_ws, NULL, NSPLIT_REMOVED, out, nout, cap, sc, err) != 0) return -1;
        /* each word again, on punctuation: the words move out of the way first */
        n = *nout - first;
        nstr *words = malloc((n ? n : 1) * sizeof *words); /* [n] */
        if (!words) return attn_oom(err, "pre-tokenizer");
        if (n > 0) memcpy(words, *out + first, n * sizeof *words);
        *nout = first;
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
            if (rc == 0) rc = char_split(&words[i], is_punct, NULL, NSPLIT_ISOLATED, out, nout, cap, sc, err);
            nstr_free(&words[i]);
        }
        free(words);
        return rc;
    }
    }
    return 0;
}
