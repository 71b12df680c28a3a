/* normalizer.c — reading a tokenizer.json's "normalizer" and applying it
 * (see normalizer.h for the types and their options).
 */
#include "text/tokenizer/normalizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/tokenizer/unicode.h"

static const char *const norm_names[] = {"NFC",     "NFD",     "NFKC",           "NFKD",       "Lowercase",
                                         "Strip",   "StripAccents", "Replace",   "Prepend",    "BertNormalizer",
                                         "Precompiled", "ByteLevel", "Nmt"};
#define N_NAMES (int)(sizeof norm_names / sizeof *norm_names)
#define SUPPORTED                                                                                  \
    "NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Replace, Prepend, BertNormalizer, "     \
    "Precompiled, ByteLevel, Nmt or Sequence"

static int push(tk_normalizer *nz, const tkj *j, tk_norm **out)
{
    tk_norm *n = realloc(nz->n, (size_t)(nz->count + 1) * sizeof *n);
    if (!n) return attn_oom(j->err, j->file);
    nz->n = n;
    *out = memset(&n[nz->count++], 0, sizeof *n);
    return 0;
}

static int read_one(tk_normalizer *nz, const tkj *j, const cJSON *node, const char *path, int depth);

static int each_norm(void *ctx, const tkj *j, const cJSON *item, const char *path, int depth)
{
    return read_one(ctx, j, item, path, depth);
}

static int read_one(tk_normalizer *nz, const tkj *j, const cJSON *node, const char *path, int depth)
{
    int t;
    if (tkj_kind(j, node, path, norm_names, N_NAMES, SUPPORTED, &t) != 0) return -1;
    if (t == TKJ_NONE) return 0;
    if (t == TKJ_SEQUENCE) return tkj_each(j, node, "normalizers", path, depth, each_norm, nz);
    tk_norm *n = NULL;
    if (push(nz, j, &n) != 0) return -1;
    n->type = (tk_norm_type)t;
    const char *s;
    char why[300], at[256]; /* [300] a complaint; [256] path.key */
    switch (n->type) {
    case TN_STRIP:
        return tkj_bool(j, node, "strip_left", path, 1, &n->left) ||
                       tkj_bool(j, node, "strip_right", path, 1, &n->right)
                   ? -1
                   : 0;
    case TN_REPLACE:
        if (tkj_pattern(j, node, "pattern", path, &n->pat) != 0 || tkj_str(j, node, "content", path, NULL, &s) != 0)
            return -1;
        tkj_at(at, sizeof at, path, "content", 0);
        if (!s) return tkj_fail(j, at, "missing (the replacement)");
        if (!(n->content = strdup(s))) return attn_oom(j->err, j->file);
        return 0;
    case TN_PREPEND:
        if (tkj_str(j, node, "prepend", path, NULL, &s) != 0) return -1;
        tkj_at(at, sizeof at, path, "prepend", 0);
        if (!s) return tkj_fail(j, at, "missing (the string to prepend)");
        if (!(n->content = strdup(s))) return attn_oom(j->err, j->file);
        return 0;
    case TN_BERT:
        if (tkj_bool(j, node, "clean_text", path, 1, &n->clean_text) ||
            tkj_bool(j, node, "handle_chinese_chars", path, 1, &n->chinese) ||
            tkj_bool(j, node, "lowercase", path, 1, &n->lowercase))
            return -1;
        /* strip_accents null: as lowercase */
        return tkj_bool(j, node, "strip_accents", path, n->lowercase, &n->strip_accents);
    case TN_PRECOMPILED:
        if (tkj_str(j, node, "precompiled_charsmap", path, NULL, &s) != 0) return -1;
        tkj_at(at, sizeof at, path, "precompiled_charsmap", 0);
        if (!s) return tkj_fail(j, at, "missing");
        if (tk_charsmap_read(&n->map, s, why, sizeof why) != 0) return tkj_fail(j, at, "%s", why);
        return 0;
    default:
        return 0;
    }
}

int tk_normalizer_read(tk_normalizer *nz, const tkj *j, const cJSON *node, const char *path)
{
    memset(nz, 0, sizeof *nz);
    if (read_one(nz, j, node, path, 0) == 0) return 0;
    tk_normalizer_free(nz);
    return -1;
}

void tk_normalizer_free(tk_normalizer *nz)
{
    for (int i = 0; i < nz->count; i++) {
        tk_pattern_free(&nz->n[i].pat);
        free(nz->n[i].content);
        tk_charsmap_free(&nz->n[i].map);
    }
    free(nz->n);
    memset(nz, 0, sizeof *nz);
}

static int keep_unmarked(uint32_t cp) { return !uc_mark(cp); }

int tk_normalize(const tk_normalizer *nz, nstr *s, tk_scratch *sc, attn_error *err)
{
    char why[300]; /* [300] */
    for (int i = 0; i < nz->count; i++) {
        const tk_norm *n = &nz->n[i];
        nchanges *ch = &sc->ch;
        int rc = 0;
        switch (n->type) {
        case TN_NFC: rc = tk_norm_nf(s, 0, 1, ch); break;
        case TN_NFD: rc = tk_norm_nf(s, 0, 0, ch); break;
        case TN_NFKC: rc = tk_norm_nf(s, 1, 1, ch); break;
        case TN_NFKD: rc = tk_norm_nf(s, 1, 0, ch); break;
        case TN_LOWERCASE: rc = tk_norm_lowercase(s, ch); break;
        case TN_STRIP: rc = nstr_strip(s, n->left, n->right, ch); break;
        case TN_STRIP_ACCENTS: rc = tk_norm_filter(s, keep_unmarked, ch); break;
        case TN_PREPEND: rc = nstr_prepend(s, n->content); break;
        case TN_BERT: rc = tk_norm_bert(s, n, ch); break;
        case TN_PRECOMPILED: rc = tk_norm_precompiled(s, &n->map, ch); break;
        case TN_BYTELEVEL: rc = tk_norm_bytelevel(s, ch); break;
        case TN_NMT: rc = tk_norm_nmt(s, ch); break;
        case TN_REPLACE:
            if (!n->pat.re) {
                rc = nstr_replace_str(s, n->pat.str, n->pat.len, n->content);
                break;
            }
            if (!tk_scratch_rx(sc)) return attn_oom(err, "normalizer");
            if (tk_pattern_matches(&n->pat, sc->rx, s->b, s->len, &sc->m, why, sizeof why) != 0)
                return attn_fail(err, ATTN_EXIT_RUNTIME, "normalizer Replace: %s", why);
            rc = nstr_replace_matches(s, &sc->m, n->content);
            break;
        }
        if (rc != 0) return attn_oom(err, "normalizer");
    }
    return 0;
}
