import { describe, expect, it } from 'vitest';
import { tensor, ones, zeros } from '../../src/tensor/create.js';
import { add, mul, sum, tanh, matmul } from '../../src/ops/index.js';
import { noGrad, isGradEnabled } from '../../src/autograd/engine.js';
import { GradError } from '../../src/errors.js';

describe('autograd engine', () => {
  it('accumulates gradients of a value used twice (d(x·x)/dx = 2x)', () => {
    const x = tensor([1, -2, 3], { dtype: 'float64', requiresGrad: true });
    sum(mul(x, x)).backward();
    expect(x.grad?.toArray()).toEqual([2, -4, 6]);
  });

  it('accumulates into .grad across backward calls', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    sum(x).backward();
    sum(mul(x, 3)).backward();
    expect(x.grad?.toArray()).toEqual([4, 4]);
  });

  it('does not record under noGrad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return tanh(x);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
  });

  it('refuses backward on a tensor that needs no grad', () => {
    const x = tensor([1, 2]);
    expect(() => sum(x).backward()).toThrowErrorMatchingInlineSnapshot(`[GradError: backward: the tensor of shape [] does not require grad and has no grad function; set requiresGrad on the inputs before computing it]`);
  });

  it('refuses backward without grad on a non-scalar', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = tanh(x);
    expect(() => y.backward()).toThrow(GradError);
    expect(() => y.backward()).toThrowErrorMatchingInlineSnapshot(`[GradError: backward: argument 'grad' must be given for a tensor of shape [2]; only one-element tensors (a loss) have the implicit gradient 1]`);
  });

  it('checks the shape of an explicit grad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => tanh(x).backward(ones([3]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: backward: argument 'grad' must have shape [2], got shape [3]]`);
  });

  it('refuses a second backward through a freed graph, and allows it with retainGraph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = sum(tanh(x));
    y.backward();
    expect(() => y.backward()).toThrow(GradError);
    expect(() => y.backward()).toThrowErrorMatchingInlineSnapshot(`[GradError: backward: trying to backward through the graph a second time (through 'sum'); its saved values were freed by the first backward call. Pass { retainGraph: true } to the first call if you need to.]`);
    const z = sum(tanh(x));
    x.grad = null;
    z.backward(undefined, { retainGraph: true });
    z.backward();
    const g = 1 - Math.tanh(1) ** 2;
    expect(x.grad!.data[0]).toBeCloseTo(2 * g, 6);
  });

  it('keeps intermediate gradients with retainGrad', () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    const w = tensor([[3], [4]], { requiresGrad: true });
    const h = matmul(x, w).retainGrad();
    sum(mul(h, 5)).backward();
    expect(h.grad?.toArray()).toEqual([[5]]);
    expect(w.grad?.toArray()).toEqual([[5], [10]]);
  });

  it('handles deep graphs without stack overflow', () => {
    const x = tensor([0.5], { dtype: 'float64', requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = add(y, 0.001);
    sum(y).backward();
    expect(x.grad?.item()).toBe(1);
  });

  it('broadcast gradients reduce to the input shape', () => {
    const a = zeros([2, 3], { requiresGrad: true });
    const b = zeros([3], { requiresGrad: true });
    sum(add(a, b)).backward();
    expect(b.grad?.toArray()).toEqual([2, 2, 2]);
  });
});
