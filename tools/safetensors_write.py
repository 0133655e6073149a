"""Minimal safetensors writer for fixture scripts (the `safetensors` pip package is not
available offline). Format: u64 little-endian header length, JSON header (padded with
spaces to a multiple of 8), then the raw little-endian tensor bytes in header order."""
import json
import struct

import torch

_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32", torch.int64: "I64"}


def write(path, tensors, metadata=None):
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        data = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


_FROM = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16, "I32": torch.int32, "I64": torch.int64}


def read(path):
    """Reads a safetensors file written by this library or by `write`; returns (tensors, metadata)
    with read_meta, tensors only with read."""
    return read_meta(path)[0]


def read_meta(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        buf = bytearray(raw[base + b:base + end])
        out[name] = torch.frombuffer(buf, dtype=_FROM[e["dtype"]]).reshape(e["shape"]).clone() if end > b else torch.zeros(e["shape"], dtype=_FROM[e["dtype"]])
    return out, meta
