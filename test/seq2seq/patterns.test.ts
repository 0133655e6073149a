// The input/output patterns: shapes, padding (a padded sequence gives what it gives alone),
// the pooled vector against the recurrent layer's own outputs and states, gradient checks,
// configs, and the errors.
import { describe, expect, it } from 'vitest';
import {
  SequenceClassifier, SequenceTagger, OneToMany, Generator, Tensor, gradcheck, sum, mul, randn, zeros, stack,
  runRecurrent, moduleConfig, encodeWeights, decodeModule, ArgumentError, ShapeError, type Pooling,
} from '../../src/index.js';
import { r64 } from '../helpers/random.js';

const T = 5;
const B = 3;
const I = 2;
const lengths = [5, 2, 4];
const x = randn([T, B, I], { dtype: 'float64', generator: new Generator(1) });
/** Sequence b of x alone, cut to its length: (len, 1, I). */
const alone = (b: number): Tensor => {
  const L = lengths[b] as number;
  const d = new Float64Array(L * I);
  for (let t = 0; t < L; t++) for (let f = 0; f < I; f++) d[t * I + f] = x.data[(t * B + b) * I + f] as number;
  return new Tensor(d, [L, 1, I]);
};

describe('SequenceClassifier (many-to-one)', () => {
  const poolings: Pooling[] = ['last', 'mean', 'max'];
  for (const pooling of poolings) {
    for (const bidirectional of [false, true]) {
      it(`${pooling}${bidirectional ? ', bidirectional' : ''}: padded = alone; the pooled vector from the layer's outputs`, () => {
        const m = new SequenceClassifier({ inputSize: I, hidden: 4, classes: 3, pooling, bidirectional, cell: 'gru', dtype: 'float64', generator: new Generator(10) });
        const feats = m.features(x, lengths);
        expect(feats.shape).toEqual([B, bidirectional ? 8 : 4]);
        expect(m.forward(x, lengths).shape).toEqual([B, 3]);
        for (let b = 0; b < B; b++) {
          const f = m.features(alone(b));
          for (let k = 0; k < f.size; k++) expect(feats.data[b * f.size + k]).toBeCloseTo(f.data[k] as number, 12);
          // Independently: pool the layer's per-step outputs of the sequence alone by hand.
          const { output, states } = runRecurrent(m.rnn, alone(b), null);
          const L = lengths[b] as number;
          const W = output.shape[2] as number;
          for (let k = 0; k < W; k++) {
            const col = Array.from({ length: L }, (_, t) => output.data[t * W + k] as number);
            let want: number;
            if (pooling === 'mean') want = col.reduce((a, v) => a + v, 0) / L;
            else if (pooling === 'max') want = Math.max(...col);
            else want = (states[0] as Tensor).data[k] as number; // h_n: forward then reverse direction's final state
            expect(f.data[k]).toBeCloseTo(want, 12);
          }
        }
      });
    }
  }
  it('token input through an embedding; gradient check (float64)', () => {
    const m = new SequenceClassifier({ vocabSize: 7, embed: 3, hidden: 3, classes: 2, cell: 'lstm', bidirectional: true, dtype: 'float64', generator: new Generator(11) });
    const ids = new Tensor(Int32Array.from([1, 2, 3, 4, 5, 0, 6, 1, 0]), [3, 3]);
    const coef = randn([3, 2], { dtype: 'float64', generator: new Generator(12) });
    const res = gradcheck(() => sum(mul(m.forward(ids, [3, 2, 1]), coef)), m.parameters(), { atol: 1e-7 });
    expect(res.entries).toBeGreaterThan(100);
  });
});

describe('SequenceTagger (aligned many-to-many)', () => {
  it('one output per step, zero past each length, padded = alone; gradient check', () => {
    const m = new SequenceTagger({ inputSize: I, hidden: 3, outputs: 4, cell: 'lstm', bidirectional: true, dtype: 'float64', generator: new Generator(20) });
    const y = m.forward(x, lengths);
    expect(y.shape).toEqual([T, B, 4]);
    for (let b = 0; b < B; b++) {
      const ya = m.forward(alone(b));
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < 4; k++) {
          const v = y.data[(t * B + b) * 4 + k] as number;
          if (t >= (lengths[b] as number)) expect(v).toBe(0);
          else expect(v).toBeCloseTo(ya.data[t * 4 + k] as number, 12);
        }
      }
    }
    const xi = r64([3, 2, I], 21);
    const res = gradcheck((xx) => sum(mul(m.forward(xx as Tensor, [3, 1]), randn([3, 2, 4], { dtype: 'float64', generator: new Generator(22) }))), [xi, ...m.parameters().slice(0, 3)], { atol: 1e-7 });
    expect(res.entries).toBeGreaterThan(50);
  });
});

describe('OneToMany', () => {
  it("'first': x then zeros; 'every': x at every step — both equal the layer run on that input", () => {
    for (const feed of ['first', 'every'] as const) {
      const m = new OneToMany({ inputSize: I, outputSize: 2, hidden: 3, feed, cell: 'gru', dtype: 'float64', generator: new Generator(30) });
      const x0 = randn([B, I], { dtype: 'float64', generator: new Generator(31) });
      const y = m.forward(x0, 4);
      expect(y.shape).toEqual([4, B, 2]);
      const seq = stack([x0, ...Array.from({ length: 3 }, () => (feed === 'every' ? x0 : zeros([B, I], { dtype: 'float64' })))], 0);
      const want = m.head.forward(runRecurrent(m.rnn, seq, null).output);
      Array.from(y.data).forEach((v, i) => expect(v).toBeCloseTo(want.data[i] as number, 12));
    }
    const m = new OneToMany({ inputSize: I, outputSize: 2, hidden: 3, feed: 'every', dtype: 'float64', generator: new Generator(32) });
    const res = gradcheck((xx) => sum(mul(m.forward(xx as Tensor, 3), randn([3, 2, 2], { dtype: 'float64', generator: new Generator(33) }))), [r64([2, I], 34), ...m.parameters()], { atol: 1e-7 });
    expect(res.entries).toBeGreaterThan(50);
  });
});

describe('patterns: configs and bad input', () => {
  it('save and rebuild', () => {
    for (const m of [
      new SequenceClassifier({ vocabSize: 5, hidden: 3, classes: 2, pooling: 'max', generator: new Generator(40) }),
      new SequenceTagger({ inputSize: 2, hidden: 3, outputs: 2, cell: 'indrnn', generator: new Generator(41) }),
      new OneToMany({ inputSize: 2, outputSize: 3, feed: 'every', generator: new Generator(42) }),
    ]) {
      const copy = decodeModule(encodeWeights(m));
      expect(moduleConfig(copy)).toEqual(moduleConfig(m));
      expect(copy.stateDict()).toEqual(m.stateDict());
    }
  });
  it('clear errors', () => {
    expect(() => new SequenceClassifier({ hidden: 3, classes: 2 })).toThrow(/vocabSize \/ inputSize/);
    expect(() => new SequenceClassifier({ inputSize: 2, classes: 2, pooling: 'first' as Pooling })).toThrow(/pooling/);
    const m = new SequenceClassifier({ inputSize: 2, hidden: 3, classes: 2 });
    expect(() => m.forward(randn([4, 2, 3]))).toThrow(ShapeError);
    expect(() => m.forward(randn([0, 2, 2]))).toThrow(/at least one step/);
    expect(() => m.forward(randn([4, 2, 2]), [4, 0])).toThrow(/lengths\[1\]/);
    const c = new SequenceClassifier({ vocabSize: 4, hidden: 3, classes: 2 });
    expect(() => c.forward(new Tensor(Int32Array.from([1, 9]), [2, 1]))).toThrow(/token ids in \[0, 4\)/);
    expect(() => new OneToMany({ inputSize: 2, outputSize: 2, feed: 'last' as 'first' })).toThrow(ArgumentError);
    expect(() => new OneToMany({ inputSize: 2, outputSize: 2 }).forward(randn([2, 2]), 0)).toThrow(/steps/);
  });
});
