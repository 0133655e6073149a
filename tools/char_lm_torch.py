"""The PyTorch twin of examples/char-lm (same data pipeline, model, optimizer, clipping,
truncated BPTT and evaluation), for the step-for-step comparison of issue 4.

  /usr/bin/python3 tools/char_lm_torch.py --write-init runs/char-lm/init.safetensors --steps 0
  /usr/bin/python3 tools/char_lm_torch.py --init runs/char-lm/init.safetensors --steps 1000 --out runs/char-lm
"""
import argparse
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_write import read, write  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
TEXT = os.path.join(ROOT, "node_modules", "@stdlib", "datasets-moby-dick", "data", "data.txt")


def prepare():
    text = open(TEXT, encoding="utf8").read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    n1, n2 = int(len(ids) * 0.9), int(len(ids) * 0.95)
    return chars, ids[:n1], ids[n1:n2], ids[n2:]


class Stream:
    """StreamBatches: column b of the (rows, B) matrix is the b-th contiguous stream."""

    def __init__(self, ids, B, bptt):
        self.rows = len(ids) // B
        self.data = ids[: self.rows * B].view(B, self.rows).t().contiguous()
        self.bptt = bptt
        self.length = math.ceil((self.rows - 1) / bptt)

    def get(self, i):
        start = i * self.bptt
        T = min(self.bptt, self.rows - 1 - start)
        return self.data[start:start + T], self.data[start + 1:start + 1 + T]


class CharLM(torch.nn.Module):
    def __init__(self, V, embed=64, hidden=256, layers=2):
        super().__init__()
        self.embed = torch.nn.Embedding(V, embed)
        self.lstm = torch.nn.LSTM(embed, hidden, layers)
        self.head = torch.nn.Linear(hidden, V)

    def forward(self, ids, state):
        out, state = self.lstm(self.embed(ids), state)
        return self.head(out), state


def lm_loss(logits, target):
    T, B, V = logits.shape
    return torch.nn.functional.cross_entropy(logits.reshape(T * B, V), target.reshape(T * B))


@torch.no_grad()
def evaluate(model, stream, chunks):
    state, total, count = None, 0.0, 0
    for i in range(min(chunks, stream.length)):
        x, y = stream.get(i)
        logits, state = model(x, state)
        total += lm_loss(logits, y).item() * y.numel()
        count += y.numel()
    return total / count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--eval-chunks", type=int, default=8)
    ap.add_argument("--init")
    ap.add_argument("--write-init")
    ap.add_argument("--out", default="runs/char-lm")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    chars, train, val, _ = prepare()
    model = CharLM(len(chars))
    if a.write_init:
        os.makedirs(os.path.dirname(os.path.abspath(a.write_init)), exist_ok=True)
        write(a.write_init, {k: v.detach().float() for k, v in model.state_dict().items()}, {})
        print("wrote initial weights to", a.write_init)
    if a.init:
        model.load_state_dict({k: v.float() for k, v in read(a.init).items()})
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    ts, vs = Stream(train, 32, 64), Stream(val, 32, 64)
    os.makedirs(a.out, exist_ok=True)
    rows = ["step,train_loss,val_loss,val_bpc,seconds"]
    t0 = time.time()
    recent, recent_n, state = 0.0, 0, None

    def record(step):
        nonlocal recent, recent_n
        v = evaluate(model, vs, a.eval_chunks)
        tl = recent / recent_n if recent_n else float("nan")
        secs = time.time() - t0
        print(f"step {step}  train {tl:.4f}  val {v:.4f} ({v / math.log(2):.3f} bits/char)  {secs:.1f} s", flush=True)
        rows.append(",".join(["" if math.isnan(x) else repr(x) for x in [step, tl, v, v / math.log(2), secs]]))
        with open(os.path.join(a.out, "curve-torch.csv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        recent, recent_n = 0.0, 0

    record(0)
    for step in range(1, a.steps + 1):
        i = (step - 1) % ts.length
        if i == 0:
            state = None
        x, y = ts.get(i)
        opt.zero_grad(set_to_none=True)
        logits, state = model(x, state)
        loss = lm_loss(logits, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        state = tuple(s.detach() for s in state)
        recent += loss.item()
        recent_n += 1
        if step % a.eval_every == 0 or step == a.steps:
            record(step)


if __name__ == "__main__":
    main()
