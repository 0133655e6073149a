// Fused recurrent sequence ops: one layer, one direction of an Elman RNN, an LSTM or a
// GRU over a whole (time-major) batch of sequences, recorded as ONE autograd node whose
// backward is the hand-written BPTT of kernels/recurrent/*. Layers (src/rnn) stack and
// combine them; the composed cells (src/rnn/cell-functions.ts) are the reference semantics.
//
//   x (T, B, I) time-major; h0 (B, P); c0 (B, H) (LSTM only)
//   output (T, B, P): h_t for every step, 0 past a sequence's length
//   hN (B, P), cN (B, H): the state after each sequence's own last step (h0, c0 for length 0)
// P = H, except for an LSTM with projection wHR (P, H). Weights in PyTorch layout:
// wIH (G, I), wHH (G, P), bIH (G), bHH (G), G = gates·H (util/gates.ts).
// With `reverse`, each sequence is read backwards from its own last valid element; the
// output is returned in input time order and hN is the state after element 0.

import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { backendFor } from '../backend/registry.js';
import { record, willRecord } from '../autograd/engine.js';
import type { FloatArray } from '../util/arrays.js';
import { GRU_GATES, LSTM_GATES, RNN_NONLINEARITIES, type RnnNonlinearity } from '../util/gates.js';
import { Tensor, assertTensor, type FloatTensor } from '../tensor/tensor.js';
import { lstmBackward, lstmForward } from '../kernels/recurrent/lstm.js';
import { gruBackward, gruForward } from '../kernels/recurrent/gru.js';
import { rnnBackward, rnnForward } from '../kernels/recurrent/rnn.js';
import { zerosLike } from '../kernels/recurrent/common.js';

export interface SequenceOptions {
  /** Per-sequence lengths (B), each in [0, T]; null or omitted: every sequence has length T. */
  lengths?: Int32Array | readonly number[] | null;
  /** Process each sequence from its last valid element to its first (default false). */
  reverse?: boolean;
  /**
   * Called during backward with ∂L/∂h_t for every step: dh is (T, B, P) row-major, in
   * input time order, 0 past each sequence's length (vanishing-gradient diagnostics).
   */
  stepGrads?: (dh: FloatArray, T: number, B: number, P: number) => void;
}

type Dtype = 'float32' | 'float64';

function floatTensor(op: string, name: string, t: unknown, dtype: Dtype | null): FloatTensor {
  assertTensor(op, name, t);
  if (t.dtype === 'int32') throw new DTypeError(op, name, 'a float32 or float64 tensor', 'int32');
  if (dtype !== null && t.dtype !== dtype) throw new DTypeError(op, name, `${dtype} like 'x'`, t.dtype);
  return t as FloatTensor;
}

function optionalFloatTensor(op: string, name: string, t: unknown, dtype: Dtype): FloatTensor | null {
  return t === null || t === undefined ? null : floatTensor(op, name, t, dtype);
}

function expectShape(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new ShapeError(op, name, shape, t.shape);
}

function checkLengths(op: string, lengths: unknown, T: number, B: number): Int32Array | null {
  if (lengths === undefined || lengths === null) return null;
  if (!Array.isArray(lengths) && !(lengths instanceof Int32Array)) {
    throw new ArgumentError(op, 'lengths', `an array or Int32Array of ${B} lengths, or null`, lengths);
  }
  const arr = Array.from(lengths as ArrayLike<unknown>);
  if (arr.length !== B) throw new ArgumentError(op, 'lengths', `${B} lengths (one per sequence of the batch)`, lengths);
  const out = new Int32Array(B);
  arr.forEach((v, b) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > T) {
      throw new ArgumentError(op, `lengths[${b}]`, `an integer in [0, ${T}] (T = the length of 'x')`, v);
    }
    out[b] = v;
  });
  return out.every((v) => v === T) ? null : out;
}

function checkOptions(op: string, options: unknown): SequenceOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new ArgumentError(op, 'options', 'an object', options);
  const o = options as SequenceOptions;
  if (o.reverse !== undefined && typeof o.reverse !== 'boolean') throw new ArgumentError(op, 'options.reverse', 'a boolean', o.reverse);
  if (o.stepGrads !== undefined && typeof o.stepGrads !== 'function') {
    throw new ArgumentError(op, 'options.stepGrads', 'a function', o.stepGrads);
  }
  return o;
}

/**
 * The (T, B, F) rows as the kernel walks them: with `reverse`, each sequence flipped
 * within its own length (row (t, b) ← row (L_b − 1 − t, b)); rows past a length are 0.
 * Returns `src` itself when there is nothing to do. With `reverse` it is its own inverse
 * on the rows within each length.
 */
function kernelOrder(src: FloatArray, T: number, B: number, F: number, lengths: Int32Array | null, reverse: boolean): FloatArray {
  if (!reverse && lengths === null) return src;
  const dst = zerosLike(src, src.length);
  for (let b = 0; b < B; b++) {
    const L = lengths ? (lengths[b] as number) : T;
    for (let t = 0; t < L; t++) {
      const s = reverse ? L - 1 - t : t;
      dst.set(src.subarray((s * B + b) * F, (s * B + b + 1) * F), (t * B + b) * F);
    }
  }
  return dst;
}

/** Final state (B, F): the carried state after the last step, or the initial state if T = 0. */
function lastState(state: FloatArray, init: FloatArray, T: number, B: number, F: number): FloatArray {
  return T === 0 ? init.slice() : state.slice((T - 1) * B * F, T * B * F);
}

interface Prepared {
  op: string;
  x: FloatTensor;
  T: number;
  B: number;
  I: number;
  H: number;
  dtype: Dtype;
  lengths: Int32Array | null;
  reverse: boolean;
  options: SequenceOptions;
  wIH: FloatTensor;
  wHH: FloatTensor;
  bIH: FloatTensor | null;
  bHH: FloatTensor | null;
}

/** Validates x, the options and the input-side weights shared by the three ops. */
function prepare(
  op: string, gates: number, xIn: unknown, wIHIn: unknown, wHHIn: unknown, bIHIn: unknown, bHHIn: unknown, optionsIn: unknown,
): Prepared {
  const x = floatTensor(op, 'x', xIn, null);
  if (x.ndim !== 3) throw new ShapeError(op, 'x', 'rank 3 (seq, batch, feature)', x.shape);
  const [T, B, I] = x.shape as [number, number, number];
  const options = checkOptions(op, optionsIn);
  const lengths = checkLengths(op, options.lengths, T, B);
  const dtype = x.dtype;
  const wIH = floatTensor(op, 'wIH', wIHIn, dtype);
  const rows = wIH.shape[0] as number;
  if (wIH.ndim !== 2 || rows % gates !== 0 || rows === 0 || wIH.shape[1] !== I) {
    const what = gates === 1 ? 'hidden' : `${gates}·hidden`;
    throw new ShapeError(op, 'wIH', `shape [${what}, ${I}] (${I} = the features of 'x'), hidden ≥ 1`, wIH.shape);
  }
  const H = rows / gates;
  const wHH = floatTensor(op, 'wHH', wHHIn, dtype);
  const bIH = optionalFloatTensor(op, 'bIH', bIHIn, dtype);
  const bHH = optionalFloatTensor(op, 'bHH', bHHIn, dtype);
  if (bIH) expectShape(op, 'bIH', bIH, [gates * H]);
  if (bHH) expectShape(op, 'bHH', bHH, [gates * H]);
  return { op, x, T, B, I, H, dtype, lengths, reverse: options.reverse ?? false, options, wIH, wHH, bIH, bHH };
}

/** Keeps the entries whose tensor is present (matching `record`'s input list). */
function present<T>(items: readonly (T | null)[]): T[] {
  return items.filter((v): v is T => v !== null);
}

function zerosF(like: FloatTensor): FloatArray {
  return zerosLike(like.data, like.size);
}

/**
 * Output (T, B, P) in input time order from the carried kernel state: 0 past each length.
 * A copy when hState is saved for backward (the output may be changed in place later).
 */
function outputOf(p: Prepared, hState: FloatArray, P: number, saved: boolean): Tensor {
  const out = kernelOrder(hState, p.T, p.B, P, p.lengths, p.reverse);
  return new Tensor(out === hState && saved ? hState.slice() : out, [p.T, p.B, P]);
}

// Buffers the kernels need but nobody keeps when no graph is recorded (inference): the
// saved gates and cell states. Reused across calls, so a forward under noGrad allocates
// (and page-faults) only its outputs. One per (precision, role); grown when too small.
const scratch = new Map<string, FloatArray>();

/** A (T·B·F) buffer for a kernel: fresh when saved for backward, else a reused scratch (contents arbitrary). */
function stateBuffer(like: FloatArray, n: number, saved: boolean, role: string): FloatArray {
  if (saved) return zerosLike(like, n);
  const key = `${like instanceof Float64Array ? 'f64' : 'f32'}:${role}`;
  let buf = scratch.get(key);
  if (!buf || buf.length < n) {
    buf = zerosLike(like, n);
    scratch.set(key, buf);
  }
  return buf.length === n ? buf : buf.subarray(0, n);
}

/** Backward helpers shared by the three ops: gradients in and out of kernel order. */
function gradIn(p: Prepared, g: FloatTensor | null, P: number): FloatArray | null {
  return g ? kernelOrder(g.data, p.T, p.B, P, p.lengths, p.reverse) : null;
}

function reportSteps(p: Prepared, dhSteps: FloatArray | null, P: number): void {
  if (dhSteps && p.options.stepGrads) p.options.stepGrads(kernelOrder(dhSteps, p.T, p.B, P, p.lengths, p.reverse), p.T, p.B, P);
}

/** One direction of one LSTM layer (PyTorch nn.LSTM semantics, optional projection wHR (P, H)). */
export function lstmSequence(
  xIn: Tensor, h0In: Tensor, c0In: Tensor,
  wIHIn: Tensor, wHHIn: Tensor, bIHIn: Tensor | null, bHHIn: Tensor | null, wHRIn: Tensor | null,
  options: SequenceOptions = {},
): { output: Tensor; hN: Tensor; cN: Tensor } {
  const p = prepare('lstmSequence', LSTM_GATES.length, xIn, wIHIn, wHHIn, bIHIn, bHHIn, options);
  const { op, x, T, B, I, H, dtype, lengths, wIH, wHH, bIH, bHH } = p;
  const wHR = optionalFloatTensor(op, 'wHR', wHRIn, dtype);
  if (wHR && (wHR.ndim !== 2 || wHR.shape[1] !== H || (wHR.shape[0] as number) >= H || wHR.shape[0] === 0)) {
    throw new ShapeError(op, 'wHR', `shape [projSize, ${H}] with 0 < projSize < ${H} (hidden)`, wHR.shape);
  }
  const P = wHR ? (wHR.shape[0] as number) : H;
  const G = LSTM_GATES.length * H;
  expectShape(op, 'wHH', wHH, [G, P]);
  const h0 = floatTensor(op, 'h0', h0In, dtype);
  expectShape(op, 'h0', h0, [B, P]);
  const c0 = floatTensor(op, 'c0', c0In, dtype);
  expectShape(op, 'c0', c0, [B, H]);

  const k = backendFor(dtype);
  const xs = kernelOrder(x.data, T, B, I, lengths, p.reverse);
  const saved = willRecord([x, h0, c0, wIH, wHH, bIH, bHH, wHR]);
  const hState = zerosLike(x.data, T * B * P);                    // (T, B, P) saved
  const cState = stateBuffer(x.data, T * B * H, saved, 'cState'); // (T, B, H) saved
  const gates = stateBuffer(x.data, T * B * G, saved, 'gates');   // (T, B, G) saved
  lstmForward(k, hState, cState, gates, xs, h0.data, c0.data, wIH.data, wHH.data, bIH?.data ?? null, bHH?.data ?? null,
    wHR?.data ?? null, lengths, T, B, I, H, P, saved);
  const output = outputOf(p, hState, P, saved);
  const hN = new Tensor(lastState(hState, h0.data, T, B, P), [B, P]);
  const cN = new Tensor(lastState(cState, c0.data, T, B, H), [B, H]);

  record(op, [output, hN, cN], present<FloatTensor>([x, h0, c0, wIH, wHH, bIH, bHH, wHR]), ([gOut, gH, gC]) => {
    const dx = zerosF(x), dh0 = zerosF(h0), dc0 = zerosF(c0), dwIH = zerosF(wIH), dwHH = zerosF(wHH);
    const dbIH = bIH && zerosF(bIH), dbHH = bHH && zerosF(bHH), dwHR = wHR && zerosF(wHR);
    const dhSteps = p.options.stepGrads ? zerosLike(x.data, T * B * P) : null;
    lstmBackward(k, dx, dh0, dc0, dwIH, dwHH, dbIH, dbHH, dwHR, dhSteps, gradIn(p, gOut ?? null, P), gH?.data ?? null, gC?.data ?? null,
      hState, cState, gates, xs, h0.data, c0.data, wIH.data, wHH.data, wHR?.data ?? null, lengths, T, B, I, H, P);
    reportSteps(p, dhSteps, P);
    return present<Tensor>([
      new Tensor(kernelOrder(dx, T, B, I, lengths, p.reverse), x.shape), new Tensor(dh0, h0.shape), new Tensor(dc0, c0.shape),
      new Tensor(dwIH, wIH.shape), new Tensor(dwHH, wHH.shape),
      dbIH && new Tensor(dbIH, [G]), dbHH && new Tensor(dbHH, [G]), dwHR && new Tensor(dwHR, [P, H]),
    ]);
  });
  return { output, hN, cN };
}

/** One direction of one GRU layer (PyTorch nn.GRU: the reset gate multiplies W_hn h + b_hn). */
export function gruSequence(
  xIn: Tensor, h0In: Tensor,
  wIHIn: Tensor, wHHIn: Tensor, bIHIn: Tensor | null, bHHIn: Tensor | null,
  options: SequenceOptions = {},
): { output: Tensor; hN: Tensor } {
  const p = prepare('gruSequence', GRU_GATES.length, xIn, wIHIn, wHHIn, bIHIn, bHHIn, options);
  const { op, x, T, B, I, H, dtype, lengths, wIH, wHH, bIH, bHH } = p;
  const G = GRU_GATES.length * H;
  expectShape(op, 'wHH', wHH, [G, H]);
  const h0 = floatTensor(op, 'h0', h0In, dtype);
  expectShape(op, 'h0', h0, [B, H]);

  const k = backendFor(dtype);
  const xs = kernelOrder(x.data, T, B, I, lengths, p.reverse);
  const saved = willRecord([x, h0, wIH, wHH, bIH, bHH]);
  const hState = zerosLike(x.data, T * B * H);                  // (T, B, H) saved
  const gates = stateBuffer(x.data, T * B * G, saved, 'gates'); // (T, B, G) saved
  const ghn = stateBuffer(x.data, T * B * H, saved, 'ghn');     // (T, B, H) saved
  gruForward(k, hState, gates, ghn, xs, h0.data, wIH.data, wHH.data, bIH?.data ?? null, bHH?.data ?? null, lengths, T, B, I, H);
  const output = outputOf(p, hState, H, saved);
  const hN = new Tensor(lastState(hState, h0.data, T, B, H), [B, H]);

  record(op, [output, hN], present<FloatTensor>([x, h0, wIH, wHH, bIH, bHH]), ([gOut, gH]) => {
    const dx = zerosF(x), dh0 = zerosF(h0), dwIH = zerosF(wIH), dwHH = zerosF(wHH);
    const dbIH = bIH && zerosF(bIH), dbHH = bHH && zerosF(bHH);
    const dhSteps = p.options.stepGrads ? zerosLike(x.data, T * B * H) : null;
    gruBackward(k, dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, gradIn(p, gOut ?? null, H), gH?.data ?? null,
      hState, gates, ghn, xs, h0.data, wIH.data, wHH.data, lengths, T, B, I, H);
    reportSteps(p, dhSteps, H);
    return present<Tensor>([
      new Tensor(kernelOrder(dx, T, B, I, lengths, p.reverse), x.shape), new Tensor(dh0, h0.shape),
      new Tensor(dwIH, wIH.shape), new Tensor(dwHH, wHH.shape),
      dbIH && new Tensor(dbIH, [G]), dbHH && new Tensor(dbHH, [G]),
    ]);
  });
  return { output, hN };
}

/** One direction of one Elman RNN layer, φ = tanh or relu (PyTorch nn.RNN semantics). */
export function rnnSequence(
  xIn: Tensor, h0In: Tensor,
  wIHIn: Tensor, wHHIn: Tensor, bIHIn: Tensor | null, bHHIn: Tensor | null,
  nonlinearity: RnnNonlinearity = 'tanh',
  options: SequenceOptions = {},
): { output: Tensor; hN: Tensor } {
  const op = 'rnnSequence';
  if (!RNN_NONLINEARITIES.includes(nonlinearity)) {
    throw new ArgumentError(op, 'nonlinearity', RNN_NONLINEARITIES.map((s) => `'${s}'`).join(' or '), nonlinearity);
  }
  const p = prepare(op, 1, xIn, wIHIn, wHHIn, bIHIn, bHHIn, options);
  const { x, T, B, I, H, dtype, lengths, wIH, wHH, bIH, bHH } = p;
  expectShape(op, 'wHH', wHH, [H, H]);
  const h0 = floatTensor(op, 'h0', h0In, dtype);
  expectShape(op, 'h0', h0, [B, H]);

  const k = backendFor(dtype);
  const xs = kernelOrder(x.data, T, B, I, lengths, p.reverse);
  const saved = willRecord([x, h0, wIH, wHH, bIH, bHH]);
  const hState = zerosLike(x.data, T * B * H); // (T, B, H) saved
  rnnForward(k, hState, xs, h0.data, wIH.data, wHH.data, bIH?.data ?? null, bHH?.data ?? null, nonlinearity, lengths, T, B, I, H);
  const output = outputOf(p, hState, H, saved);
  const hN = new Tensor(lastState(hState, h0.data, T, B, H), [B, H]);

  record(op, [output, hN], present<FloatTensor>([x, h0, wIH, wHH, bIH, bHH]), ([gOut, gH]) => {
    const dx = zerosF(x), dh0 = zerosF(h0), dwIH = zerosF(wIH), dwHH = zerosF(wHH);
    const dbIH = bIH && zerosF(bIH), dbHH = bHH && zerosF(bHH);
    const dhSteps = p.options.stepGrads ? zerosLike(x.data, T * B * H) : null;
    rnnBackward(k, dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, gradIn(p, gOut ?? null, H), gH?.data ?? null,
      hState, xs, h0.data, wIH.data, wHH.data, nonlinearity, lengths, T, B, I, H);
    reportSteps(p, dhSteps, H);
    return present<Tensor>([
      new Tensor(kernelOrder(dx, T, B, I, lengths, p.reverse), x.shape), new Tensor(dh0, h0.shape),
      new Tensor(dwIH, wIH.shape), new Tensor(dwHH, wHH.shape),
      dbIH && new Tensor(dbIH, [H]), dbHH && new Tensor(dbHH, [H]),
    ]);
  });
  return { output, hN };
}
