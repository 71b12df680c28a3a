/* spm_charsmap.h — a SentencePiece model's normalization maps checked
 * before SentencePiece's library reads them (spm.c): not a public
 * interface.
 *
 * libsentencepiece (0.1.97) trusts the precompiled_charsmap of a model's
 * normalizer_spec (and denormalizer_spec): a double-array trie whose leaf
 * values are offsets into a blob of NUL-terminated strings. A value past
 * the blob, a blob without a final NUL or a trie unit whose children lie
 * past the array makes its Normalizer read past its buffers
 * (tests/fuzz/regressions/spm/). spm_charsmap_check() finds the maps in the
 * model's bytes (the two protobuf fields, nothing else is read) and checks
 * exactly that; the rest of the file stays SentencePiece's to parse.
 * Returns 0 (also for bytes that do not parse as a protobuf: the library
 * refuses those itself), or -1 with err filled (ATTN_EXIT_INPUT, naming
 * path).
 */
#ifndef ATTN_TK_SPM_CHARSMAP_H
#define ATTN_TK_SPM_CHARSMAP_H

#include <stddef.h>

#include "base/error.h"

int spm_charsmap_check(const char *data, size_t len, const char *path, attn_error *err);

#endif
