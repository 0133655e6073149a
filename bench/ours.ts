// `recurrent` itself on the benchmark workloads, through the public API only. One
// `step()` is one iteration; `oursContender(backend)` wraps it for the interleaved
// measurement (bench/measure.ts) and selects the backend before each chunk of
// iterations, so that two of our backends can be measured in the same run.
//
// Training: loss = sum(outputs) (charrnn: Embedding → 2-layer LSTM → Linear, mean
// softmax cross-entropy, the library's `crossEntropy`; seq2seq: the library's `Seq2Seq`,
// teacher-forced, mean cross-entropy), backward, and one step of the
// library's `SGD` optimizer (plain SGD, no momentum: p -= lr·grad), the same as
// tools/bench_torch.py. lr is tiny so that hundreds of timed iterations cannot saturate
// the gates; the cost of the update is what is measured, not learning.

import {
  GRU, LSTM, RNN, Embedding, Linear, Generator, SGD, Tensor, crossEntropy, getBackend, noGrad, randint, randn, reshape,
  setBackend, sum, wasmBackend, nativeBackend, EchoStateNetwork, Reservoir, Seq2Seq,
} from '../src/index.js';
import { inProcessSession, type Contender } from './measure.js';
import { esnDensity, type Workload } from './workloads.js';

export const LR = 1e-5;

/** One iteration; returns the loss for training workloads (for the smoke test). */
export interface OursRunner {
  step(): number | undefined;
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
  const opt = new SGD(net.parameters(), { lr: LR });
  return {
    step: () => {
      opt.zeroGrad();
      const loss = sum(forward());
      loss.backward();
      opt.step();
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
  const opt = new SGD([...emb.parameters(), ...lstm.parameters(), ...head.parameters()], { lr: LR });
  const tokens = randint(0, w.vocab, [w.T, w.B], { generator: g });
  const targets = randint(0, w.vocab, [N], { generator: g });
  return {
    step: () => {
      opt.zeroGrad();
      const [y] = lstm.forward(emb.forward(tokens)); // (T, B, H)
      const loss = crossEntropy(head.forward(reshape(y, [N, w.H])), targets);
      loss.backward();
      opt.step();
      return loss.item();
    },
  };
}

/** Source lengths of the seq2seq workload: T, T−1, T−2, T−3, T, … (at least 1). */
export function seq2seqLengths(w: Workload): Int32Array {
  return Int32Array.from({ length: w.B }, (_, b) => Math.max(1, w.T - (b % 4)));
}

function seq2seqRunner(w: Workload): OursRunner {
  const g = new Generator(1);
  const model = new Seq2Seq({
    srcVocab: w.vocab, tgtVocab: w.vocab, embed: w.embed, hidden: w.H, decoderHidden: 2 * w.H, bidirectional: true,
    attention: 'general', dropout: 0.2, generator: g,
  });
  const opt = new SGD(model.parameters(), { lr: LR });
  const src = randint(0, w.vocab, [w.T, w.B], { generator: g });
  const tgtIn = randint(0, w.vocab, [w.T, w.B], { generator: g });
  const targets = randint(0, w.vocab, [w.T * w.B], { generator: g });
  const lengths = seq2seqLengths(w);
  return {
    step: () => {
      opt.zeroGrad();
      const { logits } = model.forward(src, lengths, tgtIn); // (T, B, V)
      const loss = crossEntropy(reshape(logits, [w.T * w.B, w.vocab]), targets);
      loss.backward();
      opt.step();
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

function esnRunner(w: Workload): OursRunner {
  const g = new Generator(1);
  const u = Float64Array.from({ length: w.T }, () => g.uniform() - 0.5);
  const opts = { size: w.H, inputSize: 1, density: esnDensity(w), spectralRadius: 0.9, leakRate: 0.3, seed: 1 };
  if (w.kind === 'esn-update') {
    const r = new Reservoir(opts);
    return { step: () => { r.run(u, w.T); return undefined; } };
  }
  const y = Float64Array.from(u, (v, t) => Math.sin(t / 10) + v);
  return { step: () => new EchoStateNetwork({ ...opts, outputSize: 1 }).fit(u, y, { washout: 0, ridge: 1e-8 }).nrmse };
}

/** Builds our implementation of a workload on the current backend. */
export function createOurs(w: Workload): OursRunner {
  if (w.kind === 'gemm') return gemmRunner(w);
  if (w.kind === 'esn-update' || w.kind === 'esn-ridge') return esnRunner(w);
  if (w.kind === 'charrnn') return charrnnRunner(w);
  if (w.kind === 'seq2seq') return seq2seqRunner(w);
  return sequenceRunner(w);
}

export type OursBackend = 'native' | 'wasm' | 'ref';

/** Our library on one backend, as a contender. */
export function oursContender(backend: OursBackend): Contender {
  return {
    id: `ours:${backend}`,
    ours: true,
    label: (w) => (backend === 'wasm' ? `recurrent wasm ${wasmBackend()?.threads ?? 1}t`
      : backend === 'native' ? `recurrent native ${nativeBackend()?.isa ?? ''} ${w.threads ?? nativeBackend()?.threads ?? 1}t`
        : 'recurrent ref (plain TS) 1t'),
    supports: (w) => (w.threads === undefined || backend === 'native' || (backend === 'ref' && w.threads === 1)
      ? true : 'measured at its own thread count only'),
    async open(w: Workload) {
      // A workload with its own thread count runs the native pool at that size, then restores it.
      const native = backend === 'native' ? nativeBackend() : null;
      const before = native?.threads ?? 1;
      const select = (): void => {
        setBackend(backend);
        if (native && w.threads !== undefined) native.setThreads(w.threads);
      };
      select();
      const runner = createOurs(w);
      return inProcessSession(() => runner.step(), () => native?.setThreads(before), select);
    },
  };
}
