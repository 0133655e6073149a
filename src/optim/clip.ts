// Gradient clipping against exploding gradients (PyTorch clip_grad_norm_/clip_grad_value_).

import { ArgumentError, NumericError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Scales all gradients together so that their global norm is at most maxNorm, and
 * returns the norm before clipping. normType 2 (default) or Infinity (max |g|), or any
 * p ≥ 1. As PyTorch 1.13: coef = maxNorm / (norm + 1e-6), applied when < 1.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number, normType = 2, options: { errorIfNonfinite?: boolean } = {}): number {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new ArgumentError('clipGradNorm', 'maxNorm', 'a non-negative number', maxNorm);
  if (typeof normType !== 'number' || !(normType >= 1)) throw new ArgumentError('clipGradNorm', 'normType', 'a number ≥ 1 or Infinity', normType);
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) {
      for (let i = 0; i < g.size; i++) {
        const a = Math.abs(g.data[i] as number);
        if (Number.isNaN(a)) total = NaN;
        else if (a > total) total = a; // stays NaN once NaN
      }
    }
  } else {
    for (const g of grads) {
      const d = g.data;
      if (normType === 2) for (let i = 0; i < d.length; i++) { const x = d[i] as number; total += x * x; } // no pow in the common case
      else for (let i = 0; i < d.length; i++) total += Math.abs(d[i] as number) ** normType;
    }
    total = normType === 2 ? Math.sqrt(total) : total ** (1 / normType);
  }
  if (!Number.isFinite(total) && options.errorIfNonfinite) {
    throw new NumericError('clipGradNorm', `the total norm of order ${normType} of the gradients is ${total}; they cannot be clipped`);
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const g of grads) {
      const d = g.data;
      for (let i = 0; i < d.length; i++) d[i] = (d[i] as number) * coef;
    }
  }
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue]. */
export function clipGradValue(params: readonly Tensor[], clipValue: number): void {
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new ArgumentError('clipGradValue', 'clipValue', 'a non-negative number', clipValue);
  for (const p of params) {
    const g = p.grad;
    if (!g) continue;
    for (let i = 0; i < g.size; i++) g.data[i] = Math.min(clipValue, Math.max(-clipValue, g.data[i] as number));
  }
}
