"""ONNX fixtures: recurrent models exported by Debian's PyTorch (torch.onnx.export), with
inputs and PyTorch's outputs, for the ONNX import tests (test/onnx/). Also runs the ONNX
checker over the models this library exports (test/fixtures/onnx/ours_*.onnx, written by
tools/write_onnx_ours.ts) and records the result.

Run: npm run fixtures:onnx
"""
import json
import os
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_write import write  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "onnx")


class LM(torch.nn.Module):
    def __init__(self, cell, vocab, embed, hidden, layers, **kw):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, embed)
        self.rnn = getattr(torch.nn, cell)(embed, hidden, num_layers=layers, **kw)
        d = 2 if kw.get("bidirectional") else 1
        self.head = torch.nn.Linear(hidden * d, vocab)

    def forward(self, ids, *state):
        y, s = self.rnn(self.embed(ids), *state)
        return (self.head(y), *(s if isinstance(s, tuple) else (s,)))


class Seq(torch.nn.Module):
    def __init__(self, cell, inp, hidden, out, **kw):
        super().__init__()
        self.rnn = getattr(torch.nn, cell)(inp, hidden, **kw)
        d = 2 if kw.get("bidirectional") else 1
        self.head = torch.nn.Linear(hidden * d, out)

    def forward(self, x, *state):
        y, s = self.rnn(x, *state)
        return (torch.log_softmax(self.head(y), dim=-1), *(s if isinstance(s, tuple) else (s,)))


def export(name, model, inputs, input_names, output_names, dynamic_axes=None):
    model.eval()
    with torch.no_grad():
        outs = model(*inputs)
    path = os.path.join(OUT, f"torch_{name}.onnx")
    torch.onnx.export(model, tuple(inputs), path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes or {}, opset_version=14)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    io = {}
    flat = [u for t in inputs for u in (t if isinstance(t, tuple) else (t,))]
    for n, t in zip(input_names, flat):
        io[n] = t.to(torch.int32) if t.dtype == torch.int64 else t
    for n, t in zip(output_names, outs):
        io[n] = t
    write(os.path.join(OUT, f"torch_{name}_io.safetensors"), io, {"ops": json.dumps(ops)})
    print(name, ops)


def main():
    torch.manual_seed(11)
    ids = torch.randint(0, 11, (5, 2))
    export("lm_lstm2", LM("LSTM", 11, 6, 8, 2), [ids], ["ids"], ["logits", "h_n", "c_n"],
           {"ids": {0: "T", 1: "B"}})
    h0 = torch.randn(2, 2, 8)
    c0 = torch.randn(2, 2, 8)
    export("lm_lstm2_state", LM("LSTM", 11, 6, 8, 2), [ids, (h0, c0)], ["ids", "h0", "c0"], ["logits", "h_n", "c_n"])
    x = torch.randn(3, 6, 4)
    export("gru_bi_bf", Seq("GRU", 4, 5, 3, bidirectional=True, batch_first=True), [x], ["x"], ["logp", "h_n"],
           {"x": {0: "B", 1: "T"}})
    x = torch.randn(4, 2, 3)
    h0 = torch.randn(2, 2, 4)
    export("rnn_relu2", Seq("RNN", 3, 4, 2, num_layers=2, nonlinearity="relu"), [x, h0], ["x", "h0"], ["logp", "h_n"])
    export("lm_gru_bi", LM("GRU", 11, 6, 5, 1, bidirectional=True), [ids], ["ids"], ["logits", "h_n"])

    # The ONNX checker over this library's exports.
    results = {}
    for fname in sorted(os.listdir(OUT)):
        if fname.startswith("ours_") and fname.endswith(".onnx"):
            try:
                onnx.checker.check_model(onnx.load(os.path.join(OUT, fname)), full_check=True)
                results[fname] = "ok"
            except Exception as e:  # noqa: BLE001
                results[fname] = f"{type(e).__name__}: {e}"
            print("checker", fname, results[fname])
    with open(os.path.join(OUT, "checker.json"), "w") as f:
        json.dump({"onnx": onnx.__version__, "results": results}, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
