// Dense float64 linear algebra for readouts: Cholesky factorisation and solves of
// symmetric positive-definite systems (the normal equations of ridge regression).

import { NumericError } from '../errors.js';

/**
 * In-place Cholesky of the n×n SPD matrix A (row-major): A = L Lᵀ, L in the lower
 * triangle. Throws NumericError naming the pivot when A is not (numerically) positive
 * definite — never returns NaN.
 */
export function cholesky(A: Float64Array, n: number, what = 'matrix'): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j] as number;
    for (let k = 0; k < j; k++) d -= (A[j * n + k] as number) ** 2;
    if (!(d > 0) || !Number.isFinite(d)) {
      throw new NumericError('cholesky', `the ${what} is singular or not positive definite (pivot ${j} is ${d}); use a positive regularisation`);
    }
    const ljj = Math.sqrt(d);
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (A[i * n + k] as number) * (A[j * n + k] as number);
      A[i * n + j] = s / ljj;
    }
  }
}

/** Solves L Lᵀ X = B in place for B (n×m, row-major), L from cholesky(). */
export function choleskySolve(L: Float64Array, n: number, B: Float64Array, m: number): void {
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = B[i * m + c] as number;
      for (let k = 0; k < i; k++) s -= (L[i * n + k] as number) * (B[k * m + c] as number);
      B[i * m + c] = s / (L[i * n + i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = B[i * m + c] as number;
      for (let k = i + 1; k < n; k++) s -= (L[k * n + i] as number) * (B[k * m + c] as number);
      B[i * m + c] = s / (L[i * n + i] as number);
    }
  }
}
