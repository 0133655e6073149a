// Turning sequences into batches: padding with lengths, bucketing by length, the
// contiguous-stream batches of language models (state carried between chunks),
// sliding windows over time series, seeded shuffles and splits.

import { ArgumentError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../util/rng.js';

function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ArgumentError(op, name, 'a positive integer', v);
  return v;
}

export interface PaddedBatch {
  /** int32 (T, B) time-major, or (B, T) with batchFirst. */
  tokens: Tensor;
  /** Length of each sequence (B). */
  lengths: Int32Array;
}

/** Pads token-id sequences to the longest one (or maxLength, truncating). */
export function padSequences(
  seqs: readonly ArrayLike<number>[],
  options: { padValue?: number; batchFirst?: boolean; maxLength?: number } = {},
): PaddedBatch {
  const op = 'padSequences';
  if (!Array.isArray(seqs) || seqs.length === 0) throw new ArgumentError(op, 'seqs', 'a non-empty array of sequences', seqs);
  const pad = options.padValue ?? 0;
  const B = seqs.length;
  const lengths = new Int32Array(B);
  seqs.forEach((s, b) => (lengths[b] = Math.min(s.length, options.maxLength ?? Infinity)));
  const T = Math.max(...lengths);
  const data = new Int32Array(T * B).fill(pad);
  seqs.forEach((s, b) => {
    for (let t = 0; t < (lengths[b] as number); t++) {
      const v = s[t] as number;
      if (!Number.isInteger(v)) throw new ArgumentError(op, `seqs[${b}][${t}]`, 'an integer token id', v);
      data[options.batchFirst ? b * T + t : t * B + b] = v;
    }
  });
  return { tokens: new Tensor(data, options.batchFirst ? [B, T] : [T, B]), lengths };
}

/**
 * Groups example indices into batches of similar length (less padding): shuffles, cuts
 * into pools of `poolSize` batches, sorts each pool by length, slices batches, and
 * shuffles the batch order. Deterministic for a given generator state.
 */
export function bucketBatches(
  lengths: ArrayLike<number>, batchSize: number,
  options: { shuffle?: boolean; generator?: Generator; poolSize?: number } = {},
): number[][] {
  positiveInt('bucketBatches', 'batchSize', batchSize);
  const g = options.generator ?? defaultGenerator;
  const idx = Array.from({ length: lengths.length }, (_, i) => i);
  const shuffle = options.shuffle ?? true;
  if (shuffle) g.shuffle(idx);
  const pool = batchSize * (options.poolSize ?? 50);
  const batches: number[][] = [];
  for (let p = 0; p < idx.length; p += pool) {
    const chunk = idx.slice(p, p + pool).sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
    for (let i = 0; i < chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize));
  }
  if (shuffle) g.shuffle(batches);
  return batches;
}

/**
 * Contiguous-stream batching for language models (as PyTorch's word_language_model):
 * the token stream is cut into `batchSize` equal streams laid side by side (T_total, B);
 * chunk i covers rows [i·bptt, i·bptt + bptt) as input and the next token as target, so
 * the recurrent state carries across consecutive chunks.
 */
export class StreamBatches {
  readonly data: Int32Array;
  readonly batchSize: number;
  readonly bptt: number;
  /** Rows of the (rows, batchSize) stream matrix. */
  readonly rows: number;

  constructor(ids: ArrayLike<number>, batchSize: number, bptt: number) {
    this.batchSize = positiveInt('StreamBatches', 'batchSize', batchSize);
    this.bptt = positiveInt('StreamBatches', 'bptt', bptt);
    this.rows = Math.floor(ids.length / batchSize);
    if (this.rows < 2) {
      throw new ArgumentError('StreamBatches', 'ids', `at least ${2 * batchSize} tokens for batchSize ${batchSize}`, `${ids.length} tokens`);
    }
    // data[r * B + b] = ids[b * rows + r]: column b is the b-th contiguous stream.
    this.data = new Int32Array(this.rows * batchSize);
    for (let b = 0; b < batchSize; b++) {
      for (let r = 0; r < this.rows; r++) this.data[r * batchSize + b] = ids[b * this.rows + r] as number;
    }
  }

  /** Number of chunks per pass over the data. */
  get length(): number {
    return Math.ceil((this.rows - 1) / this.bptt);
  }

  /** Chunk i: input and target, int32 (T, B) time-major, T ≤ bptt. */
  get(i: number): { input: Tensor; target: Tensor } {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new ArgumentError('StreamBatches.get', 'i', `an integer in [0, ${this.length})`, i);
    const start = i * this.bptt;
    const T = Math.min(this.bptt, this.rows - 1 - start);
    const B = this.batchSize;
    const input = this.data.slice(start * B, (start + T) * B);
    const target = this.data.slice((start + 1) * B, (start + 1 + T) * B);
    return { input: new Tensor(input, [T, B]), target: new Tensor(target, [T, B]) };
  }

  *[Symbol.iterator](): IterableIterator<{ input: Tensor; target: Tensor }> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

/**
 * Sliding windows over a multivariate series (N, F) (or a 1-D series): each example is
 * `window` consecutive steps as input and the following `horizon` steps as target.
 * Returns inputs (M, window, F) and targets (M, horizon, F), float32.
 */
export function slidingWindows(
  series: ArrayLike<number> | readonly ArrayLike<number>[],
  window: number, options: { horizon?: number; stride?: number } = {},
): { inputs: Tensor; targets: Tensor } {
  const op = 'slidingWindows';
  positiveInt(op, 'window', window);
  const horizon = positiveInt(op, 'horizon', options.horizon ?? 1);
  const stride = positiveInt(op, 'stride', options.stride ?? 1);
  const rows: ArrayLike<number>[] = typeof (series as ArrayLike<number>)[0] === 'number' || series.length === 0
    ? Array.from(series as ArrayLike<number>, (v) => [v])
    : Array.from(series as readonly ArrayLike<number>[]);
  const F = rows[0]?.length ?? 0;
  rows.forEach((r, i) => {
    if (r.length !== F) throw new ArgumentError(op, `series[${i}]`, `${F} features like series[0]`, `${r.length} features`);
  });
  const N = rows.length;
  if (N < window + horizon) throw new ArgumentError(op, 'series', `at least window + horizon = ${window + horizon} steps`, `${N} steps`);
  const M = Math.floor((N - window - horizon) / stride) + 1;
  const inputs = new Float32Array(M * window * F);
  const targets = new Float32Array(M * horizon * F);
  for (let m = 0; m < M; m++) {
    const s = m * stride;
    for (let t = 0; t < window; t++) for (let f = 0; f < F; f++) inputs[(m * window + t) * F + f] = rows[s + t]![f] as number;
    for (let t = 0; t < horizon; t++) for (let f = 0; f < F; f++) targets[(m * horizon + t) * F + f] = rows[s + window + t]![f] as number;
  }
  return { inputs: new Tensor(inputs, [M, window, F]), targets: new Tensor(targets, [M, horizon, F]) };
}

/**
 * Splits items by position into consecutive parts with the given fractions (e.g.
 * [0.9, 0.05, 0.05]); the last part takes the rounding remainder.
 */
export function splitByFraction<T extends { slice(start: number, end?: number): T; length: number }>(items: T, fractions: readonly number[]): T[] {
  const op = 'splitByFraction';
  const total = fractions.reduce((a, b) => a + b, 0);
  if (fractions.length === 0 || fractions.some((f) => !(f >= 0)) || Math.abs(total - 1) > 1e-9) {
    throw new ArgumentError(op, 'fractions', 'non-negative numbers summing to 1', fractions);
  }
  const out: T[] = [];
  let start = 0;
  fractions.forEach((f, i) => {
    const end = i === fractions.length - 1 ? items.length : start + Math.floor(f * items.length);
    out.push(items.slice(start, end));
    start = end;
  });
  return out;
}

/** A seeded random permutation of 0 … n−1. */
export function permutation(n: number, generator: Generator = defaultGenerator): number[] {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError('permutation', 'n', 'a non-negative integer', n);
  return generator.shuffle(Array.from({ length: n }, (_, i) => i));
}
