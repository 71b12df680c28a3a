/* bpe_encode.c — encoding with a byte-level BPE tokenizer (see bpe.c for
 * the steps): the GPT-2 pre-tokenizer, the merge loop, the per-call cache
 * of merged pieces, and the display texts.
 *
 * The GPT-2 pre-tokenizer is the regular expression
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * matched repeatedly from the start (each match is a piece), written out by
 * hand: \p{L} and \p{N} are Unicode categories L* and N* (libutf8proc), \s
 * is White_Space (as in Oniguruma and Rust, which Hugging Face's tokenizers
 * use). At position i, with c the code point there:
 *   - ' followed by s, t, m, d, re, ve or ll (lower case only): that;
 *   - c a letter, or c == ' ' and the next a letter: (space and) the run of
 *     letters; likewise numbers, then "other" (neither space, letter nor
 *     number);
 *   - otherwise c is whitespace; its run [i, k): all of it when it ends the
 *     text, else all but its last code point when that leaves one
 *     (\s+(?!\S): the last one goes with what follows), else just c.
 */
#include "text/bpe.h"

#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

enum { CL_SPACE, CL_LETTER, CL_NUMBER, CL_OTHER };

typedef struct {
    int32_t rank, pos, merged;
} heap_item;

typedef struct {
    uint32_t hash, key_off, key_len, res_off, res_n;
} cache_entry;

#define CACHE_MAX_PIECE 256   /* longer pieces are not cached */
#define CACHE_MAX_ENTRIES 65536

struct bpe_cache {
    /* the segment's code points */
    uint32_t *cp;          /* [ncp] (a prefix space has size 0) */
    size_t *boff, *blen;   /* [ncp] byte offset and length in the text */
    unsigned char *cls;    /* [ncp] CL_* */
    size_t ccap;
    /* one piece */
    unsigned char *pb;     /* [np] its bytes */
    size_t *ps, *pe;       /* [np] original span of the character of each byte */
    int32_t *sid, *sprev, *snext; /* [np] symbols: id, linked list */
    uint32_t *slen;        /* [np] bytes of each symbol (0: merged away) */
    heap_item *heap;       /* [2 * np] pending merges */
    size_t pcap, hn;
    /* the cache: open addressing over ent, keys in keys, tokens in res */
    cache_entry *ent;      /* [ecap] (key_len 0: empty) */
    uint32_t ecap, en;
    attn_buf keys;
    int32_t *res;          /* [2 * rn] (id, bytes) of each cached token */
    size_t rn, rcap;
};

void bpe_cache_free(bpe_cache *c)
{
    if (!c) return;
    free(c->cp);
    free(c->boff);
    free(c->blen);
    free(c->cls);
    free(c->pb);
    free(c->ps);
    free(c->pe);
    free(c->sid);
    free(c->sprev);
    free(c->snext);
    free(c->slen);
    free(c->heap);
    free(c->ent);
    free(c->res);
    buf_free(&c->keys);
    free(c);
}

#define GROW(p, n) ((tmp = realloc((p), (n) * sizeof *(p))) ? ((p) = tmp, 0) : -1)

static int reserve_cps(bpe_cache *c, size_t n)
{
    void *tmp;
    if (n <= c->ccap) return 0;
    size_t cap = n + n / 2 + 16;
    if (GROW(c->cp, cap) || GROW(c->boff, cap) || GROW(c->blen, cap) || GROW(c->cls, cap)) return -1;
    c->ccap = cap;
    return 0;
}

static int reserve_piece(bpe_cache *c, size_t n)
{
    void *tmp;
    if (n <= c->pcap) return 0;
    size_t cap = n + n / 2 + 16;
    if (GROW(c->pb, cap) || GROW(c->ps, cap) || GROW(c->pe, cap) || GROW(c->sid, cap) ||
        GROW(c->sprev, cap) || GROW(c->snext, cap) || GROW(c->slen, cap) || GROW(c->heap, 3 * cap))
        return -1;
    c->pcap = cap;
    return 0;
}

/* ---- the pre-tokenizer ---- */

static int classify(uint32_t cp)
{
    if (sw_is_whitespace(cp)) return CL_SPACE;
    if (sw_is_letter(cp)) return CL_LETTER;
    if (sw_is_number(cp)) return CL_NUMBER;
    return CL_OTHER;
}

/* The end of the piece that starts at code point i (see the file comment). */
static size_t gpt2_match(const uint32_t *cp, const unsigned char *cls, size_t n, size_t i)
{
    if (cp[i] == '\'' && i + 1 < n) {
        uint32_t x = cp[i + 1], y = i + 2 < n ? cp[i + 2] : 0;
        if (x == 's' || x == 't' || x == 'm' || x == 'd') return i + 2;
        if ((x == 'r' && y == 'e') || (x == 'v' && y == 'e') || (x == 'l' && y == 'l')) return i + 3;
    }
    size_t k = i;
    int c = cls[i];
    if (cp[i] == ' ' && i + 1 < n && cls[i + 1] != CL_SPACE) c = cls[++k];
    if (c != CL_SPACE) {
        while (k < n && cls[k] == c) k++;
        return k;
    }
    while (k < n && cls[k] == CL_SPACE) k++;
    if (k == n) return n;
    return k - i >= 2 ? k - 1 : i + 1;
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
    int nx = c->snext[pos], merged;
    if (nx < 0) return;
    int rank = bpe_pair(&tk->m, c->sid[pos], c->sid[nx], &merged);
    if (rank >= 0) heap_push(c, (heap_item){rank, pos, merged});
}

/* Merges the symbols of the n piece bytes; returns 0, or -1 with err filled
 * when a byte has no token. */
static int merge_piece(const attn_tokenizer *tk, bpe_cache *c, size_t n, attn_error *err)
{
    for (size_t k = 0; k < n; k++) {
        int id = tk->byte_id[c->pb[k]];
        if (id < 0 && (id = tk->unk) < 0)
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "%s: byte 0x%02X (text byte %zu) has no token in the vocabulary", tk->what,
                             c->pb[k], c->ps[k]);
        c->sid[k] = id;
        c->sprev[k] = (int32_t)k - 1;
        c->snext[k] = k + 1 < n ? (int32_t)k + 1 : -1;
        c->slen[k] = 1;
    }
    c->hn = 0;
    for (size_t k = 0; k + 1 < n; k++) push_pair(tk, c, (int)k);
    while (c->hn > 0) {
        heap_item top = heap_pop(c);
        int pos = top.pos, nx = c->snext[pos], merged;
        if (c->slen[pos] == 0 || nx < 0) continue;
        if (bpe_pair(&tk->m, c->sid[pos], c->sid[nx], &merged) < 0 || merged != top.merged) continue;
        c->sid[pos] = merged;
        c->slen[pos] += c->slen[nx];
        c->slen[nx] = 0;
        c->snext[pos] = c->snext[nx];
        if (c->snext[nx] >= 0) c->sprev[c->snext[nx]] = pos;
        if (c->sprev[pos] >= 0) push_pair(tk, c, c->sprev[pos]);
        push_pair(tk, c, pos);
    }
    return 0;
}

/* ---- the cache ---- */

static uint32_t hash_piece(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h | 1u;
}

/* The slot of the piece (hash h) in c->ent: its entry, or the empty one. */
static uint32_t cache_slot(const bpe_cache *c, const unsigned char *p, size_t n, uint32_t h)
{
    uint32_t mask = c->ecap - 1, i = h & mask;
    while (c->ent[i].key_len &&
           !(c->ent[i].hash == h && c->ent[i].key_len == n && memcmp(c->keys.data + c->ent[i].key_off, p, n) == 0))
        i = (i + 1) & mask;
    return i;
}

/* Remembers the tokens of the piece in c->pb (best effort: a full table or
 * no memory only means no caching). */
static void cache_put(bpe_cache *c, size_t n, uint32_t h)
{
    if (n > CACHE_MAX_PIECE || c->en >= CACHE_MAX_ENTRIES) return;
    if ((c->en + 1) * 2 > c->ecap) {
        uint32_t cap = c->ecap ? c->ecap * 2 : 1024;
        cache_entry *ne = calloc(cap, sizeof *ne), *old = c->ent;
        if (!ne) return;
        uint32_t ocap = c->ecap;
        c->ent = ne;
        c->ecap = cap;
        for (uint32_t i = 0; i < ocap; i++)
            if (old[i].key_len)
                c->ent[cache_slot(c, (const unsigned char *)c->keys.data + old[i].key_off, old[i].key_len,
                                  old[i].hash)] = old[i];
        free(old);
    }
    size_t ntok = 0;
    for (int k = 0; k >= 0; k = c->snext[k]) ntok++;
    if (c->rn + ntok > c->rcap) {
        size_t cap = (c->rn + ntok) * 2;
        int32_t *r = realloc(c->res, 2 * cap * sizeof *r);
        if (!r) return;
        c->res = r;
        c->rcap = cap;
    }
    size_t key_off = c->keys.len;
    if (buf_put(&c->keys, c->pb, n) != 0) return;
    cache_entry e = {h, (uint32_t)key_off, (uint32_t)n, (uint32_t)c->rn, (uint32_t)ntok};
    for (int k = 0; k >= 0; k = c->snext[k]) {
        c->res[2 * c->rn] = c->sid[k];
        c->res[2 * c->rn++ + 1] = (int32_t)c->slen[k];
    }
    c->ent[cache_slot(c, c->pb, n, h)] = e;
    c->en++;
}

/* ---- output ---- */

/* Appends the display text of token bytes p[0..n) (see the file comment). */
void bpe_display(attn_buf *b, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t k = 0; k < n;) {
        unsigned char c = p[k];
        uint32_t cp = c;
        size_t len = 1, bad;
        if (c >= 0x80) {
            len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (len == 1 || k + len > n || utf8_validate((const char *)p + k, len, &bad) != 0)
                len = 0;
            else
                utf8_decode((const char *)p + k, len, &cp);
        }
        if (c == ' ') {
            buf_puts(b, "\xE2\x90\xA3");
        } else if (len == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            char esc[] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            if (c == '\n' || c == '\t' || c == '\r')
                buf_put(b, c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r", 2);
            else
                buf_put(b, esc, 4);
            if (len > 1) { /* a C1 control: escape each byte */
                for (size_t j = 1; j < len; j++) {
                    esc[2] = hex[p[k + j] >> 4];
                    esc[3] = hex[p[k + j] & 15];
                    buf_put(b, esc, 4);
                }
            } else {
                len = 1;
            }
        } else {
            buf_put(b, p + k, len);
        }
        k += len;
    }
}

/* Emits one token made of piece bytes [a, b). */
static int emit(const bpe_cache *c, sw_out *o, int id, size_t a, size_t b)
{
    if (sw_out_begin(o, id, c->ps[a], c->pe[b - 1]) != 0) return -1;
    bpe_display(&o->text, c->pb + a, b - a);
    if (o->text.failed) o->failed = 1;
    return sw_out_end(o);
}

/* Encodes the piece of code points [i, j) of the segment. */
static int encode_piece(const attn_tokenizer *tk, bpe_cache *c, const char *text, size_t i, size_t j,
                        sw_out *o, attn_error *err)
{
    size_t n = 0;
    for (size_t k = i; k < j; k++) n += c->blen[k] ? c->blen[k] : 1;
    if (reserve_piece(c, n) != 0) return attn_oom(err, "tokens");
    n = 0;
    for (size_t k = i; k < j; k++) {
        size_t s = c->boff[k], e = s + c->blen[k];
        if (!c->blen[k]) { /* the prefix space */
            c->pb[n] = ' ';
            c->ps[n] = c->pe[n] = s;
            n++;
        }
        for (size_t q = s; q < e; q++, n++) {
            c->pb[n] = (unsigned char)text[q];
            c->ps[n] = s;
            c->pe[n] = e;
        }
    }
    uint32_t h = hash_piece(c->pb, n);
    if (c->en > 0) {
        const cache_entry *e = &c->ent[cache_slot(c, c->pb, n, h)];
        if (e->key_len) {
            size_t a = 0;
            for (uint32_t t = 0; t < e->res_n; t++) {
                const int32_t *r = &c->res[2 * (e->res_off + t)];
                if (emit(c, o, r[0], a, a + (size_t)r[1]) != 0) return attn_oom(err, "tokens");
                a += (size_t)r[1];
            }
            return 0;
        }
    }
    if (tk->ignore_merges) {
        /* the whole piece, when the vocabulary has it */
        attn_buf w;
        buf_init(&w);
        for (size_t k = 0; k < n; k++) {
            char u[4]; /* [4] one symbol */
            buf_put(&w, u, (size_t)utf8_encode(bpe_byte_cp(c->pb[k]), u));
        }
        int id = w.failed ? -1 : sw_vocab_find(&tk->v, w.data, w.len);
        buf_free(&w);
        if (id >= 0) return emit(c, o, id, 0, n) != 0 ? attn_oom(err, "tokens") : 0;
    }
    if (merge_piece(tk, c, n, err) != 0) return -1;
    cache_put(c, n, h);
    for (int k = 0; k >= 0; k = c->snext[k])
        if (emit(c, o, c->sid[k], (size_t)k, (size_t)k + c->slen[k]) != 0) return attn_oom(err, "tokens");
    return 0;
}

int bpe_segment(const attn_tokenizer *tk, const char *text, size_t start, size_t end,
                bpe_cache **cache, sw_out *o, attn_error *err)
{
    if (!*cache) {
        if (!(*cache = calloc(1, sizeof **cache))) return attn_oom(err, "tokens");
        buf_init(&(*cache)->keys);
    }
    bpe_cache *c = *cache;
    if (reserve_cps(c, end - start + 1) != 0) return attn_oom(err, "tokens");
    size_t n = 0;
    if (tk->add_prefix_space && text[start] != ' ') {
        c->cp[0] = ' ';
        c->boff[0] = start;
        c->blen[0] = 0;
        c->cls[0] = CL_SPACE;
        n = 1;
    }
    for (size_t i = start; i < end; n++) {
        uint32_t cp;
        int k = (unsigned char)text[i] < 0x80 ? (cp = (unsigned char)text[i], 1)
                                              : utf8_decode(text + i, end - i, &cp);
        c->cp[n] = cp;
        c->boff[n] = i;
        c->blen[n] = (size_t)k;
        c->cls[n] = (unsigned char)classify(cp);
        i += (size_t)k;
    }
    for (size_t i = 0; i < n;) {
        size_t j = tk->use_regex ? gpt2_match(c->cp, c->cls, n, i) : n;
        if (encode_piece(tk, c, text, i, j, o, err) != 0) return -1;
        i = j;
    }
    return 0;
}
