"""PyTorch reference fixtures for the RNN, LSTM and GRU layers.

Run with Debian's PyTorch: /usr/bin/python3 tools/gen_rnn_fixtures.py
Writes test/fixtures/rnn/<case>.safetensors. Every case stores the layer's parameters
under PyTorch's state_dict names, the input `x`, optional `h0`/`c0`/`lengths`, the
outputs `output`, `h_n` (`c_n`), fixed random projections `proj.output`, `proj.h_n`
(`proj.c_n`) defining the loss L = Σ output·proj.output + Σ h_n·proj.h_n (+ Σ c_n·proj.c_n),
and the gradients of L (`grad.<name>`) w.r.t. x, h0, c0 and every parameter.
Weights and inputs are float32 values; the computation runs in float64 and results are
stored rounded to float32. The case's configuration is the JSON in metadata["config"].
"""
import json
import os
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_write import write  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "rnn")


def make_case(name, kind, I, H, B, T, layers=1, bidir=False, batch_first=False, bias=True,
              proj=0, nonlinearity="tanh", init_state=False, lengths=None, seed=0):
    torch.manual_seed(seed)
    kw = dict(input_size=I, hidden_size=H, num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidir)
    if kind == "LSTM":
        m = torch.nn.LSTM(proj_size=proj, **kw)
    elif kind == "GRU":
        m = torch.nn.GRU(**kw)
    else:
        m = torch.nn.RNN(nonlinearity=nonlinearity, **kw)
    D = 2 if bidir else 1
    Hout = proj if proj else H
    x32 = torch.randn((B, T, I) if batch_first else (T, B, I))
    params32 = {k: v.detach().clone() for k, v in m.state_dict().items()}
    m = m.double()
    x = x32.double().requires_grad_(True)
    h0 = c0 = None
    tensors = {k: v for k, v in params32.items()}
    tensors["x"] = x32
    if init_state:
        h0_32 = torch.randn(layers * D, B, Hout)
        h0 = h0_32.double().requires_grad_(True)
        tensors["h0"] = h0_32
        if kind == "LSTM":
            c0_32 = torch.randn(layers * D, B, H)
            c0 = c0_32.double().requires_grad_(True)
            tensors["c0"] = c0_32
    hx = None
    if h0 is not None:
        hx = (h0, c0) if kind == "LSTM" else h0
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        out_p, hn = m(packed, hx)
        out, _ = pad_packed_sequence(out_p, batch_first=batch_first, total_length=T)
        tensors["lengths"] = torch.tensor(lengths, dtype=torch.int32)
    else:
        out, hn = m(x, hx)
    if kind == "LSTM":
        h_n, c_n = hn
    else:
        h_n, c_n = hn, None
    g = torch.Generator().manual_seed(seed + 1000)
    p_out = torch.randn(out.shape, generator=g, dtype=torch.float64)
    p_h = torch.randn(h_n.shape, generator=g, dtype=torch.float64)
    loss = (out * p_out).sum() + (h_n * p_h).sum()
    tensors["proj.output"] = p_out.float()
    tensors["proj.h_n"] = p_h.float()
    if c_n is not None:
        p_c = torch.randn(c_n.shape, generator=g, dtype=torch.float64)
        loss = loss + (c_n * p_c).sum()
        tensors["proj.c_n"] = p_c.float()
    loss.backward()
    tensors["output"] = out.detach().float()
    tensors["h_n"] = h_n.detach().float()
    if c_n is not None:
        tensors["c_n"] = c_n.detach().float()
    tensors["grad.x"] = x.grad.float()
    if h0 is not None:
        tensors["grad.h0"] = h0.grad.float()
        if c0 is not None:
            tensors["grad.c0"] = c0.grad.float()
    for k, v in m.named_parameters():
        tensors["grad." + k] = v.grad.float()
    config = dict(kind=kind, inputSize=I, hiddenSize=H, batch=B, seq=T, numLayers=layers, bidirectional=bidir,
                  batchFirst=batch_first, bias=bias, projSize=proj, nonlinearity=nonlinearity,
                  initState=init_state, lengths=lengths, params=list(params32.keys()), loss=loss.item())
    write(os.path.join(OUT, name + ".safetensors"), tensors, {"config": json.dumps(config)})
    return name


def make_cell_case(name, kind, I, H, B, bias=True, nonlinearity="tanh", seed=0):
    """A single step of nn.RNNCell / nn.LSTMCell / nn.GRUCell with a given state."""
    torch.manual_seed(seed)
    if kind == "LSTMCell":
        m = torch.nn.LSTMCell(I, H, bias=bias)
    elif kind == "GRUCell":
        m = torch.nn.GRUCell(I, H, bias=bias)
    else:
        m = torch.nn.RNNCell(I, H, bias=bias, nonlinearity=nonlinearity)
    params32 = {k: v.detach().clone() for k, v in m.state_dict().items()}
    x32, h32, c32 = torch.randn(B, I), torch.randn(B, H), torch.randn(B, H)
    m = m.double()
    x = x32.double().requires_grad_(True)
    h = h32.double().requires_grad_(True)
    c = c32.double().requires_grad_(True)
    tensors = dict(params32, x=x32, h0=h32)
    g = torch.Generator().manual_seed(seed + 1000)
    if kind == "LSTMCell":
        tensors["c0"] = c32
        h1, c1 = m(x, (h, c))
        p_h = torch.randn(h1.shape, generator=g, dtype=torch.float64)
        p_c = torch.randn(c1.shape, generator=g, dtype=torch.float64)
        loss = (h1 * p_h).sum() + (c1 * p_c).sum()
        tensors.update({"c_n": c1.detach().float(), "proj.c_n": p_c.float()})
    else:
        h1 = m(x, h)
        p_h = torch.randn(h1.shape, generator=g, dtype=torch.float64)
        loss = (h1 * p_h).sum()
    loss.backward()
    tensors.update({"h_n": h1.detach().float(), "proj.h_n": p_h.float(), "grad.x": x.grad.float(), "grad.h0": h.grad.float()})
    if kind == "LSTMCell":
        tensors["grad.c0"] = c.grad.float()
    for k, v in m.named_parameters():
        tensors["grad." + k] = v.grad.float()
    config = dict(kind=kind, inputSize=I, hiddenSize=H, batch=B, bias=bias, nonlinearity=nonlinearity, params=list(params32.keys()))
    write(os.path.join(OUT, name + ".safetensors"), tensors, {"config": json.dumps(config)})
    return name


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".safetensors"):
            os.remove(os.path.join(OUT, f))
    names = []
    kinds = [("rnn_tanh", "RNN", "tanh"), ("rnn_relu", "RNN", "relu"), ("lstm", "LSTM", "tanh"), ("gru", "GRU", "tanh")]
    for i, (tag, kind, nl) in enumerate(kinds):
        s = 10 * i
        c = dict(kind=kind, nonlinearity=nl)
        names.append(make_case(f"{tag}_basic", I=3, H=5, B=2, T=4, seed=s + 1, **c))
        names.append(make_case(f"{tag}_state", I=4, H=3, B=3, T=5, init_state=True, seed=s + 2, **c))
        names.append(make_case(f"{tag}_batchfirst", I=3, H=4, B=2, T=3, batch_first=True, init_state=True, seed=s + 3, **c))
        names.append(make_case(f"{tag}_2layer", I=3, H=4, B=2, T=5, layers=2, seed=s + 4, **c))
        names.append(make_case(f"{tag}_bidir", I=5, H=3, B=3, T=4, bidir=True, init_state=True, seed=s + 5, **c))
        names.append(make_case(f"{tag}_2layer_bidir_bf", I=3, H=4, B=2, T=6, layers=2, bidir=True, batch_first=True, init_state=True, seed=s + 6, **c))
        names.append(make_case(f"{tag}_nobias", I=3, H=4, B=2, T=3, bias=False, seed=s + 7, **c))
        names.append(make_case(f"{tag}_t1b1", I=2, H=3, B=1, T=1, init_state=True, seed=s + 8, **c))
        names.append(make_case(f"{tag}_lengths", I=3, H=4, B=4, T=6, lengths=[4, 6, 1, 3], init_state=True, seed=s + 9, **c))
        names.append(make_case(f"{tag}_lengths_2layer_bidir", I=3, H=3, B=3, T=5, layers=2, bidir=True, lengths=[2, 5, 3], seed=s + 10, **c))
        names.append(make_case(f"{tag}_medium", I=32, H=64, B=8, T=50, seed=s + 11, **c))
    names.append(make_case("lstm_proj", "LSTM", I=4, H=5, B=2, T=4, proj=3, init_state=True, seed=101))
    names.append(make_case("lstm_proj_2layer_bidir", "LSTM", I=3, H=6, B=3, T=5, layers=2, bidir=True, proj=2, init_state=True, seed=102))
    names.append(make_case("lstm_proj_lengths", "LSTM", I=3, H=4, B=3, T=5, proj=2, lengths=[5, 2, 3], seed=103))
    for i, (kind, nl) in enumerate([("RNNCell", "tanh"), ("RNNCell", "relu"), ("LSTMCell", "tanh"), ("GRUCell", "tanh")]):
        names.append(make_cell_case(f"cell_{kind.lower()}_{nl}", kind, I=4, H=5, B=3, nonlinearity=nl, seed=200 + i))
        names.append(make_cell_case(f"cell_{kind.lower()}_{nl}_nobias", kind, I=3, H=2, B=1, bias=False, nonlinearity=nl, seed=210 + i))
    print(f"wrote {len(names)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
