// Metrics: accuracy (with a mask or ignore index), perplexity and bits per character
// from a mean negative log-likelihood in nats.

import { ArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

export interface AccuracyOptions {
  /** Targets equal to this index are not counted (default −100, as crossEntropy). */
  ignoreIndex?: number;
  /** Elements where the mask is 0 are not counted; same shape as target. */
  mask?: Tensor | null;
}

/**
 * Fraction of positions whose arg-max class equals the target. logits (N, C) or
 * (N, C, d1, …) like crossEntropy, target (N) or (N, d1, …). Returns NaN when nothing counts.
 */
export function accuracy(logits: Tensor, target: Tensor, options: AccuracyOptions = {}): number {
  const op = 'accuracy';
  if (logits.ndim < 2) throw new ShapeError(op, 'logits', '(N, C) or (N, C, d1, …)', logits.shape);
  const N = logits.shape[0] as number;
  const C = logits.shape[1] as number;
  const rest = logits.shape.slice(2);
  const inner = rest.reduce((a, b) => a * b, 1);
  const tShape = [N, ...rest];
  if (target.ndim !== tShape.length || target.shape.some((d, i) => d !== tShape[i])) throw new ShapeError(op, 'target', tShape, target.shape);
  const mask = options.mask ?? null;
  if (mask && (mask.ndim !== target.ndim || mask.shape.some((d, i) => d !== target.shape[i]))) throw new ShapeError(op, 'mask', target.shape, mask.shape);
  const ignore = options.ignoreIndex ?? -100;
  let hit = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < inner; k++) {
      const ti = n * inner + k;
      const y = target.data[ti] as number;
      if (y === ignore || (mask && mask.data[ti] === 0)) continue;
      if (!Number.isInteger(y) || y < 0 || y >= C) throw new ArgumentError(op, 'target', `class indices in [0, ${C})`, y);
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0; c < C; c++) {
        const v = logits.data[(n * C + c) * inner + k] as number;
        if (v > bestV) {
          bestV = v;
          best = c;
        }
      }
      count++;
      if (best === y) hit++;
    }
  }
  return count === 0 ? Number.NaN : hit / count;
}

function nllArg(op: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new ArgumentError(op, 'meanNll', 'a mean negative log-likelihood in nats (≥ 0)', v);
  return v;
}

/** exp(mean NLL in nats): the effective number of equally likely choices per token. */
export function perplexity(meanNll: number): number {
  return Math.exp(nllArg('perplexity', meanNll));
}

/** Mean NLL converted from nats to bits (per character for a character model). */
export function bitsPerChar(meanNll: number): number {
  return nllArg('bitsPerChar', meanNll) / Math.LN2;
}
