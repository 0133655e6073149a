// Attention: each score against a plain-JavaScript loop of its equation (with padding
// masked), gradient checks through scores, softmax, masking and context, and the errors.
import { describe, expect, it } from 'vitest';
import { Attention, Generator, gradcheck, sum, mul, randn, ArgumentError, ShapeError, type AttentionScore, type Tensor } from '../../src/index.js';
import { r64 } from '../helpers/random.js';

const B = 3;
const S = 4;
const T = 2;
const Q = 3;
const K = 3;

/** weights and context by the equations, one (b, t) at a time, in float64. */
function reference(att: Attention, q: Tensor, keys: Tensor, lengths: number[]): { w: number[]; c: number[] } {
  const p = Object.fromEntries(att.namedParameters().map(([n, t]) => [n, t.data]));
  const w: number[] = [];
  const c: number[] = [];
  const Tq = q.ndim === 3 ? q.shape[1] as number : 1;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Tq; t++) {
      const qv = Array.from({ length: Q }, (_, i) => q.data[(b * Tq + t) * Q + i] as number);
      const e: number[] = [];
      for (let j = 0; j < S; j++) {
        const h = Array.from({ length: K }, (_, i) => keys.data[(b * S + j) * K + i] as number);
        let s = 0;
        if (att.score === 'dot') for (let i = 0; i < K; i++) s += (qv[i] as number) * (h[i] as number);
        else if (att.score === 'general') {
          const W = p['key_proj.weight'] as Float64Array; // (Q, K)
          for (let i = 0; i < Q; i++) { let wh = 0; for (let k = 0; k < K; k++) wh += (W[i * K + k] as number) * (h[k] as number); s += (qv[i] as number) * wh; }
        } else {
          const A = att.attentionSize;
          const Wq = p['query_proj.weight'] as Float64Array; const Wk = p['key_proj.weight'] as Float64Array; const bk = p['key_proj.bias'] as Float64Array; const v = p.v as Float64Array;
          for (let a = 0; a < A; a++) {
            let z = bk[a] as number;
            for (let i = 0; i < Q; i++) z += (Wq[a * Q + i] as number) * (qv[i] as number);
            for (let k = 0; k < K; k++) z += (Wk[a * K + k] as number) * (h[k] as number);
            s += (v[a] as number) * Math.tanh(z);
          }
        }
        e.push(j < (lengths[b] as number) ? s : -Infinity);
      }
      const m = Math.max(...e);
      const ex = e.map((x) => Math.exp(x - m));
      const z = ex.reduce((a, x) => a + x, 0);
      const a = ex.map((x) => x / z);
      w.push(...a);
      for (let i = 0; i < K; i++) { let s = 0; for (let j = 0; j < S; j++) s += (a[j] as number) * (keys.data[(b * S + j) * K + i] as number); c.push(s); }
    }
  }
  return { w, c };
}

const scores: AttentionScore[] = ['additive', 'dot', 'general'];

describe('Attention against its equations', () => {
  scores.forEach((score, k) => {
    it(`${score}: weights and context, padded steps masked, one step and many`, () => {
      const att = new Attention({ querySize: Q, keySize: K, score, attentionSize: 5, dtype: 'float64', generator: new Generator(10 + k) });
      const keys = randn([B, S, K], { dtype: 'float64', generator: new Generator(20 + k) });
      const lengths = [4, 2, 1];
      for (const q of [randn([B, T, Q], { dtype: 'float64', generator: new Generator(30 + k) }), randn([B, Q], { dtype: 'float64', generator: new Generator(40 + k) })]) {
        const { context, weights } = att.forward(q, keys, lengths);
        const ref = reference(att, q, keys, lengths);
        expect(weights.shape).toEqual(q.ndim === 3 ? [B, T, S] : [B, S]);
        expect(context.shape).toEqual(q.ndim === 3 ? [B, T, K] : [B, K]);
        Array.from(weights.data).forEach((x, i) => expect(x).toBeCloseTo(ref.w[i] as number, 12));
        Array.from(context.data).forEach((x, i) => expect(x).toBeCloseTo(ref.c[i] as number, 12));
        // Padding gets exactly zero weight; each row sums to one.
        const rows = weights.size / S;
        for (let r = 0; r < rows; r++) {
          const b = q.ndim === 3 ? Math.floor(r / T) : r;
          let s = 0;
          for (let j = 0; j < S; j++) {
            const x = weights.data[r * S + j] as number;
            if (j >= (lengths[b] as number)) expect(x).toBe(0);
            s += x;
          }
          expect(s).toBeCloseTo(1, 12);
        }
      }
    });
  });
});

describe('gradient checks through attention (float64, masked)', () => {
  scores.forEach((score, k) => {
    it(score, () => {
      const att = new Attention({ querySize: Q, keySize: K, score, attentionSize: 4, dtype: 'float64', generator: new Generator(50 + k) });
      const q = r64([B, T, Q], 60 + k);
      const keys = r64([B, S, K], 70 + k);
      const coef = randn([B, T, K], { dtype: 'float64', generator: new Generator(80 + k) });
      const coefW = randn([B, T, S], { dtype: 'float64', generator: new Generator(90 + k) });
      const res = gradcheck((qq, kk) => {
        const { context, weights } = att.forward(qq as Tensor, kk as Tensor, [4, 3, 1]);
        return [sum(mul(context, coef)), sum(mul(weights, coefW))];
      }, [q, keys, ...att.parameters()], { atol: 1e-7 });
      expect(res.entries).toBeGreaterThan(50);
    });
  });
});

describe('Attention: bad input', () => {
  const att = new Attention({ querySize: 3, keySize: 3 });
  it('lengths all zero, or one zero', () => {
    const keys = randn([2, 4, 3]);
    expect(() => att.forward(randn([2, 3]), keys, [0, 0])).toThrow(/at least one nonzero length/);
    expect(() => att.forward(randn([2, 3]), keys, [2, 0])).toThrow(/lengths\[1\]/);
  });
  it('empty source, wrong widths, dot with different widths', () => {
    expect(() => att.prepare(randn([2, 0, 3]))).toThrow(ShapeError);
    expect(() => att.forward(randn([2, 4]), randn([2, 4, 3]))).toThrow(/query/);
    expect(() => att.prepare(randn([2, 4, 5]))).toThrow(/keys/);
    expect(() => new Attention({ querySize: 3, keySize: 4, score: 'dot' })).toThrow(ArgumentError);
    expect(() => new Attention({ querySize: 3, keySize: 4, score: 'cosine' as AttentionScore })).toThrow(/score/);
  });
});
