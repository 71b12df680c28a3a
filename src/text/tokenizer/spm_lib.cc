/* spm_lib.cc — the C interface of spm_lib.h over SentencePiece's C++
 * library (sentencepiece_processor.h): loading a model from its bytes,
 * the vocabulary, and EncodeAsImmutableProto's pieces with byte spans.
 * Every entry point catches what the library or the standard library may
 * throw (std::bad_alloc, anything else) and turns it into an attn_error:
 * no exception crosses into C.
 */
/* the project's C headers, with C linkage */
extern "C" {
#include "base/error.h"
#include "base/textesc.h"
}
#include "text/tokenizer/spm_lib.h"

#include <sentencepiece_processor.h>

#include <cstdlib>
#include <new>
#include <string>

struct spm_lib {
    sentencepiece::SentencePieceProcessor sp;
};

/* The library's message, escaped and cut to fit a one-line error; a
 * failed check of its own source ("./src/x.cc(232) [condition] text")
 * gives only its text, or that the file does not parse. */
static void fail_status(attn_error *err, const char *path, const sentencepiece::util::Status &st)
{
    std::string msg = st.message() ? st.message() : "";
    const size_t close = msg.find("] ");
    if (msg.compare(0, 2, "./") == 0 || msg.compare(0, 4, "src/") == 0)
        msg = close == std::string::npos ? "" : msg.substr(close + 2);
    while (!msg.empty() && (msg.back() == ' ' || msg.back() == '\n' || msg.back() == '.')) msg.pop_back();
    if (msg.empty()) msg = "the file does not parse as one";
    if (msg.size() > 200) msg = msg.substr(0, 200) + "...";
    char *safe = textesc_dup(msg.c_str());
    attn_fail(err, ATTN_EXIT_INPUT, "%s: not a SentencePiece model (%s)", path, safe ? safe : "unreadable");
    std::free(safe);
}

extern "C" spm_lib *spm_lib_load(const char *data, size_t len, const char *path, attn_error *err)
{
    spm_lib *m = nullptr;
    try {
        m = new spm_lib;
        const auto st = m->sp.LoadFromSerializedProto(std::string_view(data, len));
        if (!st.ok()) {
            fail_status(err, path, st);
            delete m;
            return nullptr;
        }
        if (m->sp.GetPieceSize() <= 0) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: the SentencePiece model has no pieces", path);
            delete m;
            return nullptr;
        }
        return m;
    } catch (const std::bad_alloc &) {
        attn_oom(err, path);
    } catch (...) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: SentencePiece cannot read this model", path);
    }
    delete m;
    return nullptr;
}

extern "C" void spm_lib_free(spm_lib *m) { delete m; }

extern "C" int spm_lib_size(const spm_lib *m) { return m->sp.GetPieceSize(); }

extern "C" const char *spm_lib_piece(const spm_lib *m, int id, size_t *len)
{
    const std::string &s = m->sp.IdToPiece(id); /* a reference into the model */
    *len = s.size();
    return s.c_str();
}

extern "C" int spm_lib_kind(const spm_lib *m, int id)
{
    if (m->sp.IsUnknown(id)) return SPM_UNKNOWN;
    if (m->sp.IsControl(id)) return SPM_CONTROL;
    if (m->sp.IsByte(id)) return SPM_BYTE;
    if (m->sp.IsUnused(id)) return SPM_UNUSED;
    return SPM_NORMAL; /* normal and user-defined pieces: both are matched in text */
}

extern "C" int spm_lib_find(const spm_lib *m, const char *s, size_t len)
{
    try {
        return m->sp.PieceToId(std::string_view(s, len));
    } catch (...) {
        return m->sp.unk_id();
    }
}

extern "C" int spm_lib_unk(const spm_lib *m) { return m->sp.unk_id(); }
extern "C" int spm_lib_bos(const spm_lib *m) { return m->sp.bos_id(); }
extern "C" int spm_lib_eos(const spm_lib *m) { return m->sp.eos_id(); }

extern "C" int spm_lib_encode(const spm_lib *m, const char *text, size_t len, spm_piece_fn fn, void *ctx,
                              attn_error *err)
{
    try {
        sentencepiece::ImmutableSentencePieceText spt;
        const auto st = m->sp.Encode(std::string_view(len ? text : "", len), spt.mutable_proto());
        if (!st.ok()) {
            std::string msg = st.message() ? st.message() : "";
            char *safe = textesc_dup(msg.substr(0, 200).c_str());
            attn_fail(err, ATTN_EXIT_INPUT, "SentencePiece cannot encode the text (%s)", safe ? safe : "");
            std::free(safe);
            return -1;
        }
        const size_t n = spt.pieces_size();
        for (size_t i = 0; i < n; i++) {
            const auto p = spt.pieces(static_cast<int>(i));
            const std::string &piece = p.piece();
            if (fn(ctx, static_cast<int>(p.id()), p.begin(), p.end(), piece.data(), piece.size()) != 0) return -1;
        }
        return 0;
    } catch (const std::bad_alloc &) {
        return attn_oom(err, "tokens");
    } catch (...) {
        return attn_fail(err, ATTN_EXIT_RUNTIME, "SentencePiece failed while encoding");
    }
}
