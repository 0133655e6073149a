// An ensemble of encoder–decoders decoded as one model: at every output step each member
// runs its own decoder step on the same previous tokens, and the next-token distribution is
// the mean of the members' distributions,
//
//   p(y_t | y_<t, x) = (1/M) Σ_m p_m(y_t | y_<t, x)
//
// (the usual ensemble of neural sequence-to-sequence models, e.g. Sutskever et al. 2014).
// The members may differ in everything but their vocabularies: sizes, cells, attention.
// greedyDecode and beamSearch take an ensemble wherever they take a Seq2Seq.

import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, log, mul, softmax, stack, mean } from '../ops/index.js';
import { Seq2Seq, type DecoderState, type Encoded } from './encoder-decoder.js';

/** What the members' encoders hand their decoders. */
export interface EnsembleEncoded {
  members: Encoded[];
  lengths: Int32Array;
  batch: number;
  srcSteps: number;
}

export class Seq2SeqEnsemble {
  readonly members: readonly Seq2Seq[];
  readonly srcVocab: number;
  readonly tgtVocab: number;
  /** The first member's attention (null when no member has one): decoding records weights when set. */
  readonly attention: object | null;

  constructor(members: readonly Seq2Seq[]) {
    const op = 'Seq2SeqEnsemble';
    if (!Array.isArray(members) || members.length === 0) throw new ArgumentError(op, 'members', 'a non-empty array of Seq2Seq models', members);
    members.forEach((m, i) => {
      if (!(m instanceof Seq2Seq)) throw new ArgumentError(op, `members[${i}]`, 'a Seq2Seq model', m);
    });
    const first = members[0] as Seq2Seq;
    members.forEach((m, i) => {
      if (m.srcVocab !== first.srcVocab || m.tgtVocab !== first.tgtVocab) {
        throw new ArgumentError(op, `members[${i}]`, `a model with the vocabularies of members[0] (srcVocab ${first.srcVocab}, tgtVocab ${first.tgtVocab})`, `srcVocab ${m.srcVocab}, tgtVocab ${m.tgtVocab}`);
      }
    });
    this.members = [...members];
    this.srcVocab = first.srcVocab;
    this.tgtVocab = first.tgtVocab;
    this.attention = members.find((m) => m.attention)?.attention ?? null;
  }

  /** Evaluation mode for every member (no dropout); returns this. */
  eval(): this {
    for (const m of this.members) m.eval();
    return this;
  }

  /** Checks that a caller's vocabularies have the members' sizes (see Seq2Seq.checkVocabularies). */
  checkVocabularies(src: { size: number }, tgt: { size: number }): void {
    for (const m of this.members) m.checkVocabularies(src, tgt);
  }

  encode(src: Tensor, srcLengths?: readonly number[] | Int32Array | null): EnsembleEncoded {
    const members = this.members.map((m) => m.encode(src, srcLengths));
    const e = members[0] as Encoded;
    return { members, lengths: e.lengths, batch: e.batch, srcSteps: e.srcSteps };
  }

  initialState(enc: EnsembleEncoded): DecoderState[] {
    return this.members.map((m, i) => m.initialState(enc.members[i] as Encoded));
  }

  /**
   * One step of every member. `logits` (B, tgtVocab) are log of the mean distribution, so
   * that their softmax (and log-softmax) is the ensemble's; `weights` are the mean of the
   * members' attention weights (B, S) (of those that have attention).
   */
  step(tokens: Tensor, state: readonly DecoderState[], enc: EnsembleEncoded): { logits: Tensor; weights: Tensor | null; state: DecoderState[] } {
    if (!Array.isArray(state) || state.length !== this.members.length) {
      throw new ArgumentError('Seq2SeqEnsemble.step', 'state', `${this.members.length} member states (from initialState)`, Array.isArray(state) ? state.length : state);
    }
    const steps = this.members.map((m, i) => m.step(tokens, state[i] as DecoderState, enc.members[i] as Encoded));
    let p: Tensor | null = null;
    for (const r of steps) p = p ? add(p, softmax(r.logits, -1)) : softmax(r.logits, -1);
    const logits = log(mul(p as Tensor, 1 / steps.length));
    const w = steps.map((r) => r.weights).filter((x): x is Tensor => x !== null);
    const weights = w.length === 0 ? null : w.length === 1 ? w[0] as Tensor : mean(stack(w, 0), 0);
    return { logits, weights, state: steps.map((r) => r.state) };
  }

  reorderEncoded(enc: EnsembleEncoded, index: Int32Array): EnsembleEncoded {
    const members = this.members.map((m, i) => m.reorderEncoded(enc.members[i] as Encoded, index));
    const e = members[0] as Encoded;
    return { members, lengths: e.lengths, batch: e.batch, srcSteps: e.srcSteps };
  }

  reorderState(state: readonly DecoderState[], index: Int32Array): DecoderState[] {
    return this.members.map((m, i) => m.reorderState(state[i] as DecoderState, index));
  }
}
