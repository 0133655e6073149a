// Attention over a sequence of encoder states h_1 … h_S ("keys", also the values):
//   scores  e_ij = score(q_i, h_j)
//   weights a_ij = softmax_j(e_ij)     (padded steps j ≥ length are masked out)
//   context c_i  = Σ_j a_ij h_j
// with the three classic scores:
//   additive  (Bahdanau et al. 2015):  v·tanh(W_q q + W_k h + b)
//   dot       (Luong et al. 2015):     q·h                      (query and key widths equal)
//   general   (Luong et al. 2015):     q·(W_a h)
// The query may be one step (B, Q) or a whole sequence of decoder steps (B, T, Q): with
// teacher forcing the decoder's states are all known, so every step is scored in one
// batched product. Key projections are computed once per source batch (`prepare`).

import { ArgumentError, ShapeError } from '../errors.js';
import type { Generator } from '../util/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Parameter } from '../nn/parameter.js';
import { uniform_ } from '../nn/init.js';
import { add, matmul, softmax, tanh, transpose, unsqueeze, squeeze, maskedFill } from '../ops/index.js';
import { lengthsArg } from '../ops/sequence.js';

export type AttentionScore = 'additive' | 'dot' | 'general';
export const ATTENTION_SCORES: readonly AttentionScore[] = ['additive', 'dot', 'general'];

export interface AttentionOptions {
  /** Width of the query (the decoder state). */
  querySize: number;
  /** Width of each encoder state (key and value). */
  keySize: number;
  /** Scoring function (default 'general'). */
  score?: AttentionScore;
  /** Hidden width of the additive score's tanh layer (default querySize). */
  attentionSize?: number;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

/** Keys with their score-side projection, computed once per source batch. */
export interface PreparedKeys {
  /** (B, S, K): the encoder states (values). */
  keys: Tensor;
  /** (B, S, ·): W_k h + b (additive), W_a h (general) or h (dot). */
  projected: Tensor;
  /** (B, 1, S) 1 where a step is padding, or null when every step is valid. */
  padMask: Tensor | null;
  lengths: Int32Array | null;
}

export interface AttentionResult {
  /** (B, K) for a (B, Q) query, (B, T, K) for a (B, T, Q) query. */
  context: Tensor;
  /** (B, S) or (B, T, S); rows sum to 1 over the valid steps and are 0 on padding. */
  weights: Tensor;
}

export class Attention extends Module {
  readonly score: AttentionScore;
  readonly querySize: number;
  readonly keySize: number;
  readonly attentionSize: number;
  readonly dtype: 'float32' | 'float64';
  /** additive: W_q (A × Q, no bias). */
  readonly queryProj: Linear | null;
  /** additive: W_k (A × K, with bias b); general: W_a (Q × K, no bias). */
  readonly keyProj: Linear | null;
  /** additive: v (A). */
  readonly v: Parameter | null;

  constructor(options: AttentionOptions) {
    super();
    const name = 'Attention';
    if (typeof options !== 'object' || options === null) throw new ArgumentError(name, 'options', 'an object with querySize and keySize', options);
    for (const k of ['querySize', 'keySize'] as const) {
      const v = options[k];
      if (!Number.isInteger(v) || v <= 0) throw new ArgumentError(name, k, 'a positive integer', v);
    }
    const score = options.score ?? 'general';
    if (!ATTENTION_SCORES.includes(score)) throw new ArgumentError(name, 'score', `one of ${ATTENTION_SCORES.join(', ')}`, score);
    if (score === 'dot' && options.querySize !== options.keySize) {
      throw new ArgumentError(name, 'keySize', `equal to querySize (${options.querySize}) for the dot score (use 'general' for different widths)`, options.keySize);
    }
    const A = options.attentionSize ?? options.querySize;
    if (!Number.isInteger(A) || A <= 0) throw new ArgumentError(name, 'attentionSize', 'a positive integer', A);
    this.score = score;
    this.querySize = options.querySize;
    this.keySize = options.keySize;
    this.attentionSize = score === 'additive' ? A : 0;
    this.dtype = options.dtype ?? 'float32';
    const o = { dtype: this.dtype, ...(options.generator ? { generator: options.generator } : {}) };
    this.queryProj = score === 'additive' ? this.registerModule('query_proj', new Linear(this.querySize, A, { ...o, bias: false })) : null;
    this.keyProj = score === 'additive'
      ? this.registerModule('key_proj', new Linear(this.keySize, A, o))
      : score === 'general' ? this.registerModule('key_proj', new Linear(this.keySize, this.querySize, { ...o, bias: false })) : null;
    this.v = score === 'additive' ? this.registerParameter('v', new Parameter(zeros([A], { dtype: this.dtype }))) : null;
    if (this.v) uniform_(this.v, -1 / Math.sqrt(A), 1 / Math.sqrt(A), options.generator);
  }

  /**
   * Projects the keys once for all the decoder steps that will read them.
   * keys (B, S, K); lengths: valid steps of each source (1 … S), or null when all are valid.
   */
  prepare(keys: Tensor, lengths?: readonly number[] | Int32Array | Tensor | null): PreparedKeys {
    const op = 'Attention.prepare';
    if (!(keys instanceof Tensor)) throw new ArgumentError(op, 'keys', 'a Tensor (B, S, keySize)', keys);
    if (keys.ndim !== 3 || keys.shape[2] !== this.keySize) throw new ShapeError(op, 'keys', `(B, S, ${this.keySize})`, keys.shape);
    const [B, S] = keys.shape as [number, number, number];
    if (S === 0) throw new ShapeError(op, 'keys', 'at least one source step (S ≥ 1)', keys.shape);
    let len: Int32Array | null = null;
    let padMask: Tensor | null = null;
    if (lengths !== undefined && lengths !== null) {
      const raw = Array.from(lengths instanceof Tensor ? lengths.data : lengths, Number);
      if (raw.length > 0 && raw.every((l) => l === 0)) throw new ArgumentError(op, 'lengths', 'at least one nonzero length (every source is empty: attention over no step is undefined)', `[${raw.join(', ')}]`);
      const zeroAt = raw.findIndex((l) => l === 0);
      if (zeroAt >= 0) throw new ArgumentError(op, `lengths[${zeroAt}]`, 'a length ≥ 1 (a source with no step has nothing to attend to)', 0);
      len = lengthsArg(op, lengths, B, S);
      if (len.some((l) => l < S)) {
        const m = new Tensor(this.dtype === 'float64' ? new Float64Array(B * S) : new Float32Array(B * S), [B, 1, S]);
        for (let b = 0; b < B; b++) for (let s = len[b] as number; s < S; s++) m.data[b * S + s] = 1;
        padMask = m;
      }
    }
    const projected = this.keyProj ? this.keyProj.forward(keys) : keys;
    return { keys, projected, padMask, lengths: len };
  }

  /**
   * Attends with `query` (B, Q) or (B, T, Q) over the prepared keys (or raw keys (B, S, K)
   * with `lengths`). Returns the context and the attention weights.
   */
  forward(query: Tensor, keys: PreparedKeys | Tensor, lengths?: readonly number[] | Int32Array | Tensor | null): AttentionResult {
    const op = 'Attention.forward';
    const p = keys instanceof Tensor ? this.prepare(keys, lengths) : keys;
    if (!(query instanceof Tensor)) throw new ArgumentError(op, 'query', `a Tensor (B, ${this.querySize}) or (B, T, ${this.querySize})`, query);
    const B = p.keys.shape[0] as number;
    const single = query.ndim === 2;
    if ((query.ndim !== 2 && query.ndim !== 3) || query.shape[0] !== B || query.shape[query.ndim - 1] !== this.querySize) {
      throw new ShapeError(op, 'query', `(${B}, ${this.querySize}) or (${B}, T, ${this.querySize})`, query.shape);
    }
    const q = single ? unsqueeze(query, 1) : query; // (B, T, Q)
    let scores: Tensor; // (B, T, S)
    if (this.score === 'additive') {
      const qa = (this.queryProj as Linear).forward(q); // (B, T, A)
      // (B, T, 1, A) + (B, 1, S, A) → tanh → · v → (B, T, S)
      const hidden = tanh(add(unsqueeze(qa, 2), unsqueeze(p.projected, 1)));
      scores = squeeze(matmul(hidden, unsqueeze(this.v as Parameter, -1)), -1);
    } else {
      scores = matmul(q, transpose(p.projected, 1, 2));
    }
    if (p.padMask) scores = maskedFill(scores, p.padMask, -Infinity);
    const weights = softmax(scores, -1);
    const context = matmul(weights, p.keys); // (B, T, K)
    return single ? { context: squeeze(context, 1), weights: squeeze(weights, 1) } : { context, weights };
  }

  protected override extraRepr(): string {
    return `score='${this.score}', querySize=${this.querySize}, keySize=${this.keySize}${this.score === 'additive' ? `, attentionSize=${this.attentionSize}` : ''}`;
  }
}
