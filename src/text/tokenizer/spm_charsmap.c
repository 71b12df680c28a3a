/* spm_charsmap.c — see spm_charsmap.h. The layouts are SentencePiece's:
 * sentencepiece_model.proto (ModelProto field 3 normalizer_spec, 5
 * denormalizer_spec; NormalizerSpec field 2 precompiled_charsmap),
 * normalizer.cc (a map is a little-endian uint32 trie size, the trie, then
 * the strings) and darts-clone's units (bit 31: a value unit, its value in
 * bits 0-30; else the children's base is the unit's index XOR its offset,
 * bits 10-30 shifted left by 8 when bit 9 is set, and bit 8 says that the
 * unit at that base holds the node's value). */
#include "text/tokenizer/spm_charsmap.h"

#include <stdint.h>
#include <string.h>

/* A protobuf field: its number, wire type and, for length-delimited
 * fields, the bytes. */
typedef struct {
    uint64_t num;
    int type;
    const unsigned char *p;
    size_t n;
} pb_field;

static int varint(const unsigned char *b, size_t len, size_t *i, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && *i < len; shift += 7) {
        const unsigned char c = b[(*i)++];
        *v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) return 0;
    }
    return -1;
}

/* The field at b[*i..len), *i moved past it; -1 when it does not parse. */
static int next_field(const unsigned char *b, size_t len, size_t *i, pb_field *f)
{
    uint64_t tag, v;
    if (varint(b, len, i, &tag) != 0) return -1;
    f->num = tag >> 3, f->type = (int)(tag & 7), f->p = NULL, f->n = 0;
    switch (f->type) {
    case 0: return varint(b, len, i, &v);
    case 1: return len - *i < 8 ? -1 : (*i += 8, 0);
    case 5: return len - *i < 4 ? -1 : (*i += 4, 0);
    case 2:
        if (varint(b, len, i, &v) != 0 || v > len - *i) return -1;
        f->p = b + *i, f->n = (size_t)v;
        *i += (size_t)v;
        return 0;
    default: return -1; /* groups: nothing SentencePiece writes */
    }
}

/* NULL when the map m[0..n) is sound, else what is wrong with it. */
static const char *map_problem(const unsigned char *m, size_t n)
{
    if (n == 0) return NULL; /* no map: the identity */
    uint32_t trie;
    if (n < 4) return "shorter than its header";
    trie = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
    if (trie > n - 4) return "its trie is longer than the map";
    const unsigned char *strs = m + 4 + trie; /* [n_strs] NUL-terminated strings */
    const size_t n_strs = n - 4 - trie, n_units = trie / 4;
    if (n_strs == 0 || strs[n_strs - 1] != '\0') return "its strings do not end with a NUL byte";
    for (size_t i = 0; i < n_units; i++) {
        uint32_t u;
        memcpy(&u, m + 4 + 4 * i, 4); /* little-endian, as x86 and SentencePiece's writer */
        if (u >> 31) {
            if ((u & 0x7FFFFFFFu) >= n_strs) return "a trie value points past its strings";
        } else {
            const size_t off = (size_t)(u >> 10) << ((u & (1u << 9)) >> 6);
            if (((i ^ off) | 0xFF) >= n_units) return "a trie unit's children lie past the trie";
            uint32_t leaf; /* a node with a leaf: the library reads its value from unit i ^ off, whatever it is */
            memcpy(&leaf, m + 4 + 4 * (i ^ off), 4);
            if ((u >> 8 & 1) && (leaf & 0x7FFFFFFFu) >= n_strs) return "a trie value points past its strings";
        }
    }
    return NULL;
}

int spm_charsmap_check(const char *data, size_t len, const char *path, attn_error *err)
{
    const unsigned char *b = (const unsigned char *)data;
    pb_field f, g;
    for (size_t i = 0; i < len;) {
        if (next_field(b, len, &i, &f) != 0) return 0;
        if ((f.num != 3 && f.num != 5) || f.type != 2) continue;
        for (size_t j = 0; j < f.n;) {
            if (next_field(f.p, f.n, &j, &g) != 0) break;
            if (g.num != 2 || g.type != 2) continue;
            const char *why = map_problem(g.p, g.n);
            if (why)
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: the %snormalizer's precompiled_charsmap is malformed (%s)",
                                 path, f.num == 5 ? "de" : "", why);
        }
    }
    return 0;
}
