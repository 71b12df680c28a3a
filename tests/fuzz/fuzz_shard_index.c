/* fuzz_shard_index.c — a sharded checkpoint (attnviz -m
 * model.safetensors.index.json).
 *
 * The input packs the index and up to three shards (fuzz.h: sections
 * "--8<-- NAME"): model.safetensors.index.json first, then
 * model-00001-of-00002.safetensors, model-00002-of-00002.safetensors and
 * model.safetensors. st_open_index() opens the index; every tensor of a
 * checkpoint that opens is found by name and read.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "model/safetensors.h"

static const char *const names[] = {"model.safetensors.index.json", "model-00001-of-00002.safetensors",
                                    "model-00002-of-00002.safetensors", "model.safetensors", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4400];
    attn_error err = {0};
    fuzz_setup();
    fuzz_begin();
    fuzz_unpack(data, size, names);
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), names[0]);
    st_set *s = st_open_index(path, &err);
    if (!s) {
        fuzz_check_error(&err);
        return 0;
    }
    for (int i = 0; i < st_count(s); i++) {
        const st_tensor *t = st_at(s, i);
        fuzz_assert(st_find(s, t->name) == t, "tensor %d is not found by its name", i);
        const float *f = NULL;
        int owned = 0;
        if (st_to_float(t, &f, &owned, &err) == 0) {
            if (owned) free((void *)f);
        } else {
            fuzz_check_error(&err);
        }
    }
    st_close(s);
    return 0;
}
