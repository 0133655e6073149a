#!/usr/bin/python3
"""PyTorch (and numpy, for sgemm) side of `npm run bench` (bench/run.ts).

Runs as a child process of the Node harness and speaks JSON lines: one command per
line on stdin, one JSON object per line on stdout (nothing else is printed there;
warnings go to stderr). The harness keeps one process per (BLAS, thread count)
configuration alive for the whole run, so that PyTorch and `recurrent` are measured
interleaved, in the same minutes of a shared, noisy machine.

Which BLAS this process uses is decided by the parent through LD_LIBRARY_PATH
(Debian's reference BLAS in /usr/lib/<triplet>/blas, or OpenBLAS in
/usr/lib/<triplet>/openblas-pthread), never by the system-wide alternatives; `info`
reports the BLAS libraries actually mapped into this process and a timed 512³ sgemm
through torch, so the choice is verified rather than assumed.

Commands (field `cmd`):
  info                                   versions, threads, mapped BLAS libraries, probe GFLOP/s
  setup   {id, workload}                 build the model and data for a workload (see bench/workloads.ts)
  run     {id, target_ms, min_iters, max_iters}
                                         time iterations until target_ms has passed (at least
                                         min_iters, at most max_iters); returns per-iteration ms
  close   {id}                           drop a workload
  export_onnx {path, kind, I, H}         torch.onnx.export of a one-layer LSTM/GRU with dynamic
                                         (seq, batch) axes, for the onnxruntime-node peer
  quit
Usage by hand: echo '{"cmd":"info"}' | /usr/bin/python3 tools/bench_torch.py --threads 1
"""

import argparse
import json
import os
import sys
import time
import warnings

LR = 1e-5  # the same plain SGD step as bench/ours.ts: p -= LR * grad


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def mapped_blas_libs():
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if "blas" in base or "lapack" in base:
                    libs.add(path)
    except OSError:
        pass
    return sorted(libs)


class Runner:
    """One workload: `step()` is one timed iteration."""

    def __init__(self, torch, np, w):
        self.torch = torch
        self.np = np
        self.w = w
        kind, mode = w["kind"], w["mode"]
        g = torch.Generator().manual_seed(1)
        if kind == "gemm":
            n = w["n"]
            rng = np.random.default_rng(1)
            self.a = rng.standard_normal((n, n), dtype=np.float32)
            self.b = rng.standard_normal((n, n), dtype=np.float32)
            self.c = np.empty((n, n), dtype=np.float32)
            self.step = self.gemm_step
            return
        if kind in ("esn-update", "esn-ridge"):
            self.esn_setup(np, w)
            return
        torch.manual_seed(1)
        nn = torch.nn
        B, T, H = w["B"], w["T"], w["H"]
        if kind == "seq2seq":
            self.seq2seq_setup(torch, w, g)
            return
        if kind == "charrnn":
            V, E = w["vocab"], w["embed"]
            self.emb = nn.Embedding(V, E)
            self.rnn = nn.LSTM(E, H, num_layers=w["layers"])
            self.head = nn.Linear(H, V)
            self.params = list(self.emb.parameters()) + list(self.rnn.parameters()) + list(self.head.parameters())
            self.tokens = torch.randint(0, V, (T, B), generator=g)
            self.targets = torch.randint(0, V, (T * B,), generator=g)
            self.step = self.charrnn_step
            return
        cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[kind]
        extra = {"nonlinearity": "tanh"} if kind == "rnn" else {}
        self.rnn = cls(w["I"], H, num_layers=w["layers"], **extra)
        self.params = list(self.rnn.parameters())
        self.x = torch.randn(T, B, w["I"], generator=g)
        self.step = self.train_step if mode == "train" else self.infer_step

    def seq2seq_setup(self, torch, w, g):
        """The model of Seq2Seq (src/seq2seq/encoder-decoder.ts) with attention 'general',
        bridge 'linear', initState, no input feeding, written with torch.nn: packed
        bidirectional LSTM encoder, decoder LSTM from tanh(Linear) of the encoder's final h
        and c, scores s·(W h_j) masked past each source length, context Σ a_j h_j,
        tanh(W_c [context; s]), output layer; dropout 0.2 on the embeddings and before it."""
        nn = torch.nn
        B, T, H, V, E = w["B"], w["T"], w["H"], w["vocab"], w["embed"]
        H2 = 2 * H
        self.m = nn.ModuleDict({
            "src": nn.Embedding(V, E), "enc": nn.LSTM(E, H, bidirectional=True),
            "tgt": nn.Embedding(V, E), "dec": nn.LSTM(E, H2),
            "bh": nn.Linear(H2, H2), "bc": nn.Linear(H2, H2), "att": nn.Linear(H2, H2, bias=False),
            "comb": nn.Linear(2 * H2, H2, bias=False), "out": nn.Linear(H2, V),
        })
        self.params = list(self.m.parameters())
        self.src = torch.randint(0, V, (T, B), generator=g)
        self.tgt_in = torch.randint(0, V, (T, B), generator=g)
        self.targets = torch.randint(0, V, (T * B,), generator=g)
        self.lengths = torch.tensor([max(1, T - (b % 4)) for b in range(B)])  # as bench/ours.ts
        self.pad_mask = (torch.arange(T)[None, :] >= self.lengths[:, None])[:, None, :]  # (B, 1, S)
        self.step = self.seq2seq_step

    def seq2seq_step(self):
        torch, m, w = self.torch, self.m, self.w
        F = torch.nn.functional
        rnn_utils = torch.nn.utils.rnn
        x = F.dropout(m["src"](self.src), 0.2, True)
        packed, (h, c) = m["enc"](rnn_utils.pack_padded_sequence(x, self.lengths, enforce_sorted=False))
        keys = rnn_utils.pad_packed_sequence(packed, total_length=w["T"])[0].transpose(0, 1)  # (B, S, 2H)
        h0 = torch.tanh(m["bh"](torch.cat([h[0], h[1]], -1)))[None]
        c0 = torch.tanh(m["bc"](torch.cat([c[0], c[1]], -1)))[None]
        y = F.dropout(m["tgt"](self.tgt_in), 0.2, True)
        s = m["dec"](y, (h0, c0))[0].transpose(0, 1)  # (B, T, 2H)
        scores = torch.bmm(s, m["att"](keys).transpose(1, 2)).masked_fill(self.pad_mask, float("-inf"))
        context = torch.bmm(torch.softmax(scores, -1), keys)
        ht = torch.tanh(m["comb"](torch.cat([context, s], -1)))
        logits = m["out"](F.dropout(ht, 0.2, True)).transpose(0, 1).reshape(w["T"] * w["B"], w["vocab"])
        F.cross_entropy(logits, self.targets).backward()
        self.sgd()

    def esn_setup(self, np, w):
        """The same ESN work with SciPy's CSR matrix and NumPy (float64): reservoir updates
        x = 0.7 x + 0.3 tanh(W x + w_in u), and for the ridge workload the reservoir run,
        the normal equations of [1, u, x] and a Cholesky solve (scipy.linalg.cho_solve)."""
        import scipy.linalg
        import scipy.sparse
        import scipy.sparse.linalg
        N, T = w["H"], w["T"]
        density = min(1.0, max(0.01, 5 / N))
        rng = np.random.default_rng(1)
        W = scipy.sparse.random(N, N, density=density, format="csr", random_state=1, data_rvs=lambda k: rng.uniform(-1, 1, k))
        rho = abs(scipy.sparse.linalg.eigs(W, k=1, which="LM", return_eigenvectors=False)[0]) if N > 2 else 1.0
        self.W = (W * (0.9 / rho)).tocsr()
        self.win = rng.uniform(-1, 1, N)
        self.u = rng.uniform(-0.5, 0.5, T)
        self.y = np.sin(np.arange(T) / 10) + self.u
        self.N, self.T = N, T
        self.cho = scipy.linalg
        self.step = self.esn_update_step if w["kind"] == "esn-update" else self.esn_ridge_step

    def esn_states(self):
        np = self.np
        x = np.zeros(self.N)
        X = np.empty((self.T, self.N))
        for t in range(self.T):
            x = 0.7 * x + 0.3 * np.tanh(self.W @ x + self.win * self.u[t])
            X[t] = x
        return X

    def esn_update_step(self):
        self.esn_states()

    def esn_ridge_step(self):
        np = self.np
        X = self.esn_states()
        F = np.hstack([np.ones((self.T, 1)), self.u[:, None], X])
        A = F.T @ F + 1e-8 * np.eye(F.shape[1])
        c = self.cho.cho_factor(A)
        self.cho.cho_solve(c, F.T @ self.y)

    def sgd(self):
        with self.torch.no_grad():
            for p in self.params:
                p.add_(p.grad, alpha=-LR)
                p.grad = None

    def train_step(self):
        y, _ = self.rnn(self.x)
        y.sum().backward()
        self.sgd()

    def infer_step(self):
        with self.torch.no_grad():
            self.rnn(self.x)

    def charrnn_step(self):
        w = self.w
        y, _ = self.rnn(self.emb(self.tokens))
        logits = self.head(y.reshape(w["T"] * w["B"], w["H"]))
        loss = self.torch.nn.functional.cross_entropy(logits, self.targets)
        loss.backward()
        self.sgd()

    def gemm_step(self):
        self.np.matmul(self.a, self.b, out=self.c)


def time_iters(step, target_ms, min_iters, max_iters):
    times = []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        step()
        t1 = time.perf_counter()
        times.append((t1 - t0) * 1e3)
        if len(times) >= max_iters:
            break
        if len(times) >= min_iters and (t1 - start) * 1e3 >= target_ms:
            break
    return times


def probe_gflops(torch, n=512, reps=5):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    torch.mm(a, b)
    t0 = time.perf_counter()
    for _ in range(reps):
        torch.mm(a, b)
    dt = (time.perf_counter() - t0) / reps
    return 2 * n ** 3 / dt / 1e9


def export_onnx(torch, cmd):
    nn = torch.nn
    torch.manual_seed(1)
    cls = {"lstm": nn.LSTM, "gru": nn.GRU}[cmd["kind"]]
    m = cls(cmd["I"], cmd["H"]).eval()
    x = torch.randn(4, 2, cmd["I"])
    outs = ["y", "h"] + (["c"] if cmd["kind"] == "lstm" else [])
    dyn = {"x": {0: "seq", 1: "batch"}, "y": {0: "seq", 1: "batch"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(m, (x,), cmd["path"], input_names=["x"], output_names=outs,
                          dynamic_axes=dyn, opset_version=14)
    return {"ok": True, "path": cmd["path"], "bytes": os.path.getsize(cmd["path"])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    try:
        import numpy as np
        import torch
    except Exception as e:  # noqa: BLE001 - report any import failure to the harness
        emit({"error": f"import failed: {e}"})
        return 1
    torch.set_num_threads(args.threads)
    runners = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
            c = cmd["cmd"]
            if c == "info":
                emit({
                    "torch": torch.__version__, "numpy": np.__version__,
                    "python": sys.version.split()[0], "threads": torch.get_num_threads(),
                    "blas_libs": mapped_blas_libs(), "probe_sgemm512_gflops": probe_gflops(torch),
                    "blas_info": next((p for p in torch.__config__.show().split(", ") if p.startswith("BLAS_INFO")), ""),
                })
            elif c == "setup":
                runners[cmd["id"]] = Runner(torch, np, cmd["workload"])
                emit({"ok": True})
            elif c == "run":
                r = runners[cmd["id"]]
                emit({"times": time_iters(r.step, cmd["target_ms"], cmd.get("min_iters", 1), cmd.get("max_iters", 10 ** 9))})
            elif c == "close":
                runners.pop(cmd["id"], None)
                emit({"ok": True})
            elif c == "export_onnx":
                emit(export_onnx(torch, cmd))
            elif c == "quit":
                emit({"ok": True})
                return 0
            else:
                emit({"error": f"unknown command {c!r}"})
        except Exception as e:  # noqa: BLE001 - one failed workload must not end the process
            emit({"error": f"{type(e).__name__}: {e}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
