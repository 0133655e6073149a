// The affine map y = x Wᵀ + b of a Linear layer, as one op over the backend's gemm
// (transposed operand, no copy). x (..., in), weight (out, in), bias (out) → (..., out).

import { ShapeError, formatShape } from '../errors.js';
import { backendFor } from '../backend/registry.js';
import { record1 } from '../autograd/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { cast, emptyFloat, floatArg, promote } from './util.js';

export function linear(xIn: Tensor, weightIn: Tensor, biasIn?: Tensor | null): Tensor {
  const op = 'linear';
  const dtype = promote(xIn, weightIn);
  const x = cast(floatArg(op, 'x', xIn), dtype);
  const w = cast(floatArg(op, 'weight', weightIn), dtype);
  if (w.ndim !== 2) throw new ShapeError(op, 'weight', 'rank 2 (outFeatures, inFeatures)', w.shape);
  const [O, K] = w.shape as [number, number];
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== K) {
    throw new ShapeError(op, 'x', `last dimension ${K} (the inFeatures of weight ${formatShape(w.shape)})`, x.shape);
  }
  const b = biasIn === undefined || biasIn === null ? null : cast(floatArg(op, 'bias', biasIn), dtype);
  if (b && (b.ndim !== 1 || b.shape[0] !== O)) throw new ShapeError(op, 'bias', [O], b.shape);
  const M = x.size / K;
  const out = emptyFloat([...x.shape.slice(0, -1), O], dtype);
  const k = backendFor(dtype);
  if (b) for (let r = 0; r < M; r++) out.data.set(b.data, r * O);
  k.gemm(false, true, M, O, K, 1, x.data, 0, K, w.data, 0, K, b ? 1 : 0, out.data, 0, O);
  record1(op, out, b ? [x, w, b] : [x, w], (g) => {
    const kk = backendFor(dtype);
    const dx = x.requiresGrad ? emptyFloat(x.shape, dtype) : null;
    if (dx) kk.gemm(false, false, M, K, O, 1, g.data, 0, O, w.data, 0, K, 0, dx.data, 0, K); // dx = g · W
    const dw = emptyFloat(w.shape, dtype);
    kk.gemm(true, false, O, K, M, 1, g.data, 0, O, x.data, 0, K, 0, dw.data, 0, K);          // dW = gᵀ · x
    let db = null;
    if (b) {
      db = emptyFloat([O], dtype);
      kk.reduceSum(db.data, g.data, 1, M, O);                                                  // db = Σ_rows g
    }
    return [dx, dw, db];
  });
  return out;
}
