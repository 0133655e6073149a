// Reference general matrix multiply. Row-major, BLAS-like contract:
//   C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C
// op(X) is X or Xᵀ. lda/ldb/ldc are the row strides of A, B, C *as stored*
// (A stored M×K when !transA, K×M when transA). When beta = 0, C is overwritten
// and its previous content (even NaN) is ignored, as in BLAS.
// This is the obviously-correct version every faster gemm is tested against:
// accumulation per output element runs in float64, in increasing k.

import type { FloatArray } from '../../util/arrays.js';

export function gemm(
  transA: boolean, transB: boolean,
  M: number, N: number, K: number,
  alpha: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  beta: number,
  C: FloatArray, cOff: number, ldc: number,
): void {
  // Strides of op(A)[m, k] and op(B)[k, n] in the stored arrays.
  const aM = transA ? 1 : lda;
  const aK = transA ? lda : 1;
  const bK = transB ? 1 : ldb;
  const bN = transB ? ldb : 1;
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc = 0;
      let ai = aOff + m * aM;
      let bi = bOff + n * bN;
      for (let k = 0; k < K; k++) {
        acc += (A[ai] as number) * (B[bi] as number);
        ai += aK;
        bi += bK;
      }
      const ci = cOff + m * ldc + n;
      C[ci] = beta === 0 ? alpha * acc : alpha * acc + beta * (C[ci] as number);
    }
  }
}
