// Elementwise functions of one tensor. Each gradient is the kernel's derivative,
// dx = dy · f'(x), computed by `unaryBackward` on the same backend.

import { backendFor } from '../backend/registry.js';
import type { UnaryOp } from '../backend/backend.js';
import { record1 } from '../autograd/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { emptyFloat, floatArg } from './util.js';

function unaryOp(op: UnaryOp, xIn: Tensor): Tensor {
  const x = floatArg(op, 'x', xIn);
  const out = emptyFloat(x.shape, x.dtype);
  const backend = backendFor(x.dtype);
  backend.unary(op, out.data, x.data, x.size);
  record1(op, out, [x], (g) => {
    const dx = emptyFloat(x.shape, x.dtype);
    backendFor(x.dtype).unaryBackward(op, dx.data, g.data, x.data, out.data, x.size);
    return [dx];
  });
  return out;
}

/** −x */
export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
/** eˣ */
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unaryOp('log', x);
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
/** Logistic sigmoid 1 / (1 + e⁻ˣ), computed without overflow. */
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
/** max(x, 0); the gradient at 0 is 0, as in PyTorch. */
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
/** |x|; the gradient at 0 is 0. */
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
/** √x */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
/** x² */
export const square = (x: Tensor): Tensor => unaryOp('square', x);
/** 1 / x */
export const reciprocal = (x: Tensor): Tensor => unaryOp('reciprocal', x);
/** log(1 + eˣ), stable for large |x|. */
export const softplus = (x: Tensor): Tensor => unaryOp('softplus', x);
/** sin x */
export const sin = (x: Tensor): Tensor => unaryOp('sin', x);
/** cos x */
export const cos = (x: Tensor): Tensor => unaryOp('cos', x);
