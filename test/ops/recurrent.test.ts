// Gradient checks of the fused sequence ops (float64 finite differences) over the
// cases that matter: projection, bias off, relu/tanh, reverse, variable lengths
// (including 0 and full), T = 1, B = 1, H = 1.
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { lstmSequence, gruSequence, rnnSequence } from '../../src/ops/recurrent.js';
import { Generator } from '../../src/util/rng.js';
import { randn } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';

function p(shape: number[], seed: number, scale = 0.5): Tensor {
  const t = randn(shape, { dtype: 'float64', generator: new Generator(seed), std: scale });
  t.requiresGrad = true;
  return t;
}

interface Case { T: number; B: number; I: number; H: number; lengths?: number[]; reverse?: boolean; bias?: boolean; P?: number }

const cases: Case[] = [
  { T: 4, B: 3, I: 2, H: 3 },
  { T: 4, B: 3, I: 2, H: 3, reverse: true },
  { T: 5, B: 3, I: 2, H: 3, lengths: [5, 0, 2] },
  { T: 5, B: 3, I: 2, H: 3, lengths: [3, 5, 1], reverse: true },
  { T: 1, B: 1, I: 1, H: 1 },
  { T: 3, B: 2, I: 3, H: 2, bias: false },
];

const label = (c: Case): string => JSON.stringify(c);

describe('lstmSequence gradcheck', () => {
  for (const c of [...cases, { T: 4, B: 2, I: 3, H: 3, P: 2 }, { T: 4, B: 3, I: 2, H: 4, P: 2, lengths: [2, 4, 0], reverse: true }]) {
    it(label(c), () => {
      const { T, B, I, H } = c;
      const P = c.P ?? H;
      const bias = c.bias ?? true;
      const inputs = [p([T, B, I], 1, 1), p([B, P], 2), p([B, H], 3), p([4 * H, I], 4), p([4 * H, P], 5)];
      const names = ['x', 'h0', 'c0', 'wIH', 'wHH'];
      if (bias) { inputs.push(p([4 * H], 6), p([4 * H], 7)); names.push('bIH', 'bHH'); }
      if (c.P) { inputs.push(p([P, H], 8)); names.push('wHR'); }
      const res = gradcheck((...a) => {
        const [x, h0, c0, wIH, wHH] = a as Tensor[];
        const bIH = bias ? (a[5] as Tensor) : null;
        const bHH = bias ? (a[6] as Tensor) : null;
        const wHR = c.P ? (a[bias ? 7 : 5] as Tensor) : null;
        const r = lstmSequence(x!, h0!, c0!, wIH!, wHH!, bIH, bHH, wHR, { lengths: c.lengths ?? null, reverse: c.reverse ?? false });
        return [r.output, r.hN, r.cN];
      }, inputs, { names, atol: 1e-6, rtol: 1e-5 });
      expect(res.maxAbsError).toBeLessThan(1e-7);
    });
  }
});

describe('gruSequence gradcheck', () => {
  for (const c of cases) {
    it(label(c), () => {
      const { T, B, I, H } = c;
      const bias = c.bias ?? true;
      const inputs = [p([T, B, I], 1, 1), p([B, H], 2), p([3 * H, I], 4), p([3 * H, H], 5)];
      if (bias) inputs.push(p([3 * H], 6), p([3 * H], 7));
      const res = gradcheck((...a) => {
        const r = gruSequence(a[0]!, a[1]!, a[2]!, a[3]!, bias ? a[4]! : null, bias ? a[5]! : null, { lengths: c.lengths ?? null, reverse: c.reverse ?? false });
        return [r.output, r.hN];
      }, inputs, { atol: 1e-6, rtol: 1e-5 });
      expect(res.maxAbsError).toBeLessThan(1e-7);
    });
  }
});

describe('rnnSequence gradcheck', () => {
  for (const nl of ['tanh', 'relu'] as const) {
    for (const c of cases) {
      it(`${nl} ${label(c)}`, () => {
        const { T, B, I, H } = c;
        const bias = c.bias ?? true;
        const inputs = [p([T, B, I], 1, 1), p([B, H], 2), p([H, I], 4), p([H, H], 5)];
        if (bias) inputs.push(p([H], 6), p([H], 7));
        const res = gradcheck((...a) => {
          const r = rnnSequence(a[0]!, a[1]!, a[2]!, a[3]!, bias ? a[4]! : null, bias ? a[5]! : null, nl, { lengths: c.lengths ?? null, reverse: c.reverse ?? false });
          return [r.output, r.hN];
        }, inputs, { atol: 1e-6, rtol: 1e-5 });
        expect(res.maxAbsError).toBeLessThan(1e-7);
      });
    }
  }
});
