// Selection by a condition and comparisons. where(cond, a, b) picks a where cond is
// nonzero and b elsewhere, with broadcasting; the gradient goes only to the selected
// branch, so a NaN or Inf in the unselected branch never leaks into it.
// Comparisons return 0/1 masks (no gradient) of the operands' float dtype.

import { backendFor } from '../backend/registry.js';
import { record1 } from '../autograd/engine.js';
import { broadcastShapes, broadcastStrides, sizeOf } from '../util/shape.js';
import { Tensor, assertTensor, type FloatTensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';
import { cast, emptyFloat, floatArg, promote, sumToShape, type TensorLike } from './util.js';
import { broadcastTo } from './shape.js';

/** cond ? a : b elementwise, broadcasting all three. */
export function where(cond: Tensor, aIn: TensorLike, bIn: TensorLike): Tensor {
  const op = 'where';
  assertTensor(op, 'cond', cond);
  const dtype = promote(...[aIn, bIn].filter((x): x is Tensor => x instanceof Tensor));
  const a = cast(floatArg(op, 'a', aIn, dtype), dtype);
  const b = cast(floatArg(op, 'b', bIn, dtype), dtype);
  const shape = broadcastShapes(op, broadcastShapes(op, cond.shape, a.shape, 'cond', 'a'), b.shape, 'a', 'b');
  const out = emptyFloat(shape, dtype);
  const k = backendFor(dtype);
  const cs = broadcastStrides(cond.shape, shape);
  k.where(out.data, cond.data, cs, a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), shape);
  record1(op, out, [a, b], (g) => {
    const zero = emptyFloat([], g.dtype);
    const zs = broadcastStrides([], shape);
    const contiguous = broadcastStrides(shape, shape);
    const ga = emptyFloat(shape, g.dtype);
    const gb = emptyFloat(shape, g.dtype);
    k.where(ga.data, cond.data, cs, g.data, contiguous, zero.data, zs, shape);
    k.where(gb.data, cond.data, cs, zero.data, zs, g.data, contiguous, shape);
    return [sumToShape(ga, a.shape), sumToShape(gb, b.shape)];
  });
  return out;
}

/** x with `value` wherever mask is nonzero (broadcasting mask). */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}

type Cmp = (x: number, y: number) => boolean;

function compare(op: string, aIn: TensorLike, bIn: TensorLike, f: Cmp): Tensor {
  const dtype = promote(...[aIn, bIn].filter((x): x is Tensor => x instanceof Tensor));
  const a = cast(floatArg(op, 'a', aIn, dtype), dtype);
  const b = cast(floatArg(op, 'b', bIn, dtype), dtype);
  const shape = broadcastShapes(op, a.shape, b.shape);
  return noGrad(() => {
    const av = broadcastTo(a, shape) as FloatTensor;
    const bv = broadcastTo(b, shape) as FloatTensor;
    const out = emptyFloat(shape, dtype);
    for (let i = 0; i < sizeOf(shape); i++) out.data[i] = f(av.data[i] as number, bv.data[i] as number) ? 1 : 0;
    return out;
  });
}

/** a > b as a 0/1 mask. */
export const gt = (a: TensorLike, b: TensorLike): Tensor => compare('gt', a, b, (x, y) => x > y);
/** a ≥ b as a 0/1 mask. */
export const ge = (a: TensorLike, b: TensorLike): Tensor => compare('ge', a, b, (x, y) => x >= y);
/** a < b as a 0/1 mask. */
export const lt = (a: TensorLike, b: TensorLike): Tensor => compare('lt', a, b, (x, y) => x < y);
/** a ≤ b as a 0/1 mask. */
export const le = (a: TensorLike, b: TensorLike): Tensor => compare('le', a, b, (x, y) => x <= y);
/** a = b as a 0/1 mask. */
export const eq = (a: TensorLike, b: TensorLike): Tensor => compare('eq', a, b, (x, y) => x === y);
/** a ≠ b as a 0/1 mask (NaN ≠ NaN). */
export const ne = (a: TensorLike, b: TensorLike): Tensor => compare('ne', a, b, (x, y) => x !== y);

