// Fused recurrent sequence ops: one layer, one direction of an Elman RNN, an LSTM or a
// GRU over a whole (time-major) sequence batch, as ONE autograd node whose backward is
// the hand-written BPTT of kernels/recurrent/*. Layers (src/rnn) stack and combine them.
//
//   x (T, B, I) time-major; h0 (B, P); c0 (B, H) (LSTM)
//   output (T, B, P): h_t for every step, 0 past a sequence's length
//   hN (B, P), cN (B, H): state after each sequence's own last step
// With `reverse`, each sequence is read backwards from its own last valid element; the
// output is returned in input time order.

import { ArgumentError, DTypeError, ShapeError, formatShape } from '../errors.js';
import { backendFor } from '../backend/registry.js';
import { record } from '../autograd/engine.js';
import type { FloatArray } from '../util/arrays.js';
import { Tensor, assertTensor, type FloatTensor } from '../tensor/tensor.js';
import { lstmBackward, lstmForward } from '../kernels/recurrent/lstm.js';
import { gruBackward, gruForward } from '../kernels/recurrent/gru.js';
import { rnnBackward, rnnForward } from '../kernels/recurrent/rnn.js';
import { zerosLike } from '../kernels/recurrent/common.js';

export interface SequenceOptions {
  /** Per-sequence lengths (B); null or omitted: every sequence has length T. */
  lengths?: Int32Array | readonly number[] | null;
  /** Process each sequence from its last valid element to its first. */
  reverse?: boolean;
  /**
   * Called during backward with ∂L/∂h_t for every step, (T, B, P) in input time order
   * (vanishing/exploding-gradient diagnostics).
   */
  stepGrads?: (dh: FloatArray) => void;
}

type Dtype = 'float32' | 'float64';

function floatTensor(op: string, name: string, t: unknown, dtype: Dtype | null): FloatTensor {
  assertTensor(op, name, t);
  if (t.dtype === 'int32') throw new DTypeError(op, name, 'a float32 or float64 tensor', 'int32');
  if (dtype !== null && t.dtype !== dtype) throw new DTypeError(op, name, `${dtype} like 'x'`, t.dtype);
  return t as FloatTensor;
}

function expectShape(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new ShapeError(op, name, shape, t.shape);
}

function checkLengths(op: string, lengths: SequenceOptions['lengths'], T: number, B: number): Int32Array | null {
  if (lengths === undefined || lengths === null) return null;
  const arr = Array.from(lengths as ArrayLike<number>);
  if (arr.length !== B) throw new ArgumentError(op, 'lengths', `${B} lengths (one per sequence of the batch)`, arr);
  const out = new Int32Array(B);
  arr.forEach((v, b) => {
    if (!Number.isInteger(v) || v < 0 || v > T) throw new ArgumentError(op, `lengths[${b}]`, `an integer in [0, ${T}]`, v);
    out[b] = v;
  });
  return out.every((v) => v === T) ? null : out;
}

/**
 * Reverses each sequence within its own length: row (t, b) ← row (L_b − 1 − t, b) for
 * t < L_b; rows past the length are copied unchanged. Its own inverse.
 */
function flipTime(src: FloatArray, T: number, B: number, F: number, lengths: Int32Array | null): FloatArray {
  const dst = zerosLike(src, src.length);
  for (let b = 0; b < B; b++) {
    const L = lengths ? (lengths[b] as number) : T;
    for (let t = 0; t < T; t++) {
      const s = t < L ? L - 1 - t : t;
      dst.set(src.subarray((s * B + b) * F, (s * B + b + 1) * F), (t * B + b) * F);
    }
  }
  return dst;
}

/** Output sequence from the carried state: zero past each length, flipped back if reversed. */
function outputFromState(state: FloatArray, T: number, B: number, F: number, lengths: Int32Array | null, reverse: boolean): FloatArray {
  const out = reverse ? flipTime(state, T, B, F, lengths) : state.slice();
  if (lengths) {
    for (let b = 0; b < B; b++) {
      for (let t = lengths[b] as number; t < T; t++) out.fill(0, (t * B + b) * F, (t * B + b + 1) * F);
    }
  }
  return out;
}

/** Final state (B, F): the carried state after the last step, or the initial state if T = 0. */
function lastState(state: FloatArray, init: FloatArray, T: number, B: number, F: number): FloatArray {
  return T === 0 ? init.slice() : state.slice((T - 1) * B * F, T * B * F);
}

interface Common {
  op: string;
  x: FloatTensor;
  T: number;
  B: number;
  I: number;
  dtype: Dtype;
  lengths: Int32Array | null;
  reverse: boolean;
}

function common(op: string, xIn: Tensor, options: SequenceOptions): Common {
  const x = floatTensor(op, 'x', xIn, null);
  if (x.ndim !== 3) throw new ShapeError(op, 'x', 'rank 3 (seq, batch, feature)', x.shape);
  const [T, B, I] = x.shape as [number, number, number];
  return { op, x, T, B, I, dtype: x.dtype, lengths: checkLengths(op, options.lengths, T, B), reverse: options.reverse ?? false };
}

function weights(
  c: Common, gates: number, wIHIn: Tensor, wHHIn: Tensor, bIHIn: Tensor | null, bHHIn: Tensor | null,
): { wIH: FloatTensor; wHH: FloatTensor; bIH: FloatTensor | null; bHH: FloatTensor | null; H: number } {
  const wIH = floatTensor(c.op, 'wIH', wIHIn, c.dtype);
  if (wIH.ndim !== 2 || (wIH.shape[0] as number) % gates !== 0 || (wIH.shape[0] as number) === 0) {
    throw new ShapeError(c.op, 'wIH', `shape [${gates}·hidden, ${c.I}]`, wIH.shape);
  }
  if (wIH.shape[1] !== c.I) {
    throw new ShapeError(c.op, 'wIH', `shape [${wIH.shape[0]}, ${c.I}] (columns = the input features of 'x' ${formatShape(c.x.shape)})`, wIH.shape);
  }
  const H = (wIH.shape[0] as number) / gates;
  const wHH = floatTensor(c.op, 'wHH', wHHIn, c.dtype);
  const bIH = bIHIn === null ? null : floatTensor(c.op, 'bIH', bIHIn, c.dtype);
  const bHH = bHHIn === null ? null : floatTensor(c.op, 'bHH', bHHIn, c.dtype);
  if (bIH) expectShape(c.op, 'bIH', bIH, [gates * H]);
  if (bHH) expectShape(c.op, 'bHH', bHH, [gates * H]);
  return { wIH, wHH, bIH, bHH, H };
}

/** Gradients for the listed inputs, null entries dropped as in `record`'s input list. */
function present<T>(items: readonly (T | null)[]): T[] {
  return items.filter((v): v is T => v !== null);
}

function zerosF(like: FloatTensor): FloatArray {
  return zerosLike(like.data, like.size);
}

/** One direction of one LSTM layer (PyTorch semantics, optional projection wHR (P, H)). */
export function lstmSequence(
  xIn: Tensor, h0In: Tensor, c0In: Tensor,
  wIHIn: Tensor, wHHIn: Tensor, bIHIn: Tensor | null, bHHIn: Tensor | null, wHRIn: Tensor | null,
  options: SequenceOptions = {},
): { output: Tensor; hN: Tensor; cN: Tensor } {
  const c = common('lstmSequence', xIn, options);
  const { op, x, T, B, I, dtype, lengths, reverse } = c;
  const { wIH, wHH, bIH, bHH, H } = weights(c, 4, wIHIn, wHHIn, bIHIn, bHHIn);
  const wHR = wHRIn === null ? null : floatTensor(op, 'wHR', wHRIn, dtype);
  if (wHR && (wHR.ndim !== 2 || wHR.shape[1] !== H || (wHR.shape[0] as number) >= H || wHR.shape[0] === 0)) {
    throw new ShapeError(op, 'wHR', `shape [projSize, ${H}] with 0 < projSize < ${H}`, wHR.shape);
  }
  const P = wHR ? (wHR.shape[0] as number) : H;
  expectShape(op, 'wHH', wHH, [4 * H, P]);
  const h0 = floatTensor(op, 'h0', h0In, dtype);
  const c0 = floatTensor(op, 'c0', c0In, dtype);
  expectShape(op, 'h0', h0, [B, P]);
  expectShape(op, 'c0', c0, [B, H]);

  const k = backendFor(dtype);
  const xs = reverse ? flipTime(x.data, T, B, I, lengths) : x.data;
  const hState = zerosLike(x.data, T * B * P);
  const cState = zerosLike(x.data, T * B * H);
  const gates = zerosLike(x.data, T * B * 4 * H);
  lstmForward(k, hState, cState, gates, xs, h0.data, c0.data, wIH.data, wHH.data, bIH?.data ?? null, bHH?.data ?? null, wHR?.data ?? null, lengths, T, B, I, H, P);
  const output = new Tensor(outputFromState(hState, T, B, P, lengths, reverse), [T, B, P]);
  const hN = new Tensor(lastState(hState, h0.data, T, B, P), [B, P]);
  const cN = new Tensor(lastState(cState, c0.data, T, B, H), [B, H]);

  const inputs = present<FloatTensor>([x, h0, c0, wIH, wHH, bIH, bHH, wHR]);
  record(op, [output, hN, cN], inputs, ([gOut, gH, gC]) => {
    const dx = zerosF(x), dh0 = zerosF(h0), dc0 = zerosF(c0);
    const dwIH = zerosF(wIH), dwHH = zerosF(wHH);
    const dbIH = bIH ? zerosF(bIH) : null, dbHH = bHH ? zerosF(bHH) : null, dwHR = wHR ? zerosF(wHR) : null;
    const dhOut = gOut ? (reverse ? flipTime(gOut.data, T, B, P, lengths) : gOut.data) : null;
    const dhSteps = options.stepGrads ? zerosLike(x.data, T * B * P) : null;
    lstmBackward(k, dx, dh0, dc0, dwIH, dwHH, dbIH, dbHH, dwHR, dhSteps, dhOut, gH?.data ?? null, gC?.data ?? null,
      hState, cState, gates, xs, h0.data, c0.data, wIH.data, wHH.data, wHR?.data ?? null, lengths, T, B, I, H, P);
    if (dhSteps) options.stepGrads?.(reverse ? flipTime(dhSteps, T, B, P, lengths) : dhSteps);
    const dxIn = reverse ? flipTime(dx, T, B, I, lengths) : dx;
    return present<Tensor>([
      new Tensor(dxIn, x.shape), new Tensor(dh0, h0.shape), new Tensor(dc0, c0.shape),
      new Tensor(dwIH, wIH.shape), new Tensor(dwHH, wHH.shape),
      dbIH && new Tensor(dbIH, [4 * H]), dbHH && new Tensor(dbHH, [4 * H]), dwHR && new Tensor(dwHR, (wHR as Tensor).shape),
    ]);
  });
  return { output, hN, cN };
}

/** One direction of one GRU layer (PyTorch semantics: reset applied after the recurrent matmul). */
export function gruSequence(
  xIn: Tensor, h0In: Tensor,
  wIHIn: Tensor, wHHIn: Tensor, bIHIn: Tensor | null, bHHIn: Tensor | null,
  options: SequenceOptions = {},
): { output: Tensor; hN: Tensor } {
  const c = common('gruSequence', xIn, options);
  const { op, x, T, B, I, dtype, lengths, reverse } = c;
  const { wIH, wHH, bIH, bHH, H } = weights(c, 3, wIHIn, wHHIn, bIHIn, bHHIn);
  expectShape(op, 'wHH', wHH, [3 * H, H]);
  const h0 = floatTensor(op, 'h0', h0In, dtype);
  expectShape(op, 'h0', h0, [B, H]);

  const k = backendFor(dtype);
  const xs = reverse ? flipTime(x.data, T, B, I, lengths) : x.data;
  const hState = zerosLike(x.data, T * B * H);
  const gates = zerosLike(x.data, T * B * 3 * H);
  const ghn = zerosLike(x.data, T * B * H);
  gruForward(k, hState, gates, ghn, xs, h0.data, wIH.data, wHH.data, bIH?.data ?? null, bHH?.data ?? null, lengths, T, B, I, H);
  const output = new Tensor(outputFromState(hState, T, B, H, lengths, reverse), [T, B, H]);
  const hN = new Tensor(lastState(hState, h0.data, T, B, H), [B, H]);

  const inputs = present<FloatTensor>([x, h0, wIH, wHH, bIH, bHH]);
  record(op, [output, hN], inputs, ([gOut, gH]) => {
    const dx = zerosF(x), dh0 = zerosF(h0), dwIH = zerosF(wIH), dwHH = zerosF(wHH);
    const dbIH = bIH ? zerosF(bIH) : null, dbHH = bHH ? zerosF(bHH) : null;
    const dhOut = gOut ? (reverse ? flipTime(gOut.data, T, B, H, lengths) : gOut.data) : null;
    const dhSteps = options.stepGrads ? zerosLike(x.data, T * B * H) : null;
    gruBackward(k, dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, dhOut, gH?.data ?? null,
      hState, gates, ghn, xs, h0.data, wIH.data, wHH.data, lengths, T, B, I, H);
    if (dhSteps) options.stepGrads?.(reverse ? flipTime(dhSteps, T, B, H, lengths) : dhSteps);
    return present<Tensor>([
      new Tensor(reverse ? flipTime(dx, T, B, I, lengths) : dx, x.shape), new Tensor(dh0, h0.shape),
      new Tensor(dwIH, wIH.shape), new Tensor(dwHH, wHH.shape),
      dbIH && new Tensor(dbIH, [3 * H]), dbHH && new Tensor(dbHH, [3 * H]),
    ]);
  });
  return { output, hN };
}

/** One direction of one Elman RNN layer, φ = tanh or relu (PyTorch nn.RNN semantics). */
export function rnnSequence(
  xIn: Tensor, h0In: Tensor,
  wIHIn: Tensor, wHHIn: Tensor, bIHIn: Tensor | null, bHHIn: Tensor | null,
  nonlinearity: 'tanh' | 'relu' = 'tanh',
  options: SequenceOptions = {},
): { output: Tensor; hN: Tensor } {
  const c = common('rnnSequence', xIn, options);
  const { op, x, T, B, I, dtype, lengths, reverse } = c;
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new ArgumentError(op, 'nonlinearity', "'tanh' or 'relu'", nonlinearity);
  const relu = nonlinearity === 'relu';
  const { wIH, wHH, bIH, bHH, H } = weights(c, 1, wIHIn, wHHIn, bIHIn, bHHIn);
  expectShape(op, 'wHH', wHH, [H, H]);
  const h0 = floatTensor(op, 'h0', h0In, dtype);
  expectShape(op, 'h0', h0, [B, H]);

  const k = backendFor(dtype);
  const xs = reverse ? flipTime(x.data, T, B, I, lengths) : x.data;
  const hState = zerosLike(x.data, T * B * H);
  rnnForward(k, hState, xs, h0.data, wIH.data, wHH.data, bIH?.data ?? null, bHH?.data ?? null, relu, lengths, T, B, I, H);
  const output = new Tensor(outputFromState(hState, T, B, H, lengths, reverse), [T, B, H]);
  const hN = new Tensor(lastState(hState, h0.data, T, B, H), [B, H]);

  const inputs = present<FloatTensor>([x, h0, wIH, wHH, bIH, bHH]);
  record(op, [output, hN], inputs, ([gOut, gH]) => {
    const dx = zerosF(x), dh0 = zerosF(h0), dwIH = zerosF(wIH), dwHH = zerosF(wHH);
    const dbIH = bIH ? zerosF(bIH) : null, dbHH = bHH ? zerosF(bHH) : null;
    const dhOut = gOut ? (reverse ? flipTime(gOut.data, T, B, H, lengths) : gOut.data) : null;
    const dhSteps = options.stepGrads ? zerosLike(x.data, T * B * H) : null;
    rnnBackward(k, dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, dhOut, gH?.data ?? null,
      hState, xs, h0.data, wIH.data, wHH.data, relu, lengths, T, B, I, H);
    if (dhSteps) options.stepGrads?.(reverse ? flipTime(dhSteps, T, B, H, lengths) : dhSteps);
    return present<Tensor>([
      new Tensor(reverse ? flipTime(dx, T, B, I, lengths) : dx, x.shape), new Tensor(dh0, h0.shape),
      new Tensor(dwIH, wIH.shape), new Tensor(dwHH, wHH.shape),
      dbIH && new Tensor(dbIH, [H]), dbHH && new Tensor(dbHH, [H]),
    ]);
  });
  return { output, hN };
}
