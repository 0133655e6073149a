// Parameter: a trainable tensor. It is a Tensor (so it goes into every op) that requires
// grad from birth. Optimizers update `data` in place, so the typed array is never
// replaced.

import { ArgumentError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

export class Parameter extends Tensor {
  constructor(value: Tensor) {
    if (!(value instanceof Tensor)) throw new ArgumentError('Parameter', 'value', 'a Tensor', value);
    if (value.dtype === 'int32') throw new ArgumentError('Parameter', 'value', 'a float32 or float64 tensor', 'an int32 tensor');
    super(value.data, value.shape);
    this.requiresGrad = true;
  }
}
