/* fuzz.h — what the fuzz harnesses share (tests/fuzz/fuzz_*.c).
 *
 * Each harness is one input path of attnviz: it defines
 * LLVMFuzzerTestOneInput() (and, when it loads fixed files once,
 * LLVMFuzzerInitialize()), and is linked either with libFuzzer (clang
 * -fsanitize=fuzzer: `make fuzz`) or with replay.c (gcc's ASan+UBSan:
 * `make check` replays the corpora). A harness calls the library's entry
 * points directly, as main.c would; an error return (a refused input) is
 * the expected outcome for most inputs, and only a crash, a sanitizer
 * report, a leak or a violated invariant (fuzz_assert) is a finding.
 *
 * Loaders that read files by name get them from a private temporary
 * directory (fuzz_dir()): under $ATTNVIZ_FUZZ_TMP, else $TMPDIR, else /tmp
 * (tests/fuzz/run.sh uses /dev/shm); it is removed at exit.
 *
 * Inputs of several files (a Hugging Face directory, a sharded checkpoint,
 * vocab.json + merges.txt) are packed into one: each file starts with a
 * line "--8<-- NAME" (at the start of the input or after a newline, which
 * is not part of the previous file), NAME one of the harness's file
 * names; bytes before the first such line belong to the first name. A
 * section with another name is ignored, and a later section of the same
 * name replaces an earlier one. tests/fuzz/pack.sh packs a directory.
 */
#ifndef ATTN_FUZZ_H
#define ATTN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "model/model.h"
#include "text/subword.h"
#include "text/tokenize.h"

/* libFuzzer's entry points (also called by replay.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Sets what every harness wants (one BLAS/attention thread, so that runs
 * are reproducible); called by each harness's first input. */
void fuzz_setup(void);

/* The temporary directory, created on first use. */
const char *fuzz_dir(void);

/* Starts an input: the files fuzz_write() writes from now on are its
 * files. */
void fuzz_begin(void);

/* Writes data[0..n) to fuzz_dir()/name; the path goes to path[cap]. A file
 * that holds these bytes already is left as it is (the harnesses' speed is
 * in their system calls). Aborts (a harness defect, not a finding) when
 * the write fails. */
void fuzz_write(const char *name, const void *data, size_t n, char *path, size_t cap);

/* Unpacks a packed input (see above) into fuzz_dir(), after fuzz_begin():
 * names[] is NULL-terminated; the files of earlier inputs that this one
 * does not have are removed. Returns a bit mask of the names written. */
unsigned fuzz_unpack(const uint8_t *data, size_t n, const char *const *names);

/* The input being run, when the driver knows its name (replay.c sets it);
 * fuzz_fail() names it. */
extern const char *fuzz_input_name;

/* Stops the run with a message when cond is false: a violated invariant
 * is a finding, as a crash is. */
#define fuzz_assert(cond, ...) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, __VA_ARGS__))
void fuzz_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4), noreturn))
#endif
    ;

/* Every error message obeys the rules of error.h: code 1 or 2, one
 * non-empty line, nothing a terminal would interpret (textesc.h). */
void fuzz_check_error(const attn_error *err);

/* The invariants of tokenize.h and subword.h for tokens of text[0..len):
 * spans inside the text (not necessarily in order: a byte-fallback piece
 * between two fused unknown pieces keeps its own bytes), texts present,
 * ids in [0, n_vocab) (n_vocab < 0: not checked), specials with empty
 * spans. */
void fuzz_check_tokens(const attn_tokens *t, size_t len, int n_vocab);

/* Sentences every tokenizer harness encodes (NULL-terminated): scripts,
 * emoji, controls, added tokens, long words, invalid UTF-8. */
extern const char *const fuzz_sentences[];

/* The tokenizer harnesses' common part: with specials, the tokenizer's
 * default special tokens are set first (a refusal checked by
 * fuzz_check_error); then every sentence of fuzz_sentences is encoded and
 * checked (fuzz_check_tokens, or fuzz_check_error when refused). Frees tk. */
void fuzz_encode_sentences(attn_tokenizer *tk, int specials, attn_error *err);

/* Runs m over text (tokenized as main.c does: the model's subword
 * tokenizer or the words tokenizer), every layer and head, as main.c
 * would for `attnviz -m MODEL TEXT`; for an encoder-decoder, with target
 * as --target (the decoder start token, then its tokens), each part in
 * turn (--part cross, encoder, decoder). Returns 0 or -1 with err filled
 * (checked by fuzz_check_error). When it succeeds, every weight is in
 * [0, 1] and every row sums to 1. */
int fuzz_forward(const attn_model *m, const char *text, const char *target, attn_error *err);

/* --generate n_new: the greedy continuation of text's tokens by up to
 * n_new tokens (stack_generate(), with the KV cache), appended to them as
 * attnviz labels them (tokenizer_append_ids()). For causal models with a
 * language-model head and a subword tokenizer, as main.c allows it; 0 or
 * -1 with err filled. When it succeeds, 1 to n_new ids below the
 * embeddings' rows were generated, and the tokens keep fuzz_check_tokens'
 * invariants. For an encoder-decoder with a language-model head, the
 * target attnviz generates without --target (--max-new n_new:
 * s2s_generate(), then the start token and the output labelled). */
int fuzz_generate(const attn_model *m, const char *text, int n_new, attn_error *err);

#endif
