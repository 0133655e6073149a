// Inverted dropout: in training, each element is zeroed with probability p and the
// survivors are scaled by 1/(1−p), so evaluation needs no rescaling.

import { ArgumentError } from '../errors.js';
import { record1 } from '../autograd/engine.js';
import { defaultGenerator, type Generator } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { emptyFloat, floatArg } from './util.js';

/**
 * Dropout with probability `p` in [0, 1] when `training`; the identity otherwise.
 * p = 1 zeroes everything (as PyTorch). The mask comes from `generator` (default: the
 * library's generator), so a seeded run draws the same masks.
 */
export function dropout(xIn: Tensor, p: number, training: boolean, generator: Generator = defaultGenerator): Tensor {
  const op = 'dropout';
  const x = floatArg(op, 'x', xIn);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(op, 'p', 'a probability in [0, 1]', p);
  if (!training || p === 0) return x;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = emptyFloat(x.shape, x.dtype);
  const out = emptyFloat(x.shape, x.dtype);
  for (let i = 0; i < x.size; i++) {
    const keep = generator.uniform() >= p ? scale : 0;
    mask.data[i] = keep;
    out.data[i] = (x.data[i] as number) * keep;
  }
  record1(op, out, [x], (g) => {
    const dx = emptyFloat(x.shape, x.dtype);
    for (let i = 0; i < x.size; i++) dx.data[i] = (g.data[i] as number) * (mask.data[i] as number);
    return [dx];
  });
  return out;
}
