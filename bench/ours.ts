// `recurrent` itself on the benchmark workloads, through the public API only. One
// `step()` is one iteration; the caller selects the backend (setBackend) beforehand.
//
// Training uses loss = sum(outputs) (charrnn: Embedding → LSTM → Linear, mean softmax
// cross-entropy) and a plain in-place SGD update p -= lr·grad, the same as
// tools/bench_torch.py. lr is tiny so that hundreds of timed iterations cannot saturate
// the gates; the cost of the update is what is measured, not learning.

import {
  GRU, LSTM, RNN, Embedding, Linear, Generator, Tensor, crossEntropy, getBackend, noGrad, randint, randn, reshape, sum,
} from '../src/index.js';
import type { Workload } from './workloads.js';

export const LR = 1e-5;

/** One iteration; returns the loss for training workloads (for the smoke test). */
export interface OursRunner {
  step(): number | undefined;
}

function sgd(params: readonly Tensor[]): void {
  for (const p of params) {
    const g = p.grad;
    if (!g) continue;
    const d = p.data as Float32Array;
    const gd = g.data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = (d[i] as number) - LR * (gd[i] as number);
  }
}

function layer(w: Workload, generator: Generator): LSTM | GRU | RNN {
  const opts = { inputSize: w.I, hiddenSize: w.H, numLayers: w.layers, generator };
  if (w.kind === 'lstm') return new LSTM(opts);
  if (w.kind === 'gru') return new GRU(opts);
  return new RNN({ ...opts, nonlinearity: 'tanh' });
}

function sequenceRunner(w: Workload): OursRunner {
  const net = layer(w, new Generator(1));
  const x = randn([w.T, w.B, w.I], { generator: new Generator(2) });
  const forward = (): Tensor => net.forward(x)[0];
  if (w.mode === 'infer') {
    return { step: () => { noGrad(forward); return undefined; } };
  }
  const params = net.parameters();
  return {
    step: () => {
      net.zeroGrad();
      const loss = sum(forward());
      loss.backward();
      sgd(params);
      return loss.item();
    },
  };
}

function charrnnRunner(w: Workload): OursRunner {
  const g = new Generator(1);
  const N = w.T * w.B;
  const emb = new Embedding(w.vocab, w.embed, { generator: g });
  const lstm = new LSTM({ inputSize: w.embed, hiddenSize: w.H, numLayers: w.layers, generator: g });
  const head = new Linear(w.H, w.vocab, { generator: g });
  const params = [...emb.parameters(), ...lstm.parameters(), ...head.parameters()];
  const tokens = randint(0, w.vocab, [w.T, w.B], { generator: g });
  const targets = randint(0, w.vocab, [N], { generator: g });
  return {
    step: () => {
      for (const p of params) p.grad = null;
      const [y] = lstm.forward(emb.forward(tokens));               // (T, B, H)
      const loss = crossEntropy(head.forward(reshape(y, [N, w.H])), targets);
      loss.backward();
      sgd(params);
      return loss.item();
    },
  };
}

function gemmRunner(w: Workload): OursRunner {
  const n = w.n;
  const g = new Generator(1);
  const a = randn([n, n], { generator: g }).data as Float32Array;
  const b = randn([n, n], { generator: g }).data as Float32Array;
  const c = new Float32Array(n * n);
  // The backend's kernel itself, read at each step so the caller's setBackend applies.
  return { step: () => { getBackend().gemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n); return undefined; } };
}

/** Builds our implementation of a workload on the current backend. */
export function createOurs(w: Workload): OursRunner {
  if (w.kind === 'gemm') return gemmRunner(w);
  if (w.kind === 'charrnn') return charrnnRunner(w);
  return sequenceRunner(w);
}
