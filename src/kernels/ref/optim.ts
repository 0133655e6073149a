// Optimiser updates (reference kernels): in place on the parameter and its state.

import type { FloatArray } from '../../util/arrays.js';

/**
 * Adam's update without AMSGrad or maximize, over n elements, in float64 arithmetic:
 *   m ← b1·m + (1 − b1)·g;  v ← b2·v + (1 − b2)·g²;  p ← p·shrink − stepSize·m / (√v / bc2Sqrt + eps)
 * with stepSize = lr / (1 − b1ᵗ), bc2Sqrt = √(1 − b2ᵗ), shrink = 1 − lr·wd for AdamW (else 1).
 * m, v and the decayed p are read back from their storage (rounded to its precision) before
 * p's update, as PyTorch's separate in-place operations do.
 */
export function adamUpdate(
  p: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, n: number,
  b1: number, b2: number, eps: number, stepSize: number, bc2Sqrt: number, shrink: number,
): void {
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  for (let i = 0; i < n; i++) {
    const gi = grad[i] as number;
    m[i] = b1 * (m[i] as number) + c1 * gi;
    v[i] = b2 * (v[i] as number) + c2 * gi * gi;
    if (shrink !== 1) p[i] = (p[i] as number) * shrink; // AdamW's decay, stored (rounded) first as in PyTorch
    p[i] = (p[i] as number) - stepSize * ((m[i] as number) / (Math.sqrt(v[i] as number) / bc2Sqrt + eps));
  }
}
