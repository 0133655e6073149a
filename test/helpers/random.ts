// Seeded random float64 inputs for gradient checks.
import { Generator } from '../../src/util/rng.js';
import { randn, rand } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** A float64 leaf that requires grad, with N(0, 1) entries from a seeded generator. */
export function r64(shape: number[], seed = 1, opts: { low?: number; high?: number } = {}): Tensor {
  const generator = new Generator(seed);
  if (opts.low !== undefined || opts.high !== undefined) {
    return rand(shape, { dtype: 'float64', generator, requiresGrad: true, low: opts.low ?? 0, high: opts.high ?? 1 });
  }
  return randn(shape, { dtype: 'float64', generator, requiresGrad: true });
}
