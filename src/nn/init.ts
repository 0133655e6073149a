// Initialisers that fill a tensor in place (PyTorch's torch.nn.init), each with an
// optional seeded generator. Fan-in/fan-out follow PyTorch's _calculate_fan_in_and_fan_out:
// for a (out, in, *k) weight, fanIn = in·∏k, fanOut = out·∏k.

import { ArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';
import { defaultGenerator, type Generator } from '../util/rng.js';

export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new ShapeError('init', 'tensor', 'at least 2 dimensions to compute fan-in and fan-out', t.shape);
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i] as number;
  return { fanIn: (t.shape[1] as number) * receptive, fanOut: (t.shape[0] as number) * receptive };
}

/** Fills with U(low, high). */
export function uniform_(t: Tensor, low = 0, high = 1, generator: Generator = defaultGenerator): Tensor {
  if (!(high >= low)) throw new ArgumentError('uniform_', 'high', `a number ≥ low (${low})`, high);
  noGrad(() => {
    for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * generator.uniform();
  });
  return t;
}

/** Fills with N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  if (!(std >= 0)) throw new ArgumentError('normal_', 'std', 'a non-negative number', std);
  noGrad(() => {
    for (let i = 0; i < t.size; i++) t.data[i] = mean + std * generator.normal();
  });
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** Glorot/Xavier uniform: U(−a, a), a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = fans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, generator);
}

/** Glorot/Xavier normal: N(0, std²), std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/**
 * He/Kaiming uniform for a leaky-ReLU slope `a` (PyTorch's default for Linear uses a = √5):
 * bound = gain·√(3 / fan), gain = √(2 / (1 + a²)), fan = fanIn (mode 'fanIn') or fanOut.
 */
export function kaimingUniform_(t: Tensor, a = 0, mode: 'fanIn' | 'fanOut' = 'fanIn', generator?: Generator): Tensor {
  const { fanIn, fanOut } = fans(t);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  const bound = Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3 / fan);
  return uniform_(t, -bound, bound, generator);
}
