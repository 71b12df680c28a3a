# harnesses.sh — per harness: the longest input and the dictionary parts
# (tests/fuzz/dict/*.dict), for run.sh (make fuzz) and replay.sh (make
# check). Sourced; defines harness_max_len NAME and harness_dict NAME OUT.

harness_max_len() {
    case $1 in
    hf_dir) echo 65536 ;; # the tiny decoder checkpoints are up to 58 KB
    json_model | safetensors | shard_index | tokenizer_json | from) echo 16384 ;;
    vocab_txt | bpe_files) echo 8192 ;;
    sentence) echo 256 ;;
    *) echo 1024 ;;
    esac
}

harness_dict_parts() {
    case $1 in
    json_model) echo json attnviz_model text ;;
    safetensors) echo json safetensors ;;
    shard_index) echo json safetensors pack ;;
    hf_dir) echo json hf safetensors pack text ;;
    tokenizer_json) echo json hf text ;;
    vocab_txt) echo text ;;
    bpe_files) echo json text pack ;;
    sentence) echo text ;;
    cli) echo cli ;;
    from) echo json text pack npy ;;
    esac
}

# Writes NAME's dictionary (its parts, concatenated) to OUT.
harness_dict() {
    local p
    : >"$2"
    for p in $(harness_dict_parts "$1"); do cat "$(dirname "${BASH_SOURCE[0]}")/dict/$p.dict" >>"$2"; done
}
