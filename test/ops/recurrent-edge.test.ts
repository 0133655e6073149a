// Edge cases of the fused sequence ops: T = 0, zero-length rows, reverse as a flip,
// saturated inputs, NaN propagation (and none from padding), float32, noGrad, and
// the wording of every argument error.
import { describe, expect, it } from 'vitest';
import { full, tensor, zeros } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/engine.js';
import { add, sum } from '../../src/ops/index.js';
import { gruSequence, lstmSequence, rnnSequence } from '../../src/ops/recurrent.js';
import { gruCell, lstmCell, rnnCell } from '../../src/rnn/cell-functions.js';
import { Generator } from '../../src/util/rng.js';
import { fused, listParams, makeParams, type Case, type Kind, type Params } from '../helpers/recurrent.js';

const kinds: Kind[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];

/** Sum of every output: a loss that sends a gradient into output, hN and cN. */
function total(r: { output: Tensor; hN: Tensor; cN: Tensor | null }): Tensor {
  const l = add(sum(r.output), sum(r.hN));
  return r.cN ? add(l, sum(r.cN)) : l;
}

function allGrads(p: Params): number[] {
  return listParams(p).tensors.flatMap((t) => (t.grad ? Array.from(t.grad.data) : []));
}

describe('sequence ops: edge cases', () => {
  it.each(kinds)('%s: T = 0 gives an empty output and hN = h0 (gradient passes through)', (kind) => {
    const p = makeParams(kind, { T: 0, B: 2, I: 3, H: 2 });
    const r = fused(kind, p);
    expect(r.output.shape).toEqual([0, 2, 2]);
    expect(r.hN.toArray()).toEqual(p.h0.toArray());
    if (r.cN) expect(r.cN.toArray()).toEqual((p.c0 as Tensor).toArray());
    total(r).backward();
    expect(p.h0.grad?.toFlatArray()).toEqual([1, 1, 1, 1]);
    expect(p.wIH.grad?.toFlatArray().every((v) => v === 0)).toBe(true);
  });

  it.each(kinds)('%s: a zero-length row keeps h0 and outputs zeros; other rows are unaffected', (kind) => {
    const c: Case = { T: 4, B: 3, I: 2, H: 3, lengths: [4, 0, 2] };
    const p = makeParams(kind, c);
    const r = fused(kind, p, { lengths: [4, 0, 2] });
    const out = r.output.toArray() as number[][][];
    expect((r.hN.toArray() as number[][])[1]).toEqual((p.h0.toArray() as number[][])[1]);
    for (let t = 0; t < 4; t++) expect(out[t]![1]).toEqual([0, 0, 0]);
    for (let t = 2; t < 4; t++) expect(out[t]![2]).toEqual([0, 0, 0]);
    // Row 0 has the full length: the same as running it alone.
    const alone = fused(kind, { ...p, x: tensor((p.x.toArray() as number[][][]).map((s) => [s[0]!]), { dtype: 'float64' }),
      h0: tensor([(p.h0.toArray() as number[][])[0]!], { dtype: 'float64' }),
      c0: p.c0 ? tensor([(p.c0.toArray() as number[][])[0]!], { dtype: 'float64' }) : null });
    for (let t = 0; t < 4; t++) {
      const a = out[t]![0]!;
      const b = (alone.output.toArray() as number[][][])[t]![0]!;
      a.forEach((v, j) => expect(v).toBeCloseTo(b[j]!, 14));
    }
  });

  it.each(kinds)('%s: reverse with full lengths = flip x in time, run forward, flip the output back', (kind) => {
    const p = makeParams(kind, { T: 4, B: 2, I: 3, H: 3 });
    const rev = fused(kind, p, { reverse: true });
    const xf = tensor((p.x.toArray() as number[][][]).slice().reverse(), { dtype: 'float64' });
    const fwd = fused(kind, { ...p, x: xf });
    const flipped = (fwd.output.toArray() as number[][][]).slice().reverse();
    expect(rev.output.toArray()).toEqual(flipped);
    expect(rev.hN.toArray()).toEqual(fwd.hN.toArray());
  });

  it.each(kinds)('%s: saturated inputs (|x| ≈ 300) give finite outputs and gradients', (kind) => {
    const p = makeParams(kind, { T: 4, B: 3, I: 4, H: 3, lengths: [4, 2, 3] });
    const g = new Generator(3);
    p.x.data.forEach((_, i) => (p.x.data[i] = (g.uniform() < 0.5 ? -300 : 300) + g.normal()));
    const r = fused(kind, p, { lengths: [4, 2, 3] });
    expect(r.output.toFlatArray().every(Number.isFinite)).toBe(true);
    total(r).backward();
    const grads = allGrads(p);
    expect(grads.length).toBeGreaterThan(0);
    expect(grads.every(Number.isFinite)).toBe(true);
  });

  it.each(kinds)('%s: NaN in x propagates to the output from its step on, in its row only', (kind) => {
    const p = makeParams(kind, { T: 4, B: 2, I: 2, H: 2 });
    p.x.data[(1 * 2 + 0) * 2] = NaN; // x[1, 0, 0]
    const out = fused(kind, p).output.toArray() as number[][][];
    expect(out[0]![0]!.every(Number.isFinite)).toBe(true);
    for (let t = 1; t < 4; t++) expect(out[t]![0]!.every(Number.isNaN)).toBe(true);
    for (let t = 0; t < 4; t++) expect(out[t]![1]!.every(Number.isFinite)).toBe(true);
  });

  it.each(kinds)('%s: NaN in the padding past a length affects nothing, not even gradients', (kind) => {
    for (const reverse of [false, true]) {
      const p = makeParams(kind, { T: 3, B: 2, I: 2, H: 2 });
      p.x.data[(2 * 2 + 1) * 2 + 1] = NaN; // x[2, 1, 1], past row 1's length 2
      const r = fused(kind, p, { lengths: [3, 2], reverse });
      expect(r.output.toFlatArray().every(Number.isFinite)).toBe(true);
      total(r).backward();
      expect(allGrads(p).every(Number.isFinite)).toBe(true);
      expect(p.x.grad?.data[(2 * 2 + 1) * 2 + 1]).toBe(0);
    }
  });

  it.each(kinds)('%s: float32 in, float32 out; under noGrad nothing is recorded', (kind) => {
    const p = makeParams(kind, { T: 3, B: 2, I: 2, H: 2 }, 1, 'float32');
    const r = fused(kind, p);
    expect([r.output.dtype, r.hN.dtype]).toEqual(['float32', 'float32']);
    expect(r.output.requiresGrad).toBe(true);
    const q = noGrad(() => fused(kind, p));
    expect(q.output.gradFn).toBeNull();
    expect(q.output.toArray()).toEqual(r.output.toArray());
  });

  it.each(kinds)('%s: noGrad forwards reuse their scratch safely: larger then smaller calls, with and without lengths, each result kept intact', (kind) => {
    // Under noGrad the gates (and LSTM cell states) live in a reused buffer; outputs must not.
    const cases: Case[] = [{ T: 6, B: 3, I: 4, H: 5 }, { T: 2, B: 2, I: 4, H: 5 }, { T: 5, B: 3, I: 4, H: 7 }];
    const opts = (c: Case, i: number) => (i === 1 ? { lengths: [c.T, 1, c.T].slice(0, c.B) } : {});
    const withGrad = cases.map((c, i) => fused(kind, makeParams(kind, c, 10 + i, 'float32'), opts(c, i)));
    const noGradRuns = cases.map((c, i) => noGrad(() => fused(kind, makeParams(kind, c, 10 + i, 'float32'), opts(c, i))));
    noGradRuns.forEach((q, i) => {
      const r = withGrad[i] as ReturnType<typeof fused>;
      expect(q.output.toArray(), `case ${i} output`).toEqual(r.output.toArray());
      expect(q.hN.toArray(), `case ${i} hN`).toEqual(r.hN.toArray());
      if (r.cN) expect(q.cN?.toArray(), `case ${i} cN`).toEqual(r.cN.toArray());
    });
  });

  it('stepGrads is called once per backward, after the gradients are known', () => {
    const p = makeParams('lstm', { T: 3, B: 2, I: 2, H: 3, P: 2 });
    const calls: number[][] = [];
    const r = fused('lstm', p, { stepGrads: (dh, T, B, P) => calls.push([dh.length, T, B, P]) });
    expect(calls).toEqual([]);
    total(r).backward();
    expect(calls).toEqual([[12, 3, 2, 2]]);
  });
});

describe('sequence ops: argument errors', () => {
  const x = zeros([3, 2, 4], { dtype: 'float64' });
  const h0 = zeros([2, 3], { dtype: 'float64' });
  const c0 = zeros([2, 3], { dtype: 'float64' });
  const w = (r: number, c: number): Tensor => zeros([r, c], { dtype: 'float64' });
  const b = (n: number): Tensor => zeros([n], { dtype: 'float64' });

  it('names the op, the argument, the expected and the received value', () => {
    expect(() => lstmSequence(zeros([3, 4], { dtype: 'float64' }), h0, c0, w(12, 4), w(12, 3), null, null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'x' must have rank 3 (seq, batch, feature), got shape [3, 4]]`);
    expect(() => lstmSequence([1, 2] as unknown as Tensor, h0, c0, w(12, 4), w(12, 3), null, null, null)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: lstmSequence: argument 'x' must be a Tensor, got [1, 2]]`);
    expect(() => lstmSequence(tensor([[[1]]], { dtype: 'int32' }), h0, c0, w(12, 4), w(12, 3), null, null, null)).toThrowErrorMatchingInlineSnapshot(`[DTypeError: lstmSequence: argument 'x' must be a float32 or float64 tensor, got int32]`);
    expect(() => lstmSequence(x, h0, c0, w(12, 5), w(12, 3), null, null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'wIH' must have shape [4·hidden, 4] (4 = the features of 'x'), hidden ≥ 1, got shape [12, 5]]`);
    expect(() => lstmSequence(x, h0, c0, w(10, 4), w(10, 3), null, null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'wIH' must have shape [4·hidden, 4] (4 = the features of 'x'), hidden ≥ 1, got shape [10, 4]]`);
    expect(() => lstmSequence(x, h0, c0, w(12, 4), w(12, 2), null, null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'wHH' must have shape [12, 3], got shape [12, 2]]`);
    expect(() => lstmSequence(x, h0, c0, w(12, 4), w(12, 3), b(3), null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'bIH' must have shape [12], got shape [3]]`);
    expect(() => lstmSequence(x, h0, c0, w(12, 4), w(12, 3), b(12), b(4), null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'bHH' must have shape [12], got shape [4]]`);
    expect(() => lstmSequence(x, zeros([3], { dtype: 'float64' }), c0, w(12, 4), w(12, 3), null, null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'h0' must have shape [2, 3], got shape [3]]`);
    expect(() => lstmSequence(x, h0, zeros([2, 2], { dtype: 'float64' }), w(12, 4), w(12, 3), null, null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'c0' must have shape [2, 3], got shape [2, 2]]`);
    expect(() => lstmSequence(x, h0, c0, w(12, 4), w(12, 3), null, null, w(3, 3))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'wHR' must have shape [projSize, 3] with 0 < projSize < 3 (hidden), got shape [3, 3]]`);
    expect(() => lstmSequence(x, zeros([2, 2], { dtype: 'float64' }), c0, w(12, 4), w(12, 3), null, null, w(2, 3))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmSequence: argument 'wHH' must have shape [12, 2], got shape [12, 3]]`);
    expect(() => lstmSequence(x, zeros([2, 3]), c0, w(12, 4), w(12, 3), null, null, null)).toThrowErrorMatchingInlineSnapshot(`[DTypeError: lstmSequence: argument 'h0' must be float64 like 'x', got float32]`);
  });

  it('checks lengths and options', () => {
    const run = (options: object): unknown => gruSequence(x, h0, w(9, 4), w(9, 3), null, null, options);
    expect(() => run({ lengths: [3] })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: gruSequence: argument 'lengths' must be 2 lengths (one per sequence of the batch), got [3]]`);
    expect(() => run({ lengths: [3, 4] })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: gruSequence: argument 'lengths[1]' must be an integer in [0, 3] (T = the length of 'x'), got 4]`);
    expect(() => run({ lengths: [3, -1] })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: gruSequence: argument 'lengths[1]' must be an integer in [0, 3] (T = the length of 'x'), got -1]`);
    expect(() => run({ lengths: [1.5, 2] })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: gruSequence: argument 'lengths[0]' must be an integer in [0, 3] (T = the length of 'x'), got 1.5]`);
    expect(() => run({ lengths: 3 })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: gruSequence: argument 'lengths' must be an array or Int32Array of 2 lengths, or null, got 3]`);
    expect(() => run({ reverse: 'yes' })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: gruSequence: argument 'options.reverse' must be a boolean, got "yes"]`);
    expect(() => run({ stepGrads: 1 })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: gruSequence: argument 'options.stepGrads' must be a function, got 1]`);
    expect(() => gruSequence(x, h0, w(9, 4), w(9, 3), null, null, null as unknown as object)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: gruSequence: argument 'options' must be an object, got null]`);
  });

  it('checks the GRU and RNN shapes and the nonlinearity', () => {
    expect(() => gruSequence(x, h0, w(9, 4), w(9, 4), null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: gruSequence: argument 'wHH' must have shape [9, 3], got shape [9, 4]]`);
    expect(() => gruSequence(x, zeros([1, 3], { dtype: 'float64' }), w(9, 4), w(9, 3), null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: gruSequence: argument 'h0' must have shape [2, 3], got shape [1, 3]]`);
    expect(() => rnnSequence(x, h0, w(3, 4), w(3, 3), null, null, 'sigmoid' as 'tanh')).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: rnnSequence: argument 'nonlinearity' must be 'tanh' or 'relu', got "sigmoid"]`);
    expect(() => rnnSequence(x, h0, w(3, 4), w(3, 2), null, null, 'relu')).toThrowErrorMatchingInlineSnapshot(`[ShapeError: rnnSequence: argument 'wHH' must have shape [3, 3], got shape [3, 2]]`);
    expect(() => rnnSequence(x, h0, zeros([0, 4], { dtype: 'float64' }), w(0, 0), null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: rnnSequence: argument 'wIH' must have shape [hidden, 4] (4 = the features of 'x'), hidden ≥ 1, got shape [0, 4]]`);
  });

  it('the cell functions validate their arguments too', () => {
    const x2 = zeros([2, 4], { dtype: 'float64' });
    expect(() => lstmCell(x2, zeros([2, 2], { dtype: 'float64' }), c0, w(12, 4), w(12, 3), null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: lstmCell: argument 'h' must have shape [2, 3], got shape [2, 2]]`);
    expect(() => gruCell(x, h0, w(9, 4), w(9, 3), null, null)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: gruCell: argument 'x' must have rank 2 (batch, feature), got shape [3, 2, 4]]`);
    expect(() => rnnCell(x2, h0, w(3, 4), w(3, 3), null, null, 'gelu' as 'tanh')).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: rnnCell: argument 'nonlinearity' must be 'tanh' or 'relu', got "gelu"]`);
    expect(() => rnnCell(x2, h0, w(3, 4), w(3, 3), full([3], 0), null)).toThrowErrorMatchingInlineSnapshot(`[DTypeError: rnnCell: argument 'bIH' must be float64 like 'x', got float32]`);
  });
});
