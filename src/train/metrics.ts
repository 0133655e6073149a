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

/**
 * Levenshtein distance between two token sequences: the fewest insertions, deletions and
 * substitutions that turn `hyp` into `ref` (two rows of the dynamic programme).
 */
export function editDistance(hyp: ArrayLike<unknown>, ref: ArrayLike<unknown>): number {
  const n = hyp.length;
  const m = ref.length;
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const sub = (prev[j - 1] as number) + (hyp[i - 1] === ref[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m] as number;
}

/**
 * Error rates of a set of outputs against references: the token error rate (total edit
 * distance / total reference length: phoneme error rate for G2P) and the sequence error
 * rate (fraction of outputs not exactly equal to their reference: word error rate for G2P).
 */
export function sequenceErrorRates(hyps: readonly ArrayLike<unknown>[], refs: readonly ArrayLike<unknown>[]): { tokenErrorRate: number; sequenceErrorRate: number; edits: number; refTokens: number } {
  if (hyps.length !== refs.length) throw new ArgumentError('sequenceErrorRates', 'hyps', `${refs.length} outputs (one per reference)`, hyps.length);
  if (refs.length === 0) throw new ArgumentError('sequenceErrorRates', 'refs', 'at least one reference', 0);
  let edits = 0;
  let refTokens = 0;
  let wrong = 0;
  hyps.forEach((h, i) => {
    const r = refs[i] as ArrayLike<unknown>;
    const d = editDistance(h, r);
    edits += d;
    refTokens += r.length;
    if (d > 0) wrong++;
  });
  return { tokenErrorRate: edits / Math.max(1, refTokens), sequenceErrorRate: wrong / refs.length, edits, refTokens };
}
