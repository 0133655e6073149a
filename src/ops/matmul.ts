// Matrix product with torch.matmul semantics:
//   1-D · 1-D → scalar (dot); 2-D · 2-D → matrix; a 1-D operand is treated as a row
//   (left) or column (right) vector and that dimension is removed from the result;
//   leading (batch) dimensions broadcast.
// Every product runs through the backend's gemm with transpose flags, so the backward
// (dA = dC·Bᵀ, dB = Aᵀ·dC) needs no explicit transposes.

import { ShapeError } from '../errors.js';
import { backendFor } from '../backend/registry.js';
import { record1 } from '../autograd/engine.js';
import { broadcastShapes, broadcastStrides, sizeOf } from '../util/shape.js';
import { Tensor, type FloatTensor } from '../tensor/tensor.js';
import { cast, emptyFloat, floatArg, promote, sumToShape } from './util.js';

/**
 * out[batch] = op(a[batch]) · op(b[batch]) for every index of the broadcast batch shape.
 * a is (...aBatch, rowsA, colsA) and b is (...bBatch, rowsB, colsB) as stored.
 */
function batchedGemm(
  transA: boolean, transB: boolean,
  a: FloatTensor, b: FloatTensor,
  batch: readonly number[], M: number, N: number, K: number,
): FloatTensor {
  const out = emptyFloat([...batch, M, N], a.dtype);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const aMat = (a.shape[a.ndim - 2] as number) * (a.shape[a.ndim - 1] as number);
  const bMat = (b.shape[b.ndim - 2] as number) * (b.shape[b.ndim - 1] as number);
  const lda = a.shape[a.ndim - 1] as number;
  const ldb = b.shape[b.ndim - 1] as number;
  const aStr = broadcastStrides(aBatch, batch);
  const bStr = broadcastStrides(bBatch, batch);
  const nb = sizeOf(batch);
  const idx = new Array<number>(batch.length).fill(0);
  const gemm = backendFor(a.dtype).gemm;
  for (let i = 0; i < nb; i++) {
    let ao = 0;
    let bo = 0;
    for (let d = 0; d < batch.length; d++) {
      ao += (idx[d] as number) * (aStr[d] as number);
      bo += (idx[d] as number) * (bStr[d] as number);
    }
    gemm(transA, transB, M, N, K, 1, a.data, ao * aMat, lda, b.data, bo * bMat, ldb, 0, out.data, i * M * N, N);
    for (let d = batch.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (batch[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Matrix product of a and b (see the file header for the rules). */
export function matmul(aIn: Tensor, bIn: Tensor): Tensor {
  const op = 'matmul';
  const dtype = promote(aIn, bIn);
  const a0 = cast(floatArg(op, 'a', aIn), dtype);
  const b0 = cast(floatArg(op, 'b', bIn), dtype);
  if (a0.ndim === 0) throw new ShapeError(op, 'a', 'at least 1 dimension', a0.shape);
  if (b0.ndim === 0) throw new ShapeError(op, 'b', 'at least 1 dimension', b0.shape);
  // View 1-D operands as matrices (shares storage; no copy).
  const a = (a0.ndim === 1 ? viewAs(a0, [1, a0.shape[0] as number]) : a0);
  const b = (b0.ndim === 1 ? viewAs(b0, [b0.shape[0] as number, 1]) : b0);
  const M = a.shape[a.ndim - 2] as number;
  const K = a.shape[a.ndim - 1] as number;
  const N = b.shape[b.ndim - 1] as number;
  if ((b.shape[b.ndim - 2] as number) !== K) {
    throw new ShapeError(
      op, 'b',
      `${b0.ndim === 1 ? 'length' : 'size of dimension -2 equal to'} ${K} (the last dimension of 'a' [${a0.shape.join(', ')}])`,
      b0.shape,
    );
  }
  const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  const full = batchedGemm(false, false, a, b, batch, M, N, K);
  // Remove the dimensions added for 1-D operands.
  let outShape = [...batch, M, N];
  if (b0.ndim === 1) outShape = outShape.slice(0, -1);
  if (a0.ndim === 1) outShape.splice(outShape.length - (b0.ndim === 1 ? 1 : 2), 1);
  const out = viewAs(full, outShape);

  record1(op, out, [a0, b0], (gOut) => {
    const g = viewAs(gOut, [...batch, M, N]);
    // dA = dC · Bᵀ  (M×N · N×K), summed over batch dims that A broadcast along.
    const da = a0.requiresGrad
      ? viewAs(sumToShape(batchedGemm(false, true, g, b, batch, M, K, N), a.shape), a0.shape)
      : null;
    // dB = Aᵀ · dC  (K×M · M×N)
    const db = b0.requiresGrad
      ? viewAs(sumToShape(batchedGemm(true, false, a, g, batch, K, N, M), b.shape), b0.shape)
      : null;
    return [da, db];
  });
  return out;
}

/** A new tensor object over the same storage with another shape of equal size (no graph). */
function viewAs(t: FloatTensor, shape: readonly number[]): FloatTensor {
  return new Tensor(t.data, shape) as FloatTensor;
}
