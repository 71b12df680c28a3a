/* bpe_encode.c — the BPE model applied to one piece (see models.h), as
 * tokenizers' BPE::merge_word and Word::merge_all do:
 *   1. each character becomes a symbol: its vocabulary entry (with the
 *      continuing_subword_prefix before all but the first, the
 *      end_of_word_suffix after the last), else its bytes' "<0xNN>" tokens
 *      (byte_fallback), else the unk token (fused with the unk before it
 *      when fuse_unk), else nothing;
 *   2. merges: a priority queue of adjacent pairs ordered by (merge rank,
 *      position), the lowest popped first, stale entries skipped, new pairs
 *      with the neighbours pushed after each merge; what remains are the
 *      tokens;
 *   3. a piece seen before in the same call (up to 256 bytes) comes from
 *      the call's cache instead (a hash table from piece to its tokens),
 *      and so does each character's id (a direct-mapped table: a piece may
 *      be the whole text, as with Gemma's tokenizer);
 *   ignore_merges: a piece that is itself in the vocabulary is one token.
 * The ids and their order are tokenizers', also where byte tokens come
 * before a fused unk of the characters in front of them (merge_word adds
 * the byte tokens without flushing the pending unk). The offsets are each
 * symbol's own bytes of the piece; tokenizers adds up the symbols' lengths
 * instead, which differs only there and where a character is dropped.
 */
#include "text/tokenizer/models.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

typedef struct {
    int32_t rank, pos, merged;
} heap_item;

typedef struct {
    uint32_t hash, key_off, key_len, res_off, res_n;
} cache_entry;

#define CACHE_MAX_PIECE 256 /* longer pieces are not cached (tokenizers' MAX_LENGTH) */
#define CACHE_MAX_ENTRIES 65536

struct bpe_cache {
    /* the symbols of one piece */
    struct sym {
        int32_t id, prev, next;   /* vocabulary id; the linked list */
        uint32_t off, len;        /* bytes in the piece (len 0: merged away) */
    } *sym;                       /* [cap] */
    heap_item *heap;              /* [3 * cap] pending merges */
    size_t cap, hn;
    attn_buf tmp;                 /* a character with its prefix / suffix */
    struct {
        uint64_t key;             /* the character's bytes | length << 32 (0: empty) */
        int32_t id;               /* its vocabulary id, or -1 */
    } chr[1024];                  /* characters looked up in this call, direct-mapped */
    /* the cache: open addressing over ent, keys in keys, tokens in res */
    cache_entry *ent;             /* [ecap] (key_len 0: empty) */
    uint32_t ecap, en;
    attn_buf keys;
    int32_t *res;                 /* [3 * rn] (id, offset, length) of each cached token */
    size_t rn, rcap;
};

void bpe_cache_free(bpe_cache *c)
{
    if (!c) return;
    free(c->sym);
    free(c->heap);
    buf_free(&c->tmp);
    free(c->ent);
    buf_free(&c->keys);
    free(c->res);
    free(c);
}

#define GROW(p, n) ((tmp = realloc((p), (n) * sizeof *(p))) ? ((p) = tmp, 0) : -1)

static int reserve(bpe_cache *c, size_t n)
{
    void *tmp;
    if (n <= c->cap) return 0;
    size_t cap = n + n / 2 + 16;
    if (GROW(c->sym, cap) || GROW(c->heap, 3 * cap))
        return -1;
    c->cap = cap;
    return 0;
}

/* ---- the merge loop ---- */

static int heap_less(const heap_item *a, const heap_item *b)
{
    return a->rank != b->rank ? a->rank < b->rank : a->pos < b->pos;
}

static void heap_push(bpe_cache *c, heap_item it)
{
    size_t k = c->hn++;
    while (k > 0 && heap_less(&it, &c->heap[(k - 1) / 2])) {
        c->heap[k] = c->heap[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    c->heap[k] = it;
}

static heap_item heap_pop(bpe_cache *c)
{
    heap_item top = c->heap[0], last = c->heap[--c->hn];
    size_t k = 0;
    for (;;) {
        size_t l = 2 * k + 1, m = k;
        const heap_item *best = &last;
        if (l < c->hn && heap_less(&c->heap[l], best)) best = &c->heap[m = l];
        if (l + 1 < c->hn && heap_less(&c->heap[l + 1], best)) best = &c->heap[m = l + 1];
        if (m == k) break;
        c->heap[k] = c->heap[m];
        k = m;
    }
    if (c->hn > 0) c->heap[k] = last;
    return top;
}

static void push_pair(const attn_tokenizer *tk, bpe_cache *c, int pos)
{
    int nx = c->sym[pos].next, merged;
    if (nx < 0) return;
    int rank = bpe_pair(&tk->m, c->sym[pos].id, c->sym[nx].id, &merged);
    if (rank >= 0) heap_push(c, (heap_item){rank, pos, merged});
}

/* Appends a symbol; returns its index. */
static int add_symbol(bpe_cache *c, int *n, int id, size_t off, size_t len)
{
    int k = (*n)++;
    c->sym[k] = (struct sym){id, k - 1, -1, (uint32_t)off, (uint32_t)len};
    if (k > 0) c->sym[k - 1].next = k;
    return k;
}

/* Step 1: the symbols of w[0..n); returns their number, or -1 (memory). */
static int symbols(const attn_tokenizer *tk, bpe_cache *c, const char *w, size_t n)
{
    int ns = 0, unk_len = 0;
    size_t unk_off = 0;
    int have_unk = 0;
    for (size_t i = 0; i < n;) {
        unsigned char b0 = (unsigned char)w[i];
        size_t k = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
        if (i + k > n) k = n - i;
        const char *s = w + i;
        size_t sl = k;
        int first = i == 0, last = i + k == n;
        if ((!first && tk->prefix) || (last && tk->suffix)) {
            c->tmp.len = 0;
            if (!first && tk->prefix) buf_put(&c->tmp, tk->prefix, tk->prefix_len);
            buf_put(&c->tmp, w + i, k);
            if (last && tk->suffix) buf_put(&c->tmp, tk->suffix, tk->suffix_len);
            if (c->tmp.failed) return -1;
            s = c->tmp.data;
            sl = c->tmp.len;
        }
        int id;
        if (s == w + i) { /* a plain character: through the call's cache */
            uint64_t key = (uint64_t)k << 32;
            for (size_t q = 0; q < k; q++) key |= (uint64_t)(unsigned char)s[q] << (8 * q);
            uint32_t slot = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 54);
            if (c->chr[slot].key != key) {
                c->chr[slot].key = key;
                c->chr[slot].id = tk_model_find(tk, s, sl);
            }
            id = c->chr[slot].id;
        } else {
            id = tk_model_find(tk, s, sl);
        }
        if (id >= 0) {
            if (have_unk) add_symbol(c, &ns, tk->unk, unk_off, (size_t)unk_len);
            have_unk = 0;
            add_symbol(c, &ns, id, i, k);
            i += k;
            continue;
        }
        if (tk->byte_fallback) {
            size_t q = 0;
            while (q < sl && tk->byte_tok[(unsigned char)s[q]] >= 0) q++;
            if (q == sl) {
                /* one token per byte, one byte long each (prefix and suffix
                 * bytes included, as tokenizers counts them) */
                for (q = 0; q < sl; q++) {
                    size_t off = i + q < n ? i + q : n - 1;
                    add_symbol(c, &ns, tk->byte_tok[(unsigned char)s[q]], off, 1);
                }
                i += k;
                continue;
            }
        }
        if (tk->unk >= 0) {
            if (have_unk && tk->fuse_unk) {
                unk_len += (int)k;
            } else {
                if (have_unk) add_symbol(c, &ns, tk->unk, unk_off, (size_t)unk_len);
                have_unk = 1;
                unk_off = i;
                unk_len = (int)k;
            }
        }
        i += k;
    }
    if (have_unk) add_symbol(c, &ns, tk->unk, unk_off, (size_t)unk_len);
    return ns;
}

/* Step 2: merges the ns symbols. */
static void merge_all(const attn_tokenizer *tk, bpe_cache *c, int ns)
{
    c->hn = 0;
    for (int k = 0; k + 1 < ns; k++) push_pair(tk, c, k);
    while (c->hn > 0) {
        heap_item top = heap_pop(c);
        int pos = top.pos, nx = c->sym[pos].next, merged;
        if (c->sym[pos].len == 0 || nx < 0) continue;
        if (bpe_pair(&tk->m, c->sym[pos].id, c->sym[nx].id, &merged) < 0 || merged != top.merged) continue;
        c->sym[pos].id = merged;
        c->sym[pos].len += c->sym[nx].len;
        c->sym[nx].len = 0;
        c->sym[pos].next = c->sym[nx].next;
        if (c->sym[nx].next >= 0) c->sym[c->sym[nx].next].prev = pos;
        if (c->sym[pos].prev >= 0) push_pair(tk, c, c->sym[pos].prev);
        push_pair(tk, c, pos);
    }
}

/* ---- the cache ---- */

static uint32_t hash_piece(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h | 1u;
}

/* The slot of the piece (hash h) in c->ent: its entry, or the empty one. */
static uint32_t cache_slot(const bpe_cache *c, const char *p, size_t n, uint32_t h)
{
    uint32_t mask = c->ecap - 1, i = h & mask;
    while (c->ent[i].key_len &&
           !(c->ent[i].hash == h && c->ent[i].key_len == n && memcmp(c->keys.data + c->ent[i].key_off, p, n) == 0))
        i = (i + 1) & mask;
    return i;
}

/* Remembers the tokens of piece p[0..n) (best effort: a full table or no
 * memory only means no caching). */
static void cache_put(bpe_cache *c, const char *p, size_t n, uint32_t h, int ns)
{
    if (n > CACHE_MAX_PIECE || c->en >= CACHE_MAX_ENTRIES || ns == 0) return;
    if ((c->en + 1) * 2 > c->ecap) {
        uint32_t cap = c->ecap ? c->ecap * 2 : 1024;
        cache_entry *ne = calloc(cap, sizeof *ne), *old = c->ent;
        if (!ne) return;
        uint32_t ocap = c->ecap;
        c->ent = ne;
        c->ecap = cap;
        for (uint32_t i = 0; i < ocap; i++)
            if (old[i].key_len)
                c->ent[cache_slot(c, c->keys.data + old[i].key_off, old[i].key_len, old[i].hash)] = old[i];
        free(old);
    }
    size_t ntok = 0;
    for (int k = 0; k >= 0; k = c->sym[k].next) ntok++;
    if (c->rn + ntok > c->rcap) {
        size_t cap = (c->rn + ntok) * 2;
        int32_t *r = realloc(c->res, 3 * cap * sizeof *r);
        if (!r) return;
        c->res = r;
        c->rcap = cap;
    }
    size_t key_off = c->keys.len;
    if (buf_put(&c->keys, p, n) != 0) return;
    cache_entry e = {h, (uint32_t)key_off, (uint32_t)n, (uint32_t)c->rn, (uint32_t)ntok};
    for (int k = 0; k >= 0; k = c->sym[k].next) {
        int32_t *r = &c->res[3 * c->rn++];
        r[0] = c->sym[k].id;
        r[1] = (int32_t)c->sym[k].off;
        r[2] = (int32_t)c->sym[k].len;
    }
    c->ent[cache_slot(c, p, n, h)] = e;
    c->en++;
}

/* ---- one piece ---- */

int bpe_tokenize(const attn_tokenizer *tk, const char *w, size_t n, tk_model_scratch *s, tk_pieces *out,
                 attn_error *err)
{
    if (n == 0) return 0;
    if (tk->ignore_merges) {
        int id = tk_model_find(tk, w, n);
        if (id >= 0) {
            tk_pieces_push(out, id, 0, n);
            return out->failed ? attn_oom(err, "tokens") : 0;
        }
    }
    if (!s->bpe) {
        if (!(s->bpe = calloc(1, sizeof *s->bpe))) return attn_oom(err, "tokens");
        buf_init(&s->bpe->keys);
        buf_init(&s->bpe->tmp);
    }
    bpe_cache *c = s->bpe;
    uint32_t h = hash_piece(w, n);
    if (c->en > 0) {
        const cache_entry *e = &c->ent[cache_slot(c, w, n, h)];
        if (e->key_len) {
            for (uint32_t t = 0; t < e->res_n; t++) {
                const int32_t *r = &c->res[3 * (e->res_off + t)];
                tk_pieces_push(out, r[0], (size_t)r[1], (size_t)(r[1] + r[2]));
            }
            return out->failed ? attn_oom(err, "tokens") : 0;
        }
    }
    /* at most one symbol per byte, plus prefix and suffix bytes of the
     * byte-fallback tokens */
    if (reserve(c, n * (1 + tk->prefix_len + tk->suffix_len) + 1) != 0) return attn_oom(err, "tokens");
    int ns = symbols(tk, c, w, n);
    if (ns < 0) return attn_oom(err, "tokens");
    if (ns == 0) return 0;
    merge_all(tk, c, ns);
    cache_put(c, w, n, h, ns);
    for (int k = 0; k >= 0; k = c->sym[k].next) {
        size_t a = c->sym[k].off, b = a + c->sym[k].len;
        tk_pieces_push(out, c->sym[k].id, a, b > n ? n : b);
    }
    return out->failed ? attn_oom(err, "tokens") : 0;
}
