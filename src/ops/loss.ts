// Loss functions with PyTorch's semantics (torch.nn.functional), composed from
// differentiable ops. A NaN or Inf in the inputs gives a NaN or Inf loss, not an error:
// the Trainer stops on it and names the step.

import { ArgumentError, ShapeError, formatShape } from '../errors.js';
import { Tensor, assertTensor } from '../tensor/tensor.js';
import { add, div, mul, sub } from './binary.js';
import { neg, softplus } from './unary.js';
import { mean, sum } from './reduce.js';
import { reshape, unsqueeze } from './shape.js';
import { logSoftmax } from './softmax.js';
import { gather } from './index-select.js';
import { floatArg } from './util.js';

function total(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s;
}

export type Reduction = 'mean' | 'sum' | 'none';

function checkReduction(op: string, r: unknown): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new ArgumentError(op, 'reduction', "'mean', 'sum' or 'none'", r);
  return r;
}

export interface CrossEntropyOptions {
  /** Target value whose elements are skipped (default −100, as PyTorch). */
  ignoreIndex?: number;
  reduction?: Reduction;
  /** Per-class weights (C). */
  weight?: Tensor | null;
  /** Label smoothing ε in [0, 1] (PyTorch semantics). */
  labelSmoothing?: number;
  /**
   * Per-element weights of the target's shape (e.g. a 0/1 padding mask of a many-to-many
   * batch). They multiply each element's loss; 'mean' divides by their (class-weighted) sum.
   */
  mask?: Tensor | null;
}

/**
 * Cross-entropy between logits and class indices (F.cross_entropy).
 * logits (N, C) or (N, C, d1, …) or unbatched (C); target int32 (N) / (N, d1, …) / ().
 */
export function crossEntropy(logitsIn: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const logits = floatArg(op, 'logits', logitsIn);
  assertTensor(op, 'target', target);
  const reduction = checkReduction(op, options.reduction ?? 'mean');
  const ignore = options.ignoreIndex ?? -100;
  const eps = options.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) throw new ArgumentError(op, 'labelSmoothing', 'a number in [0, 1]', eps);
  const unbatched = logits.ndim === 1;
  const lg = unbatched ? unsqueeze(logits, 0) : logits;
  const tg = unbatched ? reshape(target, [1]) : target;
  if (lg.ndim < 2) throw new ShapeError(op, 'logits', 'rank ≥ 1: (C), (N, C) or (N, C, d1, …)', logits.shape);
  const C = lg.shape[1] as number;
  const tShape = [lg.shape[0] as number, ...lg.shape.slice(2)];
  if (tg.ndim !== tShape.length || tg.shape.some((d, i) => d !== tShape[i])) {
    throw new ShapeError(op, 'target', `shape ${formatShape(unbatched ? [] : tShape)} (logits ${formatShape(logits.shape)} without the class dimension)`, target.shape);
  }
  const w = options.weight ?? null;
  if (w && (w.ndim !== 1 || w.shape[0] !== C)) throw new ShapeError(op, 'weight', [C], w.shape);
  const mask = options.mask ?? null;
  if (mask && (mask.ndim !== target.ndim || mask.shape.some((d, i) => d !== target.shape[i]))) {
    throw new ShapeError(op, 'mask', target.shape, mask.shape);
  }

  // Constant per-element weights: 0 for ignored elements, else w[target] · mask.
  const n = tg.size;
  const idx = new Int32Array(n);
  const wt = new (logits.dtype === 'float64' ? Float64Array : Float32Array)(n);
  const valid = new (logits.dtype === 'float64' ? Float64Array : Float32Array)(n);
  for (let i = 0; i < n; i++) {
    const t = tg.data[i] as number;
    if (!Number.isInteger(t)) throw new ArgumentError(op, `target[${i}]`, 'an integer class index', t);
    if (t === ignore) continue;
    if (t < 0 || t >= C) throw new ArgumentError(op, `target[${i}]`, `a class index in [0, ${C}) or ignoreIndex (${ignore})`, t);
    idx[i] = t;
    const m = mask ? (mask.data[i] as number) : 1;
    valid[i] = m;
    wt[i] = (w ? (w.data[t] as number) : 1) * m;
  }
  const wtT = new Tensor(wt, tShape);
  const logp = logSoftmax(lg, 1);
  const picked = reshape(gather(logp, 1, new Tensor(idx, [tShape[0] as number, 1, ...tShape.slice(1)])), tShape);
  let loss = neg(mul(picked, wtT)); // (N, d1, …)
  if (eps > 0) {
    // Smoothing term: −Σ_c w_c log p_c / C for every non-ignored element.
    const wc = w ? reshape(w, [1, C, ...tShape.slice(1).map(() => 1)]) : null;
    const smooth = div(neg(sum(wc ? mul(logp, wc) : logp, 1)), C);
    loss = add(mul(loss, 1 - eps), mul(mul(smooth, new Tensor(valid, tShape)), eps));
  }
  if (unbatched) loss = reshape(loss, []);
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  const denom = total(wt);
  return div(sum(loss), denom); // NaN when every element is ignored, as PyTorch
}

/** Negative log-likelihood of log-probabilities (F.nll_loss): logp (N, C, …), target (N, …). */
export function nllLoss(logp: Tensor, target: Tensor, options: { reduction?: Reduction; ignoreIndex?: number } = {}): Tensor {
  const op = 'nllLoss';
  const x = floatArg(op, 'logp', logp);
  if (x.ndim < 2) throw new ShapeError(op, 'logp', 'rank ≥ 2 (N, C, …)', x.shape);
  const reduction = checkReduction(op, options.reduction ?? 'mean');
  const ignore = options.ignoreIndex ?? -100;
  const C = x.shape[1] as number;
  const tShape = [x.shape[0] as number, ...x.shape.slice(2)];
  assertTensor(op, 'target', target);
  if (target.ndim !== tShape.length || target.shape.some((d, i) => d !== tShape[i])) throw new ShapeError(op, 'target', tShape, target.shape);
  const idx = new Int32Array(target.size);
  const wt = new (x.dtype === 'float64' ? Float64Array : Float32Array)(target.size);
  for (let i = 0; i < target.size; i++) {
    const t = target.data[i] as number;
    if (t === ignore) continue;
    if (!Number.isInteger(t) || t < 0 || t >= C) throw new ArgumentError(op, `target[${i}]`, `a class index in [0, ${C}) or ignoreIndex (${ignore})`, t);
    idx[i] = t;
    wt[i] = 1;
  }
  const loss = neg(mul(reshape(gather(x, 1, new Tensor(idx, [tShape[0] as number, 1, ...tShape.slice(1)])), tShape), new Tensor(wt, tShape)));
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  return div(sum(loss), total(wt));
}

function sameShape(op: string, a: Tensor, b: Tensor, names: [string, string]): void {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(op, names[1], `shape ${formatShape(a.shape)} like '${names[0]}'`, b.shape);
  }
}

/** Mean squared error (F.mse_loss). */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const op = 'mseLoss';
  const x = floatArg(op, 'input', input);
  const t = floatArg(op, 'target', target);
  sameShape(op, x, t, ['input', 'target']);
  const reduction = checkReduction(op, options.reduction ?? 'mean');
  const d = sub(x, t);
  const sq = mul(d, d);
  return reduction === 'none' ? sq : reduction === 'sum' ? sum(sq) : mean(sq);
}

/**
 * Binary cross-entropy on logits (F.binary_cross_entropy_with_logits), stable for large
 * |x|: ℓ = (1 − t)·x + (1 + (posWeight − 1)·t)·softplus(−x).
 */
export function bceWithLogits(logits: Tensor, target: Tensor, options: { reduction?: Reduction; posWeight?: Tensor | null } = {}): Tensor {
  const op = 'bceWithLogits';
  const x = floatArg(op, 'logits', logits);
  const t = floatArg(op, 'target', target);
  sameShape(op, x, t, ['logits', 'target']);
  const reduction = checkReduction(op, options.reduction ?? 'mean');
  const sp = softplus(neg(x));
  const lw = options.posWeight ? add(mul(sub(options.posWeight, 1), t), 1) : null;
  const loss = add(mul(sub(1, t), x), lw ? mul(lw, sp) : sp);
  return reduction === 'none' ? loss : reduction === 'sum' ? sum(loss) : mean(loss);
}
