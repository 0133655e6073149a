// Sequence helpers for the output patterns: the output at each sequence's last valid
// step (many-to-one), masks from lengths (many-to-many with padding), masked mean pooling.

import { ArgumentError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { indexSelect } from './index-select.js';
import { reshape, unsqueeze } from './shape.js';
import { mul, div } from './binary.js';
import { sum } from './reduce.js';

export interface SequenceLayout {
  /** Output is (B, T, …) rather than the default time-major (T, B, …). */
  batchFirst?: boolean;
}

/** Validates lengths against a batch B and sequence length T; returns them as integers. */
export function lengthsArg(op: string, lengthsIn: readonly number[] | Int32Array | Tensor, B: number, T: number): Int32Array {
  const values = lengthsIn instanceof Tensor ? Array.from(lengthsIn.data) : Array.from(lengthsIn as ArrayLike<number>);
  if (values.length !== B) throw new ArgumentError(op, 'lengths', `${B} lengths, one per sequence of the batch`, values);
  const out = new Int32Array(B);
  values.forEach((v, b) => {
    if (!Number.isInteger(v) || v < 1 || v > T) throw new ArgumentError(op, `lengths[${b}]`, `an integer in [1, ${T}]`, v);
    out[b] = v;
  });
  return out;
}

function layout(op: string, x: Tensor, batchFirst: boolean): { T: number; B: number; feat: number[] } {
  if (x.ndim < 2) throw new ShapeError(op, 'output', batchFirst ? '(B, T, …)' : '(T, B, …)', x.shape);
  const T = x.shape[batchFirst ? 1 : 0] as number;
  const B = x.shape[batchFirst ? 0 : 1] as number;
  return { T, B, feat: x.shape.slice(2) };
}

/**
 * The output at each sequence's last valid step: (T, B, …) → (B, …). Without lengths,
 * the last step T − 1. Differentiable (the gradient flows to the selected steps only).
 */
export function lastStep(output: Tensor, lengths?: readonly number[] | Int32Array | Tensor | null, options: SequenceLayout = {}): Tensor {
  const op = 'lastStep';
  const bf = options.batchFirst ?? false;
  const { T, B, feat } = layout(op, output, bf);
  const len = lengths == null ? new Int32Array(B).fill(T) : lengthsArg(op, lengths, B, T);
  const rows = new Int32Array(B);
  for (let b = 0; b < B; b++) rows[b] = bf ? b * T + (len[b] as number) - 1 : ((len[b] as number) - 1) * B + b;
  const flat = reshape(output, [T * B, ...feat]);
  return indexSelect(flat, 0, rows);
}

/** A (T, B) (or (B, T) with batchFirst) mask of ones at valid steps and zeros past each length. */
export function sequenceMask(lengths: readonly number[] | Int32Array | Tensor, T: number, options: SequenceLayout & { dtype?: 'float32' | 'float64' } = {}): Tensor {
  const op = 'sequenceMask';
  if (!Number.isInteger(T) || T < 1) throw new ArgumentError(op, 'T', 'a positive integer', T);
  const n = lengths instanceof Tensor ? lengths.size : (lengths as ArrayLike<number>).length;
  const len = lengthsArg(op, lengths, n, T);
  const B = len.length;
  const bf = options.batchFirst ?? false;
  const data = options.dtype === 'float64' ? new Float64Array(T * B) : new Float32Array(T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < (len[b] as number); t++) data[bf ? b * T + t : t * B + b] = 1;
  return new Tensor(data, bf ? [B, T] : [T, B]);
}

/** Mean of the outputs over each sequence's valid steps: (T, B, …) → (B, …). Differentiable. */
export function maskedMeanOverTime(output: Tensor, lengths?: readonly number[] | Int32Array | Tensor | null, options: SequenceLayout = {}): Tensor {
  const op = 'maskedMeanOverTime';
  const bf = options.batchFirst ?? false;
  const { T, B, feat } = layout(op, output, bf);
  const len = lengths == null ? new Int32Array(B).fill(T) : lengthsArg(op, lengths, B, T);
  let mask = sequenceMask(len, T, { batchFirst: bf, dtype: output.dtype === 'float64' ? 'float64' : 'float32' });
  for (let i = 0; i < feat.length; i++) mask = unsqueeze(mask, -1);
  const total = sum(mul(output, mask), bf ? 1 : 0);
  const counts = new Tensor(output.dtype === 'float64' ? Float64Array.from(len) : Float32Array.from(len), [B, ...feat.map(() => 1)]);
  return div(total, counts);
}
