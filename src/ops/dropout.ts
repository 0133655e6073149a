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
  // An element survives when its 32-bit draw is ≥ p·2³² (probability 1 − p to 2⁻³²): one
  // draw per element, in bulk.
  const threshold = Math.min(4294967296, Math.round(p * 4294967296));
  const draws = generator.fillUint32(new Uint32Array(x.size));
  const keep = new Uint8Array(x.size);
  const out = emptyFloat(x.shape, x.dtype);
  const xd = x.data;
  const od = out.data;
  for (let i = 0; i < draws.length; i++) {
    const k = (draws[i] as number) >= threshold;
    keep[i] = k ? 1 : 0;
    od[i] = k ? (xd[i] as number) * scale : 0;
  }
  record1(op, out, [x], (g) => {
    const dx = emptyFloat(x.shape, x.dtype);
    const gd = g.data;
    const dd = dx.data;
    for (let i = 0; i < keep.length; i++) dd[i] = keep[i] ? (gd[i] as number) * scale : 0;
    return [dx];
  });
  return out;
}
