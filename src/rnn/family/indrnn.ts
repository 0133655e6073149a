// IndRNN (Li, Li, Cook, Zhu & Gao 2018, "Independently Recurrent Neural Network"):
// every unit has ONE recurrent weight, its own previous value:
//   h_t = φ(W_ih x_t + b_ih + u ⊙ h_{t−1})          φ = relu (default) or tanh
// The gradient through time of unit n is Π u_n φ'(·), controlled per unit by |u_n|; the
// paper keeps |u_n| ≤ 2^(1/T) (a unit may then grow at most 2× over T steps) for long
// sequences — `constrainRecurrent_()` applies such a bound after an optimizer step.
// Parameters: weight_ih (H, I), weight_hh (H) (the vector u), bias_ih (H). Cost per step:
// H·I + H, against H·I + H² for an Elman RNN.

import { ArgumentError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/engine.js';
import { add, linear, mul, relu, tanh } from '../../ops/index.js';
import { SingleStateStack, runSteps, type CellStackOptions, type SequenceRun, type StateSpec } from './stack.js';

export interface IndRNNOptions extends CellStackOptions {
  /** φ (default 'relu', as the paper). */
  nonlinearity?: 'relu' | 'tanh';
  /** Range of the initial recurrent weights u (default [0, 1], as the paper's adding-problem setup). */
  recurrentInit?: [number, number];
  /** Bound on |u| used by constrainRecurrent_() (default none). */
  recurrentMax?: number;
}

export class IndRNN extends SingleStateStack {
  readonly nonlinearity: 'relu' | 'tanh';
  readonly recurrentInit: [number, number];
  readonly recurrentMax: number | null;

  constructor(options: IndRNNOptions) {
    super('IndRNN', options);
    this.nonlinearity = options.nonlinearity ?? 'relu';
    if (!['relu', 'tanh'].includes(this.nonlinearity)) throw new ArgumentError('IndRNN', 'nonlinearity', "'relu' or 'tanh'", this.nonlinearity);
    const init = options.recurrentInit ?? [0, 1];
    if (!Array.isArray(init) || init.length !== 2 || !init.every(Number.isFinite) || init[0] > init[1]) {
      throw new ArgumentError('IndRNN', 'recurrentInit', 'a range [low, high] of finite numbers', init);
    }
    this.recurrentInit = [init[0], init[1]];
    const max = options.recurrentMax ?? null;
    if (max !== null && !(typeof max === 'number' && max > 0)) throw new ArgumentError('IndRNN', 'recurrentMax', 'a positive number', max);
    this.recurrentMax = max;
    this.build();
  }

  protected stateSpec(): StateSpec[] {
    return [{ name: 'h', size: this.hiddenSize }];
  }

  protected createParameters(_l: number, sfx: string, inputSize: number): void {
    const H = this.hiddenSize;
    this.uniformParam(`weight_ih${sfx}`, [H, inputSize], 1 / Math.sqrt(inputSize));
    this.uniformParam(`weight_hh${sfx}`, [H], this.recurrentInit[1], this.recurrentInit[0]);
    if (this.bias) this.uniformParam(`bias_ih${sfx}`, [H], 1 / Math.sqrt(inputSize));
  }

  /** Clips every recurrent weight to [−recurrentMax, recurrentMax] in place (call after optimizer.step()). */
  constrainRecurrent_(): void {
    const m = this.recurrentMax;
    if (m === null) return;
    noGrad(() => {
      for (const [name, p] of this.namedParameters()) {
        if (!name.startsWith('weight_hh')) continue;
        for (let i = 0; i < p.size; i++) p.data[i] = Math.min(m, Math.max(-m, p.data[i] as number));
      }
    });
  }

  protected override runSequence(_l: number, sfx: string, x: Tensor, state0: Tensor[], masks: Tensor[] | null): SequenceRun {
    const xp = linear(x, this.param(`weight_ih${sfx}`), this.optionalParam(`bias_ih${sfx}`));
    const u = this.param(`weight_hh${sfx}`);
    const phi = this.nonlinearity === 'relu' ? relu : tanh;
    return runSteps(xp, state0, masks, (xt, [h]) => {
      const hNew = phi(add(xt, mul(u, h as Tensor)));
      return { output: hNew, state: [hNew] };
    });
  }
}
