/* subword.h — the tokenizers of real models, as Hugging Face `tokenizers`
 * defines them: any tokenizer.json (its normalizer, pre-tokenizer, model —
 * BPE, WordPiece, WordLevel, Unigram —, added tokens, post-processor and
 * decoder; see tokenizer/core.h for the pipeline and each stage's header
 * for what it reads), BERT's vocab.txt (WordPiece) and GPT-2's vocab.json +
 * merges.txt (byte-level BPE); and SentencePiece model files (.model,
 * .spm; Marian's with vocab.json), run by SentencePiece's own library
 * (tokenizer/spm.c: tests/py/test_spm_model.py checks its ids and spans
 * against SentencePiece's Python encoder). Ids and spans are checked against the
 * `tokenizers` binding itself (tests/unit/text/test_tokenizer_parity.c,
 * tests/py/test_tokenizer_spm.py).
 *
 * tokenizer_encode() fills an attn_tokens (tokenize.h): one token per
 * piece, with its vocabulary id, its byte span [start, end) in the original
 * text (through normalization: a piece of a multi-byte character spans the
 * whole character, "Ġthe" spans the space too unless the post-processor
 * trims offsets), special = 0, word = -1 (the caller assigns words), and a
 * label made by the decoders (tokenizer/decoder.h): "##ing" as it is, a
 * space as "␣" (U+2423) in place of GPT-2's "Ġ" or SentencePiece's "▁",
 * byte-fallback pieces as the character they are part of ("日(1/3)"),
 * control characters as "\n" or "\x1B", a piece of a character as "\xF0".
 * Added tokens ([MASK], <|im_start|>, <s> written in the text) are found
 * as tokenizers finds them and are one token each; they are not special
 * (special = 0: they are read from the text). With specials set
 * (tokenizer_set_specials, tokenizer_use_default_specials), those tokens
 * are added around the text's tokens, special = 1, empty spans at 0 and at
 * len.
 *
 * Ownership: a tokenizer owns everything it holds; tokenizer_free()
 * releases it. A tokenizer is not changed by encoding and may be shared by
 * threads. The tokens from tokenizer_encode() are one malloc block (the
 * attn_token array followed by the texts), released with tokens_free().
 * Functions return 0 / non-NULL on success, or -1 / NULL with err filled:
 * ATTN_EXIT_INPUT naming the file (and line or JSON path) for invalid or
 * missing files and files over 256 MiB, ATTN_EXIT_INPUT for invalid UTF-8
 * in the text ("invalid UTF-8 at byte N"), ATTN_EXIT_RUNTIME for read
 * errors and memory.
 */
#ifndef ATTN_SUBWORD_H
#define ATTN_SUBWORD_H

#include <stddef.h>

#include "base/error.h"
#include "text/tokenize.h"

typedef enum {
    SUBWORD_WORDPIECE = 1, SUBWORD_BPE = 2, SUBWORD_WORDLEVEL = 3, SUBWORD_UNIGRAM = 4, SUBWORD_SENTENCEPIECE = 5
} attn_subword_kind;

typedef struct attn_tokenizer attn_tokenizer;

/* WordPiece from a vocab.txt (one token a line, id = line number - 1).
 * lowercase: 1 lowercases and strips accents (uncased models), 0 keeps both.
 * unk: the unknown token's spelling ("[UNK]"), which must be in the vocabulary. */
attn_tokenizer *wordpiece_from_vocab_txt(const char *path, int lowercase, const char *unk,
                                         attn_error *err);

/* WordPiece from an in-memory vocabulary (vocab[i] has id i; copied). what
 * names the source in messages (a JSON weight file's path). */
attn_tokenizer *wordpiece_from_list(const char *const *vocab, int n, int lowercase,
                                    const char *unk, const char *what, attn_error *err);

/* Byte-level BPE from vocab.json / encoder.json (token -> id) and
 * merges.txt / vocab.bpe (one "a b" pair a line, best first; a first line
 * starting with "#version" is skipped). */
attn_tokenizer *bpe_from_files(const char *vocab_json, const char *merges_txt, attn_error *err);

/* Byte-level BPE from memory: vocab[i] has id i; merges[i] is "a b", rank i.
 * Copied. what names the source in messages. */
attn_tokenizer *bpe_from_lists(const char *const *vocab, int n_vocab, const char *const *merges,
                               int n_merges, const char *what, attn_error *err);

/* A Hugging Face tokenizer.json, whole. No specials are active until
 * tokenizer_use_default_specials() (or tokenizer_set_specials()). */
attn_tokenizer *tokenizer_from_json(const char *path, attn_error *err);

/* A SentencePiece model file (T5's spiece.model, Llama's tokenizer.model),
 * read and run by Debian's SentencePiece library: ids, pieces and byte
 * spans are SentencePiece's own encoder's (tokenizer/spm.c). add_bos /
 * add_eos: the model's <s> before / </s> after the text become the
 * default specials (tokenizer_use_default_specials). */
attn_tokenizer *tokenizer_from_spm(const char *path, int add_bos, int add_eos, attn_error *err);

/* Marian's tokenizer: source.spm with vocab.json (piece -> model id), as
 * transformers' MarianTokenizer encodes (tokenizer/spm.c); unk and eos
 * must be in vocab.json, pad may be; eos (after the text) is the default
 * special. */
attn_tokenizer *tokenizer_from_marian(const char *spm_path, const char *vocab_json, const char *unk,
                                      const char *eos, const char *pad, attn_error *err);

/* The tokens to put before and after the text's (first or last may be
 * NULL: none); each must be in the vocabulary. */
int tokenizer_set_specials(attn_tokenizer *tk, const char *first, const char *last,
                           attn_error *err);

/* Sets one side only (after: 0 before the text, 1 after it) to token
 * (NULL: none); the other side stays. */
int tokenizer_set_special(attn_tokenizer *tk, int after, const char *token, attn_error *err);

/* Tokenizes text[0..len); see the file comment. An input with no tokens
 * (empty or only whitespace) succeeds with only the specials. */
int tokenizer_encode(const attn_tokenizer *tk, const char *text, size_t len, attn_tokens *out,
                     attn_error *err);

/* Appends to t (from tokenizer_encode) the tokens of ids[0..n) that a
 * model generated after the text (text_len bytes): their display texts as
 * tokenizer_encode shows such tokens, empty spans at text_len, word -1,
 * generated = 1 (subword_ids.c); an id past the vocabulary (a padding row
 * of the embeddings) is labelled "<id:N>". t stays one block for
 * tokens_free(). */
int tokenizer_append_ids(const attn_tokenizer *tk, attn_tokens *t, const int *ids, int n, size_t text_len,
                         attn_error *err);

/* Makes the post-processor's specials (tokenizer.json's post_processor:
 * TemplateProcessing, BertProcessing, RobertaProcessing; [CLS] ... [SEP]
 * for a vocab.txt; none for GPT-2) the ones tokenizer_encode() adds; any
 * number before and after the text, as the template has them. */
int tokenizer_use_default_specials(attn_tokenizer *tk, attn_error *err);

/* The first of those specials before the text and the last after it (NULL
 * where there is none). The strings belong to tk. */
void tokenizer_default_specials(const attn_tokenizer *tk, const char **first, const char **last);

attn_subword_kind tokenizer_kind(const attn_tokenizer *tk);
int tokenizer_vocab_size(const attn_tokenizer *tk);
/* The id of a vocabulary entry, or -1. */
int tokenizer_token_id(const attn_tokenizer *tk, const char *token);
/* The vocabulary entry of id (as stored: GPT-2's "Ġthe"), or NULL. */
const char *tokenizer_token_text(const attn_tokenizer *tk, int id);
void tokenizer_free(attn_tokenizer *tk);

#endif
