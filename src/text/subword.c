/* subword.c — the core every subword tokenizer shares (see subword_core.h):
 * the tokenizer object, added tokens, specials, the output of pieces,
 * reading files with a size cap, and the Unicode properties the
 * pre-tokenizers use. The vocabulary is subword_vocab.c; the algorithms
 * (wordpiece.c, bpe.c) sit above this file, and tokenizer_encode()
 * (subword_encode.c) on top of them.
 */
#include "text/subword_core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

/* ---- Unicode properties ---- */

int sw_is_whitespace(uint32_t cp)
{
    if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int sw_is_letter(uint32_t cp)
{
    if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

int sw_is_number(uint32_t cp)
{
    if (cp < 0x80) return cp >= '0' && cp <= '9';
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO;
}

/* ---- the object ---- */

attn_tokenizer *sw_new(attn_subword_kind kind, const char *what, attn_error *err)
{
    attn_tokenizer *tk = calloc(1, sizeof *tk);
    if (!tk || !(tk->what = strdup(what ? what : "tokenizer"))) {
        free(tk);
        attn_oom(err, "tokenizer");
        return NULL;
    }
    tk->kind = kind;
    tk->unk = tk->first = tk->last = tk->def_first = tk->def_last = -1;
    for (int b = 0; b < 256; b++) tk->byte_id[b] = -1;
    tk->clean_text = tk->chinese = 1;
    tk->max_chars = 100;
    tk->use_regex = 1;
    return tk;
}

void tokenizer_free(attn_tokenizer *tk)
{
    if (!tk) return;
    sw_vocab_free(&tk->v);
    free(tk->m.slot);
    free(tk->added);
    free(tk->prefix);
    free(tk->what);
    free(tk);
}

attn_subword_kind tokenizer_kind(const attn_tokenizer *tk) { return tk->kind; }
int tokenizer_vocab_size(const attn_tokenizer *tk) { return tk->v.n; }

int tokenizer_token_id(const attn_tokenizer *tk, const char *token)
{
    return token ? sw_vocab_find(&tk->v, token, strlen(token)) : -1;
}

const char *tokenizer_token_text(const attn_tokenizer *tk, int id)
{
    return id >= 0 && id < tk->v.n ? sw_vocab_str(&tk->v, id) : NULL;
}

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

int tokenizer_set_specials(attn_tokenizer *tk, const char *first, const char *last,
                           attn_error *err)
{
    int f = special_id(tk, first, "first", err);
    if (first && f < 0) return -1;
    int l = special_id(tk, last, "last", err);
    if (last && l < 0) return -1;
    tk->first = f;
    tk->last = l;
    return 0;
}

void tokenizer_default_specials(const attn_tokenizer *tk, const char **first, const char **last)
{
    *first = tokenizer_token_text(tk, tk->def_first);
    *last = tokenizer_token_text(tk, tk->def_last);
}

/* ---- added tokens ---- */

int sw_add_special(attn_tokenizer *tk, int id, int lstrip, int rstrip, int single_word,
                   attn_error *err)
{
    if (id < 0 || id >= tk->v.n || tk->v.len[id] == 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: added token id %d is not in the vocabulary",
                         tk->what, id);
    for (int i = 0; i < tk->n_added; i++)
        if (tk->added[i].id == id) return 0;
    sw_added *a = realloc(tk->added, (size_t)(tk->n_added + 1) * sizeof *a);
    if (!a) return attn_oom(err, "added tokens");
    tk->added = a;
    /* keep the longest first, so the first match at a position is the longest */
    int k = tk->n_added++;
    while (k > 0 && tk->v.len[a[k - 1].id] < tk->v.len[id]) {
        a[k] = a[k - 1];
        k--;
    }
    a[k] = (sw_added){id, lstrip, rstrip, single_word};
    unsigned char b = (unsigned char)sw_vocab_str(&tk->v, id)[0];
    tk->added_first[b >> 3] |= (unsigned char)(1u << (b & 7));
    return 0;
}

int sw_add_present(attn_tokenizer *tk, const char *const *names, int n, attn_error *err)
{
    for (int i = 0; i < n; i++) {
        int id = tokenizer_token_id(tk, names[i]);
        if (id >= 0 && sw_add_special(tk, id, 0, 0, 0, err)) return -1;
    }
    return 0;
}

/* ---- the output ---- */

int sw_out_begin(sw_out *o, int id, size_t start, size_t end)
{
    if (o->failed) return -1;
    if (o->n == o->cap) {
        int cap = o->cap ? o->cap * 2 : 64;
        attn_token *t = cap < INT_MAX / 2 ? realloc(o->tok, (size_t)cap * sizeof *t) : NULL;
        if (t) o->tok = t;
        size_t *off = t ? realloc(o->text_off, (size_t)cap * sizeof *off) : NULL;
        if (!off) {
            o->failed = 1;
            return -1;
        }
        o->text_off = off;
        o->cap = cap;
    }
    o->tok[o->n] = (attn_token){.id = id, .start = start, .end = end, .word = -1};
    o->text_off[o->n] = o->text.len;
    o->n++;
    return 0;
}

int sw_out_end(sw_out *o)
{
    if (buf_putc(&o->text, '\0') != 0) o->failed = 1;
    return o->failed ? -1 : 0;
}

int sw_out_push(sw_out *o, int id, size_t start, size_t end, const char *display, long len)
{
    if (sw_out_begin(o, id, start, end) != 0) return -1;
    if (buf_put(&o->text, display, len < 0 ? strlen(display) : (size_t)len) != 0) o->failed = 1;
    return sw_out_end(o);
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

attn_tokenizer *sw_from_list(attn_subword_kind kind, const char *const *vocab, int n, const char *what,
                             attn_error *err)
{
    attn_tokenizer *tk = sw_new(kind, what, err);
    size_t *lens = malloc((size_t)(n > 0 ? n : 1) * sizeof *lens); /* [n] */
    int rc = -1;
    if (tk && !lens) attn_oom(err, "tokenizer");
    if (tk && lens) {
        for (int i = 0; i < n; i++) lens[i] = vocab[i] ? strlen(vocab[i]) : 0;
        rc = sw_vocab_build(tk, vocab, lens, n, where_index, tk->what, err);
    }
    free(lens);
    if (rc == 0) return tk;
    tokenizer_free(tk);
    return NULL;
}
