/* subword.h — the tokenizers of real models: BERT WordPiece and GPT-2
 * byte-level BPE, as Hugging Face `tokenizers` defines them (ids and
 * spans checked against it: tests/unit/test_subword_parity.c).
 *
 * WordPiece (wordpiece.c), as tokenizers' BertNormalizer +
 * BertPreTokenizer + WordPiece: clean text (drop NUL, U+FFFD and control
 * characters: categories Cc, Cf, Co; whitespace to ' '), CJK ideographs
 * split into their own words, strip accents (NFD, drop Mn) and lowercase
 * (full Unicode lowercase mapping of each code point: İ -> i + U+0307, no
 * final sigma, as Rust's char::to_lowercase) when asked, split on
 * whitespace and on punctuation (Unicode P* and the ASCII symbol ranges),
 * then greedy longest-match-first pieces with "##" continuations; a word
 * with no segmentation, or longer than max_chars (100) code points, becomes
 * the unk token. Unicode properties come from libutf8proc.
 *
 * Byte-level BPE (bpe.c, bpe_encode.c), as GPT-2: the GPT-2 pre-tokenizer
 * pattern
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * (\s = White_Space, as Hugging Face's Oniguruma regex has it), then each
 * piece's bytes mapped through GPT-2's bytes_to_unicode table and merged by
 * rank (lowest first), with a cache of merged pieces for the length of one
 * tokenizer_encode() call (so a tokenizer is never written to while
 * encoding, and may be shared by threads). A byte whose symbol is not in
 * the vocabulary is the unk token if the tokenizer.json names one, else an
 * error naming the byte.
 *
 * Added tokens — "[PAD]" "[UNK]" "[CLS]" "[SEP]" "[MASK]" for a vocab.txt or
 * list, "<|endoftext|>" for a vocab.json or lists (when in the vocabulary),
 * tokenizer.json's added_tokens — are found in the raw text first and are
 * one token each wherever they stand ("The [MASK] sat"), as Hugging Face
 * does; they are not special (special = 0: they are read from the text).
 *
 * tokenizer_encode() fills an attn_tokens (tokenize.h): one token per piece,
 * with its vocabulary id, its byte span [start, end) in the original text
 * (through lowercasing and accent stripping; a BPE piece of a multi-byte
 * character spans the whole character, "Ġthe" spans the space too),
 * special = 0, word = -1 (the caller assigns words), and a display text:
 *   - WordPiece: the vocabulary entry ("play", "##ing", "[UNK]");
 *   - BPE: the piece's bytes decoded back to text, every space shown as
 *     "␣" (U+2423) in place of GPT-2's "Ġ", control characters as "\n",
 *     "\t", "\r" or "\x1B"-style escapes, and bytes that are not valid
 *     UTF-8 on their own (a piece of an emoji) as "\xF0"-style escapes;
 *   - an added token: its text ("[MASK]", "<|endoftext|>").
 * With specials set (tokenizer_set_specials), the first and last special
 * tokens are added around the text's tokens, special = 1, empty spans at 0
 * and at len.
 *
 * Ownership: a tokenizer owns its vocabulary and merges; tokenizer_free()
 * releases it. The tokens from tokenizer_encode() are one malloc block (the
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

typedef enum { SUBWORD_WORDPIECE = 1, SUBWORD_BPE = 2 } attn_subword_kind;

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

/* A Hugging Face tokenizer.json whose model is "WordPiece" (with the
 * BertNormalizer's lowercase / strip_accents settings and the unk token it
 * names) or "BPE" with a ByteLevel pre-tokenizer (GPT-2). */
attn_tokenizer *tokenizer_from_json(const char *path, attn_error *err);

/* The tokens to put before and after the text's (first or last may be
 * NULL: none); each must be in the vocabulary. */
int tokenizer_set_specials(attn_tokenizer *tk, const char *first, const char *last,
                           attn_error *err);

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

/* The specials the model is trained with, for tokenizer_set_specials():
 * from tokenizer.json's post_processor (TemplateProcessing, BertProcessing,
 * RobertaProcessing), else "[CLS]" / "[SEP]" for a WordPiece vocabulary
 * that has them; NULL where there is none (GPT-2). The strings belong to tk. */
void tokenizer_default_specials(const attn_tokenizer *tk, const char **first, const char **last);

attn_subword_kind tokenizer_kind(const attn_tokenizer *tk);
int tokenizer_vocab_size(const attn_tokenizer *tk);
/* The id of a vocabulary entry, or -1. */
int tokenizer_token_id(const attn_tokenizer *tk, const char *token);
/* The vocabulary entry of id (as stored: GPT-2's "Ġthe"), or NULL. */
const char *tokenizer_token_text(const attn_tokenizer *tk, int id);
void tokenizer_free(attn_tokenizer *tk);

#endif
