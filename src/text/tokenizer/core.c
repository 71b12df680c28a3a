/* core.c — the tokenizer object (see core.h): creation and release, the
 * public look-ups of subword.h, added tokens, the special tokens around the
 * text, and reading tokenizer files with a size cap.
 */
#include "text/tokenizer/core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text/tokenizer/scratch.h"
#include "text/tokenizer/spm_lib.h"

/* ---- the object ---- */

attn_tokenizer *sw_new(const char *what, attn_error *err)
{
    attn_tokenizer *tk = calloc(1, sizeof *tk);
    if (!tk || !(tk->what = strdup(what ? what : "tokenizer"))) {
        free(tk);
        attn_oom(err, "tokenizer");
        return NULL;
    }
    tk->model = TM_BPE;
    tk->unk = -1;
    for (int b = 0; b < 256; b++) tk->byte_tok[b] = -1;
    tk->max_chars = 100;
    tk->trunc_max = -1;
    return tk;
}

void tokenizer_free(attn_tokenizer *tk)
{
    if (!tk) return;
    sw_vocab_free(&tk->v);
    tk_normalizer_free(&tk->norm);
    tk_pretokenizer_free(&tk->pre);
    for (int i = 0; i < tk->n_added; i++) free(tk->added[i].text);
    free(tk->added);
    tk_added_free(tk);
    free(tk->m.slot);
    free(tk->prefix);
    free(tk->suffix);
    free(tk->score);
    free(tk->prefix_set);
    spm_lib_free(tk->spm);
    free(tk->first);
    free(tk->last);
    free(tk->def_first);
    free(tk->def_last);
    for (int i = 0; i < tk->n_dec; i++) {
        tk_pattern_free(&tk->dec[i].pat);
        free(tk->dec[i].content);
    }
    free(tk->dec);
    free(tk->what);
    free(tk);
}

attn_subword_kind tokenizer_kind(const attn_tokenizer *tk)
{
    switch (tk->model) {
    case TM_WORDPIECE: return SUBWORD_WORDPIECE;
    case TM_WORDLEVEL: return SUBWORD_WORDLEVEL;
    case TM_UNIGRAM: return SUBWORD_UNIGRAM;
    case TM_SPM: return SUBWORD_SENTENCEPIECE;
    default: return SUBWORD_BPE;
    }
}

int tokenizer_vocab_size(const attn_tokenizer *tk) { return tk->v.n; }

int tokenizer_token_id(const attn_tokenizer *tk, const char *token)
{
    return token ? sw_vocab_find(&tk->v, token, strlen(token)) : -1;
}

const char *tokenizer_token_text(const attn_tokenizer *tk, int id)
{
    return id >= 0 && id < tk->v.n ? sw_vocab_str(&tk->v, id) : NULL;
}

/* ---- special tokens around the text ---- */

static int special_id(const attn_tokenizer *tk, const char *name, const char *which, attn_error *err)
{
    if (!name) return -1;
    int id = tokenizer_token_id(tk, name);
    if (id < 0) {
        char q[96]; /* [96] name, quoted */
        sw_quote(q, sizeof q, name, strlen(name));
        attn_fail(err, ATTN_EXIT_INPUT, "%s: %s special token %s is not in the vocabulary", tk->what, which, q);
    }
    return id;
}

/* *dst = copy of src[0..n) (NULL when n is 0). */
static int set_list(int **dst, int *n_dst, const int *src, int n, attn_error *err)
{
    int *p = NULL;
    if (n > 0 && !(p = malloc((size_t)n * sizeof *p))) return attn_oom(err, "tokenizer");
    if (n > 0) memcpy(p, src, (size_t)n * sizeof *p);
    free(*dst);
    *dst = p;
    *n_dst = n;
    return 0;
}

int tokenizer_set_specials(attn_tokenizer *tk, const char *first, const char *last, attn_error *err)
{
    int f = special_id(tk, first, "first", err);
    if (first && f < 0) return -1;
    int l = special_id(tk, last, "last", err);
    if (last && l < 0) return -1;
    return set_list(&tk->first, &tk->n_first, &f, f >= 0, err) || set_list(&tk->last, &tk->n_last, &l, l >= 0, err)
               ? -1
               : 0;
}

int tokenizer_set_special(attn_tokenizer *tk, int after, const char *token, attn_error *err)
{
    int id = special_id(tk, token, after ? "last" : "first", err);
    if (token && id < 0) return -1;
    return after ? set_list(&tk->last, &tk->n_last, &id, id >= 0, err) : set_list(&tk->first, &tk->n_first, &id, id >= 0, err);
}

int tokenizer_use_default_specials(attn_tokenizer *tk, attn_error *err)
{
    return set_list(&tk->first, &tk->n_first, tk->def_first, tk->n_def_first, err) ||
                   set_list(&tk->last, &tk->n_last, tk->def_last, tk->n_def_last, err)
               ? -1
               : 0;
}

int sw_set_default_specials(attn_tokenizer *tk, const int *first, int n_first, const int *last, int n_last,
                            attn_error *err)
{
    return set_list(&tk->def_first, &tk->n_def_first, first, n_first, err) ||
                   set_list(&tk->def_last, &tk->n_def_last, last, n_last, err)
               ? -1
               : 0;
}

void tokenizer_default_specials(const attn_tokenizer *tk, const char **first, const char **last)
{
    *first = tk->n_def_first ? tokenizer_token_text(tk, tk->def_first[0]) : NULL;
    *last = tk->n_def_last ? tokenizer_token_text(tk, tk->def_last[tk->n_def_last - 1]) : NULL;
}

int sw_add_decoder(attn_tokenizer *tk, tk_dec_type t, attn_error *err)
{
    tk_dec *d = realloc(tk->dec, (size_t)(tk->n_dec + 1) * sizeof *d);
    if (!d) return attn_oom(err, "decoder");
    tk->dec = d;
    memset(&d[tk->n_dec], 0, sizeof *d);
    d[tk->n_dec++].type = t;
    return 0;
}

/* ---- added tokens ---- */

int sw_add_token(attn_tokenizer *tk, int id, int lstrip, int rstrip, int single_word, int normalized, int special,
                 attn_error *err)
{
    if (id < 0 || id >= tk->v.n || tk->v.len[id] == 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: added token id %d is not in the vocabulary", tk->what, id);
    for (int i = 0; i < tk->n_added; i++)
        if (tk->added[i].id == id) return 0;
    sw_added *a = realloc(tk->added, (size_t)(tk->n_added + 1) * sizeof *a);
    if (!a) return attn_oom(err, "added tokens");
    tk->added = a;
    a = &a[tk->n_added];
    *a = (sw_added){id, lstrip, rstrip, single_word, normalized, special, NULL, 0};
    /* a normalized token is matched as the normalizer writes it */
    nstr n;
    tk_scratch sc = {0};
    if (nstr_init(&n, sw_vocab_str(&tk->v, id), tk->v.len[id], 0) != 0) return attn_oom(err, "added tokens");
    int rc = normalized ? tk_normalize(&tk->norm, &n, &sc, err) : 0;
    tk_scratch_free(&sc);
    if (rc == 0 && !(a->text = malloc(n.len + 1))) rc = attn_oom(err, "added tokens");
    if (rc == 0) {
        memcpy(a->text, n.b, n.len + 1);
        a->len = n.len;
        tk->n_added++;
    }
    nstr_free(&n);
    return rc;
}

int sw_add_present(attn_tokenizer *tk, const char *const *names, int n, attn_error *err)
{
    for (int i = 0; i < n; i++) {
        int id = tokenizer_token_id(tk, names[i]);
        if (id >= 0 && sw_add_token(tk, id, 0, 0, 0, 0, 1, err)) return -1;
    }
    return 0;
}

/* ---- files ---- */

char *sw_read_file(const char *path, size_t *len, attn_error *err)
{
    /* One allocation of the file's size (io_read_file() grows its buffer by
     * doubling, which costs a big vocabulary several copies and page faults). */
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        attn_fail(err, ATTN_EXIT_INPUT, "%s: is a directory", path);
        return NULL;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > SW_MAX_FILE) {
        close(fd);
        attn_fail(err, ATTN_EXIT_INPUT, "%s: too large (%jd bytes; a tokenizer file may have %zu MiB)", path,
                  (intmax_t)st.st_size, SW_MAX_FILE >> 20);
        return NULL;
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536, n = 0;
    char *data = malloc(cap);
    if (!data) attn_oom(err, path);
    while (data) {
        char probe; /* one byte read when the buffer is full: is that the end? */
        int full = n + 1 >= cap;
        ssize_t got = full ? read(fd, &probe, 1) : read(fd, data + n, cap - n - 1);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            attn_fail(err, ATTN_EXIT_RUNTIME, "%s: read error: %s", path, strerror(errno));
            break;
        }
        if (got == 0) {
            close(fd);
            data[n] = '\0';
            *len = n;
            return data;
        }
        if (full) {
            char *p = n < SW_MAX_FILE ? realloc(data, cap * 2) : NULL;
            if (!p) {
                if (n < SW_MAX_FILE) attn_oom(err, path);
                else attn_fail(err, ATTN_EXIT_INPUT, "%s: too large (more than %zu MiB, the limit for a tokenizer file)",
                               path, SW_MAX_FILE >> 20);
                break;
            }
            data = p;
            cap *= 2;
            data[n] = probe;
        }
        n += (size_t)got;
    }
    close(fd);
    free(data);
    return NULL;
}

/* ---- a tokenizer from a list ---- */

static void where_index(char *dst, size_t cap, const void *ctx, int i)
{
    snprintf(dst, cap, "%s: vocab[%d]", (const char *)ctx, i);
}

attn_tokenizer *sw_from_list(const char *const *vocab, int n, const char *what, attn_error *err)
{
    attn_tokenizer *tk = sw_new(what, err);
    size_t *lens = malloc((size_t)(n > 0 ? n : 1) * sizeof *lens); /* [n] */
    int rc = -1;
    if (tk && !lens) attn_oom(err, "tokenizer");
    if (tk && lens) {
        for (int i = 0; i < n; i++) lens[i] = vocab[i] ? strlen(vocab[i]) : 0;
        rc = sw_vocab_build(&tk->v, tk->what, vocab, lens, n, where_index, tk->what, err);
        tk->n_model = tk->v.n;
    }
    free(lens);
    if (rc == 0) return tk;
    tokenizer_free(tk);
    return NULL;
}
