// Small modules: Dropout, activations, and Sequential.

import { ArgumentError } from '../errors.js';
import type { Generator } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { dropout, logSoftmax, relu, sigmoid, softmax, tanh } from '../ops/index.js';
import { Module } from './module.js';

/** Inverted dropout with probability p in training mode; identity in eval mode. */
export class Dropout extends Module {
  constructor(readonly p = 0.5, private readonly generator?: Generator) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError('Dropout', 'p', 'a probability in [0, 1]', p);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
}

export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
}

/** A module with a one-tensor forward. */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

/** Chains one-tensor modules; children are named "0", "1", … as in PyTorch. */
export class Sequential extends Module {
  private readonly layers: TensorModule[];

  constructor(...layers: TensorModule[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module) || typeof (m as TensorModule).forward !== 'function') {
        throw new ArgumentError('Sequential', `layers[${i}]`, 'a Module with forward(x)', m);
      }
      this.registerModule(String(i), m);
    });
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, m) => m.forward(h), x);
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): TensorModule | undefined {
    return this.layers[i];
  }
}
