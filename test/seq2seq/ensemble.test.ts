// An ensemble of encoder–decoders: its step distribution is the mean of its members'
// (checked against the members' own steps, computed here in plain arithmetic); greedy and
// beam search accept it; an ensemble of one is its member; bad members fail clearly.
import { describe, expect, it } from 'vitest';
import {
  Seq2Seq, Seq2SeqEnsemble, Generator, Tensor, greedyDecode, beamSearch, noGrad, ArgumentError, type Seq2SeqOptions,
} from '../../src/index.js';

const ids = (rows: number[][]): Tensor => new Tensor(Int32Array.from(rows.flat()), [rows.length, (rows[0] as number[]).length]);
const src = ids([[1, 2, 3], [4, 5, 1], [2, 0, 4], [3, 0, 0]]); // (S = 4, B = 3)
const srcLengths = [4, 2, 3];
const bos = 1;
const eos = 2;
const base: Seq2SeqOptions = { srcVocab: 6, tgtVocab: 5, embed: 3, hidden: 3, dtype: 'float64' };
const a = new Seq2Seq({ ...base, generator: new Generator(11) }).eval();
const b = new Seq2Seq({ ...base, hidden: 4, attention: 'additive', generator: new Generator(12) }).eval();
const c = new Seq2Seq({ ...base, attention: 'none', cell: 'gru', generator: new Generator(13) }).eval();

/** Softmax of row r of a (B, V) tensor, in plain float64 arithmetic. */
function probs(logits: Tensor, r: number): number[] {
  const V = logits.shape[1] as number;
  const row = Array.from(logits.data.subarray(r * V, (r + 1) * V) as ArrayLike<number>);
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((x) => x / s);
}

describe('Seq2SeqEnsemble', () => {
  it('a step is the mean of the members\' distributions, and of their attention weights', () => {
    const ens = new Seq2SeqEnsemble([a, b, c]);
    noGrad(() => {
      const enc = ens.encode(src, srcLengths);
      const tokens = new Tensor(Int32Array.from([1, 3, 4]), [3]);
      const r = ens.step(tokens, ens.initialState(enc), enc);
      const own = [a, b, c].map((m) => { const e = m.encode(src, srcLengths); return m.step(tokens, m.initialState(e), e); });
      for (let row = 0; row < 3; row++) {
        const want = [0, 1, 2, 3, 4].map((v) => own.reduce((s, o) => s + (probs(o.logits, row)[v] as number), 0) / 3);
        const got = probs(r.logits, row);
        got.forEach((p, v) => expect(p).toBeCloseTo(want[v] as number, 12));
      }
      // c has no attention: the weights are the mean of a's and b's.
      const wa = own[0]?.weights as Tensor;
      const wb = own[1]?.weights as Tensor;
      (r.weights as Tensor).toFlatArray().forEach((w, i) => expect(w).toBeCloseTo(((wa.data[i] as number) + (wb.data[i] as number)) / 2, 12));
    });
  });

  it('greedy decoding follows the argmax of the mean distribution (checked step by step through the members)', () => {
    const ens = new Seq2SeqEnsemble([a, b]);
    const hyps = greedyDecode(ens, src, srcLengths, { bos, eos, maxLength: 5 });
    noGrad(() => {
      for (let k = 0; k < 3; k++) {
        const s = ids(Array.from({ length: srcLengths[k] as number }, (_, t) => [src.data[t * 3 + k] as number]));
        const encs = [a, b].map((m) => m.encode(s, null));
        let states = [a, b].map((m, i) => m.initialState(encs[i]!));
        let prev = bos;
        const tokens: number[] = [];
        let logProb = 0;
        for (let t = 0; t < 5; t++) {
          const steps = [a, b].map((m, i) => m.step(new Tensor(Int32Array.of(prev), [1]), states[i]!, encs[i]!));
          const p = [0, 1, 2, 3, 4].map((v) => steps.reduce((acc, r) => acc + (probs(r.logits, 0)[v] as number), 0) / 2);
          const best = p.indexOf(Math.max(...p));
          logProb += Math.log(p[best] as number);
          states = steps.map((r) => r.state);
          if (best === eos) break;
          tokens.push(best);
          prev = best;
        }
        expect(hyps[k]?.tokens).toEqual(tokens);
        expect(hyps[k]?.logProb).toBeCloseTo(logProb, 10);
      }
    });
  });

  it('an ensemble of one decodes as its member (greedy and beam); beam width 1 of an ensemble is its greedy search', () => {
    const one = new Seq2SeqEnsemble([b]);
    const opts = { bos, eos, maxLength: 6 };
    expect(greedyDecode(one, src, srcLengths, opts).map((h) => h.tokens)).toEqual(greedyDecode(b, src, srcLengths, opts).map((h) => h.tokens));
    const beamOne = beamSearch(one, src, srcLengths, { ...opts, beamWidth: 3, nBest: 3 });
    const beamB = beamSearch(b, src, srcLengths, { ...opts, beamWidth: 3, nBest: 3 });
    beamOne.forEach((hs, i) => hs.forEach((h, j) => {
      expect(h.tokens).toEqual(beamB[i]?.[j]?.tokens);
      expect(h.score).toBeCloseTo(beamB[i]?.[j]?.score as number, 10);
    }));
    const ens = new Seq2SeqEnsemble([a, b, c]);
    const g = greedyDecode(ens, src, srcLengths, opts);
    const w1 = beamSearch(ens, src, srcLengths, { ...opts, beamWidth: 1, lengthPenalty: 0 });
    g.forEach((h, i) => expect(w1[i]?.[0]?.tokens).toEqual(h.tokens));
    expect(g[1]?.attention?.[0]?.length).toBe(2); // rows cut to the source's length
  });

  it('bad members fail naming the argument', () => {
    expect(() => new Seq2SeqEnsemble([])).toThrow(ArgumentError);
    expect(() => new Seq2SeqEnsemble([])).toThrow(/argument 'members' must be a non-empty array of Seq2Seq models, got \[\]/);
    expect(() => new Seq2SeqEnsemble([a, {} as Seq2Seq])).toThrow(/argument 'members\[1\]' must be a Seq2Seq model/);
    const other = new Seq2Seq({ ...base, tgtVocab: 7 });
    expect(() => new Seq2SeqEnsemble([a, other])).toThrow(/argument 'members\[1\]' must be a model with the vocabularies of members\[0\] \(srcVocab 6, tgtVocab 5\), got .?srcVocab 6, tgtVocab 7/);
    const ens = new Seq2SeqEnsemble([a, b]);
    expect(() => ens.checkVocabularies({ size: 6 }, { size: 4 })).toThrow(/target vocabulary/);
    const enc = ens.encode(src, srcLengths);
    expect(() => ens.step(new Tensor(Int32Array.of(1, 1, 1), [3]), [], enc)).toThrow(/argument 'state' must be 2 member states/);
    expect(() => greedyDecode({} as never, src, srcLengths, { bos, eos })).toThrow(/argument 'model' must be a Seq2Seq or a Seq2SeqEnsemble/);
  });
});
