#!/usr/bin/python3
"""make_bad.py: writes the malformed-checkpoint corpus of this directory.

Each case is a .safetensors file (or a shard index .json) with one defect,
built from a small valid file so that a rejection can only come from that
defect. good_*.safetensors and good_index.json are valid (the shards the
index cases name; the unit test checks they open). Also writes expect.tsv
(file<TAB>a substring the error message must contain) and README.md.

Deterministic: running it again rewrites the same bytes.
Run: /usr/bin/python3 tests/bad/checkpoints/make_bad.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
cases = []  # (file, bytes, expected substring, what is wrong)


def header_bytes(h):
    if isinstance(h, bytes):
        return h
    if isinstance(h, str):
        return h.encode()
    return json.dumps(h, separators=(",", ":")).encode()


def st(header, data=b"", n=None):
    """A safetensors file: 8-byte little-endian length, header, data."""
    h = header_bytes(header)
    return struct.pack("<Q", len(h) if n is None else n) + h + data


def f32(*v):
    return struct.pack("<%df" % len(v), *v)


def entry(dtype, shape, b, e):
    return {"dtype": dtype, "shape": shape, "data_offsets": [b, e]}


def case(name, content, expect, what):
    cases.append((name, content, expect, what))


# the valid base: a F32 [2, 2] then b F32 [4]
A = entry("F32", [2, 2], 0, 16)
B = entry("F32", [4], 16, 32)
BASE_H = {"a": A, "b": B}
BASE_D = f32(1, 2, 3, 4, 5, 6, 7, 8)
BASE = st(BASE_H, BASE_D)
BASE_TEXT = json.dumps(BASE_H, separators=(",", ":"))

# ---- the container: length and header text
case("empty.safetensors", b"", "empty file", "an empty file")
case("short.safetensors", b"\x10\x00\x00\x00\x00", "holds 5 bytes, too short for the 8-byte header length",
     "5 bytes: not even the header length")
case("header_len_zero.safetensors", st("{}", n=0), "header length is 0", "N = 0")
case("header_len_past_eof.safetensors", st(BASE_H, BASE_D, n=4096),
     "header length 4096 runs past the end of the file", "N = 4096 in a file of %d bytes" % len(BASE))
case("header_len_huge.safetensors", st("{}", n=200_000_000),
     "header length 200000000 exceeds the 100000000-byte limit", "N = 200,000,000 (> 100 MB)")
case("truncated_header.safetensors", BASE[:18],
     "header length %d runs past the end of the file" % len(header_bytes(BASE_H)),
     "the base file cut inside its header")
case("truncated_data.safetensors", BASE[:-6],
     "tensor 'b': data_offsets [16, 32] run past the end of the data area, which holds 26 bytes",
     "the base file without its last 6 bytes")
case("header_not_json.safetensors", st('{"a": {"dtype": "F32",'), "header is not valid JSON",
     "the header stops mid-object")
case("header_trailing_garbage.safetensors", st("{} x"), "header is not valid JSON",
     "text after the JSON object")
case("header_array.safetensors", st("[1, 2]"), "header is an array, not a JSON object",
     "the header is a JSON array")
case("header_nul.safetensors", st(b'{"a\x00":' + header_bytes(A) + b"}", f32(1, 2, 3, 4)),
     "header byte 3 is a NUL byte", "a raw NUL byte in a tensor name")
case("header_bad_utf8.safetensors", st(b'{"caf\xe9":' + header_bytes(A) + b"}", f32(1, 2, 3, 4)),
     "header is not valid UTF-8 (byte 5)", "a Latin-1 byte in a tensor name")
case("header_u0000.safetensors", st('{"a\\u0000b":' + json.dumps(A) + "}", f32(1, 2, 3, 4)),
     "the escape \\u0000 (a NUL character) is not allowed", "the JSON escape \\u0000 in a tensor name")
case("duplicate_tensor.safetensors", st('{"a":%s,"a":%s}' % (json.dumps(A), json.dumps(entry("F32", [4], 16, 32))),
                                        BASE_D), 'key "a" appears twice', "tensor name \"a\" twice")
case("duplicate_key_in_entry.safetensors",
     st('{"a":{"dtype":"F32","dtype":"F16","shape":[2,2],"data_offsets":[0,16]}}', f32(1, 2, 3, 4)),
     'key "a.dtype" appears twice', "\"dtype\" twice in one entry")

# ---- tensor entries


def one(e, data=f32(1, 2, 3, 4), name="a"):
    return st({name: e}, data)


case("entry_not_object.safetensors", one([0, 16]), "tensor 'a': the entry is an array, not an object",
     "an entry that is an array")
case("entry_unknown_key.safetensors", one(dict(A, strides=[2, 1])), 'tensor \'a\': unknown key "strides"',
     "an extra key \"strides\"")
case("name_empty.safetensors", one(A, name=""), "empty tensor name", "tensor name \"\"")
case("dtype_missing.safetensors", one({"shape": [2, 2], "data_offsets": [0, 16]}), 'tensor \'a\': no "dtype"',
     "no dtype")
case("dtype_not_string.safetensors", one(dict(A, dtype=32)), "dtype must be a string, got a number",
     "dtype 32")
case("dtype_unknown.safetensors", one(dict(A, dtype="F17")), 'unknown dtype "F17"', "dtype \"F17\"")
case("dtype_lowercase.safetensors", one(dict(A, dtype="float32")), 'unknown dtype "float32"',
     "dtype \"float32\" (PyTorch's spelling, not the format's)")
case("shape_missing.safetensors", one({"dtype": "F32", "data_offsets": [0, 16]}), 'tensor \'a\': no "shape"',
     "no shape")
case("shape_not_array.safetensors", one(dict(A, shape=4)), "shape must be an array of integers, got a number",
     "shape 4")
case("shape_negative.safetensors", one(dict(A, shape=[-1, 4])), "shape[0] = -1 is negative", "a dimension -1")
case("shape_fraction.safetensors", one(dict(A, shape=[2.5, 4])), "shape[0] = 2.5 is not an integer literal",
     "a dimension 2.5")
case("shape_float_huge.safetensors", st('{"a":{"dtype":"F32","shape":[1e300],"data_offsets":[0,16]}}',
                                        f32(1, 2, 3, 4)),
     "shape[0] = 1e300 is not an integer literal", "a dimension 1e300")
case("shape_float_integral.safetensors", st('{"a":{"dtype":"F32","shape":[2.0,2],"data_offsets":[0,16]}}',
                                            f32(1, 2, 3, 4)),
     "shape[0] = 2.0 is not an integer literal", "a dimension 2.0 (whole, but written as a float)")
case("shape_string.safetensors", one(dict(A, shape=["2", 2])), "shape[0] must be an integer, got a string",
     "a dimension \"2\"")
case("shape_too_many_dims.safetensors", one(dict(A, shape=[1] * 9, data_offsets=[0, 4]), f32(1)),
     "shape has 9 dimensions, at most 8", "9 dimensions")
case("shape_dim_too_big.safetensors", one(dict(A, shape=[2 ** 63, 0], data_offsets=[0, 0]), b""),
     "shape[0] = 9223372036854775808 is larger than 2^63 - 1", "a dimension 2^63 (next to a 0)")
case("shape_overflow.safetensors", one(dict(A, shape=[2 ** 32] * 3, data_offsets=[0, 0]), b""),
     "shape [4294967296, 4294967296, 4294967296] of F32 needs more than 2^64 - 1 bytes",
     "shape [2^32, 2^32, 2^32]: the byte count wraps in 64 bits")
case("shape_bytes_mismatch.safetensors", one(dict(A, shape=[4, 4], data_offsets=[0, 100]), bytes(100)),
     "data_offsets [0, 100] hold 100 bytes, but shape [4, 4] of F32 needs 64",
     "shape [4, 4] F32 over 100 bytes")
case("offsets_missing.safetensors", one({"dtype": "F32", "shape": [2, 2]}), 'tensor \'a\': no "data_offsets"',
     "no data_offsets")
case("offsets_three.safetensors", one(dict(A, data_offsets=[0, 8, 16])),
     "data_offsets must be an array of exactly 2 integers, got 3 elements", "data_offsets [0, 8, 16]")
case("offsets_not_array.safetensors", one(dict(A, data_offsets="0-16")),
     "data_offsets must be an array of exactly 2 integers, got a string", "data_offsets \"0-16\"")
case("offsets_negative.safetensors", one(dict(A, data_offsets=[-16, 0])), "data_offsets[0] = -16 is negative",
     "data_offsets [-16, 0]")
case("offsets_too_big.safetensors", one(dict(A, data_offsets=[0, 2 ** 64])),
     "data_offsets[1] = 18446744073709551616 does not fit in 64 bits", "an offset of 2^64")
case("offsets_float.safetensors", st('{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16.0]}}',
                                     f32(1, 2, 3, 4)),
     "data_offsets[1] = 16.0 is not an integer literal", "an offset 16.0")
case("offsets_begin_after_end.safetensors", one(dict(A, data_offsets=[16, 0])),
     "data_offsets [16, 0]: begin 16 is after end 0", "data_offsets [16, 0]")
case("offsets_past_end.safetensors", st({"a": A, "b": entry("F32", [8], 16, 48)}, BASE_D),
     "tensor 'b': data_offsets [16, 48] run past the end of the data area, which holds 32 bytes",
     "b ends at 48 in a data area of 32 bytes")
case("offsets_overlap.safetensors", st({"a": A, "b": entry("F32", [4], 8, 24)}, bytes(24)),
     "tensors 'a' [0, 16] and 'b' [8, 24] overlap", "a [0, 16] and b [8, 24]")
case("offsets_same_range.safetensors", st({"a": A, "b": entry("F32", [4], 0, 16)}, bytes(16)),
     "tensors 'a' [0, 16] and 'b' [0, 16] overlap", "a and b both [0, 16] (aliased data)")
case("offsets_gap.safetensors", st({"a": A, "b": entry("F32", [4], 24, 40)}, bytes(40)),
     "bytes [16, 24) of the data area belong to no tensor (a gap between 'a' and 'b')",
     "8 unused bytes between a and b")
case("offsets_first_gap.safetensors", one(dict(A, data_offsets=[8, 24]), bytes(24)),
     "bytes [0, 8) of the data area belong to no tensor", "the only tensor starts at 8")
case("trailing_bytes.safetensors", BASE + bytes(8), "the last 8 bytes belong to no tensor",
     "8 bytes after the last tensor")
case("metadata_not_object.safetensors", st({"__metadata__": ["pt"], "a": A}, f32(1, 2, 3, 4)),
     "__metadata__ must be an object of strings, got an array", "__metadata__ is an array")
case("metadata_non_string.safetensors", st({"__metadata__": {"format": "pt", "epoch": 3}, "a": A},
                                           f32(1, 2, 3, 4)),
     '__metadata__ value "epoch" must be a string, got a number', "__metadata__ {\"epoch\": 3}")

# ---- values (found by st_to_float, which the test calls on every tensor)
nan = float("nan")
inf = float("inf")
case("nan_f32.safetensors", one(A, f32(1, 2, nan, 4)), "tensor 'a' (F32): element 2 is NaN", "NaN at [1, 0]")
case("neg_inf_f32.safetensors", st(BASE_H, f32(1, 2, 3, 4, 5, 6, 7, -inf)), "tensor 'b' (F32): element 3 is -inf",
     "-inf in the last element of b")
case("inf_f16.safetensors", one(entry("F16", [4], 0, 8), struct.pack("<4H", 0x3C00, 0x7C00, 0, 0)),
     "tensor 'a' (F16): element 1 is +inf", "F16 0x7C00 (+inf)")
case("nan_f16.safetensors", one(entry("F16", [2], 0, 4), struct.pack("<2H", 0xFE00, 0)),
     "tensor 'a' (F16): element 0 is NaN", "F16 0xFE00 (a NaN)")
case("nan_bf16.safetensors", one(entry("BF16", [2, 2], 0, 8), struct.pack("<4H", 0x3F80, 0x3F80, 0x7FC0, 0)),
     "tensor 'a' (BF16): element 2 is NaN", "BF16 0x7FC0 (a NaN)")
case("f64_out_of_range.safetensors", one(entry("F64", [2], 0, 16), struct.pack("<2d", 1.0, 1e300)),
     "tensor 'a' (F64): element 1 = %.17g is out of float range" % 1e300, "F64 1e300 (inf as float32)")

# ---- shard indexes (the valid shards they name are good_*.safetensors)
good = {
    "good_shard1.safetensors": st(BASE_H, BASE_D),
    "good_shard2.safetensors": st({"c": entry("F16", [2], 0, 4)}, struct.pack("<2H", 0x3C00, 0x4000)),
    "good_shard3.safetensors": st({"a": entry("F32", [2], 0, 8), "d": entry("F32", [1], 8, 12)}, f32(9, 10, 11)),
}
S1, S2, S3 = "good_shard1.safetensors", "good_shard2.safetensors", "good_shard3.safetensors"
OK_MAP = {"a": S1, "b": S1, "c": S2}


def index(weight_map, metadata=None):
    d = {"metadata": {"total_size": 36} if metadata is None else metadata, "weight_map": weight_map}
    return json.dumps(d, indent=2).encode() + b"\n"


good["good_index.json"] = index(OK_MAP)
case("index_missing_shard.json", index(dict(OK_MAP, c="missing.safetensors")),
     "missing.safetensors: No such file or directory", "c in missing.safetensors, which does not exist")
case("index_dotdot.json", index(dict(OK_MAP, c="../checkpoints/" + S2)),
     'shard name "../checkpoints/good_shard2.safetensors" must be a plain file name', "a shard \"../checkpoints/...\"")
case("index_parent.json", index(dict(OK_MAP, c="..")), 'shard name ".." must be a plain file name',
     "a shard \"..\"")
case("index_absolute.json", index(dict(OK_MAP, c="/etc/passwd")), 'shard name "/etc/passwd" must be a plain file name',
     "a shard \"/etc/passwd\"")
case("index_two_shards.json", index({"a": S1, "b": S1, "d": S3}),
     "tensor 'a' is in two shards", "shard 3 also holds a (besides d)")
case("index_unlisted.json", index({"a": S1, "c": S2}),
     "holds tensor 'b', which weight_map does not list", "b (in shard 1) missing from weight_map")
case("index_wrong_shard.json", index({"a": S2, "b": S1, "c": S2}),
     "weight_map puts tensor 'a' in good_shard2.safetensors, but it is in good_shard1.safetensors",
     "a mapped to shard 2, but it is in shard 1")
case("index_not_in_shard.json", index(dict(OK_MAP, zz=S2)),
     "weight_map puts tensor 'zz' in good_shard2.safetensors, but that shard does not hold it",
     "zz in weight_map, in no shard")
case("index_empty_name.json", index(dict(OK_MAP, **{"": S1})), '"" is not a tensor name',
     "a weight_map name \"\"")
case("index_metadata_name.json", index(dict(OK_MAP, __metadata__=S1)), '"__metadata__" is not a tensor name',
     "a weight_map name \"__metadata__\"")
case("index_value_not_string.json", index(dict(OK_MAP, c=2)),
     "the shard must be a string (a file name), got a number", "c mapped to 2")
case("index_no_weight_map.json", b'{"metadata": {"total_size": 36}}\n', 'no "weight_map"', "no weight_map")
case("index_empty_weight_map.json", index({}), "weight_map is empty", "weight_map {}")
case("index_not_json.json", index(OK_MAP)[:40], "the index is not valid JSON", "cut after 40 bytes")
case("index_array.json", b"[]\n", "the index is an array, not a JSON object", "[]")
case("index_unknown_key.json", b'{"weight_map": {"a": "%s"}, "weights": {}}\n' % S1.encode(),
     'unknown key "weights" in the index', "a top-level key \"weights\"")
case("index_duplicate_key.json", b'{"weight_map": {"a": "%s", "b": "%s", "a": "%s"}}\n' % ((S1.encode(),) * 3),
     'key "weight_map.a" appears twice', "\"a\" twice in weight_map")
case("index_bad_shard.json", index({"a": "offsets_gap.safetensors", "b": "offsets_gap.safetensors"}),
     "offsets_gap.safetensors: bytes [16, 24) of the data area belong to no tensor",
     "names a malformed shard (offsets_gap.safetensors)")


def main():
    names = set()
    for name, content in list(good.items()) + [(c[0], c[1]) for c in cases]:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(content)
    with open(os.path.join(HERE, "expect.tsv"), "w") as f:
        f.write("# file\tsubstring the error message must contain (also the file name; generated by make_bad.py)\n")
        for name, _, expect, _ in cases:
            assert "\t" not in expect and "\n" not in expect
            f.write("%s\t%s\n" % (name, expect))
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write(README_HEAD % len(cases))
        for name, _, expect, what in cases:
            f.write("| %s | %s | %s |\n" % (name, what.replace("|", "\\|"),
                                            "`%s`" % expect.replace("|", "\\|")))


README_HEAD = """# tests/bad/checkpoints: malformed safetensors checkpoints

Generated by `make_bad.py` (run it with `/usr/bin/python3`; it rewrites
every file here, byte for byte the same). Each file is a small valid
checkpoint with exactly one defect, so a rejection can only come from that
defect. `good_*.safetensors` and `good_index.json` are valid: the shards the
index cases name, and a control.

`expect.tsv` holds the expectations (file, TAB, a substring of the error
message). tests/unit/model/test_safetensors.c opens each file (`st_open_index`
for `.json`, `st_open` otherwise), converts every tensor with `st_to_float`,
and checks that one of the steps fails with ATTN_EXIT_INPUT and a message
that contains the file name and the substring. The same table can drive an
end-to-end test through the binary.

%d malformed files:

| file | defect | the message contains |
|---|---|---|
"""

if __name__ == "__main__":
    main()
