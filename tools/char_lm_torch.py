"""The PyTorch twin of examples/char-lm: the same data pipeline (each function mirrors the
one of the same name in examples/char-lm/data.ts), model (state-dict names equal ours),
Adam (lr 2e-3, PyTorch defaults otherwise), clipping at global norm 5, truncated BPTT
(state carried, detached, reset when the chunk index wraps) and evaluation.

  # write the seed-0 initial weights (float32 safetensors) and train from them
  /usr/bin/python3 tools/char_lm_torch.py --write-init runs/char-lm/init.safetensors --steps 0
  /usr/bin/python3 tools/char_lm_torch.py --init runs/char-lm/init.safetensors --steps 1000 --out runs/char-lm

Writes <out>/curve-torch.csv (step,train_loss,val_loss,seconds), like curve-ours.csv.
"""
import argparse
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_write import read, write  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TEXT = os.path.join(ROOT, "node_modules", "@stdlib", "datasets-moby-dick", "data", "data.txt")
SPLIT_FRACTIONS = [0.9, 0.05, 0.05]


# ---- data pipeline: examples/char-lm/data.ts --------------------------------------------

def moby_dick():
    # newline="" keeps the file's characters exactly as Node's readFileSync(…, 'utf8').
    with open(TEXT, encoding="utf-8", newline="") as f:
        return f.read()


def build_vocab(text):
    """The text's distinct characters sorted by code point (no special tokens)."""
    return sorted(set(text))


def split_by_fraction(items, fractions):
    """src/data/batching.ts splitByFraction: part k ends at start + floor(f·n); the last takes the rest."""
    out, start, n = [], 0, len(items)
    for i, f in enumerate(fractions):
        end = n if i == len(fractions) - 1 else start + math.floor(f * n)
        out.append(items[start:end])
        start = end
    return out


def prepare_data(text):
    chars = build_vocab(text)
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    train, val, test = split_by_fraction(ids, SPLIT_FRACTIONS)
    return chars, ids, train, val, test


def stream_rows(n, batch):
    return n // batch


def num_chunks(n, batch, bptt):
    return math.ceil((stream_rows(n, batch) - 1) / bptt)


def chunk_bounds(i, rows, bptt):
    start = i * bptt
    return start, min(bptt, rows - 1 - start)


def chunk_for_step(step, chunks):
    return step % chunks


def resets_state_at(step, chunks):
    return chunk_for_step(step, chunks) == 0


class LMStream:
    """StreamBatches: column b of the (rows, B) matrix is ids[b·rows, (b+1)·rows)."""

    def __init__(self, ids, batch, bptt):
        self.rows = stream_rows(len(ids), batch)
        if self.rows < 2:
            raise ValueError(f"need at least {2 * batch} tokens for batch {batch}, got {len(ids)}")
        self.data = ids[: self.rows * batch].view(batch, self.rows).t().contiguous()
        self.bptt = bptt
        self.length = num_chunks(len(ids), batch, bptt)

    def get(self, i):
        start, T = chunk_bounds(i, self.rows, self.bptt)
        return self.data[start:start + T], self.data[start + 1:start + 1 + T]


def eval_batches(val, batch, bptt, eval_chunks):
    stream = LMStream(val, batch, bptt)
    return [stream.get(i) for i in range(min(eval_chunks, stream.length))]


# ---- model: examples/char-lm/model.ts ----------------------------------------------------

class CharLM(torch.nn.Module):
    def __init__(self, vocab_size, embed=64, hidden=256, layers=2):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab_size, embed)
        self.lstm = torch.nn.LSTM(embed, hidden, layers)
        self.head = torch.nn.Linear(hidden, vocab_size)

    def forward(self, ids, state=None):
        out, state = self.lstm(self.embed(ids), state)
        return self.head(out), state


def detach_state(state):
    return tuple(s.detach() for s in state)


# ---- training: examples/char-lm/train.ts -------------------------------------------------

def lm_loss(logits, target):
    T, B, V = logits.shape
    return torch.nn.functional.cross_entropy(logits.reshape(T * B, V), target.reshape(T * B))


@torch.no_grad()
def evaluate(model, batches):
    state, total, count = None, 0.0, 0
    for x, y in batches:
        logits, state = model(x, state)
        total += lm_loss(logits, y).item() * y.numel()
        count += y.numel()
    return total / count


def csv_number(v):
    return "nan" if isinstance(v, float) and math.isnan(v) else repr(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--eval-chunks", type=int, default=8)
    ap.add_argument("--init", help="initial weights (safetensors, strict)")
    ap.add_argument("--write-init", help="write the fresh seed-0 weights here (float32 safetensors)")
    ap.add_argument("--out", default="runs/char-lm")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.steps < 0 or a.eval_every < 1 or a.eval_chunks < 1:
        ap.error("--steps must be ≥ 0, --eval-every and --eval-chunks ≥ 1")
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)

    batch, bptt, lr, clip = 32, 64, 2e-3, 5.0
    chars, _, train, val, test = prepare_data(moby_dick())
    model = CharLM(len(chars))
    if a.write_init:
        os.makedirs(os.path.dirname(os.path.abspath(a.write_init)), exist_ok=True)
        write(a.write_init, {k: v.detach().float() for k, v in model.state_dict().items()})
        print("wrote initial weights to", a.write_init, flush=True)
    if a.init:
        model.load_state_dict({k: v.float() for k, v in read(a.init).items()}, strict=True)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    ts = LMStream(train, batch, bptt)
    vb = eval_batches(val, batch, bptt, a.eval_chunks)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; vocabulary {len(chars)} characters; "
          f"train {len(train)}, validation {len(val)}, test {len(test)}; {ts.length} chunks of {batch}×{bptt}; "
          f"{sum(p.numel() for p in params)} parameters; initial weights from "
          f"{a.init if a.init else f'seed {a.seed}'}", flush=True)

    os.makedirs(a.out, exist_ok=True)
    rows = ["step,train_loss,val_loss,seconds"]
    t0 = time.perf_counter()
    since, since_n = 0.0, 0

    def record(step):
        nonlocal since, since_n
        v = evaluate(model, vb)
        tl = since / since_n if since_n else float("nan")
        secs = time.perf_counter() - t0
        print(f"step {step}  train {tl:.4f}  val {v:.5f}  ({v / math.log(2):.3f} bits/char)  {secs:.1f} s", flush=True)
        rows.append(",".join(csv_number(x) for x in [step, tl, v, secs]))
        with open(os.path.join(a.out, "curve-torch.csv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        since, since_n = 0.0, 0

    record(0)
    state = None
    for s in range(a.steps):
        if resets_state_at(s, ts.length):
            state = None
        x, y = ts.get(chunk_for_step(s, ts.length))
        opt.zero_grad(set_to_none=True)
        logits, new_state = model(x, state)
        loss = lm_loss(logits, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        state = detach_state(new_state)
        since += loss.item()
        since_n += 1
        done = s + 1
        if done % a.eval_every == 0 or done == a.steps:
            record(done)
    print("wrote", os.path.join(a.out, "curve-torch.csv"))


if __name__ == "__main__":
    main()
