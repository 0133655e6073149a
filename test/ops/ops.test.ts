// Forward values of ops against independently computed expectations, semantics that
// gradcheck cannot see (padding rows, NaN propagation, seeded dropout), and the wording
// of bad-input errors.
import { describe, expect, it } from 'vitest';
import * as ops from '../../src/ops/index.js';
import { tensor, zeros, ones, randn } from '../../src/tensor/create.js';
import { Generator } from '../../src/util/rng.js';

const t = (v: number[] | number[][] | number[][][], dtype: 'float32' | 'float64' = 'float64') => tensor(v, { dtype });
const i32 = (v: number[]) => tensor(v, { dtype: 'int32' });

describe('forward values', () => {
  it('broadcast arithmetic', () => {
    expect(ops.add(t([[1], [2]]), t([10, 20, 30])).toArray()).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(ops.div(t([1, 2]), 4).toArray()).toEqual([0.25, 0.5]);
    expect(ops.maximum(t([1, 5]), t([3, 2])).toArray()).toEqual([3, 5]);
  });

  it('matmul follows torch.matmul shapes', () => {
    expect(ops.matmul(t([1, 2, 3]), t([4, 5, 6])).toArray()).toBe(32);
    expect(ops.matmul(t([[1, 2], [3, 4]]), t([5, 6])).toArray()).toEqual([17, 39]);
    expect(ops.matmul(t([5, 6]), t([[1, 2], [3, 4]])).toArray()).toEqual([23, 34]);
    expect(ops.matmul(randn([2, 1, 3, 4]), randn([5, 4, 2])).shape).toEqual([2, 5, 3, 2]);
  });

  it('reductions, softmax and logsumexp', () => {
    const x = t([[1, 2, 3], [4, 5, 6]]);
    expect(ops.sum(x, 0).toArray()).toEqual([5, 7, 9]);
    expect(ops.mean(x, 1, true).toArray()).toEqual([[2], [5]]);
    expect(ops.max(x, 1).toArray()).toEqual([3, 6]);
    expect(ops.argmax(x, 0).toArray()).toEqual([1, 1, 1]);
    const sm = ops.softmax(t([0, Math.log(3)])).toFlatArray();
    expect(sm[0]).toBeCloseTo(0.25, 12);
    expect(ops.logsumexp(t([1000, 1000]), 0).item()).toBeCloseTo(1000 + Math.log(2), 9);
  });

  it('split, chunk, slice, cat', () => {
    const x = t([[0, 1, 2, 3, 4]]);
    expect(ops.split(x, 2, 1).map((p) => p.toArray())).toEqual([[[0, 1]], [[2, 3]], [[4]]]);
    expect(ops.chunk(x, 2, 1).map((p) => p.shape[1])).toEqual([3, 2]);
    expect(ops.slice(x, 1, -4, -1, 2).toArray()).toEqual([[1, 3]]);
    expect(ops.cat([x, x], 0).shape).toEqual([2, 5]);
  });

  it('embedding keeps the padding row gradient at zero (PyTorch semantics)', () => {
    const w = randn([4, 2], { requiresGrad: true });
    ops.sum(ops.embedding(w, i32([0, 1, 0]), 0)).backward();
    expect(w.grad!.toArray()).toEqual([[0, 0], [1, 1], [0, 0], [0, 0]]);
  });

  it('where sends gradient only to the selected branch (a NaN in the other branch does not leak)', () => {
    const a = t([NaN, 2]).requireGrad();
    const b = t([1, Infinity]).requireGrad();
    const y = ops.where(t([0, 1]), a, b);
    expect(y.toFlatArray()).toEqual([1, 2]);
    ops.sum(y).backward();
    expect(a.grad!.toFlatArray()).toEqual([0, 1]);
    expect(b.grad!.toFlatArray()).toEqual([1, 0]);
  });

  it('propagates NaN through elementwise ops, max, softmax and losses', () => {
    const x = t([1, NaN, 3]);
    expect(Number.isNaN(ops.tanh(x).data[1]!)).toBe(true);
    expect(Number.isNaN(ops.max(x).item())).toBe(true);
    expect(ops.softmax(x).toFlatArray().every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(ops.mseLoss(x, zeros([3], { dtype: 'float64' })).item())).toBe(true);
  });

  it('dropout: identity in eval, seeded and scaled by 1/(1-p) in training', () => {
    const x = ones([1000]);
    expect(ops.dropout(x, 0.5, false)).toBe(x);
    const a = ops.dropout(x, 0.25, true, new Generator(1));
    const b = ops.dropout(x, 0.25, true, new Generator(1));
    expect(a.toFlatArray()).toEqual(b.toFlatArray());
    const kept = a.toFlatArray().filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)])); // float32 storage
    expect(kept.length).toBeGreaterThan(700);
    expect(kept.length).toBeLessThan(800);
  });

  it('Generator.fillUint32 continues the nextUint32 stream (bulk draws of dropout)', () => {
    const a = new Generator(7);
    const b = new Generator(7);
    a.nextUint32();
    b.nextUint32();
    const bulk = a.fillUint32(new Uint32Array(1000));
    const one = Uint32Array.from({ length: 1000 }, () => b.nextUint32());
    expect(bulk).toEqual(one);
    expect(a.nextUint32()).toBe(b.nextUint32()); // the state advanced by exactly 1000 draws
  });

  it('dropout: p = 1 zeroes every element and its gradient; the keep rate follows p', () => {
    const x = ones([4000], { dtype: 'float64' });
    x.requiresGrad = true;
    const y = ops.dropout(x, 1, true, new Generator(3));
    expect(y.toFlatArray().every((v) => v === 0)).toBe(true);
    ops.sum(y).backward();
    expect(x.grad!.toFlatArray().every((v) => v === 0)).toBe(true);
    const kept = ops.dropout(x, 0.1, true, new Generator(3)).toFlatArray().filter((v) => v !== 0).length;
    expect(kept).toBeGreaterThan(3500); // binomial(4000, 0.9): mean 3600, sd 19
    expect(kept).toBeLessThan(3700);
  });

  it('crossEntropy: mean over non-ignored targets, NaN if all ignored (PyTorch)', () => {
    const logits = t([[0, 0], [0, 0]]);
    expect(ops.crossEntropy(logits, i32([0, -100])).item()).toBeCloseTo(Math.log(2), 12);
    expect(Number.isNaN(ops.crossEntropy(logits, i32([-100, -100])).item())).toBe(true);
  });
});

describe('bad input names the op, the argument, expected and received', () => {
  it('shape mismatches and ranks', () => {
    expect(() => ops.add(zeros([2, 3]), zeros([4]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: add: argument 'b' must have a shape broadcastable with 'a' [2, 3], got shape [4]]`);
    expect(() => ops.matmul(zeros([2, 3]), zeros([4, 2]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: matmul: argument 'b' must have size of dimension -2 equal to 3 (the last dimension of 'a' [2, 3]), got shape [4, 2]]`);
    expect(() => ops.cat([zeros([2, 3]), zeros([3, 3])], 1)).toThrowErrorMatchingInlineSnapshot(`[ShapeError: cat: argument 'tensors[1]' must have shape [2, *] (like tensors[0] except in dim 1), got shape [3, 3]]`);
    expect(() => ops.reshape(zeros([2, 3]), [4, 2])).toThrowErrorMatchingInlineSnapshot(`[ShapeError: reshape: argument 'shape' must have 6 elements like the input [2, 3], got shape [4, 2]]`);
    expect(() => ops.linear(zeros([2, 3]), zeros([4, 5]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: linear: argument 'x' must have last dimension 5 (the inFeatures of weight [4, 5]), got shape [2, 3]]`);
    expect(() => ops.mseLoss(zeros([2]), zeros([3]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: mseLoss: argument 'target' must have shape [2] like 'input', got shape [3]]`);
  });
  it('out-of-range dims and indices', () => {
    expect(() => ops.sum(zeros([2, 3]), 2)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: sum: argument 'dim' must be an integer in [-2, 1], got 2]`);
    expect(() => ops.indexSelect(zeros([2, 3]), 0, [0, 2])).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: indexSelect: argument 'index[1]' must be an index in [0, 2), got 2]`);
    expect(() => ops.embedding(zeros([5, 2]), i32([1, 5]))).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: embedding: argument 'indices[1]' must be an index in [0, 5), got 5]`);
    expect(() => ops.crossEntropy(zeros([2, 3]), i32([0, 3]))).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: crossEntropy: argument 'target[1]' must be a class index in [0, 3) or ignoreIndex (-100), got 3]`);
    expect(() => ops.slice(zeros([3]), 0, 0, 2, 0)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: slice: argument 'step' must be a positive integer, got 0]`);
  });
  it('wrong dtypes and kinds', () => {
    expect(() => ops.tanh(i32([1, 2]))).toThrowErrorMatchingInlineSnapshot(`[DTypeError: tanh: argument 'x' must be a float32 or float64 tensor, got int32]`);
    expect(() => ops.add({} as never, 1)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: add: argument 'a' must be a Tensor or a number, got an object]`);
    expect(() => ops.dropout(zeros([2]), 1.5, true)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: dropout: argument 'p' must be a probability in [0, 1], got 1.5]`);
    expect(() => ops.crossEntropy(zeros([2, 3]), i32([0]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: crossEntropy: argument 'target' must have shape [2] (logits [2, 3] without the class dimension), got shape [1]]`);
  });
});
