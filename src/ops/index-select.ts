// Selecting by index: indexSelect along a dimension, gather of one element per row
// (torch.gather along a dimension), and embedding lookup. Indices are int32 tensors or
// integer arrays, validated against the dimension's size.

import { ArgumentError, ShapeError, formatShape } from '../errors.js';
import { backendFor } from '../backend/registry.js';
import { record1 } from '../autograd/engine.js';
import { axisSplit, normalizeAxis } from '../util/shape.js';
import { Tensor, arrayFor, assertTensor } from '../tensor/tensor.js';
import { emptyFloat, floatArg } from './util.js';

/** Int32 indices from a tensor or array, each checked to lie in [0, n). */
export function indexArg(op: string, argument: string, index: unknown, n: number): { data: Int32Array; shape: number[] } {
  let data: Int32Array;
  let shape: number[];
  if (index instanceof Tensor) {
    if (index.dtype !== 'int32') {
      // Accept float tensors holding integers, as a convenience, but check them.
      data = Int32Array.from(index.data, (v) => v);
      index.data.forEach((v, i) => {
        if (!Number.isInteger(v)) throw new ArgumentError(op, `${argument}[${i}]`, 'an integer index', v);
      });
    } else data = index.data as Int32Array;
    shape = index.shape.slice();
  } else if (Array.isArray(index) || index instanceof Int32Array) {
    const arr = Array.from(index as ArrayLike<number>);
    arr.forEach((v, i) => {
      if (!Number.isInteger(v)) throw new ArgumentError(op, `${argument}[${i}]`, 'an integer index', v);
    });
    data = Int32Array.from(arr);
    shape = [arr.length];
  } else {
    throw new ArgumentError(op, argument, 'an int32 Tensor or an array of integers', index);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < 0 || v >= n) throw new ArgumentError(op, `${argument}[${i}]`, `an index in [0, ${n})`, v);
  }
  return { data, shape };
}

/** The slices of x at `index` along `dim`: out.shape[dim] = index.length. */
export function indexSelect(x: Tensor, dim: number, index: Tensor | readonly number[] | Int32Array): Tensor {
  const op = 'indexSelect';
  assertTensor(op, 'x', x);
  const axis = normalizeAxis(op, dim, x.ndim);
  const [outer, n, inner] = axisSplit(x.shape, axis);
  const idx = indexArg(op, 'index', index, n);
  if (idx.shape.length !== 1) throw new ShapeError(op, 'index', 'rank 1', idx.shape);
  const shape = x.shape.slice();
  shape[axis] = idx.data.length;
  const out = new Tensor(arrayFor(x.dtype, outer * idx.data.length * inner), shape);
  backendFor(x.dtype).indexSelect(out.data, x.data, idx.data, outer, n, inner);
  record1(op, out, [x], (g) => {
    const dx = emptyFloat(x.shape, g.dtype);
    backendFor(g.dtype).indexAdd(dx.data, g.data, idx.data, outer, n, inner);
    return [dx];
  });
  return out;
}

/**
 * Picks one element per position along `dim`: out[..., i, ...] = x[..., index[..., i, ...], ...]
 * where index has x's shape with size 1 at `dim` (the result keeps that size-1 dim),
 * as torch.gather with such an index. Used by losses to pick the target class.
 */
export function gather(xIn: Tensor, dim: number, index: Tensor): Tensor {
  const op = 'gather';
  const x = floatArg(op, 'x', xIn);
  const axis = normalizeAxis(op, dim, x.ndim);
  assertTensor(op, 'index', index);
  const want = x.shape.map((d, i) => (i === axis ? 1 : d));
  if (index.ndim !== want.length || index.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(op, 'index', `shape ${formatShape(want)} (x's shape with 1 at dim ${axis})`, index.shape);
  }
  const [outer, n, inner] = axisSplit(x.shape, axis);
  const idx = indexArg(op, 'index', index, n);
  const out = emptyFloat(want, x.dtype);
  backendFor(x.dtype).gatherAxis(out.data, x.data, idx.data, outer, n, inner);
  record1(op, out, [x], (g) => {
    const dx = emptyFloat(x.shape, x.dtype);
    backendFor(x.dtype).scatterAddAxis(dx.data, g.data, idx.data, outer, n, inner);
    return [dx];
  });
  return out;
}

/**
 * Embedding lookup: rows of weight (V, D) at `indices` (any shape) → [...indices.shape, D].
 * With paddingIdx, that row's gradient stays zero (PyTorch semantics).
 */
export function embedding(weightIn: Tensor, indices: Tensor | readonly number[] | Int32Array, paddingIdx?: number | null): Tensor {
  const op = 'embedding';
  const weight = floatArg(op, 'weight', weightIn);
  if (weight.ndim !== 2) throw new ShapeError(op, 'weight', 'rank 2 (numEmbeddings, embeddingDim)', weight.shape);
  const [V, D] = weight.shape as [number, number];
  const idx = indexArg(op, 'indices', indices, V);
  if (paddingIdx !== undefined && paddingIdx !== null && (!Number.isInteger(paddingIdx) || paddingIdx < 0 || paddingIdx >= V)) {
    throw new ArgumentError(op, 'paddingIdx', `an index in [0, ${V})`, paddingIdx);
  }
  const out = emptyFloat([...idx.shape, D], weight.dtype);
  backendFor(weight.dtype).indexSelect(out.data, weight.data, idx.data, 1, V, D);
  record1(op, out, [weight], (g) => {
    const dw = emptyFloat(weight.shape, weight.dtype);
    backendFor(weight.dtype).indexAdd(dw.data, g.data, idx.data, 1, V, D);
    if (paddingIdx !== undefined && paddingIdx !== null) dw.data.fill(0, paddingIdx * D, (paddingIdx + 1) * D);
    return [dw];
  });
  return out;
}
