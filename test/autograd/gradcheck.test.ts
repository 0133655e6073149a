import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { record1 } from '../../src/autograd/engine.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tensor } from '../../src/tensor/create.js';
import { mul, tanh } from '../../src/ops/index.js';
import { GradError } from '../../src/errors.js';
import { r64 } from '../helpers/random.js';

/** sin(x) with a deliberately wrong derivative (cos x + 0.01). */
function brokenSin(x: Tensor): Tensor {
  const out = new Tensor(Float64Array.from(x.data, Math.sin), x.shape);
  record1('brokenSin', out, [x], (g) => [new Tensor(g.data.map((gi, i) => gi * (Math.cos(x.data[i] as number) + 0.01)), x.shape)]);
  return out;
}

describe('gradcheck', () => {
  it('passes a correct gradient and reports the error size', () => {
    const res = gradcheck((a, b) => mul(tanh(a!), b!), [r64([3, 2], 1), r64([2], 2)], { names: ['a', 'b'] });
    expect(res.entries).toBe(6 * 6 + 6 * 2);
    expect(res.maxAbsError).toBeLessThan(1e-8);
  });

  it('fails a wrong gradient with a message naming output, input and element', () => {
    const x = r64([2, 2], 3);
    expect(() => gradcheck((a) => brokenSin(a!), [x], { names: ['x'] })).toThrow(GradError);
    expect(() => gradcheck((a) => brokenSin(a!), [x], { names: ['x'] })).toThrow(
      /gradcheck: output 0 \(element \[0, 0\]\) w.r.t. input 'x' \(element \[0, 0\]\): numerical .* vs analytic .*/,
    );
  });

  it('requires float64 inputs', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => gradcheck((a) => tanh(a!), [x])).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: gradcheck: argument 'inputs[0] ('input0')' must be float64 (finite differences need double precision), got "float32"]`);
  });
});
