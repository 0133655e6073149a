// Reductions over one or more axes: sum, mean, max (with argmax). Each reduces one
// axis at a time through the backend's (outer, n, inner) kernels.

import { ArgumentError, ShapeError } from '../errors.js';
import { backendFor } from '../backend/registry.js';
import { record1 } from '../autograd/engine.js';
import { axisSplit, normalizeAxis } from '../util/shape.js';
import { Tensor, type FloatTensor } from '../tensor/tensor.js';
import { broadcastTo } from './shape.js';
import { emptyFloat, floatArg } from './util.js';
import { mul } from './binary.js';

export type Dims = number | readonly number[];

function normalizeDims(op: string, dims: Dims | undefined, rank: number): number[] {
  if (dims === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list)) throw new ArgumentError(op, 'dim', 'an integer or an array of integers', dims);
  const out = list.map((d) => normalizeAxis(op, d, rank));
  if (new Set(out).size !== out.length) throw new ArgumentError(op, 'dim', 'distinct dimensions', dims);
  return out.sort((a, b) => a - b);
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDim) out.push(1);
  });
  return out;
}

/**
 * Sum over `dim` (one axis, several, or all when omitted). With keepDim the reduced
 * axes stay with size 1.
 */
export function sum(xIn: Tensor, dim?: Dims, keepDim = false): Tensor {
  const op = 'sum';
  const x = floatArg(op, 'x', xIn);
  const axes = normalizeDims(op, dim, x.ndim);
  const backend = backendFor(x.dtype);
  let cur: FloatTensor = x;
  // Reduce from the last axis so earlier axis indices stay valid; keep size-1 dims meanwhile.
  let curShape = x.shape.slice();
  for (let k = axes.length - 1; k >= 0; k--) {
    const axis = axes[k] as number;
    const [outer, n, inner] = axisSplit(curShape, axis);
    curShape[axis] = 1;
    const next = emptyFloat(curShape, x.dtype);
    backend.reduceSum(next.data, cur.data, outer, n, inner);
    cur = next;
  }
  const keptShape = curShape;
  const out = new Tensor(axes.length === 0 ? cur.data.slice() : cur.data, reducedShape(x.shape, axes, keepDim));
  record1(op, out, [x], (g) => [broadcastTo(new Tensor(g.data, keptShape), x.shape)]);
  return out;
}

/** Mean over `dim` (all axes when omitted). */
export function mean(xIn: Tensor, dim?: Dims, keepDim = false): Tensor {
  const x = floatArg('mean', 'x', xIn);
  const axes = normalizeDims('mean', dim, x.ndim);
  let count = 1;
  for (const a of axes) count *= x.shape[a] as number;
  return mul(sum(x, axes, keepDim), 1 / count);
}

/**
 * Maximum over one axis, with the index of the (first) maximum. The gradient flows to
 * that element only. NaN propagates.
 */
export function maxWithIndex(xIn: Tensor, dim: number, keepDim = false): { values: Tensor; indices: Tensor } {
  const op = 'max';
  const x = floatArg(op, 'x', xIn);
  const axis = normalizeAxis(op, dim, x.ndim);
  const [outer, n, inner] = x.ndim === 0 ? [1, 1, 1] : axisSplit(x.shape, axis);
  if (n === 0) throw new ShapeError(op, 'x', `a non-empty dimension ${dim}`, x.shape);
  const shape = x.ndim === 0 ? [] : reducedShape(x.shape, [axis], keepDim);
  const values = emptyFloat(shape, x.dtype);
  const argmax = new Int32Array(outer * inner);
  backendFor(x.dtype).reduceMax(values.data, argmax, x.data, outer, n, inner);
  record1(op, values, [x], (g) => {
    const dx = emptyFloat(x.shape, x.dtype);
    backendFor(x.dtype).scatterAddAxis(dx.data, g.data, argmax, outer, n, inner);
    return [dx];
  });
  return { values, indices: new Tensor(argmax, shape) };
}

/** Maximum over `dim`, or over all elements when omitted. */
export function max(xIn: Tensor, dim?: number, keepDim = false): Tensor {
  if (dim === undefined) {
    const x = floatArg('max', 'x', xIn);
    if (x.size === 0) throw new ShapeError('max', 'x', 'at least one element', x.shape);
    return maxWithIndex(flatView(x), 0, false).values;
  }
  return maxWithIndex(xIn, dim, keepDim).values;
}

/** Index of the maximum over `dim` (int32). */
export function argmax(xIn: Tensor, dim: number, keepDim = false): Tensor {
  const x = floatArg('argmax', 'x', xIn);
  const axis = normalizeAxis('argmax', dim, x.ndim);
  const [outer, n, inner] = axisSplit(x.shape, axis);
  if (n === 0) throw new ShapeError('argmax', 'x', `a non-empty dimension ${dim}`, x.shape);
  const values = emptyFloat([outer * inner], x.dtype);
  const idx = new Int32Array(outer * inner);
  backendFor(x.dtype).reduceMax(values.data, idx, x.data, outer, n, inner);
  return new Tensor(idx, reducedShape(x.shape, [axis], keepDim));
}

function flatView(x: FloatTensor): Tensor {
  // A differentiable flatten without importing reshape's validation path twice.
  const out = new Tensor(x.data, [x.size]);
  record1('flatten', out, [x], (g) => [new Tensor(g.data, x.shape)]);
  return out;
}
