// LSTM variants (Gers & Schmidhuber 2000; Greff et al. 2017, "LSTM: A Search Space Odyssey"):
//   peepholes: the input and forget gates read c_{t−1}, the output gate reads c_t, through
//              diagonal weights (ONNX's LSTM input P);
//   coupled:   one gate decides both what to write and what to forget, f_t = 1 − i_t
//              (ONNX's input_forget = 1); it has no forget-gate weights at all.
// Both combine with each other and with a projection h_t = W_hr (o_t ⊙ tanh(c_t)).
//   i = σ(W_ii x + b_ii + W_hi h + b_hi + p_i ⊙ c_{t−1})
//   f = σ(W_if x + b_if + W_hf h + b_hf + p_f ⊙ c_{t−1})     (coupled: f = 1 − i)
//   g = tanh(W_ig x + b_ig + W_hg h + b_hg)
//   c_t = f ⊙ c_{t−1} + i ⊙ g
//   o = σ(W_io x + b_io + W_ho h + b_ho + p_o ⊙ c_t)
//   h_t = o ⊙ tanh(c_t)
// Gate rows in weight_ih/weight_hh: i, f, g, o as PyTorch (coupled: i, g, o). Peephole
// vectors: weight_ci, weight_cf, weight_co (H). Without peepholes and coupling this is
// PyTorch's LSTM exactly.

import { ArgumentError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { add, chunk, linear, matmul, mul, sigmoid, sub, tanh, transpose } from '../../ops/index.js';
import { DualStateStack, type CellStackOptions, type SequenceRun, type StateSpec, runSteps } from './stack.js';

export interface VariantLSTMOptions extends CellStackOptions {
  /** Peephole connections from the cell to the gates (default false). */
  peepholes?: boolean;
  /** Coupled input and forget gates, f = 1 − i (default false). */
  coupled?: boolean;
  /** If > 0, h is projected to this size by weight_hr (default 0). */
  projSize?: number;
}

export class VariantLSTM extends DualStateStack {
  readonly peepholes: boolean;
  readonly coupled: boolean;
  readonly projSize: number;

  constructor(options: VariantLSTMOptions, layerName = 'VariantLSTM') {
    super(layerName, options);
    for (const k of ['peepholes', 'coupled'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new ArgumentError(layerName, k, 'a boolean', options[k]);
    }
    this.peepholes = options.peepholes ?? false;
    this.coupled = options.coupled ?? false;
    const proj = options.projSize ?? 0;
    if (!Number.isInteger(proj) || proj < 0 || (proj > 0 && proj >= this.hiddenSize)) {
      throw new ArgumentError(layerName, 'projSize', `0 or an integer smaller than hiddenSize (${this.hiddenSize})`, proj);
    }
    this.projSize = proj;
    this.build();
  }

  get gates(): number {
    return this.coupled ? 3 : 4;
  }

  override get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  protected stateSpec(): StateSpec[] {
    return [{ name: 'h', size: this.outputSize }, { name: 'c', size: this.hiddenSize }];
  }

  protected createParameters(_l: number, sfx: string, inputSize: number): void {
    const H = this.hiddenSize;
    const G = this.gates * H;
    this.uniformParam(`weight_ih${sfx}`, [G, inputSize]);
    this.uniformParam(`weight_hh${sfx}`, [G, this.outputSize]);
    if (this.bias) {
      this.uniformParam(`bias_ih${sfx}`, [G]);
      this.uniformParam(`bias_hh${sfx}`, [G]);
    }
    if (this.peepholes) {
      this.uniformParam(`weight_ci${sfx}`, [H]);
      if (!this.coupled) this.uniformParam(`weight_cf${sfx}`, [H]);
      this.uniformParam(`weight_co${sfx}`, [H]);
    }
    if (this.projSize > 0) this.uniformParam(`weight_hr${sfx}`, [this.projSize, H]);
  }

  protected override runSequence(_l: number, sfx: string, x: Tensor, state0: Tensor[], masks: Tensor[] | null): SequenceRun {
    // The input's contribution to every gate, for all steps in one product.
    const xp = linear(x, this.param(`weight_ih${sfx}`), this.optionalParam(`bias_ih${sfx}`));
    const whhT = transpose(this.param(`weight_hh${sfx}`), 0, 1);
    const bhh = this.optionalParam(`bias_hh${sfx}`);
    const pi = this.peepholes ? this.param(`weight_ci${sfx}`) : null;
    const pf = this.peepholes && !this.coupled ? this.param(`weight_cf${sfx}`) : null;
    const po = this.peepholes ? this.param(`weight_co${sfx}`) : null;
    const whr = this.projSize > 0 ? this.param(`weight_hr${sfx}`) : null;
    return runSteps(xp, state0, masks, (xt, [h, c]) => {
      let pre = add(xt, matmul(h as Tensor, whhT));
      if (bhh) pre = add(pre, bhh);
      const parts = chunk(pre, this.gates, 1);
      const [gi, gf, gg, go] = this.coupled ? [parts[0], null, parts[1], parts[2]] : parts;
      const cPrev = c as Tensor;
      const i = sigmoid(pi ? add(gi as Tensor, mul(pi, cPrev)) : (gi as Tensor));
      const f = this.coupled ? sub(1, i) : sigmoid(pf ? add(gf as Tensor, mul(pf, cPrev)) : (gf as Tensor));
      const cNew = add(mul(f, cPrev), mul(i, tanh(gg as Tensor)));
      const o = sigmoid(po ? add(go as Tensor, mul(po, cNew)) : (go as Tensor));
      let hNew = mul(o, tanh(cNew));
      if (whr) hNew = linear(hNew, whr, null);
      return { output: hNew, state: [hNew, cNew] };
    });
  }

  protected override extraRepr(): string {
    const extra = [this.peepholes ? 'peepholes=true' : '', this.coupled ? 'coupled=true' : '', this.projSize ? `projSize=${this.projSize}` : ''].filter(Boolean);
    return [super.extraRepr(), ...extra].join(', ');
  }
}

/** An LSTM with peephole connections (see VariantLSTM; `peepholes` is always on). */
export class PeepholeLSTM extends VariantLSTM {
  constructor(options: Omit<VariantLSTMOptions, 'peepholes'>) {
    super({ ...options, peepholes: true }, 'PeepholeLSTM');
  }
}

/** An LSTM whose forget gate is 1 − input gate (see VariantLSTM; `coupled` is always on). */
export class CoupledLSTM extends VariantLSTM {
  constructor(options: Omit<VariantLSTMOptions, 'coupled'>) {
    super({ ...options, coupled: true }, 'CoupledLSTM');
  }
}
