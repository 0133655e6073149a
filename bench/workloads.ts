// The benchmark workloads: one definition, read by our implementation (bench/ours.ts)
// and by every peer (bench/peers/*, tools/bench_torch.py), so that all of them run the
// same shapes. float32 throughout; items = batch × sequence length.

export type WorkloadKind = 'lstm' | 'gru' | 'rnn' | 'charrnn' | 'seq2seq' | 'gemm' | 'esn-update' | 'esn-ridge';
export type WorkloadMode = 'train' | 'infer';

export interface Workload {
  /** Stable name, as printed in the table and accepted by `--only`. */
  name: string;
  kind: WorkloadKind;
  mode: WorkloadMode;
  /** Batch. */
  B: number;
  /** Sequence length. */
  T: number;
  /** Input features (charrnn, seq2seq: the embedding width). */
  I: number;
  /** Hidden units per layer. */
  H: number;
  layers: number;
  /** charrnn, seq2seq: vocabulary size (seq2seq: of the source and of the target) and embedding width. */
  vocab: number;
  embed: number;
  /** gemm: the square size n (C = A·B with n × n float32 matrices). */
  n: number;
  /** Threads every contender uses (undefined: the machine's hardware threads). */
  threads?: number;
}

const gates: Record<'lstm' | 'gru' | 'rnn', number> = { lstm: 4, gru: 3, rnn: 1 };

function seq(name: string, kind: 'lstm' | 'gru' | 'rnn', mode: WorkloadMode, B: number, T: number, I: number, H: number): Workload {
  return { name, kind, mode, B, T, I, H, layers: 1, vocab: 0, embed: 0, n: 0 };
}

function gemm(n: number, threads?: number): Workload {
  const w: Workload = { name: `gemm-${n}${threads ? `-${threads}t` : ''}`, kind: 'gemm', mode: 'infer', B: 0, T: 0, I: 0, H: 0, layers: 0, vocab: 0, embed: 0, n };
  if (threads) w.threads = threads;
  return w;
}

/** Every workload, in the order the table lists them. */
export const WORKLOADS: readonly Workload[] = [
  seq('lstm-train-b32', 'lstm', 'train', 32, 64, 128, 256),
  seq('lstm-infer-b32', 'lstm', 'infer', 32, 64, 128, 256),
  seq('lstm-infer-b1', 'lstm', 'infer', 1, 64, 128, 256),
  seq('gru-train-b32', 'gru', 'train', 32, 64, 128, 256),
  seq('gru-infer-b32', 'gru', 'infer', 32, 64, 128, 256),
  seq('rnn-train-b32', 'rnn', 'train', 32, 64, 128, 256),
  seq('lstm-train-big', 'lstm', 'train', 64, 100, 512, 512),
  // 2-layer char-level LSTM LM: embedding 65 → 64, LSTM 256 × 2, linear head 256 → 65,
  // softmax cross-entropy over every position.
  { name: 'charrnn-train', kind: 'charrnn', mode: 'train', B: 32, T: 64, I: 64, H: 256, layers: 2, vocab: 65, embed: 64, n: 0 },
  // The G2P model of examples/g2p (npm run g2p) on G2P-like shapes: source and target
  // embeddings 42 → 64, bidirectional LSTM encoder H = 128 per direction over source
  // lengths T … T−3 (packed, masked in attention), decoder LSTM 256 initialised by
  // tanh(Linear) bridges of the encoder's final h and c, Luong 'general' attention,
  // tanh(W_c [context; s]), linear 256 → 42, dropout 0.2 on the embeddings and before the
  // output layer, teacher-forced softmax cross-entropy over every target position.
  { name: 'seq2seq-train', kind: 'seq2seq', mode: 'train', B: 64, T: 10, I: 64, H: 128, layers: 1, vocab: 42, embed: 64, n: 0 },
  gemm(256),
  gemm(512),
  gemm(1024),
  // The same products on one thread (ours, numpy on OpenBLAS with one thread, tfjs).
  gemm(512, 1),
  gemm(1024, 1),
  // Echo State Network: T updates of a reservoir of H = 1000 tanh units at 1 % density
  // (input 1, leak 0.3), and a ridge readout fitted over T = 10 000 steps (the reservoir run,
  // the float64 normal equations of [1, u, x], their solution).
  { name: 'esn-update-1000', kind: 'esn-update', mode: 'infer', B: 1, T: 1000, I: 1, H: 1000, layers: 1, vocab: 0, embed: 0, n: 0 },
  { name: 'esn-ridge-10k', kind: 'esn-ridge', mode: 'train', B: 1, T: 10000, I: 1, H: 1000, layers: 1, vocab: 0, embed: 0, n: 0 },
];

/** Reservoir density of an ESN workload: 1 %, or more for tiny reservoirs (≥ 5 links per unit). */
export function esnDensity(w: Workload): number {
  return Math.min(1, Math.max(0.01, 5 / w.H));
}

/** Names accepted by `--only`: workload names, plus `gemm` for all three sizes. */
export function selectWorkloads(only: readonly string[]): Workload[] {
  if (only.length === 0) return [...WORKLOADS];
  const unknown = only.filter((o) => o !== 'gemm' && o !== 'esn' && !WORKLOADS.some((w) => w.name === o));
  if (unknown.length > 0) {
    throw new Error(`--only: unknown workload ${unknown.map((u) => `'${u}'`).join(', ')}; known: gemm, ${WORKLOADS.map((w) => w.name).join(', ')}`);
  }
  return WORKLOADS.filter((w) => only.includes(w.name) || (w.kind === 'gemm' && only.includes('gemm')) || (w.kind.startsWith('esn') && only.includes('esn')));
}

/** Work units per iteration: B·T sequence items, or n³ multiply-adds for gemm. */
export function itemsPerIteration(w: Workload): number {
  return w.kind === 'gemm' ? 2 * w.n ** 3 : w.B * w.T;
}

/**
 * Approximate floating-point operations of one iteration (the matrix products only),
 * used to project how long a slow implementation would take before running it.
 */
export function flopsPerIteration(w: Workload): number {
  if (w.kind === 'gemm') return 2 * w.n ** 3;
  if (w.kind === 'esn-update') return w.T * (2 * esnDensity(w) * w.H * w.H + 20 * w.H);
  if (w.kind === 'esn-ridge') return w.T * (2 * esnDensity(w) * w.H * w.H + (w.H + 2) ** 2) + (w.H + 2) ** 3 / 3;
  const fwdLayer = (inp: number, g: number) => 2 * w.B * w.T * (inp + w.H) * g * w.H;
  let fwd: number;
  if (w.kind === 'seq2seq') {
    const BT = w.B * w.T, H2 = 2 * w.H;
    fwd = 2 * fwdLayer(w.embed, 4) // encoder, both directions
      + 2 * BT * (w.embed + H2) * 4 * H2 // decoder
      + 2 * 2 * w.B * H2 * H2 // bridges
      + 2 * BT * H2 * H2 + 2 * 2 * BT * w.T * H2 // keys' projection, scores, contexts
      + 2 * BT * 2 * H2 * H2 + 2 * BT * H2 * w.vocab; // combine, output layer
  } else if (w.kind === 'charrnn') {
    fwd = 2 * w.B * w.T * w.vocab * w.embed + fwdLayer(w.embed, 4) + (w.layers - 1) * fwdLayer(w.H, 4) + 2 * w.B * w.T * w.H * w.vocab;
  } else {
    fwd = fwdLayer(w.I, gates[w.kind]) + (w.layers - 1) * fwdLayer(w.H, gates[w.kind]);
  }
  return w.mode === 'train' ? 3 * fwd : fwd;
}

/** `--quick`: the same workloads at a fraction of the size (a smoke run, not a result). */
export function quickWorkload(w: Workload): Workload {
  if (w.kind === 'gemm') return { ...w, n: Math.max(64, w.n / 4) };
  if (w.kind === 'esn-update' || w.kind === 'esn-ridge') return { ...w, T: Math.max(100, w.T / 10), H: 200 };
  return { ...w, B: Math.min(w.B, 8), T: Math.min(w.T, 8) };
}

/** The smallest version of a workload, for the smoke test. */
export function tinyWorkload(w: Workload): Workload {
  if (w.kind === 'gemm') return { ...w, n: 8 };
  if (w.kind === 'esn-update' || w.kind === 'esn-ridge') return { ...w, T: 30, H: 20 };
  return { ...w, B: Math.min(w.B, 2), T: 3, I: Math.min(w.I, 5), H: 4, embed: w.embed > 0 ? 3 : 0, vocab: w.vocab > 0 ? 7 : 0 };
}

/** One line saying what a workload is. */
export function describeWorkload(w: Workload): string {
  if (w.kind === 'gemm') return `sgemm C = A·B, ${w.n}×${w.n} float32${w.threads ? `, ${w.threads} thread${w.threads > 1 ? 's' : ''} for every contender` : ''}`;
  if (w.kind === 'esn-update') return `ESN reservoir: ${w.T} updates of ${w.H} leaky tanh units, ${(100 * esnDensity(w)).toFixed(0)} % sparse W (float64)`;
  if (w.kind === 'esn-ridge') return `ESN readout: ridge fit over ${w.T} steps (reservoir run of ${w.H} units, float64 normal equations of ${w.H + 2} features, Cholesky solve)`;
  const what = w.kind === 'seq2seq'
    ? `G2P-like encoder–decoder: embeddings ${w.vocab}→${w.embed}, bi-LSTM encoder H=${w.H}, LSTM decoder H=${2 * w.H}, general attention, source lengths ${w.T}…${w.T - 3}, dropout 0.2, softmax CE`
    : w.kind === 'charrnn'
    ? `char-LM: embedding ${w.vocab}→${w.embed}, ${w.layers}-layer LSTM H=${w.H}, linear ${w.H}→${w.vocab}, softmax CE`
    : `${w.kind.toUpperCase()}${w.kind === 'rnn' ? ' (tanh)' : ''} ${w.layers} layer, I=${w.I} H=${w.H}`;
  const how = w.mode === 'train' ? 'forward + loss + backward + SGD step' : 'forward, no grad';
  return `${what}; B=${w.B} T=${w.T}; ${how}`;
}
