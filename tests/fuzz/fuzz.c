/* fuzz.c — see fuzz.h. */
#define _GNU_SOURCE /* memmem */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/textesc.h"
#include "compute/seq2seq.h"
#include "compute/stack.h"
#include "compute/transformer.h"
#include "text/subword.h"
#include "text/tokenize.h"

#define MAX_FILES 16

static char dir[1024];
/* The files of the last input: an input rewrites only the files that
 * changed and removes only those it no longer has, so most runs make few
 * system calls (the harnesses' speed is in them). */
static struct {
    char name[256];     /* "" when free */
    unsigned char *data;
    size_t len;
    int fresh;          /* written (or kept) for the current input */
} files[MAX_FILES];

static void remove_dir(void)
{
    if (!dir[0]) return;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[1400];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < (int)sizeof p) unlink(p);
        closedir(d);
    }
    rmdir(dir);
    dir[0] = '\0';
}

void fuzz_setup(void)
{
    static int done;
    if (done) return;
    done = 1;
    setenv("ATTNVIZ_THREADS", "1", 1);
}

const char *fuzz_dir(void)
{
    if (dir[0]) return dir;
    const char *base = getenv("ATTNVIZ_FUZZ_TMP");
    if (!base || !*base) base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    if (snprintf(dir, sizeof dir, "%s/attnviz-fuzz.XXXXXX", base) >= (int)sizeof dir || !mkdtemp(dir)) {
        fprintf(stderr, "fuzz: cannot create a directory in %s: %s\n", base, strerror(errno));
        abort();
    }
    atexit(remove_dir);
    return dir;
}

void fuzz_begin(void)
{
    for (int i = 0; i < MAX_FILES; i++) files[i].fresh = 0;
}

void fuzz_write(const char *name, const void *data, size_t n, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", fuzz_dir(), name);
    int slot = -1;
    for (int i = 0; i < MAX_FILES && slot < 0; i++)
        if (strcmp(files[i].name, name) == 0) slot = i;
    if (slot >= 0 && files[slot].len == n && (n == 0 || memcmp(files[slot].data, data, n) == 0)) {
        files[slot].fresh = 1; /* the same bytes are on disk already */
        return;
    }
    for (int i = 0; i < MAX_FILES && slot < 0; i++)
        if (!files[i].name[0]) slot = i;
    if (slot < 0 || strlen(name) >= sizeof files[0].name) {
        fprintf(stderr, "fuzz: too many files\n");
        abort();
    }
    snprintf(files[slot].name, sizeof files[slot].name, "%s", name);
    free(files[slot].data);
    files[slot].data = malloc(n ? n : 1);
    files[slot].len = n;
    files[slot].fresh = 1;
    if (!files[slot].data) abort();
    if (n) memcpy(files[slot].data, data, n);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const char *p = data;
    while (fd >= 0 && n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) break;
        p += w;
        n -= (size_t)w;
    }
    if (fd < 0 || n > 0 || close(fd) != 0) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
}

/* Files the harness's last input did not write are removed. */
static void drop_stale(void)
{
    char p[1400];
    for (int i = 0; i < MAX_FILES; i++)
        if (files[i].name[0] && !files[i].fresh) {
            if (snprintf(p, sizeof p, "%s/%s", fuzz_dir(), files[i].name) < (int)sizeof p) unlink(p);
            free(files[i].data);
            memset(&files[i], 0, sizeof files[i]);
        }
}

#define SEP "--8<-- "

/* Where the next separator line starts at or after data + i (at the start
 * or after a newline), or n. libc's memmem, not a loop of ours: the
 * harness's own code is instrumented, and a byte loop over a 64 KB input
 * took a fifth of hf_dir's time in its coverage callbacks. */
static size_t next_sep(const uint8_t *data, size_t n, size_t i)
{
    const size_t k = sizeof SEP - 1;
    if (i == 0 && n >= k && memcmp(data, SEP, k) == 0) return 0;
    const size_t from = i ? i - 1 : 0; /* the newline before a separator at i */
    const uint8_t *p = from < n ? memmem(data + from, n - from, "\n" SEP, k + 1) : NULL;
    return p ? (size_t)(p - data) + 1 : n;
}

unsigned fuzz_unpack(const uint8_t *data, size_t n, const char *const *names)
{
    unsigned mask = 0;
    char path[4400];
    size_t i = 0;
    int which = 0; /* bytes before the first separator: the first name */
    for (int first = 1;; first = 0) {
        size_t end = next_sep(data, n, i), len = end - i;
        if (end < n && len > 0 && data[end - 1] == '\n') len--; /* the newline before a separator */
        if (which >= 0 && !(first && end == i)) { /* an empty preamble is no file */
            fuzz_write(names[which], data + i, len, path, sizeof path);
            mask |= 1u << which;
        }
        if (end >= n) break;
        size_t s = end + sizeof SEP - 1, e = s; /* the line "--8<-- NAME" */
        while (e < n && data[e] != '\n') e++;
        which = -1;
        for (int k = 0; names[k]; k++)
            if (strlen(names[k]) == e - s && memcmp(names[k], data + s, e - s) == 0) which = k;
        i = e < n ? e + 1 : n;
    }
    drop_stale();
    return mask;
}

const char *fuzz_input_name;

void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\nfuzz: %s:%d: invariant violated: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void fuzz_check_error(const attn_error *err)
{
    fuzz_assert(err->code == ATTN_EXIT_INPUT || err->code == ATTN_EXIT_RUNTIME, "error code %d: %s",
                err->code, err->msg);
    fuzz_assert(err->msg[0] != '\0', "empty error message");
    fuzz_assert(!strchr(err->msg, '\n'), "error message of several lines: %s", err->msg);
    fuzz_assert(!textesc_needed(err->msg), "unescaped text in an error message: %s", err->msg);
}

const char *const fuzz_sentences[] = {
    "The animal didn't cross the street because it was too tired.",
    "  Ünïcödé café naïve — «quotes» 'single' \"double\" İstanbul ǅ ß ﬁ  ",
    "猫が好きです。 한국어 ภาษาไทย العربية עברית हिन्दी 😀👍🏽👨‍👩‍👧 🇫🇷",
    "[CLS] a [MASK] b [SEP] <|endoftext|> <s> </s> [UNK] [PAD] ##ing Ġthe",
    "tab\there\nnew line\r\x1b[31mred\x1b[0m \x7f \xc2\x85 \xe2\x80\xae bidi \xe2\x80\x8b zw",
    "Supercalifragilisticexpialidocious-antidisestablishmentarianism-pneumonoultramicroscopicsilicovolcanoconiosis-"
    "supercalifragilisticexpialidocious",
    "12,345.67 $5 100% e=mc² x^2 a_b c-d e/f @user #tag https://example.com/a?b=c&d",
    "invalid \xff\xfe UTF-8 \xc3",
    "",
    NULL,
};

void fuzz_encode_sentences(attn_tokenizer *tk, int specials, attn_error *err)
{
    if (specials) {
        const char *first = NULL, *last = NULL;
        tokenizer_default_specials(tk, &first, &last);
        if ((first || last) && tokenizer_set_specials(tk, first, last, err) != 0) fuzz_check_error(err);
    }
    for (int i = 0; fuzz_sentences[i]; i++) {
        attn_tokens t = {0};
        size_t len = strlen(fuzz_sentences[i]);
        if (tokenizer_encode(tk, fuzz_sentences[i], len, &t, err) == 0)
            fuzz_check_tokens(&t, len, tokenizer_vocab_size(tk));
        else
            fuzz_check_error(err);
        tokens_free(&t);
    }
    tokenizer_free(tk);
}

void fuzz_check_tokens(const attn_tokens *t, size_t len, int n_vocab)
{
    for (int i = 0; i < t->n; i++) {
        const attn_token *k = &t->tok[i];
        fuzz_assert(k->text != NULL, "token %d has no text", i);
        fuzz_assert(k->start <= k->end && k->end <= len, "token %d spans [%zu, %zu) of %zu bytes", i, k->start,
                    k->end, len);
        fuzz_assert(!k->special || k->start == k->end, "special token %d spans [%zu, %zu)", i, k->start, k->end);
        fuzz_assert(n_vocab < 0 || (k->id >= 0 && k->id < n_vocab), "token %d has id %d of %d", i, (int)k->id,
                    n_vocab);
    }
}

/* Every weight of res in [0, 1], masked ones 0, and every row summing to 1. */
static void check_weights(const attn_result *res)
{
    const size_t nn = (size_t)res->n_q * (size_t)res->n_k;
    for (size_t h = 0; h < (size_t)res->n_layers * (size_t)res->n_heads; h++)
        for (int q = 0; q < res->n_q; q++) {
            const float *row = res->weights + h * nn + (size_t)q * (size_t)res->n_k;
            double sum = 0.0;
            for (int k = 0; k < res->n_k; k++) {
                fuzz_assert(row[k] >= 0.0f && row[k] <= 1.0f, "weight %g (head %zu, query %d, key %d)",
                            (double)row[k], h, q, k);
                fuzz_assert(!result_masked(res, q, k) || row[k] == 0.0f, "masked weight %g", (double)row[k]);
                sum += row[k];
            }
            fuzz_assert(sum > 0.999 && sum < 1.001, "row sums to %.9g (head %zu, query %d)", sum, h, q);
        }
}

/* Every layer and head of m's stack (of part for an encoder-decoder) over
 * t (and target), checked. */
static int forward_all(const attn_model *m, const attn_tokens *t, const forward_opts *fo, attn_error *err)
{
    int nl = m->cfg.n_layers, nh = m->cfg.n_heads;
    if (m->s2s) s2s_part_shape(m, (s2s_part)fo->part, &nl, &nh);
    int *layers = malloc((size_t)nl * sizeof *layers), *heads = malloc((size_t)nh * sizeof *heads);
    fuzz_assert(layers && heads, "out of memory");
    for (int i = 0; i < nl; i++) layers[i] = i;
    for (int i = 0; i < nh; i++) heads[i] = i;
    attn_result res = {.meta = {.model = "fuzz"}};
    int rc = transformer_forward(&res, m, t, layers, nl, heads, nh, fo, err);
    if (rc == 0) check_weights(&res);
    result_free(&res);
    free(layers);
    free(heads);
    return rc;
}

/* An encoder-decoder's target as --target gives it (sentence.c): the
 * decoder start token, then target's tokens; all->tok is the caller's to
 * free (its tokens belong to start and given). */
static int s2s_target(const attn_model *m, const char *target, attn_tokens *start, attn_tokens *given,
                      attn_tokens *all, attn_error *err)
{
    const size_t len = strlen(target);
    const int id = m->s2s->start_id;
    if (tokenizer_encode(m->tokenizer, target, len, given, err) || tokens_assign_ids(given, m, err) ||
        tokenizer_append_ids(m->tokenizer, start, &id, 1, 0, err))
        return -1;
    fuzz_check_tokens(given, len, tokenizer_vocab_size(m->tokenizer));
    fuzz_assert(start->n == 1, "%d tokens for the decoder start token", start->n);
    all->tok = malloc(((size_t)given->n + 1) * sizeof *all->tok);
    fuzz_assert(all->tok != NULL, "out of memory");
    all->tok[0] = start->tok[0];
    memcpy(all->tok + 1, given->tok, (size_t)given->n * sizeof *all->tok);
    all->n = given->n + 1;
    return 0;
}

int fuzz_forward(const attn_model *m, const char *text, const char *target, attn_error *err)
{
    attn_tokens t = {0};
    size_t len = strlen(text);
    int rc = m->tokenizer ? tokenizer_encode(m->tokenizer, text, len, &t, err)
                          : tokenize_words(text, len, m->lowercase, &t, err);
    if (rc == 0) fuzz_check_tokens(&t, len, m->tokenizer ? tokenizer_vocab_size(m->tokenizer) : -1);
    if (rc == 0 && t.n == 0) {
        tokens_free(&t);
        return 0;
    }
    if (rc == 0) rc = tokens_assign_ids(&t, m, err);
    if (rc == 0 && m->s2s) {
        attn_tokens start = {0}, given = {0}, all = {0};
        rc = m->tokenizer ? s2s_target(m, target, &start, &given, &all, err)
                          : attn_fail(err, ATTN_EXIT_INPUT, "an encoder-decoder without a tokenizer");
        for (int part = 0; rc == 0 && part < 3; part++) {
            forward_opts fo = {.target = &all, .part = part};
            rc = forward_all(m, &t, &fo, err);
        }
        free(all.tok);
        tokens_free(&given);
        tokens_free(&start);
    } else if (rc == 0) {
        rc = forward_all(m, &t, NULL, err);
    }
    if (rc != 0) fuzz_check_error(err);
    tokens_free(&t);
    return rc;
}

/* An encoder-decoder's greedy output (--max-new n_new, no --target): the
 * start token and the generated ids, labelled (sentence.c). */
static int s2s_generate_checked(const attn_model *m, const attn_tokens *src, int n_new, attn_error *err)
{
    const int cap = s2s_max_target(m) - 1;
    if (n_new > cap) n_new = cap;
    if (n_new < 1 || !m->s2s->lm_head.w) return 0;
    int *ids = malloc(((size_t)n_new + 1) * sizeof *ids), *src_ids = malloc((size_t)src->n * sizeof *src_ids);
    fuzz_assert(ids && src_ids, "out of memory");
    for (int i = 0; i < src->n; i++) src_ids[i] = src->tok[i].id;
    int n_out = 0, rc = s2s_generate(m, src_ids, src->n, n_new, ids + 1, &n_out, err);
    attn_tokens out = {0};
    if (rc == 0) {
        fuzz_assert(n_out >= 0 && n_out <= n_new, "%d tokens generated of %d", n_out, n_new);
        for (int i = 1; i <= n_out; i++)
            fuzz_assert(ids[i] >= 0 && ids[i] < m->n_emb, "generated id %d of %d rows", ids[i], m->n_emb);
        ids[0] = m->s2s->start_id;
        rc = tokenizer_append_ids(m->tokenizer, &out, ids, n_out + 1, 0, err);
        if (rc == 0) fuzz_assert(out.n == n_out + 1, "%d tokens for %d ids", out.n, n_out + 1);
    }
    tokens_free(&out);
    free(ids);
    free(src_ids);
    return rc;
}

int fuzz_generate(const attn_model *m, const char *text, int n_new, attn_error *err)
{
    if (!m->tokenizer || (!m->s2s && (!m->lm_head.w || !m->cfg.causal || m->cfg.arch == ARCH_BERT))) return 0;
    attn_tokens t = {0};
    size_t len = strlen(text);
    int rc = tokenizer_encode(m->tokenizer, text, len, &t, err), n_out = 0;
    if (rc == 0 && t.n == 0) {
        tokens_free(&t);
        return 0;
    }
    if (m->s2s) {
        if (rc == 0) rc = tokens_assign_ids(&t, m, err);
        if (rc == 0) rc = s2s_generate_checked(m, &t, n_new, err);
        if (rc != 0) fuzz_check_error(err);
        tokens_free(&t);
        return rc;
    }
    int *ids = malloc(((size_t)t.n + (size_t)n_new) * sizeof *ids); /* [prompt + generated] */
    fuzz_assert(ids != NULL, "out of memory");
    for (int i = 0; rc == 0 && i < t.n; i++) ids[i] = t.tok[i].id;
    if (rc == 0) rc = stack_generate(m, ids, t.n, n_new, ids + t.n, &n_out, err);
    if (rc == 0) {
        fuzz_assert(n_out >= 1 && n_out <= n_new, "%d tokens generated of %d", n_out, n_new);
        for (int i = 0; i < n_out; i++)
            fuzz_assert(ids[t.n + i] >= 0 && ids[t.n + i] < m->n_emb, "generated id %d of %d rows", ids[t.n + i],
                        m->n_emb);
        int n_prompt = t.n;
        rc = tokenizer_append_ids(m->tokenizer, &t, ids + n_prompt, n_out, len, err);
        if (rc == 0) {
            fuzz_assert(t.n == n_prompt + n_out, "%d tokens after appending %d to %d", t.n, n_out, n_prompt);
            fuzz_check_tokens(&t, len, m->n_emb);
        }
    }
    if (rc != 0) fuzz_check_error(err);
    free(ids);
    tokens_free(&t);
    return rc;
}
