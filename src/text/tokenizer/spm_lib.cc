/* spm_lib.cc — attnviz's SentencePiece module (build/attnviz-spm.so):
 * spm_lib.h's functions over SentencePiece's C++ library
 * (sentencepiece_processor.h): loading a model from its bytes, the
 * vocabulary, and EncodeAsImmutableProto's pieces with byte spans, exported
 * as one table, attnviz_spm_api, which spm_lib_dl.c opens on first use.
 * Every entry point catches what the library or the standard library may
 * throw (std::bad_alloc, anything else) and turns it into a status and a
 * message: no exception crosses into C. Self-contained: it calls nothing of
 * attnviz's (the C side formats and escapes the messages).
 */
#include "text/tokenizer/spm_lib.h"

#include <sentencepiece_processor.h>

#include <cstdio>
#include <new>
#include <string>

struct spm_lib {
    sentencepiece::SentencePieceProcessor sp;
};

/* The library's message, cut to fit a one-line error; a failed check of
 * its own source ("./src/x.cc(232) [condition] text") gives only its text,
 * or that the file does not parse. */
static void status_text(const sentencepiece::util::Status &st, char *msg, size_t size)
{
    std::string m = st.message() ? st.message() : "";
    const size_t close = m.find("] ");
    if (m.compare(0, 2, "./") == 0 || m.compare(0, 4, "src/") == 0)
        m = close == std::string::npos ? "" : m.substr(close + 2);
    while (!m.empty() && (m.back() == ' ' || m.back() == '\n' || m.back() == '.')) m.pop_back();
    if (m.empty()) m = "the file does not parse as one";
    if (m.size() > 200) m = m.substr(0, 200) + "...";
    std::snprintf(msg, size, "%s", m.c_str());
}

static int lib_load(const char *data, size_t len, spm_lib **out, char *msg, size_t size)
{
    spm_lib *m = nullptr;
    *out = nullptr;
    try {
        m = new spm_lib;
        const auto st = m->sp.LoadFromSerializedProto(std::string_view(data, len));
        if (!st.ok()) {
            status_text(st, msg, size);
            delete m;
            return SPM_ST_NOT_MODEL;
        }
        if (m->sp.GetPieceSize() <= 0) {
            std::snprintf(msg, size, "the SentencePiece model has no pieces");
            delete m;
            return SPM_ST_INPUT;
        }
        *out = m;
        return SPM_ST_OK;
    } catch (const std::bad_alloc &) {
        delete m;
        return SPM_ST_MEMORY;
    } catch (...) {
        std::snprintf(msg, size, "SentencePiece cannot read this model");
    }
    delete m;
    return SPM_ST_INPUT;
}

static void lib_free(spm_lib *m) { delete m; }

static int lib_size(const spm_lib *m) { return m->sp.GetPieceSize(); }

static const char *lib_piece(const spm_lib *m, int id, size_t *len)
{
    const std::string &s = m->sp.IdToPiece(id); /* a reference into the model */
    *len = s.size();
    return s.c_str();
}

static int lib_kind(const spm_lib *m, int id)
{
    if (m->sp.IsUnknown(id)) return SPM_UNKNOWN;
    if (m->sp.IsControl(id)) return SPM_CONTROL;
    if (m->sp.IsByte(id)) return SPM_BYTE;
    if (m->sp.IsUnused(id)) return SPM_UNUSED;
    return SPM_NORMAL; /* normal and user-defined pieces: both are matched in text */
}

static int lib_find(const spm_lib *m, const char *s, size_t len)
{
    try {
        return m->sp.PieceToId(std::string_view(s, len));
    } catch (...) {
        return m->sp.unk_id();
    }
}

static int lib_unk(const spm_lib *m) { return m->sp.unk_id(); }
static int lib_bos(const spm_lib *m) { return m->sp.bos_id(); }
static int lib_eos(const spm_lib *m) { return m->sp.eos_id(); }

static int lib_encode(const spm_lib *m, const char *text, size_t len, spm_piece_fn fn, void *ctx, char *msg,
                      size_t size)
{
    try {
        sentencepiece::ImmutableSentencePieceText spt;
        const auto st = m->sp.Encode(std::string_view(len ? text : "", len), spt.mutable_proto());
        if (!st.ok()) {
            std::snprintf(msg, size, "%.200s", st.message() ? st.message() : "");
            return SPM_ST_INPUT;
        }
        const size_t n = spt.pieces_size();
        for (size_t i = 0; i < n; i++) {
            const auto p = spt.pieces(static_cast<int>(i));
            const std::string &piece = p.piece();
            if (fn(ctx, static_cast<int>(p.id()), p.begin(), p.end(), piece.data(), piece.size()) != 0)
                return SPM_ST_STOPPED;
        }
        return SPM_ST_OK;
    } catch (const std::bad_alloc &) {
        return SPM_ST_MEMORY;
    } catch (...) {
        std::snprintf(msg, size, "SentencePiece failed while encoding");
        return SPM_ST_RUNTIME;
    }
}

extern "C" const spm_lib_api attnviz_spm_api = {SPM_LIB_ABI, sizeof(spm_lib_api), lib_load,  lib_free,
                                                lib_size,    lib_piece,           lib_kind,  lib_find,
                                                lib_unk,     lib_bos,             lib_eos,   lib_encode};
