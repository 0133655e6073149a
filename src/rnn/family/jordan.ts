// Jordan network (Jordan 1986): the context units hold the previous OUTPUT, not the
// previous hidden state.
//   h_t = φ(W_ih x_t + b_ih + W_yh y_{t−1} + b_yh)       φ = tanh (or relu)
//   y_t = ψ(W_hy h_t + b_hy)                              ψ = identity, tanh, sigmoid or softmax
// The layer's output and state are y (outputSize wide). Parameters per layer and
// direction: weight_ih (H, I), weight_yh (H, O), bias_ih, bias_yh (H), weight_hy (O, H),
// bias_hy (O). Cost per step: H·(I + O) + O·H multiply-adds.

import { ArgumentError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { add, linear, relu, sigmoid, softmax, tanh } from '../../ops/index.js';
import { SingleStateStack, type CellStackOptions, type StateSpec } from './stack.js';

export interface JordanRNNOptions extends CellStackOptions {
  /** Width of y, the output fed back as context. */
  outputSize: number;
  /** φ, the hidden nonlinearity (default 'tanh'). */
  nonlinearity?: 'tanh' | 'relu';
  /** ψ, the output function (default 'tanh', which keeps the fed-back context bounded). */
  outputActivation?: 'identity' | 'tanh' | 'sigmoid' | 'softmax';
}

export class JordanRNN extends SingleStateStack {
  readonly jordanOutputSize: number;
  readonly nonlinearity: 'tanh' | 'relu';
  readonly outputActivation: 'identity' | 'tanh' | 'sigmoid' | 'softmax';

  constructor(options: JordanRNNOptions) {
    super('JordanRNN', options);
    const o = options.outputSize;
    if (!Number.isInteger(o) || o <= 0) throw new ArgumentError('JordanRNN', 'outputSize', 'a positive integer', o);
    this.jordanOutputSize = o;
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    if (!['tanh', 'relu'].includes(this.nonlinearity)) throw new ArgumentError('JordanRNN', 'nonlinearity', "'tanh' or 'relu'", this.nonlinearity);
    this.outputActivation = options.outputActivation ?? 'tanh';
    if (!['identity', 'tanh', 'sigmoid', 'softmax'].includes(this.outputActivation)) {
      throw new ArgumentError('JordanRNN', 'outputActivation', "'identity', 'tanh', 'sigmoid' or 'softmax'", this.outputActivation);
    }
    this.build();
  }

  override get outputSize(): number {
    return this.jordanOutputSize;
  }

  protected stateSpec(): StateSpec[] {
    return [{ name: 'y', size: this.jordanOutputSize }];
  }

  protected createParameters(_l: number, sfx: string, inputSize: number): void {
    const H = this.hiddenSize;
    const O = this.jordanOutputSize;
    this.uniformParam(`weight_ih${sfx}`, [H, inputSize]);
    this.uniformParam(`weight_yh${sfx}`, [H, O]);
    if (this.bias) {
      this.uniformParam(`bias_ih${sfx}`, [H]);
      this.uniformParam(`bias_yh${sfx}`, [H]);
    }
    this.uniformParam(`weight_hy${sfx}`, [O, H]);
    if (this.bias) this.uniformParam(`bias_hy${sfx}`, [O]);
  }

  protected override step(_l: number, sfx: string, x: Tensor, [y]: Tensor[]): { output: Tensor; state: Tensor[] } {
    const pre = add(linear(x, this.param(`weight_ih${sfx}`), this.optionalParam(`bias_ih${sfx}`)), linear(y as Tensor, this.param(`weight_yh${sfx}`), this.optionalParam(`bias_yh${sfx}`)));
    const h = this.nonlinearity === 'tanh' ? tanh(pre) : relu(pre);
    const z = linear(h, this.param(`weight_hy${sfx}`), this.optionalParam(`bias_hy${sfx}`));
    const out = this.outputActivation === 'identity' ? z : this.outputActivation === 'tanh' ? tanh(z) : this.outputActivation === 'sigmoid' ? sigmoid(z) : softmax(z, -1);
    return { output: out, state: [out] };
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}, outputSize=${this.jordanOutputSize}`;
  }
}
