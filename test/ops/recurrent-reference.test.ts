// The fused sequence ops equal stepping the composed cell functions over time: outputs,
// final states and the gradient of every input, with fixed and variable lengths, reverse,
// projection and no bias; and stepGrads equals ∂L/∂h_t of the composed reference.
import { describe, expect, it } from 'vitest';
import { randn } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Generator } from '../../src/util/rng.js';
import { add, mul, sum } from '../../src/ops/index.js';
import type { FloatArray } from '../../src/util/arrays.js';
import { composed, fused, listParams, makeParams, type Case, type Kind, type Params, type SeqResult } from '../helpers/recurrent.js';

/** A scalar loss touching every output with fixed random weights, so every gradient is non-trivial. */
function loss(r: SeqResult, seed: number): Tensor {
  const g = new Generator(seed);
  const w = (t: Tensor): Tensor => randn(t.shape as number[], { dtype: t.dtype as 'float64', generator: g });
  let l = sum(mul(r.output, w(r.output)));
  l = add(l, sum(mul(r.hN, w(r.hN))));
  if (r.cN) l = add(l, sum(mul(r.cN, w(r.cN))));
  return l;
}

function gradsOf(p: Params): Map<string, Float64Array> {
  const { names, tensors } = listParams(p);
  const out = new Map<string, Float64Array>();
  names.forEach((n, i) => {
    const t = tensors[i] as Tensor;
    out.set(n, Float64Array.from(t.grad ? t.grad.data : new Float64Array(t.size)));
    t.grad = null;
  });
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

const kinds: Kind[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];
const cases: Case[] = [
  { T: 5, B: 3, I: 4, H: 3 },
  { T: 5, B: 3, I: 4, H: 3, reverse: true },
  { T: 5, B: 4, I: 4, H: 3, lengths: [5, 0, 2, 3] },
  { T: 5, B: 4, I: 4, H: 3, lengths: [3, 5, 0, 1], reverse: true },
  { T: 1, B: 1, I: 1, H: 1 },
  { T: 3, B: 2, I: 3, H: 2, bias: false, lengths: [1, 3] },
];
const projCases: Case[] = [
  { T: 5, B: 3, I: 4, H: 3, P: 2 },
  { T: 5, B: 4, I: 4, H: 3, P: 2, lengths: [2, 5, 0, 4], reverse: true },
  { T: 4, B: 2, I: 3, H: 4, P: 1, bias: false, lengths: [4, 2] },
];

function casesFor(kind: Kind): Case[] {
  return kind === 'lstm' ? [...cases, ...projCases] : cases;
}

for (const kind of kinds) {
  describe(`${kind}: fused sequence op ≡ composed cells`, () => {
    for (const c of casesFor(kind)) {
      it(JSON.stringify(c), () => {
        const p = makeParams(kind, c, 11);
        const options = { lengths: c.lengths ?? null, reverse: c.reverse ?? false };
        let stepDh: FloatArray | null = null;
        const f = fused(kind, p, {
          ...options,
          stepGrads: (dh, T, B, P) => {
            expect([T, B, P]).toEqual([c.T, c.B, kind === 'lstm' && c.P ? c.P : c.H]);
            stepDh = dh.slice();
          },
        });
        loss(f, 5).backward();
        const fg = gradsOf(p);

        const r = composed(kind, p, c.lengths ?? null, c.reverse ?? false);
        loss(r, 5).backward();
        const rg = gradsOf(p);

        // Both sides compute in float64 with the same operations in a different order.
        const tol = 1e-12;
        expect(f.output.shape).toEqual(r.output.shape);
        expect(maxDiff(f.output.data, r.output.data)).toBeLessThan(tol);
        expect(maxDiff(f.hN.data, r.hN.data)).toBeLessThan(tol);
        if (kind === 'lstm') expect(maxDiff((f.cN as Tensor).data, (r.cN as Tensor).data)).toBeLessThan(tol);
        for (const [name, g] of fg) {
          const d = maxDiff(g, rg.get(name) as Float64Array);
          expect(d, `gradient of ${name}`).toBeLessThan(tol);
        }

        // stepGrads: ∂L/∂h_t for every (t, b), 0 where the sequence has no step t.
        const dh = stepDh as FloatArray | null;
        expect(dh).not.toBeNull();
        const P = p.h0.shape[1] as number;
        let nonzero = 0;
        for (let t = 0; t < c.T; t++) {
          for (let b = 0; b < c.B; b++) {
            const h = r.steps[t]![b] ?? null;
            for (let j = 0; j < P; j++) {
              const want = h?.grad ? (h.grad.data[j] as number) : 0;
              const got = (dh as FloatArray)[(t * c.B + b) * P + j] as number;
              expect(Math.abs(got - want), `dh[${t}, ${b}, ${j}]`).toBeLessThan(tol);
              if (got !== 0) nonzero++;
            }
          }
        }
        expect(nonzero).toBeGreaterThan(0);
      });
    }
  });
}

describe('fused ≡ composed in float32', () => {
  for (const kind of kinds) {
    it(`${kind} with lengths and reverse`, () => {
      const c: Case = { T: 6, B: 3, I: 4, H: 5, lengths: [6, 2, 0], reverse: true, ...(kind === 'lstm' ? { P: 3 } : {}) };
      const p = makeParams(kind, c, 3, 'float32');
      const f = fused(kind, p, { lengths: c.lengths ?? null, reverse: true });
      loss(f, 9).backward();
      const fg = gradsOf(p);
      const r = composed(kind, p, c.lengths ?? null, true);
      loss(r, 9).backward();
      const rg = gradsOf(p);
      // float32 rounding (ε ≈ 6e-8) accumulated over 6 steps of sums of ≤ 20 terms of size ≲ 3.
      const tol = 2e-5;
      expect(maxDiff(f.output.data, r.output.data)).toBeLessThan(tol);
      expect(maxDiff(f.hN.data, r.hN.data)).toBeLessThan(tol);
      for (const [name, g] of fg) expect(maxDiff(g, rg.get(name) as Float64Array), name).toBeLessThan(tol);
    });
  }
});
