// Joining and cutting tensors along a dimension: cat, stack, split, chunk, slice,
// narrow. Each piece is a block copy over the (outer, n, inner) view of the axis.

import { ArgumentError, ShapeError, formatShape } from '../errors.js';
import { backendFor } from '../backend/registry.js';
import { record, record1 } from '../autograd/engine.js';
import { axisSplit, normalizeAxis, stridesOf } from '../util/shape.js';
import { Tensor, arrayFor, assertTensor, type FloatTensor } from '../tensor/tensor.js';
import type { TypedArray } from '../util/arrays.js';
import { emptyFloat } from './util.js';
import { unsqueeze } from './shape.js';

/** Copies x (outer, n, inner) into out (outer, N, inner) at offset `at` along the axis. */
function placeBlock(out: TypedArray, x: TypedArray, outer: number, n: number, N: number, inner: number, at: number): void {
  const row = n * inner;
  for (let o = 0; o < outer; o++) {
    const src = o * row;
    const dst = (o * N + at) * inner;
    for (let i = 0; i < row; i++) out[dst + i] = x[src + i] as number;
  }
}

/** Concatenates tensors along an existing dimension `dim` (default 0). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const op = 'cat';
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ArgumentError(op, 'tensors', 'a non-empty array of tensors', tensors);
  tensors.forEach((t, i) => assertTensor(op, `tensors[${i}]`, t));
  const first = tensors[0] as Tensor;
  if (first.ndim === 0) throw new ShapeError(op, 'tensors[0]', 'at least 1 dimension', first.shape);
  const axis = normalizeAxis(op, dim, first.ndim);
  let N = 0;
  tensors.forEach((t, i) => {
    if (t.dtype !== first.dtype) throw new ArgumentError(op, `tensors[${i}]`, `dtype ${first.dtype} like tensors[0]`, t.dtype);
    if (t.ndim !== first.ndim || t.shape.some((d: number, k: number) => k !== axis && d !== first.shape[k])) {
      const want = first.shape.map((d, k) => (k === axis ? '*' : String(d)));
      throw new ShapeError(op, `tensors[${i}]`, `shape [${want.join(', ')}] (like tensors[0] except in dim ${axis})`, t.shape);
    }
    N += t.shape[axis] as number;
  });
  const shape = first.shape.slice();
  shape[axis] = N;
  const out = new Tensor(arrayFor(first.dtype, shape.reduce((a, b) => a * b, 1)), shape);
  const [outer, , inner] = axisSplit(shape, axis);
  let at = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(at);
    placeBlock(out.data, t.data, outer, t.shape[axis] as number, N, inner, at);
    at += t.shape[axis] as number;
  }
  record1(op, out, tensors, (g) =>
    tensors.map((t, i) => (t.requiresGrad ? narrowCopy(g, axis, offsets[i] as number, t.shape[axis] as number) : null)),
  );
  return out;
}

/** Stacks tensors of equal shape along a new dimension `dim` (default 0). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const op = 'stack';
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ArgumentError(op, 'tensors', 'a non-empty array of tensors', tensors);
  tensors.forEach((t, i) => {
    assertTensor(op, `tensors[${i}]`, t);
    const f = tensors[0] as Tensor;
    if (t.ndim !== f.ndim || t.shape.some((d, k) => d !== f.shape[k])) {
      throw new ShapeError(op, `tensors[${i}]`, `shape ${formatShape(f.shape)} like tensors[0]`, t.shape);
    }
  });
  const axis = normalizeAxis(op, dim, (tensors[0] as Tensor).ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, axis)), axis);
}

/** A contiguous copy of x[..., start : start+length, ...] along `axis` (no recording). */
function narrowCopy(x: FloatTensor, axis: number, start: number, length: number): FloatTensor {
  const shape = x.shape.slice();
  shape[axis] = length;
  const out = emptyFloat(shape, x.dtype);
  const strides = stridesOf(x.shape);
  backendFor(x.dtype).copyStrided(out.data, x.data, start * (strides[axis] as number), strides, shape);
  return out;
}

/**
 * Splits x along `dim` into pieces: `sizes` as a number is the size of every piece
 * (the last may be smaller, as torch.split); as an array it lists the piece sizes,
 * which must add up to x.shape[dim]. One graph node with several outputs.
 */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  const op = 'split';
  assertTensor(op, 'x', x);
  if (x.ndim === 0) throw new ShapeError(op, 'x', 'at least 1 dimension', x.shape);
  const axis = normalizeAxis(op, dim, x.ndim);
  const n = x.shape[axis] as number;
  let pieces: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new ArgumentError(op, 'sizes', 'a positive integer or an array of sizes', sizes);
    pieces = [];
    for (let s = 0; s < n; s += sizes) pieces.push(Math.min(sizes, n - s));
    if (pieces.length === 0) pieces.push(0);
  } else {
    if (!Array.isArray(sizes) || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new ArgumentError(op, 'sizes', 'an array of non-negative integers', sizes);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) throw new ArgumentError(op, 'sizes', `sizes adding up to ${n} (dimension ${axis} of ${formatShape(x.shape)})`, sizes);
    pieces = sizes.slice();
  }
  const strides = stridesOf(x.shape);
  const outs: Tensor[] = [];
  const starts: number[] = [];
  let at = 0;
  for (const len of pieces) {
    const shape = x.shape.slice();
    shape[axis] = len;
    const out = new Tensor(arrayFor(x.dtype, shape.reduce((a, b) => a * b, 1)), shape);
    backendFor(x.dtype).copyStrided(out.data, x.data, at * (strides[axis] as number), strides, shape);
    outs.push(out);
    starts.push(at);
    at += len;
  }
  record(op, outs, [x], (grads) => {
    const dx = emptyFloat(x.shape, x.dtype as 'float32' | 'float64');
    const [outer, N, inner] = axisSplit(x.shape, axis);
    grads.forEach((g, i) => {
      if (g) placeBlock(dx.data, g.data, outer, pieces[i] as number, N, inner, starts[i] as number);
    });
    return [dx];
  });
  return outs;
}

/** Splits x into `chunks` pieces of equal size along `dim` (the last may be smaller), as torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  assertTensor('chunk', 'x', x);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ArgumentError('chunk', 'chunks', 'a positive integer', chunks);
  const axis = normalizeAxis('chunk', dim, x.ndim);
  const n = x.shape[axis] as number;
  return split(x, Math.max(1, Math.ceil(n / chunks)), axis);
}

/** Unbinds x along `dim` into its slices (each without that dimension). */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  assertTensor('unbind', 'x', x);
  const axis = normalizeAxis('unbind', dim, x.ndim);
  const shape = x.shape.filter((_, k) => k !== axis);
  return split(x, 1, axis).map((t) => reshapeNoCheck(t, shape));
}

function reshapeNoCheck(t: Tensor, shape: readonly number[]): Tensor {
  const out = new Tensor(t.data, shape);
  record1('reshape', out, [t], (g) => [new Tensor(g.data, t.shape)]);
  return out;
}

/**
 * x[start : end : step] along `dim`, with Python's rules for negative and out-of-range
 * bounds (clamped). step ≥ 1.
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const op = 'slice';
  assertTensor(op, 'x', x);
  if (x.ndim === 0) throw new ShapeError(op, 'x', 'at least 1 dimension', x.shape);
  const axis = normalizeAxis(op, dim, x.ndim);
  const n = x.shape[axis] as number;
  if (!Number.isInteger(step) || step < 1) throw new ArgumentError(op, 'step', 'a positive integer', step);
  if (!Number.isInteger(start)) throw new ArgumentError(op, 'start', 'an integer', start);
  if (end !== undefined && !Number.isInteger(end)) throw new ArgumentError(op, 'end', 'an integer', end);
  const clamp = (v: number): number => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  const s = clamp(start);
  const e = end === undefined ? n : clamp(end);
  const len = e > s ? Math.ceil((e - s) / step) : 0;
  const shape = x.shape.slice();
  shape[axis] = len;
  const strides = stridesOf(x.shape);
  const readStrides = strides.slice();
  readStrides[axis] = (strides[axis] as number) * step;
  const out = new Tensor(arrayFor(x.dtype, shape.reduce((a, b) => a * b, 1)), shape);
  backendFor(x.dtype).copyStrided(out.data, x.data, s * (strides[axis] as number), readStrides, shape);
  record1(op, out, [x], (g) => {
    const dx = emptyFloat(x.shape, g.dtype);
    // Scatter g back: the adjoint of the strided read is a strided write.
    const [outer, , inner] = axisSplit(x.shape, axis);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < len; j++) {
        const src = (o * len + j) * inner;
        const dst = (o * n + s + j * step) * inner;
        for (let i = 0; i < inner; i++) dx.data[dst + i] = g.data[src + i] as number;
      }
    }
    return [dx];
  });
  return out;
}

/** x[start : start+length] along `dim` (torch.narrow); start may be negative. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  assertTensor('narrow', 'x', x);
  const axis = normalizeAxis('narrow', dim, x.ndim);
  const n = x.shape[axis] as number;
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || s < 0 || s > n) throw new ArgumentError('narrow', 'start', `an integer in [${-n}, ${n}]`, start);
  if (!Number.isInteger(length) || length < 0 || s + length > n) {
    throw new ArgumentError('narrow', 'length', `an integer in [0, ${n - s}] (dimension ${axis} has size ${n})`, length);
  }
  return slice(x, axis, s, s + length);
}
