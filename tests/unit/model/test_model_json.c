/* Unit tests: loading the hand-written model, the seeded model, and a save /
 * load round trip that must be bit-identical. (Malformed files are covered
 * end to end in tests/e2e/bad_input.sh.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model.h"
#include "test.h"

static attn_model *seeded(uint64_t seed, int d, int heads, int layers, attn_error *err)
{
    attn_config c = {.d_model = d, .n_heads = heads, .n_layers = layers, .projections = 1,
                     .layer_norm = LN_POST};
    return model_seeded(seed, &c, err);
}

static int same_tensors(const attn_model *a, const attn_model *b)
{
    if (a->n_tensors != b->n_tensors) return 0;
    for (int i = 0; i < a->n_tensors; i++) {
        const attn_tensor *t = &a->tensors[i], *u = model_find(b, t->name);
        if (!u || u->ndim != t->ndim || u->shape[0] != t->shape[0] || u->shape[1] != t->shape[1])
            return 0;
        size_t n = (size_t)t->shape[0] * (size_t)(t->ndim > 1 ? t->shape[1] : 1);
        if (memcmp(t->data, u->data, n * sizeof(float)) != 0) return 0;
    }
    return 1;
}

int main(void)
{
    attn_error err = {0};
    attn_model *m = model_load_json("data/tiny-2head.json", &err);
    CHECK("tiny-loads", m != NULL);
    if (!m) {
        printf("# %s\n", err.msg);
        return test_done();
    }
    CHECK("tiny-config", m->cfg.d_model == 4 && m->cfg.n_heads == 2 && m->cfg.d_head == 2 &&
                             m->cfg.n_layers == 1 && m->cfg.positional == POS_NONE);
    CHECK("tiny-vocab", m->n_vocab == 7 && vocab_lookup(m, "cat") == 2 && vocab_lookup(m, "dog") == -1);
    CHECK("tiny-unk", m->unk_id == 0 && m->lowercase == 1);
    CHECK("tiny-embedding-row", m->tok_emb && m->tok_emb[2 * 4 + 1] == 2.0f);
    CHECK("tiny-no-bias", m->layers[0].q.b == NULL && m->layers[0].o.b == NULL);
    CHECK("tiny-q-swap", m->layers[0].q.w[2 * 4 + 3] == 1.0f && m->layers[0].q.w[2 * 4 + 2] == 0.0f);
    /* the {"shape", "data"} spelling: v is the identity */
    CHECK("tiny-shape-data", m->layers[0].v.w[0] == 1.0f && m->layers[0].v.w[5] == 1.0f &&
                                 m->layers[0].v.w[1] == 0.0f);

    char path[] = "/tmp/attnviz-test-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    CHECK("tiny-save", model_save_json(m, path, &err) == 0);
    attn_model *m2 = model_load_json(path, &err);
    CHECK("tiny-reload", m2 != NULL);
    if (m2) CHECK("tiny-roundtrip-bitwise", same_tensors(m, m2) && m2->n_vocab == 7 && m2->lowercase);
    model_free(m2);
    model_free(m);

    /* seeded: same seed bit-identical, other seed differs, round trip */
    attn_model *s1 = seeded(42, 64, 4, 2, &err), *s2 = seeded(42, 64, 4, 2, &err);
    attn_model *s3 = seeded(43, 64, 4, 2, &err);
    CHECK("seeded-builds", s1 && s2 && s3);
    if (s1 && s2 && s3) {
        CHECK("seeded-deterministic", same_tensors(s1, s2));
        CHECK("seeded-seed-matters", !same_tensors(s1, s3));
        CHECK("seeded-two-layers", s1->n_tensors == 8 && s1->layers[1].o.w != NULL);
        /* Xavier uniform bound sqrt(6 / (64 + 64)) */
        float bound = 0.21650635f, mx = 0;
        for (int i = 0; i < 64 * 64; i++) mx = fabsf(s1->layers[0].q.w[i]) > mx ? fabsf(s1->layers[0].q.w[i]) : mx;
        CHECK("seeded-xavier-bound", mx <= bound && mx > 0.9f * bound);
        CHECK("seeded-save", model_save_json(s1, path, &err) == 0);
        attn_model *r = model_load_json(path, &err);
        CHECK("seeded-roundtrip-bitwise", r && same_tensors(s1, r));
        model_free(r);
    }
    model_free(s1);
    model_free(s2);
    model_free(s3);

    /* configuration errors name the problem */
    attn_model *bad = seeded(1, 10, 3, 1, &err);
    CHECK("seeded-indivisible", bad == NULL && err.code == ATTN_EXIT_INPUT &&
                                    strstr(err.msg, "not divisible") != NULL);
    bad = seeded(1, 65536, 1, 1024, &err);
    CHECK("seeded-too-large", bad == NULL && err.code == ATTN_EXIT_INPUT);
    bad = model_load_json("/nonexistent/model.json", &err);
    CHECK("missing-file", bad == NULL && strstr(err.msg, "/nonexistent/model.json") != NULL);
    unlink(path);
    return test_done();
}
