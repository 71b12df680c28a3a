# harnesses.sh — per harness: the longest input and the dictionary parts
# (tests/fuzz/dict/*.dict), for run.sh (make fuzz), replay.sh (make
# check), campaign.sh, minimize.sh and speed.sh. Sourced (from the
# repository's root); defines harness_max_len NAME, harness_dict NAME OUT,
# harness_names [NAME...] and harness_tmp PREFIX.

# The harnesses given, or all of tests/fuzz/fuzz_*.c: into the array names.
harness_names() {
    local f n
    names=("$@")
    [ $# -gt 0 ] && return
    for f in tests/fuzz/fuzz_*.c; do n=${f#tests/fuzz/fuzz_}; names+=("${n%.c}"); done
}

# A new scratch directory PREFIX.XXXXXX, on tmpfs when there is one (the
# harnesses' files: twice the speed of a disk): into tmp.
harness_tmp() {
    local base=${TMPDIR:-/tmp}
    [ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
    tmp=$(mktemp -d "$base/$1.XXXXXX")
}

harness_max_len() {
    case $1 in
    hf_dir) echo 65536 ;; # the tiny decoder checkpoints are up to 58 KB
    json_model | safetensors | shard_index | tokenizer_json | from | spm) echo 16384 ;;
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
    spm) echo spm json text pack ;;
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
