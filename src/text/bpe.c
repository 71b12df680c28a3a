/* bpe.c — GPT-2's byte-level BPE (see subword.h): loading vocab.json +
 * merges.txt, the merge table, and encoding.
 *
 * Encoding a segment of text (no added token inside):
 *   1. the GPT-2 pre-tokenizer (bpe_pretok.c) cuts it into pieces;
 *   2. each piece's bytes become symbols, byte b the one-character token
 *      bytes_to_unicode(b) (GPT-2's table: printable Latin-1 bytes map to
 *      themselves, the other 68 to U+0100.. in byte order, so ' ' is "Ġ");
 *   3. merges are applied as Hugging Face's BPE does: a priority queue of
 *      adjacent pairs ordered by (merge rank, position), the lowest popped
 *      first, stale entries skipped, new pairs with the neighbours pushed
 *      after each merge; what remains are the tokens;
 *   4. a piece seen before in the same call is taken from the cache (a hash
 *      table from piece bytes to its tokens) instead.
 * A token's span is the original bytes it covers, widened to whole
 * characters; its display text is those bytes, ' ' shown as "␣", control
 * characters as "\n", "\t", "\r" or "\x1B", and bytes that are not a whole
 * UTF-8 character within the token (a piece of an emoji) as "\xF0".
 */
#include "text/bpe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textesc.h"
#include "base/utf8.h"

uint32_t bpe_byte_cp(int b)
{
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))
        return (uint32_t)b;
    /* 256 + the number of non-printable bytes below b: 0x00-0x20 (33), 0x7F-0xA0 (34), 0xAD */
    return 256u + (uint32_t)(b <= 0x20 ? b : b <= 0xA0 ? 33 + (b - 0x7F) : 67);
}

int bpe_init(attn_tokenizer *tk, attn_error *err)
{
    (void)err;
    for (int b = 0; b < 256; b++) {
        char u[4]; /* [4] the symbol in UTF-8 */
        int n = utf8_encode(bpe_byte_cp(b), u);
        tk->byte_id[b] = sw_vocab_find(&tk->v, u, (size_t)n);
    }
    return 0;
}

/* ---- the merge table ---- */

static uint32_t pair_slot(const sw_merges *m, uint64_t key)
{
    uint32_t mask = m->cap - 1, i = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (m->slot[i].key != UINT64_MAX && m->slot[i].key != key) i = (i + 1) & mask;
    return i;
}

int bpe_pair(const sw_merges *m, int a, int b, int *merged)
{
    if (m->n == 0) return -1;
    const sw_merge *e = &m->slot[pair_slot(m, (uint64_t)(uint32_t)a << 32 | (uint32_t)b)];
    if (e->key == UINT64_MAX) return -1;
    *merged = e->merged;
    return e->rank;
}

/* Rehashes the table into cap slots (a power of two, more than 2 * n). */
static int merges_resize(sw_merges *m, uint32_t cap)
{
    sw_merge *slot = malloc((size_t)cap * sizeof *slot);
    if (!slot) return -1;
    sw_merges nm = {slot, cap, m->n};
    for (uint32_t i = 0; i < cap; i++) slot[i].key = UINT64_MAX;
    for (uint32_t i = 0; i < m->cap; i++)
        if (m->slot[i].key != UINT64_MAX) slot[pair_slot(&nm, m->slot[i].key)] = m->slot[i];
    free(m->slot);
    *m = nm;
    return 0;
}

size_t bpe_split_merge(const char *s, size_t n)
{
    const char *sp = memchr(s, ' ', n);
    if (!sp || sp == s || sp == s + n - 1 || memchr(sp + 1, ' ', n - (size_t)(sp + 1 - s))) return 0;
    return (size_t)(sp - s);
}

int bpe_reserve_merges(attn_tokenizer *tk, int n, attn_error *err)
{
    uint32_t cap = 1024;
    while (cap < 2u * (uint32_t)n + 2 && cap < (1u << 30)) cap *= 2;
    if (cap > tk->m.cap && merges_resize(&tk->m, cap) != 0) return attn_oom(err, "merges");
    return 0;
}

/* Where merge idx is: "FILE:LINE" (label NULL, idx the line) or "FILE: LABEL[IDX]". */
static const char *where(char *dst, size_t cap, const char *file, const char *label, int idx)
{
    if (label)
        snprintf(dst, cap, "%s: %s[%d]", file, label, idx);
    else
        snprintf(dst, cap, "%s:%d", file, idx);
    return dst;
}

int bpe_add_merge(attn_tokenizer *tk, const char *a, size_t alen, const char *b, size_t blen,
                  const char *file, const char *label, int idx, attn_error *err)
{
    char q[96], cat[512], at[300]; /* [96] a token quoted; [512] a + b; [300] where */
    int ia = sw_vocab_find(&tk->v, a, alen), ib = sw_vocab_find(&tk->v, b, blen);
    if (ia < 0 || ib < 0) {
        textesc_quote(q, sizeof q, ia < 0 ? a : b, ia < 0 ? alen : blen);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: merge of %s, which is not in the vocabulary",
                         where(at, sizeof at, file, label, idx), q);
    }
    char *ab = alen + blen <= sizeof cat ? cat : malloc(alen + blen);
    if (!ab) return attn_oom(err, "merges");
    memcpy(ab, a, alen);
    memcpy(ab + alen, b, blen);
    int im = sw_vocab_find(&tk->v, ab, alen + blen);
    if (im < 0) textesc_quote(q, sizeof q, ab, alen + blen);
    if (ab != cat) free(ab);
    if (im < 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: the merged token %s is not in the vocabulary",
                         where(at, sizeof at, file, label, idx), q);
    sw_merges *m = &tk->m;
    if ((uint32_t)(m->n + 1) * 2 > m->cap && merges_resize(m, m->cap ? m->cap * 2 : 1024) != 0)
        return attn_oom(err, "merges");
    uint64_t key = (uint64_t)(uint32_t)ia << 32 | (uint32_t)ib;
    sw_merge *e = &m->slot[pair_slot(m, key)];
    if (e->key != UINT64_MAX)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: duplicate merge (the same pair is merge %d)",
                         where(at, sizeof at, file, label, idx), e->rank + 1);
    *e = (sw_merge){key, m->n++, im};
    return 0;
}

/* ---- loading ---- */

static const char *const gpt2_added[] = {"<|endoftext|>"};

static attn_tokenizer *finish_plain(attn_tokenizer *tk, attn_error *err)
{
    if (bpe_init(tk, err) != 0 || sw_add_present(tk, gpt2_added, 1, err) != 0) {
        tokenizer_free(tk);
        return NULL;
    }
    return tk;
}

attn_tokenizer *bpe_from_files(const char *vocab_json, const char *merges_txt, attn_error *err)
{
    size_t len;
    char *text = sw_read_file(vocab_json, &len, err), *mt = NULL;
    attn_tokenizer *tk = text ? sw_new(SUBWORD_BPE, vocab_json, err) : NULL;
    if (!tk || sw_vocab_from_json_text(tk, text, len, vocab_json, err) != 0) goto fail;
    free(text);
    text = NULL;
    if (!(mt = sw_read_file(merges_txt, &len, err))) goto fail;
    int lines = 1;
    for (const char *q = mt; (q = memchr(q, '\n', len - (size_t)(q - mt))) != NULL; q++) lines++;
    if (bpe_reserve_merges(tk, lines, err) != 0) goto fail;
    size_t p = 0;
    for (int line = 1; p < len; line++) {
        const char *s = mt + p, *nl = memchr(s, '\n', len - p);
        size_t n = nl ? (size_t)(nl - s) : len - p;
        p += n + 1;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (line == 1 && n >= 8 && memcmp(s, "#version", 8) == 0) continue;
        size_t a = memchr(s, '\0', n) ? 0 : bpe_split_merge(s, n);
        if (!a) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s:%d: not a merge (two tokens separated by one space)",
                      merges_txt, line);
            goto fail;
        }
        if (bpe_add_merge(tk, s, a, s + a + 1, n - a - 1, merges_txt, NULL, line, err)) goto fail;
    }
    free(mt);
    return finish_plain(tk, err);
fail:
    free(text);
    free(mt);
    tokenizer_free(tk);
    return NULL;
}

attn_tokenizer *bpe_from_lists(const char *const *vocab, int n_vocab, const char *const *merges,
                               int n_merges, const char *what, attn_error *err)
{
    attn_tokenizer *tk = sw_from_list(SUBWORD_BPE, vocab, n_vocab, what, err);
    if (!tk || bpe_reserve_merges(tk, n_merges, err) != 0) goto fail;
    for (int i = 0; i < n_merges; i++) {
        const char *s = merges[i] ? merges[i] : "";
        size_t n = strlen(s), a = bpe_split_merge(s, n);
        if (!a) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: merges[%d]: not a merge (two tokens separated by one space)",
                      tk->what, i);
            goto fail;
        }
        if (bpe_add_merge(tk, s, a, s + a + 1, n - a - 1, tk->what, "merges", i, err)) goto fail;
    }
    return finish_plain(tk, err);
fail:
    tokenizer_free(tk);
    return NULL;
}
