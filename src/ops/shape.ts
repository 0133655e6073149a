// Ops that change a tensor's shape or the order of its dimensions: reshape (and its
// aliases view/flatten/squeeze/unsqueeze), permute/transpose, and broadcastTo.
// Reshapes share storage with their input; permutes copy (tensors are contiguous).

import { ArgumentError, ShapeError, formatShape } from '../errors.js';
import { backendFor } from '../backend/registry.js';
import { record1 } from '../autograd/engine.js';
import { broadcastShapes, broadcastStrides, normalizeAxis, sizeOf, stridesOf } from '../util/shape.js';
import { Tensor, arrayFor, assertTensor, type FloatTensor } from '../tensor/tensor.js';
import { sumToShape } from './util.js';

/**
 * The same data with another shape of the same size. One dimension may be −1 and is
 * then inferred. Shares storage with x.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const op = 'reshape';
  assertTensor(op, 'x', x);
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ArgumentError(op, 'shape', 'an array of non-negative integers (one may be -1)', shape);
  }
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new ArgumentError(op, 'shape', 'at most one -1', shape);
  let resolved = shape.slice();
  if (free === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new ArgumentError(op, 'shape', `a shape compatible with ${x.size} elements (input shape ${formatShape(x.shape)})`, shape);
    }
    resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (sizeOf(resolved) !== x.size) {
    throw new ShapeError(op, 'shape', `${x.size} elements like the input ${formatShape(x.shape)}`, resolved);
  }
  const out = new Tensor(x.data, resolved);
  record1(op, out, [x], (g) => [new Tensor(g.data, x.shape)]);
  return out;
}

/** Alias of `reshape` (storage is always shared when possible, as here). */
export const view = reshape;

/** Flattens dimensions startDim…endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  assertTensor('flatten', 'x', x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startDim, x.ndim, 'startDim');
  const e = normalizeAxis('flatten', endDim, x.ndim, 'endDim');
  if (e < s) throw new ArgumentError('flatten', 'endDim', `a dimension ≥ startDim (${s})`, endDim);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Inserts a dimension of size 1 at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  assertTensor('unsqueeze', 'x', x);
  const d = normalizeAxis('unsqueeze', dim, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Removes dimension `dim` if it has size 1, or every size-1 dimension if dim is omitted. */
export function squeeze(x: Tensor, dim?: number): Tensor {
  assertTensor('squeeze', 'x', x);
  if (dim === undefined) return reshape(x, x.shape.filter((s) => s !== 1));
  const d = normalizeAxis('squeeze', dim, x.ndim);
  if (x.shape[d] !== 1) return x;
  const shape = x.shape.slice();
  shape.splice(d, 1);
  return reshape(x, shape);
}

/** Reorders dimensions: out.shape[i] = x.shape[dims[i]]. Copies. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const op = 'permute';
  assertTensor(op, 'x', x);
  if (!Array.isArray(dims) || dims.length !== x.ndim) {
    throw new ArgumentError(op, 'dims', `a permutation of ${x.ndim} dimensions (input shape ${formatShape(x.shape)})`, dims);
  }
  const perm = dims.map((d) => normalizeAxis(op, d, x.ndim, 'dims'));
  if (new Set(perm).size !== perm.length) throw new ArgumentError(op, 'dims', 'a permutation (no repeats)', dims);
  const inStrides = stridesOf(x.shape);
  const shape = perm.map((d) => x.shape[d] as number);
  const strides = perm.map((d) => inStrides[d] as number);
  const out = new Tensor(arrayFor(x.dtype, x.size), shape);
  backendFor(x.dtype).copyStrided(out.data, x.data, 0, strides, shape);
  record1(op, out, [x], (g) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [permute(g, inverse)];
  });
  return out;
}

/** Swaps two dimensions. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  assertTensor('transpose', 'x', x);
  const a = normalizeAxis('transpose', dim0, x.ndim, 'dim0');
  const b = normalizeAxis('transpose', dim1, x.ndim, 'dim1');
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Broadcasts x to `shape` (NumPy rules), materialising the copy. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const op = 'broadcastTo';
  assertTensor(op, 'x', x);
  const target = broadcastShapes(op, shape, x.shape, 'shape', 'x');
  if (target.length !== shape.length || target.some((d, i) => d !== shape[i])) {
    throw new ShapeError(op, 'x', `a shape broadcastable to ${formatShape(shape)}`, x.shape);
  }
  const out = new Tensor(arrayFor(x.dtype, sizeOf(target)), target);
  backendFor(x.dtype).copyStrided(out.data, x.data, 0, broadcastStrides(x.shape, target), target);
  record1(op, out, [x], (g) => [sumToShape(g as FloatTensor, x.shape)]);
  return out;
}
