// Gradient checks of the fused sequence ops (float64 central finite differences) w.r.t.
// x, h0, c0 and every weight and bias, of all outputs (output, hN, cN), over the cases
// that matter: odd sizes, projection on/off, bias on/off, relu/tanh, reverse on/off,
// variable lengths (with a 0 and a full length), T = 0, T = 1, B = 1, H = 1.
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { fromList, fused, listParams, makeParams, type Case, type Kind } from '../helpers/recurrent.js';

const cases: Case[] = [
  { T: 5, B: 3, I: 4, H: 3 },
  { T: 5, B: 3, I: 4, H: 3, reverse: true },
  { T: 5, B: 3, I: 4, H: 3, lengths: [5, 0, 2] },
  { T: 5, B: 3, I: 4, H: 3, lengths: [3, 5, 0], reverse: true },
  { T: 1, B: 1, I: 1, H: 1 },
  { T: 3, B: 2, I: 3, H: 2, bias: false },
  { T: 4, B: 1, I: 2, H: 1, bias: false, lengths: [2], reverse: true },
  { T: 0, B: 2, I: 2, H: 2 },
];
const projCases: Case[] = [
  { T: 5, B: 3, I: 4, H: 3, P: 2 },
  { T: 5, B: 3, I: 4, H: 3, P: 2, lengths: [5, 0, 2], reverse: true },
  { T: 3, B: 2, I: 2, H: 2, P: 1, bias: false, lengths: [3, 1] },
];

function check(kind: Kind, c: Case): number {
  const p = makeParams(kind, c, 1);
  const { names, tensors } = listParams(p);
  const options = { lengths: c.lengths ?? null, reverse: c.reverse ?? false };
  const res = gradcheck(
    (...inputs: Tensor[]) => {
      const r = fused(kind, fromList(names, inputs), options);
      return r.cN ? [r.output, r.hN, r.cN] : [r.output, r.hN];
    },
    tensors,
    { names, atol: 1e-6, rtol: 1e-5 },
  );
  return res.maxAbsError;
}

const groups: [Kind, Case[]][] = [
  ['lstm', [...cases, ...projCases]],
  ['gru', cases],
  ['rnn_tanh', cases],
  ['rnn_relu', cases],
];

for (const [kind, list] of groups) {
  describe(`${kind} sequence gradcheck`, () => {
    for (const c of list) {
      it(JSON.stringify(c), () => {
        // Central differences with eps = 1e-6 in float64 are accurate to ~1e-9 here.
        expect(check(kind, c)).toBeLessThan(1e-7);
      });
    }
  });
}
