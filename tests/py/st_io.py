"""st_io.py — the safetensors format, written and read back in Python, for
the model-parity tests and the benchmark (no safetensors package here).

  * safetensors_bytes() / write_safetensors(): an 8-byte little-endian header
        length, a JSON header {name: {"dtype", "shape", "data_offsets"}} (+
        "__metadata__"), padded with spaces to a multiple of 8, then the raw
        little-endian data laid out as the reference writer does (larger
        dtypes first, then by name, no gap); F32, F16, BF16 (the top 16 bits
        of float32, rounded to nearest even, with numpy bit operations), I64,
        BOOL and the other integer types;
  * write_sharded(): model-0000i-of-0000n.safetensors +
        model.safetensors.index.json ({"metadata": {"total_size"},
        "weight_map"});
  * read_safetensors() / read_checkpoint(): read a file, an index or a model
        directory back, validating the rules of src/model/safetensors.h, for the
        writer's self-checks;
  * quantize(): what a float32 array becomes once stored as F16 or BF16.
"""
import json
import os
import struct

import numpy as np

# ---- safetensors ------------------------------------------------------------

ST_SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2,
            "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}
_NP = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "U16": np.uint16,
       "F16": np.float16, "I32": np.int32, "U32": np.uint32, "F32": np.float32, "I64": np.int64,
       "U64": np.uint64, "F64": np.float64}


def bf16_bits(a):
    """float32 -> bfloat16 bit patterns (uint16), round to nearest even; NaN
    stays a quiet NaN of the same sign. (In uint32: no finite pattern plus
    0x8000 passes 2^32.)"""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    nan = np.isnan(u.view(np.float32))
    rounded = ((u + np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1))) >> np.uint32(16)).astype(np.uint16)
    if nan.any():
        rounded = np.where(nan, ((u >> np.uint32(16)) | np.uint32(0x40)).astype(np.uint16), rounded)
    return rounded


def bf16_to_f32(bits):
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def quantize(a, dtype):
    """What a float32 array becomes once stored as dtype and read back (float32)."""
    a = np.asarray(a, dtype=np.float32)
    if dtype == "F32":
        return a
    if dtype == "F16":
        return a.astype(np.float16).astype(np.float32)
    if dtype == "BF16":
        return bf16_to_f32(bf16_bits(a))
    raise ValueError("quantize: %s" % dtype)


def _raw(arr, dtype):
    if dtype == "BF16":
        return bf16_bits(arr).astype("<u2").tobytes()
    return np.ascontiguousarray(arr, dtype=np.dtype(_NP[dtype]).newbyteorder("<")).tobytes()


def safetensors_bytes(tensors, metadata=None):
    """tensors: {name: (array, dtype)}. The data are laid out as the reference
    writer does: by alignment (larger dtypes first), then by name, with no
    gap; the header is padded with spaces to a multiple of 8 bytes."""
    order = sorted(tensors, key=lambda k: (-ST_SIZES[tensors[k][1]], k))
    header, blobs, off = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in order:
        arr, dtype = tensors[name]
        raw = _raw(arr, dtype)
        shape = list(np.shape(arr))
        if len(raw) != int(np.prod(shape, dtype=np.int64)) * ST_SIZES[dtype]:
            raise ValueError("%s: %d bytes for shape %s of %s" % (name, len(raw), shape, dtype))
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def _write_atomic(path, data):
    with open(path + ".part", "wb") as f:
        f.write(data)
    os.replace(path + ".part", path)


def write_safetensors(path, tensors, metadata=None):
    _write_atomic(path, safetensors_bytes(tensors, metadata))


def write_sharded(directory, tensors, n_shards, metadata=None):
    """model-0000i-of-0000n.safetensors + model.safetensors.index.json
    ({"metadata": {"total_size"}, "weight_map": {name: file}}), tensors split
    in name order into n_shards runs of about equal size."""
    names = sorted(tensors)
    sizes = [len(_raw(*tensors[k])) for k in names]
    total, target = sum(sizes), sum(sizes) / n_shards
    shards, cur, acc = [], [], 0
    for k, s in zip(names, sizes):
        if cur and acc + s / 2 > target * (len(shards) + 1) and len(shards) < n_shards - 1:
            shards.append(cur)
            cur = []
        cur.append(k)
        acc += s
    shards.append(cur)
    weight_map = {}
    for i, part in enumerate(shards):
        fname = "model-%05d-of-%05d.safetensors" % (i + 1, len(shards))
        write_safetensors(os.path.join(directory, fname), {k: tensors[k] for k in part}, metadata)
        for k in part:
            weight_map[k] = fname
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    _write_atomic(os.path.join(directory, "model.safetensors.index.json"),
                  json.dumps(index, indent=2, sort_keys=True).encode())
    return len(shards)


def read_safetensors(path):
    """{name: (float32/int array, dtype)}; raises ValueError naming the rule
    a malformed file breaks (the same rules as src/model/safetensors.h)."""
    data = open(path, "rb").read()
    if len(data) < 8:
        raise ValueError("%s: shorter than 8 bytes" % path)
    (n,) = struct.unpack("<Q", data[:8])
    if n > 100_000_000 or 8 + n > len(data):
        raise ValueError("%s: header length %d" % (path, n))

    def no_dups(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("%s: duplicate key" % path)
        return dict(pairs)

    header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=no_dups)
    body = data[8 + n:]
    out, spans = {}, []
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if set(e) != {"dtype", "shape", "data_offsets"}:
            raise ValueError("%s: %s: keys %s" % (path, name, sorted(e)))
        b, end = e["data_offsets"]
        need = int(np.prod(e["shape"], dtype=np.int64)) * ST_SIZES[e["dtype"]]
        if not 0 <= b <= end <= len(body) or end - b != need:
            raise ValueError("%s: %s: offsets %s for %s %s" % (path, name, e["data_offsets"],
                                                              e["dtype"], e["shape"]))
        spans.append((b, end))
        raw = body[b:end]
        if e["dtype"] == "BF16":
            arr = bf16_to_f32(np.frombuffer(raw, dtype="<u2"))
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(_NP[e["dtype"]]).newbyteorder("<"))
        out[name] = (arr.reshape(e["shape"]), e["dtype"])
    pos = 0
    for b, end in sorted(spans):
        if b != pos:
            raise ValueError("%s: gap or overlap at byte %d" % (path, pos))
        pos = end
    if pos != len(body):
        raise ValueError("%s: %d bytes after the last tensor" % (path, len(body) - pos))
    return out


def read_checkpoint(path):
    """A model directory, a .safetensors file or an index: {name: (array, dtype)}."""
    if os.path.isdir(path):
        idx = os.path.join(path, "model.safetensors.index.json")
        path = idx if os.path.exists(idx) else os.path.join(path, "model.safetensors")
    if not path.endswith(".index.json"):
        return read_safetensors(path)
    index = json.load(open(path))
    out = {}
    for fname in sorted(set(index["weight_map"].values())):
        part = read_safetensors(os.path.join(os.path.dirname(path), fname))
        for k, v in part.items():
            if index["weight_map"].get(k) != fname or k in out:
                raise ValueError("%s: %s not in the weight map as %s" % (path, k, fname))
            out[k] = v
    if set(out) != set(index["weight_map"]):
        raise ValueError("%s: weight map names missing tensors" % path)
    return out
