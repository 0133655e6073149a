// Encoder–decoder: the one-call teacher-forced path equals the step-by-step decoder for
// every switch (attention kinds, context as initial state / at every step, bridges, cells);
// gradients checked in float64; padding of the source changes nothing; beam search equals
// an exhaustive search on a small vocabulary and greedy search at width 1; a small model
// learns to reverse sequences; bad input fails clearly.
import { describe, expect, it } from 'vitest';
import {
  Seq2Seq, Generator, Tensor, gradcheck, crossEntropy, reshape, sum, mul, randn, padSequences, Adam, clipGradNorm, logSoftmax,
  greedyDecode, beamSearch, editDistance, sequenceErrorRates, moduleConfig, buildModule, encodeWeights, decodeModule, noGrad, stack,
  ArgumentError, ShapeError, type Seq2SeqOptions,
} from '../../src/index.js';

const V_SRC = 6;
const V_TGT = 5;
const ids = (rows: number[][]): Tensor => new Tensor(Int32Array.from(rows.flat()), [rows.length, (rows[0] as number[]).length]);
// (S = 4, B = 3) source with lengths 4, 2, 3 (padding id 0); (T = 3, B = 3) decoder input.
const src = ids([[1, 2, 3], [4, 5, 1], [2, 0, 4], [3, 0, 0]]);
const srcLengths = [4, 2, 3];
const tgtIn = ids([[1, 1, 1], [3, 4, 2], [4, 2, 3]]);
const tgtOut = ids([[3, 4, 2], [4, 2, 3], [2, 3, 4]]);

const base: Seq2SeqOptions = { srcVocab: V_SRC, tgtVocab: V_TGT, embed: 3, hidden: 3, dtype: 'float64' };
const configs: [string, Partial<Seq2SeqOptions>][] = [
  ['LSTM, general attention, linear bridge', {}],
  ['additive attention', { attention: 'additive', attentionSize: 4 }],
  ['dot attention (decoder width = 2·hidden)', { attention: 'dot' }],
  ['no attention, context fed at every step, copy bridge', { attention: 'none', feedContext: true, bridge: 'copy' }],
  ['no initial state, context at every step', { attention: 'none', initState: false, feedContext: true }],
  ['GRU encoder, LSTM decoder, 2 decoder layers', { encoderCell: 'gru', decoderCell: 'lstm', decoderLayers: 2, decoderHidden: 4 }],
  ['unidirectional GRU, peephole-LSTM decoder', { bidirectional: false, encoderCell: 'gru', decoderCell: 'peephole-lstm' }],
  ['minGRU encoder and decoder', { cell: 'mingru' }],
];

/** Teacher-forced logits computed one decoder step at a time through `step`. */
function stepwise(m: Seq2Seq): Tensor {
  const enc = m.encode(src, srcLengths);
  let state = m.initialState(enc);
  const out: Tensor[] = [];
  for (let t = 0; t < 3; t++) {
    const r = m.step(new Tensor(tgtIn.data.slice(t * 3, t * 3 + 3), [3]), state, enc);
    state = r.state;
    out.push(r.logits);
  }
  return stack(out, 0);
}

describe('Seq2Seq: one call equals the step-by-step decoder', () => {
  configs.forEach(([name, extra], k) => {
    it(name, () => {
      const m = new Seq2Seq({ ...base, ...extra, generator: new Generator(100 + k) });
      const { logits, attention } = m.forward(src, srcLengths, tgtIn);
      expect(logits.shape).toEqual([3, 3, V_TGT]);
      const ref = stepwise(m);
      Array.from(logits.data).forEach((x, i) => expect(x).toBeCloseTo(ref.data[i] as number, 12));
      if (m.attention) {
        expect(attention?.shape).toEqual([3, 3, 4]);
        // No weight on padded source steps.
        for (let b = 0; b < 3; b++) for (let t = 0; t < 3; t++) for (let j = srcLengths[b] as number; j < 4; j++) expect(attention?.data[(b * 3 + t) * 4 + j]).toBe(0);
      } else expect(attention).toBeNull();
    });
  });
});

describe('Seq2Seq: gradient checks (float64)', () => {
  const loss = (m: Seq2Seq, o: { teacherForcing?: number } = {}): Tensor => {
    const { logits } = m.forward(src, srcLengths, tgtIn, { ...o, generator: new Generator(7) });
    return crossEntropy(reshape(logits, [-1, V_TGT]), reshape(tgtOut, [-1]));
  };
  const cases: [string, Partial<Seq2SeqOptions>, number][] = [
    ['general attention (parallel path)', {}, 1],
    ['additive attention, input feeding (step path)', { attention: 'additive', inputFeeding: true }, 1],
    ['teacher forcing 0.5 (the model feeds some of its own predictions)', { attention: 'dot' }, 0.5],
    ['no attention, context at every step, copy bridge', { attention: 'none', feedContext: true, bridge: 'copy' }, 1],
  ];
  cases.forEach(([name, extra, ratio], k) => {
    it(name, () => {
      const m = new Seq2Seq({ ...base, ...extra, generator: new Generator(200 + k) });
      // A subset of every module's parameters keeps the check fast.
      const params = m.namedParameters().filter(([n]) => /weight_hh_l0(_reverse)?$|bridge_h.weight|key_proj|query_proj|^attention.v$|combine.weight|out.bias|src_embed/.test(n)).map(([, p]) => p);
      expect(params.length).toBeGreaterThan(3);
      const res = gradcheck(() => loss(m, { teacherForcing: ratio }), params, { atol: 1e-7 });
      expect(res.entries).toBeGreaterThan(40);
    });
  });
});

describe('Seq2Seq: source padding', () => {
  it('a padded source in a batch gives what it gives alone', () => {
    const m = new Seq2Seq({ ...base, generator: new Generator(300) });
    const { logits, attention } = m.forward(src, srcLengths, tgtIn);
    const alone = m.forward(ids([[2], [5]]), [2], ids([[1], [4], [2]]));
    for (let t = 0; t < 3; t++) for (let v = 0; v < V_TGT; v++) expect(logits.data[(t * 3 + 1) * V_TGT + v]).toBeCloseTo(alone.logits.data[t * V_TGT + v] as number, 12);
    for (let t = 0; t < 3; t++) for (let j = 0; j < 2; j++) expect(attention?.data[(1 * 3 + t) * 4 + j]).toBeCloseTo(alone.attention?.data[t * 2 + j] as number, 12);
  });
});

/** log p(y, end | x) (or log p(y | x) for an output cut at the length limit) by the teacher-forced forward pass. */
function sequenceLogProb(m: Seq2Seq, source: number[], y: number[], bos: number, eos: number | null): number {
  return noGrad(() => {
    const { logits } = m.forward(ids(source.map((s) => [s])), null, ids([bos, ...y].map((t) => [t])));
    const lp = logSoftmax(logits, -1);
    return [...y, ...(eos === null ? [] : [eos])].reduce((a, tok, t) => a + (lp.data[t * V_TGT + tok] as number), 0);
  });
}

describe('decoding', () => {
  const bos = 1;
  const eos = 2;
  const m = new Seq2Seq({ ...base, dtype: 'float32', generator: new Generator(400) });
  m.eval();
  it('beam width 1 is greedy search, batched and unbatched alike', () => {
    const g = greedyDecode(m, src, srcLengths, { bos, eos, maxLength: 6 });
    const b = beamSearch(m, src, srcLengths, { bos, eos, beamWidth: 1, lengthPenalty: 0, maxLength: 6 });
    g.forEach((h, i) => {
      expect(b[i]?.[0]?.tokens).toEqual(h.tokens);
      expect(b[i]?.[0]?.logProb).toBeCloseTo(h.logProb, 4);
    });
    // Decoding one source alone gives the same tokens as in the batch.
    const alone = greedyDecode(m, ids([[2], [5]]), [2], { bos, eos, maxLength: 6 });
    expect(alone[0]?.tokens).toEqual(g[1]?.tokens);
    expect(g[0]?.attention?.[0]?.length).toBe(4);
    expect(g[1]?.attention?.[0]?.length).toBe(2);
  });
  it('a wide beam finds the best sequence of an exhaustive search (α = 0 and α = 1)', () => {
    const maxLength = 3;
    const alphabet = [0, 1, 3, 4]; // every token but the end token
    // Every output: ended by the end token within maxLength steps, or cut at maxLength tokens.
    const all: number[][] = [[]];
    for (let len = 1; len <= maxLength; len++) for (const s of all.filter((x) => x.length === len - 1)) for (const a of alphabet) all.push([...s, a]);
    for (const alpha of [0, 1]) {
      for (const [source, len] of [[[1, 2, 3, 4], 4], [[5, 1], 2]] as const) {
        const scored = all.map((y) => {
          const cut = y.length === maxLength;
          const lp = sequenceLogProb(m, source.slice(0, len), y, bos, cut ? null : eos);
          const n = cut ? y.length : y.length + 1;
          return { y, s: alpha === 0 ? lp : lp / n ** alpha };
        }).sort((a, b) => b.s - a.s);
        const res = beamSearch(m, ids(source.slice(0, len).map((s) => [s])), null, { bos, eos, beamWidth: 64, lengthPenalty: alpha, maxLength, nBest: 3 });
        const best = res[0]?.[0];
        expect(best?.tokens).toEqual(scored[0]?.y);
        expect(best?.score).toBeCloseTo(scored[0]?.s as number, 4);
        expect(res[0]?.map((h) => h.tokens)).toEqual(scored.slice(0, 3).map((x) => x.y));
      }
    }
  });
});

describe('Seq2Seq learns', () => {
  it('to reverse sequences (greedy and beam decoding, ≥ 90 % of test sequences exact)', () => {
    const g = new Generator(5);
    const V = 10; // 0 pad, 1 start, 2 end, 3–9 symbols
    const m = new Seq2Seq({ srcVocab: V, tgtVocab: V, embed: 12, hidden: 24, attention: 'general', generator: g });
    const opt = new Adam(m.parameters(), { lr: 0.01 });
    const make = (n: number): { s: number[][]; r: number[][] } => {
      const s = Array.from({ length: n }, () => Array.from({ length: 2 + g.int(4) }, () => 3 + g.int(7)));
      return { s, r: s.map((x) => [...x].reverse()) };
    };
    for (let step = 0; step < 250; step++) {
      const { s, r } = make(32);
      const source = padSequences(s);
      const { logits } = m.forward(source.tokens, source.lengths, padSequences(r.map((x) => [1, ...x])).tokens);
      const loss = crossEntropy(reshape(logits, [-1, V]), reshape(padSequences(r.map((x) => [...x, 2]), { padValue: -100 }).tokens, [-1]));
      opt.zeroGrad();
      loss.backward();
      clipGradNorm(m.parameters(), 1);
      opt.step();
    }
    m.eval();
    const { s, r } = make(50);
    const source = padSequences(s);
    const greedy = greedyDecode(m, source.tokens, source.lengths, { bos: 1, eos: 2 }).map((h) => h.tokens);
    const beam = beamSearch(m, source.tokens, source.lengths, { bos: 1, eos: 2, beamWidth: 3 }).map((h) => h[0]?.tokens as number[]);
    expect(sequenceErrorRates(greedy, r).sequenceErrorRate).toBeLessThanOrEqual(0.1);
    expect(sequenceErrorRates(beam, r).sequenceErrorRate).toBeLessThanOrEqual(0.1);
  }, 60_000);
});

describe('edit distance and error rates', () => {
  /** Levenshtein distance by plain recursion over every alignment (small inputs only). */
  const brute = (a: string, b: string): number => {
    if (!a.length) return b.length;
    if (!b.length) return a.length;
    return Math.min(brute(a.slice(1), b) + 1, brute(a, b.slice(1)) + 1, brute(a.slice(1), b.slice(1)) + (a[0] === b[0] ? 0 : 1));
  };
  it('equals the recursive definition on random strings', () => {
    const g = new Generator(9);
    for (let i = 0; i < 200; i++) {
      const a = Array.from({ length: g.int(6) }, () => 'abc'[g.int(3)]).join('');
      const b = Array.from({ length: g.int(6) }, () => 'abc'[g.int(3)]).join('');
      expect(editDistance([...a], [...b])).toBe(brute(a, b));
    }
  });
  it('error rates: edits over reference tokens, and sequences with any error', () => {
    const r = sequenceErrorRates([[1, 2, 3], [4], []], [[1, 2, 3], [4, 5], [6, 7]]);
    expect(r.edits).toBe(editDistance([4], [4, 5]) + editDistance([], [6, 7]));
    expect(r.tokenErrorRate).toBeCloseTo(r.edits / 7, 12);
    expect(r.sequenceErrorRate).toBeCloseTo(2 / 3, 12);
    expect(() => sequenceErrorRates([[1]], [])).toThrow(ArgumentError);
  });
});

describe('Seq2Seq: saving and bad input', () => {
  it('config and weights rebuild the same model', () => {
    const m = new Seq2Seq({ ...base, attention: 'additive', feedContext: true, generator: new Generator(500) });
    const copy = decodeModule(encodeWeights(m));
    expect(moduleConfig(copy)).toEqual(moduleConfig(m));
    expect(Array.from((copy as Seq2Seq).forward(src, srcLengths, tgtIn).logits.data)).toEqual(Array.from(m.forward(src, srcLengths, tgtIn).logits.data));
    expect(() => buildModule({ ...moduleConfig(m), attention: 3 })).toThrow(/attention/);
  });
  it('empty sequences, ids outside the vocabularies, mismatched vocabularies, beam width < 1', () => {
    const m = new Seq2Seq({ ...base, generator: new Generator(600) });
    expect(() => m.forward(new Tensor(new Int32Array(0), [0, 2]), null, tgtIn)).toThrow(ShapeError);
    expect(() => m.forward(src, [4, 0, 3], tgtIn)).toThrow(/srcLengths\[1\]/);
    expect(() => m.forward(src, srcLengths, new Tensor(new Int32Array(0), [0, 3]))).toThrow(/tgtIn/);
    expect(() => m.forward(ids([[1], [9]]), null, ids([[1]]))).toThrow(/src\[1\]\[0\].*source vocabulary has 6 entries/);
    expect(() => m.forward(src, srcLengths, ids([[1, 1, 7]]))).toThrow(/target vocabulary/);
    expect(() => m.forward(src, srcLengths, ids([[1, 1]]))).toThrow(/tgtIn/);
    expect(() => m.forward(src, srcLengths, randn([3, 3]) as Tensor)).toThrow(/int32/);
    expect(() => m.checkVocabularies({ size: 6 }, { size: 7 })).toThrow(/target vocabulary.*5 entries/);
    expect(() => m.checkVocabularies({ size: 5 }, { size: 5 })).toThrow(/source vocabulary/);
    expect(() => beamSearch(m, src, srcLengths, { bos: 1, eos: 2, beamWidth: 0 })).toThrow(/beamWidth/);
    expect(() => beamSearch(m, src, srcLengths, { bos: 1, eos: 2, beamWidth: 2.5 })).toThrow(/beamWidth/);
    expect(() => greedyDecode(m, src, srcLengths, { bos: 1, eos: 9 })).toThrow(/eos/);
    expect(() => m.forward(src, srcLengths, tgtIn, { teacherForcing: 1.5 })).toThrow(/teacherForcing/);
  });
  it('impossible options', () => {
    expect(() => new Seq2Seq({ ...base, decoderCell: 'clockwork' })).toThrow(/decoderCell/);
    expect(() => new Seq2Seq({ ...base, bridge: 'copy', decoderHidden: 5 })).toThrow(/decoderHidden/);
    expect(() => new Seq2Seq({ ...base, attention: 'dot', decoderHidden: 5 })).toThrow(/keySize/);
    expect(() => new Seq2Seq({ ...base, srcVocab: 0 })).toThrow(/srcVocab/);
    expect(() => new Seq2Seq({ ...base, attention: 'luong' as 'dot' })).toThrow(/attention/);
  });
  it('sum of the logits is differentiable w.r.t. the source embedding only through valid steps', () => {
    // Padded source positions must not receive gradient (they are masked out everywhere).
    const m = new Seq2Seq({ ...base, generator: new Generator(700) });
    const { logits } = m.forward(src, srcLengths, tgtIn);
    sum(mul(logits, randn(logits.shape, { dtype: 'float64', generator: new Generator(1) }))).backward();
    const g = m.srcEmbed.weight.grad as Tensor;
    expect(g).toBeTruthy();
    // Token 0 appears only as padding in `src`: its embedding row gets no gradient.
    for (let i = 0; i < 3; i++) expect(g.data[i]).toBe(0);
  });
});
