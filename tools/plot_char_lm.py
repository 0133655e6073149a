"""Plots the validation curves of the char-LM comparison (ours vs PyTorch) as an SVG.

  /usr/bin/python3 tools/plot_char_lm.py runs/char-lm docs/char-lm-vs-pytorch.svg
Needs python3-matplotlib (Debian).
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return [int(r["step"]) for r in rows], [float(r["val_loss"]) for r in rows]


def main():
    run, out = sys.argv[1], sys.argv[2]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for name, label, style in [("curve-torch.csv", "PyTorch 1.13 (OpenBLAS, 2 threads)", "o-"), ("curve-ours.csv", "recurrent (wasm, 2 threads)", "x--")]:
        steps, val = load(f"{run}/{name}")
        ax.plot(steps, val, style, label=label, markersize=5)
    ax.set_xlabel("training step (batch 32 × bptt 64 characters)")
    ax.set_ylabel("validation cross-entropy (nats/char)")
    ax.set_title("2-layer LSTM char-LM on Moby-Dick, same initial weights and data order")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    print("wrote", out)


if __name__ == "__main__":
    main()
