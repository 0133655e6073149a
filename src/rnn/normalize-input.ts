// Input normalisation shared by every recurrent layer (PyTorch repeats this block in
// RNN, LSTM and GRU; here it lives once): batched or unbatched input, batch-first or
// time-major layout, sequence lengths, and default or user-given initial states.

import { ArgumentError, ShapeError, formatShape } from '../errors.js';
import { Tensor, assertTensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { transpose, unsqueeze } from '../ops/index.js';

export interface NormalizedInput {
  /** Time-major input (T, B, I). */
  x: Tensor;
  T: number;
  B: number;
  /** Whether the caller passed a single unbatched sequence (T, I). */
  unbatched: boolean;
  /** Per-sequence lengths (B), or null when every sequence has length T. */
  lengths: Int32Array | null;
}

/**
 * Brings `input` to time-major (T, B, I) form and validates `lengths`.
 * Accepted input shapes: (T, B, I), or (B, T, I) with batchFirst, or unbatched (T, I).
 */
export function normalizeInput(
  layer: string,
  input: Tensor,
  inputSize: number,
  batchFirst: boolean,
  lengthsIn: readonly number[] | Int32Array | Tensor | null | undefined,
): NormalizedInput {
  assertTensor(layer, 'input', input);
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new ShapeError(layer, 'input', `rank 3 ${batchFirst ? '(batch, seq, feature)' : '(seq, batch, feature)'} or rank 2 (seq, feature)`, input.shape);
  }
  if (input.shape[input.ndim - 1] !== inputSize) {
    throw new ShapeError(layer, 'input', `last dimension equal to inputSize = ${inputSize}`, input.shape);
  }
  const unbatched = input.ndim === 2;
  const x = unbatched ? unsqueeze(input, 1) : batchFirst ? transpose(input, 0, 1) : input;
  if (x.dtype === 'int32') throw new ArgumentError(layer, 'input', 'a float32 or float64 tensor', 'an int32 tensor');
  const T = x.shape[0] as number;
  const B = x.shape[1] as number;

  let lengths: Int32Array | null = null;
  if (lengthsIn !== undefined && lengthsIn !== null) {
    const values = lengthsIn instanceof Tensor ? Array.from(lengthsIn.data) : Array.from(lengthsIn);
    if (values.length !== B) {
      throw new ArgumentError(layer, 'lengths', `${B} lengths, one per sequence of the batch (input shape ${formatShape(input.shape)})`, values);
    }
    lengths = new Int32Array(B);
    values.forEach((v, b) => {
      if (!Number.isInteger(v) || v < 0 || v > T) {
        throw new ArgumentError(layer, `lengths[${b}]`, `an integer in [0, ${T}] (the sequence length)`, v);
      }
      lengths![b] = v;
    });
    if (lengths.every((v) => v === T)) lengths = null;
  }
  return { x, T, B, unbatched, lengths };
}

/**
 * The initial state of shape (numLayers·D, B, size): the given one (validated) or zeros.
 * For unbatched input, the state is (numLayers·D, size) and gets a batch dimension here.
 */
export function normalizeState(
  layer: string,
  argument: string,
  state: Tensor | null | undefined,
  expected: readonly [number, number, number],
  unbatched: boolean,
  dtype: 'float32' | 'float64',
): Tensor {
  if (state === null || state === undefined) return zeros(expected, { dtype });
  assertTensor(layer, argument, state);
  const want = unbatched ? [expected[0], expected[2]] : expected;
  if (state.ndim !== want.length || state.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(layer, argument, want, state.shape);
  }
  if (state.dtype !== dtype) {
    throw new ArgumentError(layer, argument, `a ${dtype} tensor like the input`, `a ${state.dtype} tensor`);
  }
  return unbatched ? unsqueeze(state, 1) : state;
}
