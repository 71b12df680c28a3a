/* spm_lib.h — SentencePiece's own library (Debian's libsentencepiece,
 * C++) behind a C interface, for the SentencePiece tokenizer (spm.c). Not a
 * public interface: callers use text/subword.h.
 *
 * The C++ side (spm_lib.cc) is built as a module of its own,
 * attnviz-spm.so, which exports one table (spm_lib_api) and which
 * spm_lib_dl.c opens the first time a model is loaded: loading
 * libsentencepiece and the C++ runtime took 1.4 ms of every attnviz
 * process (2.9 ms in all for --version), which only SentencePiece models
 * need. The module is looked for in the build directory it was built in,
 * then in ../lib/attnviz/ beside the binary (make install's layout), then
 * in ATTNVIZ_LIBDIR.
 *
 * A model is loaded from the bytes of a .model / .spm file (the caller
 * reads the file; path names it in messages) and encodes a text as
 * SentencePiece's EncodeAsImmutableProto does: each piece with its id, its
 * piece text (an unknown piece's text is its surface, as the library gives
 * it) and its byte span [begin, end) in the text.
 *
 * Ownership: spm_lib_load() returns a model the caller releases with
 * spm_lib_free(); strings returned belong to the model (or, in the encode
 * callback, to the call). A model is not changed by encoding.
 * Errors: no C++ exception leaves these functions. spm_lib_load() returns
 * NULL and spm_lib_encode() -1 with err filled: ATTN_EXIT_INPUT naming path
 * for a file the library refuses, ATTN_EXIT_RUNTIME for memory or a module
 * that cannot be opened; an encode callback's -1 is passed on as it is (its
 * err filled by it).
 */
#ifndef ATTN_TK_SPM_LIB_H
#define ATTN_TK_SPM_LIB_H

#include <stddef.h>

#include "base/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct spm_lib spm_lib;

/* The kinds of piece SentencePiece's model has. */
enum { SPM_NORMAL = 1, SPM_UNKNOWN = 2, SPM_CONTROL = 3, SPM_USER = 4, SPM_UNUSED = 5, SPM_BYTE = 6 };

spm_lib *spm_lib_load(const char *data, size_t len, const char *path, attn_error *err);
void spm_lib_free(spm_lib *m);

int spm_lib_size(const spm_lib *m);
/* The piece of id (0 <= id < size), its length in *len; never NULL. */
const char *spm_lib_piece(const spm_lib *m, int id, size_t *len);
/* SPM_NORMAL ... SPM_BYTE of id. */
int spm_lib_kind(const spm_lib *m, int id);
/* SentencePiece's PieceToId: the id of a piece, or the unknown id. */
int spm_lib_find(const spm_lib *m, const char *s, size_t len);
/* The unknown, begin- and end-of-sentence ids (bos / eos: -1 when the
 * model has none). */
int spm_lib_unk(const spm_lib *m);
int spm_lib_bos(const spm_lib *m);
int spm_lib_eos(const spm_lib *m);

/* Called for each piece: its id, text[begin..end) of the input, and its
 * piece text (piece[0..plen)). Returns 0, or -1 to stop. */
typedef int (*spm_piece_fn)(void *ctx, int id, size_t begin, size_t end, const char *piece, size_t plen);

/* Encodes text[0..len) (valid UTF-8) and calls fn for each piece in order. */
int spm_lib_encode(const spm_lib *m, const char *text, size_t len, spm_piece_fn fn, void *ctx, attn_error *err);

/* ---- the module's table (spm_lib.cc exports it, spm_lib_dl.c reads it) ---- */

enum { SPM_LIB_ABI = 1 };

/* What a module function returns: SPM_ST_NOT_MODEL: msg holds the
 * library's reason; SPM_ST_INPUT: msg says what is wrong; SPM_ST_MEMORY;
 * SPM_ST_RUNTIME: msg says what failed; SPM_ST_STOPPED: the callback
 * returned -1. */
enum { SPM_ST_OK = 0, SPM_ST_NOT_MODEL, SPM_ST_INPUT, SPM_ST_MEMORY, SPM_ST_RUNTIME, SPM_ST_STOPPED };

typedef struct {
    int abi;     /* SPM_LIB_ABI */
    size_t size; /* sizeof (spm_lib_api) */
    int (*load)(const char *data, size_t len, spm_lib **out, char *msg, size_t msg_size);
    void (*free)(spm_lib *m);
    int (*size_of)(const spm_lib *m);
    const char *(*piece)(const spm_lib *m, int id, size_t *len);
    int (*kind)(const spm_lib *m, int id);
    int (*find)(const spm_lib *m, const char *s, size_t len);
    int (*unk)(const spm_lib *m);
    int (*bos)(const spm_lib *m);
    int (*eos)(const spm_lib *m);
    int (*encode)(const spm_lib *m, const char *text, size_t len, spm_piece_fn fn, void *ctx, char *msg,
                  size_t msg_size);
} spm_lib_api;

#ifdef __cplusplus
}
#endif

#endif
