/* postproc.h — a tokenizer.json's "post_processor" (postproc.c): the
 * special tokens it puts around one sequence become the tokenizer's
 * default specials (tokenizer_default_specials), and its offset trimming
 * the tokenizer's trim_offsets.
 *
 *   TemplateProcessing  "single": the SpecialToken pieces before and after
 *                       the Sequence piece, with the ids of "special_tokens"
 *   BertProcessing      cls ... sep
 *   RobertaProcessing   cls ... sep; trim_offsets, add_prefix_space
 *   ByteLevel           trim_offsets, add_prefix_space
 *   Sequence            processors in order
 *
 * Returns 0, or -1 with err filled (ATTN_EXIT_INPUT naming the file and
 * JSON path).
 */
#ifndef ATTN_TK_POSTPROC_H
#define ATTN_TK_POSTPROC_H

#include <cJSON.h>

#include "text/tokenizer/core.h"
#include "text/tokenizer/tkjson.h"

int tk_postproc_read(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *path);

#endif
