/* spm_lib_dl.c — spm_lib.h's functions on the C side: opens attnviz's
 * SentencePiece module (attnviz-spm.so) the first time a model is loaded,
 * forwards every call to its table, and turns its statuses and messages
 * into attn_errors (escaped: a message may quote the file). */
#include "text/tokenizer/spm_lib.h"

#include "base/io.h"
#include "base/textesc.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ATTNVIZ_SPM_MODULE
#define ATTNVIZ_SPM_MODULE "attnviz-spm.so"
#endif
#ifndef ATTNVIZ_LIBDIR
#define ATTNVIZ_LIBDIR "/usr/local/lib/attnviz"
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const spm_lib_api *api;
static char failure[320];

static void open_module(void)
{
    /* beside the binary as make install lays it out (PREFIX/bin/attnviz,
     * PREFIX/lib/attnviz/), wherever PREFIX was when it was built */
    char beside[4200] = "", exe[4096];
    if (io_exe_dir(exe, sizeof exe) == 0) snprintf(beside, sizeof beside, "%s/../lib/attnviz/attnviz-spm.so", exe);
    const char *paths[] = {ATTNVIZ_SPM_MODULE, beside, ATTNVIZ_LIBDIR "/attnviz-spm.so"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (!paths[i][0]) continue;
        void *h = dlopen(paths[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            if (!failure[0]) snprintf(failure, sizeof failure, "%s", dlerror());
            continue;
        }
        const spm_lib_api *t = dlsym(h, "attnviz_spm_api");
        if (t && t->abi == SPM_LIB_ABI && t->size == sizeof *t) {
            api = t;
            return;
        }
        snprintf(failure, sizeof failure, "%s: not this attnviz's SentencePiece module", paths[i]);
        dlclose(h);
    }
    const size_t used = strlen(failure);
    snprintf(failure + used, sizeof failure - used, "; nor beside the binary or in %s", ATTNVIZ_LIBDIR);
}

/* The module's message, escaped, as an error of the given class. */
static int fail_msg(attn_error *err, int code, const char *fmt, const char *a, const char *msg)
{
    char *safe = textesc_dup(msg);
    attn_fail(err, code, fmt, a, safe ? safe : "");
    free(safe);
    return -1;
}

spm_lib *spm_lib_load(const char *data, size_t len, const char *path, attn_error *err)
{
    pthread_once(&once, open_module);
    if (!api) {
        fail_msg(err, ATTN_EXIT_RUNTIME, "%s: SentencePiece support is not available (%s)", path, failure);
        return NULL;
    }
    spm_lib *m = NULL;
    char msg[256] = "";
    switch (api->load(data, len, &m, msg, sizeof msg)) {
    case SPM_ST_OK: return m;
    case SPM_ST_NOT_MODEL: fail_msg(err, ATTN_EXIT_INPUT, "%s: not a SentencePiece model (%s)", path, msg); break;
    case SPM_ST_MEMORY: attn_oom(err, path); break;
    default: fail_msg(err, ATTN_EXIT_INPUT, "%s: %s", path, msg); break;
    }
    return NULL;
}

/* a model exists only once the module is open */
void spm_lib_free(spm_lib *m)
{
    if (m) api->free(m);
}
int spm_lib_size(const spm_lib *m) { return api->size_of(m); }
const char *spm_lib_piece(const spm_lib *m, int id, size_t *len) { return api->piece(m, id, len); }
int spm_lib_kind(const spm_lib *m, int id) { return api->kind(m, id); }
int spm_lib_find(const spm_lib *m, const char *s, size_t len) { return api->find(m, s, len); }
int spm_lib_unk(const spm_lib *m) { return api->unk(m); }
int spm_lib_bos(const spm_lib *m) { return api->bos(m); }
int spm_lib_eos(const spm_lib *m) { return api->eos(m); }

int spm_lib_encode(const spm_lib *m, const char *text, size_t len, spm_piece_fn fn, void *ctx, attn_error *err)
{
    char msg[256] = "";
    switch (api->encode(m, text, len, fn, ctx, msg, sizeof msg)) {
    case SPM_ST_OK: return 0;
    case SPM_ST_STOPPED: return -1; /* err filled by fn */
    case SPM_ST_MEMORY: return attn_oom(err, "tokens");
    case SPM_ST_INPUT: return fail_msg(err, ATTN_EXIT_INPUT, "%sSentencePiece cannot encode the text (%s)", "", msg);
    default: return fail_msg(err, ATTN_EXIT_RUNTIME, "%s%s", "", msg);
    }
}
