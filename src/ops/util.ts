// Helpers shared by ops: argument coercion, dtype promotion and the adjoint of
// broadcasting. Not part of the public API.

import { ArgumentError } from '../errors.js';
import { backendFor } from '../backend/registry.js';
import type { FloatArray } from '../util/arrays.js';
import { broadcastStrides, shapesEqual, sizeOf, stridesOf } from '../util/shape.js';
import { Tensor, arrayFor, assertFloat, type FloatDType, type FloatTensor } from '../tensor/tensor.js';

/** A tensor argument, or a plain number broadcast as a scalar of the other operand's dtype. */
export type TensorLike = Tensor | number;

/** Coerces `x` to a float tensor, naming `op` and `argument` on failure. */
export function floatArg(op: string, argument: string, x: unknown, dtype: FloatDType = 'float32'): FloatTensor {
  if (typeof x === 'number') {
    const d = arrayFor(dtype, 1) as FloatArray;
    d[0] = x;
    return new Tensor(d, []) as FloatTensor;
  }
  if (!(x instanceof Tensor)) throw new ArgumentError(op, argument, 'a Tensor or a number', x);
  assertFloat(op, argument, x);
  return x;
}

/** The dtype of a result computed from the given float tensors: float64 if any is float64. */
export function promote(...ts: readonly Tensor[]): FloatDType {
  return ts.some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
}

/** A float tensor of the given dtype: the same tensor if it already has it, else a converted copy. */
export function cast(t: FloatTensor, dtype: FloatDType): FloatTensor {
  if (t.dtype === dtype) return t;
  const data = dtype === 'float32' ? Float32Array.from(t.data) : Float64Array.from(t.data);
  return new Tensor(data, t.shape) as FloatTensor;
}

/** An uninitialised-to-zero float tensor. */
export function emptyFloat(shape: readonly number[], dtype: FloatDType): FloatTensor {
  return new Tensor(arrayFor(dtype, sizeOf(shape)), shape) as FloatTensor;
}

/**
 * The adjoint of broadcasting `shape` to `g.shape`: sums g over the broadcast
 * dimensions. Returns g itself when no broadcasting happened.
 */
export function sumToShape(g: FloatTensor, shape: readonly number[]): FloatTensor {
  if (shapesEqual(g.shape, shape)) return g;
  const out = emptyFloat(shape, g.dtype);
  backendFor(g.dtype).sumToStrided(out.data, broadcastStrides(shape, g.shape), g.data, g.shape);
  return out;
}

/** Contiguous row-major strides (re-exported for ops that build strided views). */
export { stridesOf };
