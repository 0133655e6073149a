"""Interop fixtures between PyTorch's state_dict and this library's safetensors files.

1. PyTorch -> here: modules built and initialised by PyTorch, their state_dict written as
   safetensors in F32, F64, F16 and BF16 (torch_<name>_<dtype>.safetensors), with an input
   and PyTorch's outputs computed from the weights as stored (torch_<name>_io.safetensors).
2. Here -> PyTorch: files written by this library (ours_<name>.safetensors, made by
   tools/write_interop_ours.ts) are loaded into the matching PyTorch module with
   load_state_dict(strict=True), rebuilt from the config in their metadata, and run on our
   input; PyTorch's outputs go to torch_on_ours_<name>.safetensors.

Run: node --import tsx tools/write_interop_ours.ts && /usr/bin/python3 tools/gen_interop_fixtures.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_write import read, read_meta, write  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "interop")
FLOAT_TYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}


def torch_modules():
    torch.manual_seed(7)
    yield "lstm_bi2", torch.nn.LSTM(5, 7, num_layers=2, bidirectional=True), (6, 3, 5)
    yield "lstm_proj", torch.nn.LSTM(4, 6, proj_size=3, batch_first=True), (2, 5, 4)
    yield "gru2", torch.nn.GRU(3, 5, num_layers=2), (7, 2, 3)
    yield "rnn_relu_bi", torch.nn.RNN(4, 5, nonlinearity="relu", bidirectional=True), (4, 2, 4)
    yield "linear", torch.nn.Linear(6, 3), (4, 6)


def run(m, x):
    with torch.no_grad():
        out = m(x)
    if isinstance(m, torch.nn.LSTM):
        y, (h, c) = out
        return {"y": y, "h": h, "c": c}
    if isinstance(m, (torch.nn.GRU, torch.nn.RNN)):
        y, h = out
        return {"y": y, "h": h}
    return {"y": out}


def torch_to_ours():
    for name, m, xshape in torch_modules():
        x = torch.randn(*xshape)
        io = {"x": x}
        for tag, dt in FLOAT_TYPES.items():
            sd = {k: v.detach().to(dt) for k, v in m.state_dict().items()}
            write(os.path.join(OUT, f"torch_{name}_{tag}.safetensors"), sd, {"format": "pt"})
            # Outputs from the weights exactly as stored: F64 runs in float64, the others in
            # float32 from the rounded values.
            compute = torch.float64 if tag == "F64" else torch.float32
            m2 = type(m)(**ctor_args(m)).to(compute)
            m2.load_state_dict({k: v.to(compute) for k, v in sd.items()})
            for k, v in run(m2, x.to(compute)).items():
                io[f"{k}_{tag}"] = v
        write(os.path.join(OUT, f"torch_{name}_io.safetensors"), io)


def ctor_args(m):
    if isinstance(m, torch.nn.Linear):
        return {"in_features": m.in_features, "out_features": m.out_features, "bias": m.bias is not None}
    args = {"input_size": m.input_size, "hidden_size": m.hidden_size, "num_layers": m.num_layers, "bias": m.bias,
            "batch_first": m.batch_first, "bidirectional": m.bidirectional}
    if isinstance(m, torch.nn.LSTM):
        args["proj_size"] = m.proj_size
    if type(m) is torch.nn.RNN:
        args["nonlinearity"] = m.nonlinearity
    return args


def from_config(cfg):
    t = cfg["type"]
    if t in ("LSTM", "GRU", "RNN"):
        args = {"input_size": cfg["inputSize"], "hidden_size": cfg["hiddenSize"], "num_layers": cfg["numLayers"],
                "bias": cfg["bias"], "batch_first": cfg["batchFirst"], "bidirectional": cfg["bidirectional"]}
        assert cfg["merge"] == "concat"
        if t == "LSTM":
            return torch.nn.LSTM(proj_size=cfg["projSize"], **args)
        if t == "GRU":
            return torch.nn.GRU(**args)
        return torch.nn.RNN(nonlinearity=cfg["nonlinearity"], **args)
    if t == "Linear":
        return torch.nn.Linear(cfg["inFeatures"], cfg["outFeatures"], bias=cfg["bias"])
    if t == "Embedding":
        return torch.nn.Embedding(cfg["numEmbeddings"], cfg["embeddingDim"], padding_idx=cfg["paddingIdx"])
    if t == "Sequential":
        return torch.nn.Sequential(*[from_config(c) for c in cfg["layers"]])
    raise ValueError(f"no PyTorch twin for {t}")


def ours_to_torch():
    for fname in sorted(os.listdir(OUT)):
        if not (fname.startswith("ours_") and fname.endswith(".safetensors")) or fname.endswith("_io.safetensors"):
            continue
        name = fname[len("ours_"):-len(".safetensors")]
        weights, meta = read_meta(os.path.join(OUT, fname))
        assert meta.get("format") == "pt", meta
        m = from_config(json.loads(meta["recurrent.config"]))
        m.load_state_dict(weights, strict=True)  # every name and shape must match PyTorch's
        io = read(os.path.join(OUT, f"ours_{name}_io.safetensors"))
        out = run(m, io["x"]) if "x" in io else {"weight": m.weight.detach().clone()}
        write(os.path.join(OUT, f"torch_on_ours_{name}.safetensors"), out)
        print("PyTorch loaded", fname, "->", sorted(out))


if __name__ == "__main__":
    torch.set_num_threads(1)
    torch_to_ours()
    ours_to_torch()
