// The benchmark workloads: one definition, read by our implementation (bench/ours.ts)
// and by every peer (bench/peers/*, tools/bench_torch.py), so that all of them run the
// same shapes. float32 throughout; items = batch × sequence length.

export type WorkloadKind = 'lstm' | 'gru' | 'rnn' | 'charrnn' | 'gemm';
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
  /** Input features (charrnn: the embedding width). */
  I: number;
  /** Hidden units per layer. */
  H: number;
  layers: number;
  /** charrnn: vocabulary size and embedding width. */
  vocab: number;
  embed: number;
  /** gemm: the square size n (C = A·B with n × n float32 matrices). */
  n: number;
}

const gates: Record<Exclude<WorkloadKind, 'gemm' | 'charrnn'>, number> = { lstm: 4, gru: 3, rnn: 1 };

function seq(name: string, kind: 'lstm' | 'gru' | 'rnn', mode: WorkloadMode, B: number, T: number, I: number, H: number): Workload {
  return { name, kind, mode, B, T, I, H, layers: 1, vocab: 0, embed: 0, n: 0 };
}

function gemm(n: number): Workload {
  return { name: `gemm-${n}`, kind: 'gemm', mode: 'infer', B: 0, T: 0, I: 0, H: 0, layers: 0, vocab: 0, embed: 0, n };
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
  gemm(256),
  gemm(512),
  gemm(1024),
];

/** Names accepted by `--only`: workload names, plus `gemm` for all three sizes. */
export function selectWorkloads(only: readonly string[]): Workload[] {
  if (only.length === 0) return [...WORKLOADS];
  const unknown = only.filter((o) => o !== 'gemm' && !WORKLOADS.some((w) => w.name === o));
  if (unknown.length > 0) {
    throw new Error(`--only: unknown workload ${unknown.map((u) => `'${u}'`).join(', ')}; known: gemm, ${WORKLOADS.map((w) => w.name).join(', ')}`);
  }
  return WORKLOADS.filter((w) => only.includes(w.name) || (w.kind === 'gemm' && only.includes('gemm')));
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
  const fwdLayer = (inp: number, g: number) => 2 * w.B * w.T * (inp + w.H) * g * w.H;
  let fwd: number;
  if (w.kind === 'charrnn') {
    fwd = 2 * w.B * w.T * w.vocab * w.embed + fwdLayer(w.embed, 4) + (w.layers - 1) * fwdLayer(w.H, 4) + 2 * w.B * w.T * w.H * w.vocab;
  } else {
    fwd = fwdLayer(w.I, gates[w.kind]) + (w.layers - 1) * fwdLayer(w.H, gates[w.kind]);
  }
  return w.mode === 'train' ? 3 * fwd : fwd;
}

/** `--quick`: the same workloads at a fraction of the size (a smoke run, not a result). */
export function quickWorkload(w: Workload): Workload {
  if (w.kind === 'gemm') return { ...w, n: Math.max(64, w.n / 4) };
  return { ...w, B: Math.min(w.B, 8), T: Math.min(w.T, 8) };
}

/** The smallest version of a workload, for the smoke test. */
export function tinyWorkload(w: Workload): Workload {
  if (w.kind === 'gemm') return { ...w, n: 8 };
  return { ...w, B: Math.min(w.B, 2), T: 3, I: Math.min(w.I, 5), H: 4, embed: w.embed > 0 ? 3 : 0, vocab: w.vocab > 0 ? 7 : 0 };
}

/** One line saying what a workload is. */
export function describeWorkload(w: Workload): string {
  if (w.kind === 'gemm') return `sgemm C = A·B, ${w.n}×${w.n} float32`;
  const what = w.kind === 'charrnn'
    ? `char-LM: embedding ${w.vocab}→${w.embed}, ${w.layers}-layer LSTM H=${w.H}, linear ${w.H}→${w.vocab}, softmax CE`
    : `${w.kind.toUpperCase()}${w.kind === 'rnn' ? ' (tanh)' : ''} ${w.layers} layer, I=${w.I} H=${w.H}`;
  const how = w.mode === 'train' ? 'forward + loss + backward + SGD step' : 'forward, no grad';
  return `${what}; B=${w.B} T=${w.T}; ${how}`;
}
