/* hf_keys.c — config.json's keys as transformers' config classes read
 * them (hf.h): an absent key takes the class's default; a key of the wrong
 * type or out of range fails with one line naming the file and the key. */
#include <math.h>
#include <string.h>

#include "model/hf.h"

/* An integer key of config.json in [lo, hi], or dflt when absent (or null,
 * as GPT-2's n_inner). */
int cfg_int(const char *path, const cJSON *c, const char *key, long lo, long hi, long dflt, int *out,
            attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
    if (!v || cJSON_IsNull(v)) {
        *out = (int)dflt;
        return 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" must be an integer", path, key);
    if (v->valuedouble < (double)lo || v->valuedouble > (double)hi)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" = %.17g is out of range [%ld, %ld]", path, key,
                         v->valuedouble, lo, hi);
    *out = (int)v->valuedouble;
    return 0;
}

int cfg_double(const char *path, const cJSON *c, const char *key, double dflt, double *out, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
    if (!v) {
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0.0) || v->valuedouble > 1.0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" must be a number in (0, 1]", path, key);
    *out = v->valuedouble;
    return 0;
}

/* A string key, or dflt when absent; NULL after an error. */
const char *cfg_str(const char *path, const cJSON *c, const char *key, const char *dflt, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
    if (!v) return dflt;
    if (!cJSON_IsString(v)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" must be a string", path, key);
        return NULL;
    }
    return v->valuestring;
}

/* A boolean key, or dflt when absent. */
int cfg_bool(const char *path, const cJSON *c, const char *key, int dflt, int *out, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
    if (!v) {
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsBool(v)) return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" must be true or false", path, key);
    *out = cJSON_IsTrue(v);
    return 0;
}

int activation(const char *path, const char *key, const char *name, attn_act *out, attn_error *err)
{
    if (!name) return -1;
    if (strcmp(name, "gelu") == 0) *out = ACT_GELU;
    else if (strcmp(name, "gelu_new") == 0 || strcmp(name, "gelu_pytorch_tanh") == 0) *out = ACT_GELU_TANH;
    else if (strcmp(name, "relu") == 0) *out = ACT_RELU;
    else if (strcmp(name, "silu") == 0 || strcmp(name, "swish") == 0) *out = ACT_SILU;
    else
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: \"%s\": \"%s\" is not supported (attnviz has gelu, gelu_new, "
                         "gelu_pytorch_tanh, relu, silu)", path, key, name);
    return 0;
}

int cfg_number(const char *path, const cJSON *c, const char *key, double lo, double hi, double dflt, double *out,
               attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
    if (!v || cJSON_IsNull(v)) {
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" must be a number in [%g, %g]", path, key, lo, hi);
    *out = v->valuedouble;
    return 0;
}
