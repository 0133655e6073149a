// Elementwise arithmetic with NumPy broadcasting: add, sub, mul, div, maximum, minimum.
// Gradients are reduced back to each input's shape (the adjoint of broadcasting).

import { backendFor } from '../backend/registry.js';
import type { BinaryOp } from '../backend/backend.js';
import { record1 } from '../autograd/engine.js';
import { broadcastShapes, broadcastStrides } from '../util/shape.js';
import { Tensor, type FloatTensor } from '../tensor/tensor.js';
import { cast, emptyFloat, floatArg, promote, sumToShape, type TensorLike } from './util.js';


/** Computes a ⊙ b on the current backend, without recording. */
function compute(op: BinaryOp, a: FloatTensor, b: FloatTensor, shape: readonly number[]): FloatTensor {
  const out = emptyFloat(shape, a.dtype);
  backendFor(out.dtype).binary(op, out.data, a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), shape);
  return out;
}

function operands(op: string, aIn: TensorLike, bIn: TensorLike): [FloatTensor, FloatTensor, readonly number[]] {
  const dtype = promote(...[aIn, bIn].filter((x): x is Tensor => x instanceof Tensor));
  const a = cast(floatArg(op, 'a', aIn, dtype), dtype);
  const b = cast(floatArg(op, 'b', bIn, dtype), dtype);
  return [a, b, broadcastShapes(op, a.shape, b.shape)];
}

/** a + b, broadcasting. */
export function add(aIn: TensorLike, bIn: TensorLike): Tensor {
  const [a, b, shape] = operands('add', aIn, bIn);
  const out = compute('add', a, b, shape);
  record1('add', out, [a, b], (g) => [sumToShape(g, a.shape), sumToShape(g, b.shape)]);
  return out;
}

/** a − b, broadcasting. */
export function sub(aIn: TensorLike, bIn: TensorLike): Tensor {
  const [a, b, shape] = operands('sub', aIn, bIn);
  const out = compute('sub', a, b, shape);
  record1('sub', out, [a, b], (g) => [
    sumToShape(g, a.shape),
    b.requiresGrad ? sumToShape(negate(g), b.shape) : null,
  ]);
  return out;
}

/** a · b elementwise, broadcasting. */
export function mul(aIn: TensorLike, bIn: TensorLike): Tensor {
  const [a, b, shape] = operands('mul', aIn, bIn);
  const out = compute('mul', a, b, shape);
  record1('mul', out, [a, b], (g) => [
    a.requiresGrad ? sumToShape(compute('mul', g, b, shape), a.shape) : null, // ∂(ab)/∂a = b
    b.requiresGrad ? sumToShape(compute('mul', g, a, shape), b.shape) : null, // ∂(ab)/∂b = a
  ]);
  return out;
}

/** a / b elementwise, broadcasting. */
export function div(aIn: TensorLike, bIn: TensorLike): Tensor {
  const [a, b, shape] = operands('div', aIn, bIn);
  const out = compute('div', a, b, shape);
  record1('div', out, [a, b], (g) => [
    a.requiresGrad ? sumToShape(compute('div', g, b, shape), a.shape) : null, // ∂(a/b)/∂a = 1/b
    // ∂(a/b)/∂b = −a/b² = −out/b
    b.requiresGrad ? sumToShape(negate(compute('mul', g, compute('div', out, b, shape), shape)), b.shape) : null,
  ]);
  return out;
}

/**
 * Elementwise maximum (or minimum). The gradient goes to the winning input; on ties it
 * is split evenly between both, as PyTorch does.
 */
function extremum(op: 'maximum' | 'minimum', aIn: TensorLike, bIn: TensorLike): Tensor {
  const [a, b, shape] = operands(op, aIn, bIn);
  const out = compute(op, a, b, shape);
  record1(op, out, [a, b], (gIn) => {
    const g = gIn;
    const ga = emptyFloat(shape, g.dtype);
    const gb = emptyFloat(shape, g.dtype);
    const av = compute('add', a, emptyFloat([], a.dtype), shape).data; // a broadcast to shape
    const bv = compute('add', b, emptyFloat([], b.dtype), shape).data;
    for (let i = 0; i < g.data.length; i++) {
      const x = av[i] as number;
      const y = bv[i] as number;
      const gi = g.data[i] as number;
      const aWins = op === 'maximum' ? x > y : x < y;
      if (x === y) {
        ga.data[i] = gi / 2;
        gb.data[i] = gi / 2;
      } else if (aWins) ga.data[i] = gi;
      else gb.data[i] = gi;
    }
    return [sumToShape(ga, a.shape), sumToShape(gb, b.shape)];
  });
  return out;
}

export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('maximum', a, b);
}

export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('minimum', a, b);
}

function negate(g: FloatTensor): FloatTensor {
  const out = emptyFloat(g.shape, g.dtype);
  backendFor(g.dtype).unary('neg', out.data, g.data, g.size);
  return out;
}
