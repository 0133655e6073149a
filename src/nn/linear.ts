// Linear: y = x Wᵀ + b (PyTorch nn.Linear): weight (out, in), bias (out); default init
// W ~ kaiming_uniform(a = √5) = U(−1/√in, 1/√in) and b ~ U(−1/√in, 1/√in), as PyTorch.

import { ArgumentError } from '../errors.js';
import type { Generator } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { linear } from '../ops/linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { kaimingUniform_, uniform_ } from './init.js';

export interface LinearOptions {
  bias?: boolean;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ArgumentError('Linear', name, 'a positive integer', v);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? 'float32';
    this.weight = this.registerParameter('weight', new Parameter(zeros([outFeatures, inFeatures], { dtype })));
    kaimingUniform_(this.weight, Math.sqrt(5), 'fanIn', options.generator);
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias = this.registerParameter('bias', options.bias === false ? null : new Parameter(zeros([outFeatures], { dtype })));
    if (this.bias) uniform_(this.bias, -bound, bound, options.generator);
  }

  /** x (..., inFeatures) → (..., outFeatures). */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
