/* hf_weights.c — where a Hugging Face model's weights are (model.h's
 * model_is_hf_path(), hf.h's hf_open_weights()), for the loaders of hf.c
 * and hf_seq2seq.c. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/io.h"
#include "model/hf.h"
#include "model/safetensors.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int model_is_hf_path(const char *path)
{
    struct stat st;
    if (ends_with(path, ".safetensors") || ends_with(path, ".safetensors.index.json")) return 1;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Opens the weights: the given file, or in dir model.safetensors, else
 * model.safetensors.index.json. */
st_set *hf_open_weights(const char *path, const char *dir, int is_dir, attn_error *err)
{
    char p[4096];
    if (!is_dir) return ends_with(path, ".json") ? st_open_index(path, err) : st_open(path, err);
    if (io_file_in(dir, "model.safetensors", p, sizeof p)) return st_open(p, err);
    if (io_file_in(dir, "model.safetensors.index.json", p, sizeof p)) return st_open_index(p, err);
    int bin = io_file_in(dir, "pytorch_model.bin", p, sizeof p) || io_file_in(dir, "tf_model.h5", p, sizeof p);
    attn_fail(err, ATTN_EXIT_INPUT, "%s: no model.safetensors or model.safetensors.index.json%s", dir,
              bin ? " (attnviz reads safetensors only; this directory has the weights in another format)" : "");
    return NULL;
}
