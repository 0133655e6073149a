// Decoding a Seq2Seq model: greedy search and beam search, both batched.
//
// Greedy: y_t = argmax p(y | y_<t, x), until the end token or maxLength.
// Beam search keeps, for every source, the `beamWidth` partial outputs of highest
// log-probability; all beams of all sources run through the decoder together as one batch
// of B·K rows. A hypothesis ends when it emits the end token; it is then scored with a
// length normalisation  score = log p(y | x) / |y|^α  (α = lengthPenalty; 0 = raw log-prob,
// which favours short outputs; |y| counts the end token). A source is done when it holds
// `beamWidth` finished hypotheses, or at maxLength, where its unfinished beams are scored
// as they stand.

import { ArgumentError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';
import { logSoftmax } from '../ops/index.js';

/**
 * What decoding needs of a model: a Seq2Seq, or a Seq2SeqEnsemble (whose step averages its
 * members' distributions). E is the encoder's output, S the decoder's running state.
 */
export interface StepDecoder<E extends EncodedLike, S> {
  readonly tgtVocab: number;
  /** Non-null when steps return attention weights (hypotheses then carry them). */
  readonly attention: object | null;
  encode(src: Tensor, srcLengths?: readonly number[] | Int32Array | null): E;
  initialState(enc: E): S;
  step(tokens: Tensor, state: S, enc: E): { logits: Tensor; weights: Tensor | null; state: S };
  reorderEncoded(enc: E, index: Int32Array): E;
  reorderState(state: S, index: Int32Array): S;
}

/** The fields of an encoder output that decoding reads. */
export interface EncodedLike {
  batch: number;
  srcSteps: number;
  lengths: Int32Array;
}

export interface DecodeOptions {
  /** Start token fed at the first step. */
  bos: number;
  /** End token: decoding of a sequence stops when it is produced (it is not returned). */
  eos: number;
  /** Longest output (default 2 × the longest source + 10). */
  maxLength?: number;
}

export interface BeamOptions extends DecodeOptions {
  /** Number of hypotheses kept per source (≥ 1; 1 is greedy search). */
  beamWidth: number;
  /** α of the length normalisation log p / |y|^α (default 1). */
  lengthPenalty?: number;
}

export interface Hypothesis {
  /** Output token ids, without the start and end tokens. */
  tokens: number[];
  /** log p(tokens, end | source) (without the end token if it never came). */
  logProb: number;
  /** The normalised score used for ranking. */
  score: number;
  /** Attention weights, one row per output step (including the end token's step); each row has the source's length. */
  attention: number[][] | null;
}

function checkCommon<E extends EncodedLike, S>(op: string, model: StepDecoder<E, S>, o: DecodeOptions): void {
  if (typeof model !== 'object' || model === null || typeof model.step !== 'function' || typeof model.encode !== 'function') {
    throw new ArgumentError(op, 'model', 'a Seq2Seq or a Seq2SeqEnsemble', model);
  }
  if (typeof o !== 'object' || o === null) throw new ArgumentError(op, 'options', 'an object with bos and eos', o);
  for (const k of ['bos', 'eos'] as const) {
    const v = o[k];
    if (!Number.isInteger(v) || v < 0 || v >= model.tgtVocab) throw new ArgumentError(op, k, `a token id in [0, ${model.tgtVocab}) (the target vocabulary)`, v);
  }
  if (o.maxLength !== undefined && (!Number.isInteger(o.maxLength) || o.maxLength < 1)) throw new ArgumentError(op, 'maxLength', 'a positive integer', o.maxLength);
}

/** Row b of an attention tensor (B, S), cut to the source's length. */
function attentionRow(w: Tensor | null, b: number, S: number, len: number): number[] | null {
  if (!w) return null;
  return Array.from(w.data.subarray(b * S, b * S + len) as ArrayLike<number>);
}

/** Greedy decoding of a batch of sources (S, B) by a Seq2Seq or an ensemble. One hypothesis per source. */
export function greedyDecode<E extends EncodedLike, S>(model: StepDecoder<E, S>, src: Tensor, srcLengths: readonly number[] | Int32Array | null, options: DecodeOptions): Hypothesis[] {
  const op = 'greedyDecode';
  checkCommon(op, model, options);
  return noGrad(() => {
    const enc = model.encode(src, srcLengths);
    const B = enc.batch;
    const S = enc.srcSteps;
    const maxLength = options.maxLength ?? 2 * S + 10;
    let state = model.initialState(enc);
    let tokens = new Tensor(new Int32Array(B).fill(options.bos), [B]);
    const out: Hypothesis[] = Array.from({ length: B }, () => ({ tokens: [], logProb: 0, score: 0, attention: model.attention ? [] : null }));
    const done = new Uint8Array(B);
    for (let t = 0; t < maxLength && done.some((d) => d === 0); t++) {
      const r = model.step(tokens, state, enc);
      state = r.state;
      const logp = logSoftmax(r.logits, -1);
      const V = model.tgtVocab;
      const next = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        let best = 0;
        for (let v = 1; v < V; v++) if ((logp.data[b * V + v] as number) > (logp.data[b * V + best] as number)) best = v;
        next[b] = best;
        if (done[b]) continue;
        const h = out[b] as Hypothesis;
        h.logProb += logp.data[b * V + best] as number;
        h.attention?.push(attentionRow(r.weights, b, S, enc.lengths[b] as number) as number[]);
        if (best === options.eos) done[b] = 1;
        else h.tokens.push(best);
      }
      tokens = new Tensor(next, [B]);
    }
    for (const h of out) h.score = h.logProb;
    return out;
  });
}

interface Beam {
  tokens: number[];
  logProb: number;
  attention: number[][] | null;
}

/**
 * Beam search over a batch of sources (S, B): the best hypothesis of each source, or the
 * `beamWidth` best with `nBest`.
 */
export function beamSearch<E extends EncodedLike, S>(
  model: StepDecoder<E, S>, src: Tensor, srcLengths: readonly number[] | Int32Array | null, options: BeamOptions & { nBest?: number },
): Hypothesis[][] {
  const op = 'beamSearch';
  checkCommon(op, model, options);
  const K = options.beamWidth;
  if (!Number.isInteger(K) || K < 1) throw new ArgumentError(op, 'beamWidth', 'an integer ≥ 1', K);
  const alpha = options.lengthPenalty ?? 1;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) throw new ArgumentError(op, 'lengthPenalty', 'a finite number ≥ 0', alpha);
  const nBest = options.nBest ?? 1;
  if (!Number.isInteger(nBest) || nBest < 1 || nBest > K) throw new ArgumentError(op, 'nBest', `an integer in [1, beamWidth = ${K}]`, nBest);
  const norm = (logProb: number, len: number): number => (alpha === 0 ? logProb : logProb / len ** alpha);
  return noGrad(() => {
    const enc0 = model.encode(src, srcLengths);
    const B = enc0.batch;
    const S = enc0.srcSteps;
    const V = model.tgtVocab;
    const maxLength = options.maxLength ?? 2 * S + 10;
    // Row b·K + k holds beam k of source b.
    const rows = Int32Array.from({ length: B * K }, (_, i) => Math.floor(i / K));
    const enc = model.reorderEncoded(enc0, rows);
    let state = model.initialState(enc);
    let beams: Beam[][] = Array.from({ length: B }, () => [{ tokens: [], logProb: 0, attention: model.attention ? [] : null }]);
    const finished: Hypothesis[][] = Array.from({ length: B }, () => []);
    const done = new Uint8Array(B);
    let tokens = new Tensor(new Int32Array(B * K).fill(options.bos), [B * K]);
    for (let t = 0; t < maxLength && done.some((d) => d === 0); t++) {
      const r = model.step(tokens, state, enc);
      const logp = logSoftmax(r.logits, -1);
      const parent = new Int32Array(B * K);
      const next = new Int32Array(B * K).fill(options.eos);
      const newBeams: Beam[][] = [];
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < K; k++) parent[b * K + k] = b * K; // rows of finished sources: any valid row
        if (done[b]) { newBeams.push([]); continue; }
        // All continuations of the live beams, best first.
        const cands: { k: number; v: number; lp: number }[] = [];
        (beams[b] as Beam[]).forEach((beam, k) => {
          const row = (b * K + k) * V;
          for (let v = 0; v < V; v++) cands.push({ k, v, lp: beam.logProb + (logp.data[row + v] as number) });
        });
        cands.sort((x, y) => y.lp - x.lp);
        const kept: Beam[] = [];
        const lenHere = t + 1;
        for (const c of cands) {
          if (kept.length === K) break;
          const from = (beams[b] as Beam[])[c.k] as Beam;
          const att = from.attention ? [...from.attention, attentionRow(r.weights, b * K + c.k, S, enc0.lengths[b] as number) as number[]] : null;
          if (c.v === options.eos) {
            // A finished hypothesis among this step's top candidates; it leaves the beam.
            finished[b]!.push({ tokens: from.tokens, logProb: c.lp, score: norm(c.lp, lenHere), attention: att });
            continue;
          }
          parent[b * K + kept.length] = b * K + c.k;
          next[b * K + kept.length] = c.v;
          kept.push({ tokens: [...from.tokens, c.v], logProb: c.lp, attention: att });
        }
        // Done when K hypotheses have finished and no live beam can still beat the best of them
        // (log-probabilities only fall; with α > 0 the bound uses the longest allowed length).
        const fin = finished[b] as Hypothesis[];
        if (fin.length >= K) {
          const bestFinished = Math.max(...fin.map((h) => h.score));
          const bestLive = Math.max(...kept.map((k) => (alpha === 0 ? k.logProb : k.logProb / maxLength ** alpha)));
          if (kept.length === 0 || bestLive <= bestFinished) done[b] = 1;
        }
        // Unused rows repeat the last live beam (their results are ignored).
        for (let k = kept.length; k < K; k++) {
          parent[b * K + k] = parent[b * K + Math.max(0, kept.length - 1)] as number;
          next[b * K + k] = next[b * K + Math.max(0, kept.length - 1)] as number;
        }
        newBeams.push(kept);
      }
      beams = newBeams;
      state = model.reorderState(r.state, parent);
      tokens = new Tensor(next, [B * K]);
    }
    return finished.map((fin, b) => {
      const all = [...fin];
      // Sources cut by maxLength: their live beams compete as they stand.
      if (!done[b]) for (const beam of beams[b] as Beam[]) all.push({ tokens: beam.tokens, logProb: beam.logProb, score: norm(beam.logProb, Math.max(1, beam.tokens.length)), attention: beam.attention });
      all.sort((x, y) => y.score - x.score);
      return all.slice(0, nBest);
    });
  });
}
