// Softmax, log-softmax and log-sum-exp over one dimension, max-subtracted for stability.

import { backendFor } from '../backend/registry.js';
import { record1 } from '../autograd/engine.js';
import { axisSplit, normalizeAxis } from '../util/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { emptyFloat, floatArg } from './util.js';
import { maxWithIndex, sum } from './reduce.js';
import { exp, log } from './unary.js';
import { add, sub } from './binary.js';
import { squeeze } from './shape.js';

function softmaxOp(op: 'softmax' | 'logSoftmax', xIn: Tensor, dim: number): Tensor {
  const x = floatArg(op, 'x', xIn);
  const axis = normalizeAxis(op, dim, x.ndim);
  const [outer, n, inner] = x.ndim === 0 ? [1, 1, 1] : axisSplit(x.shape, axis);
  const log = op === 'logSoftmax';
  const out = emptyFloat(x.shape, x.dtype);
  backendFor(x.dtype).softmax(out.data, x.data, outer, n, inner, log);
  record1(op, out, [x], (g) => {
    const dx = emptyFloat(x.shape, x.dtype);
    backendFor(x.dtype).softmaxBackward(dx.data, g.data, out.data, outer, n, inner, log);
    return [dx];
  });
  return out;
}

/** exp(x) / Σ exp(x) along `dim` (default the last). */
export function softmax(x: Tensor, dim = -1): Tensor {
  return softmaxOp('softmax', x, dim);
}

/** x − log Σ exp(x) along `dim` (default the last), computed stably. */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return softmaxOp('logSoftmax', x, dim);
}

/** log Σ exp(x) along `dim`, stable for large |x| (composed, so differentiable). */
export function logsumexp(xIn: Tensor, dim = -1, keepDim = false): Tensor {
  const x = floatArg('logsumexp', 'x', xIn);
  const { values } = maxWithIndex(x, dim, true);
  // The max is a constant shift: its gradient contributions cancel exactly, so detach it.
  const m = values.detach();
  const lse = add(log(sum(exp(sub(x, m)), dim, true)), m);
  return keepDim ? lse : squeeze(lse, normalizeAxis('logsumexp', dim, x.ndim));
}
