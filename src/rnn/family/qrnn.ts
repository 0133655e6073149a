// QRNN, quasi-recurrent neural network (Bradbury, Merity, Xiong & Socher 2017), with
// fo-pooling. The gates come from a causal convolution over the last k inputs (no
// dependence on h), and the only recurrence is linear, so — like minGRU — the sequence
// is one parallel scan:
//   [z; f; o]_t = W [x_t; x_{t−1}; …; x_{t−k+1}] + b      (zeros before the first input)
//   c_t = f_t ⊙ c_{t−1} + (1 − f_t) ⊙ tanh(z_t),   f_t = σ(·),  o_t = σ(·)
//   h_t = o_t ⊙ c_t
// Why this one (the "one more of your choice"): it is the fastest design of the
// family on a CPU — per step only elementwise work is sequential, the rest is one large
// matrix product — with local context through the window k that minGRU lacks, and it has
// a long record in language modelling (Merity et al. 2018). The state carried between
// calls is c. Parameters: weight_ih (3H, k·I) with gate rows z, f, o and input blocks
// x_t, x_{t−1}, …; bias_ih (3H).

import { ArgumentError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/create.js';
import { cat, chunk, linear, linearScan, mul, narrow, reshape, sigmoid, stack, sub, tanh, where } from '../../ops/index.js';
import { SingleStateStack, type CellStackOptions, type SequenceRun, type StateSpec } from './stack.js';

export interface QRNNOptions extends CellStackOptions {
  /** Convolution width k over time (default 2). */
  window?: number;
}

export class QRNN extends SingleStateStack {
  readonly window: number;

  constructor(options: QRNNOptions) {
    super('QRNN', options);
    const k = options.window ?? 2;
    if (!Number.isInteger(k) || k < 1) throw new ArgumentError('QRNN', 'window', 'a positive integer', k);
    this.window = k;
    this.build();
  }

  protected stateSpec(): StateSpec[] {
    return [{ name: 'c', size: this.hiddenSize }];
  }

  protected createParameters(_l: number, sfx: string, inputSize: number): void {
    const k = 1 / Math.sqrt(inputSize * this.window);
    this.uniformParam(`weight_ih${sfx}`, [3 * this.hiddenSize, this.window * inputSize], k);
    if (this.bias) this.uniformParam(`bias_ih${sfx}`, [3 * this.hiddenSize], k);
  }

  protected override runSequence(_l: number, sfx: string, x: Tensor, [c0]: Tensor[], masks: Tensor[] | null): SequenceRun {
    const [T, B, I] = x.shape as [number, number, number];
    // [x_t; x_{t−1}; …] by shifting the sequence down in time, zeros entering at the top.
    const taps = [x];
    for (let s = 1; s < this.window; s++) {
      taps.push(s >= T ? zeros([T, B, I], { dtype: this.dtype }) : cat([zeros([s, B, I], { dtype: this.dtype }), narrow(x, 0, 0, T - s)], 0));
    }
    const [z, fPre, oPre] = chunk(linear(taps.length === 1 ? x : cat(taps, 2), this.param(`weight_ih${sfx}`), this.optionalParam(`bias_ih${sfx}`)), 3, 2) as [Tensor, Tensor, Tensor];
    const f = sigmoid(fPre);
    let a = f;
    let b = mul(sub(1, f), tanh(z));
    const m = masks ? stack(masks, 0) : null;
    if (m) {
      a = where(m, a, 1);
      b = where(m, b, 0);
    }
    const c = linearScan(a, b, c0 as Tensor);
    const h = mul(sigmoid(oPre), c);
    const last = reshape(narrow(c, 0, T - 1, 1), [B, this.hiddenSize]);
    return { output: m ? mul(h, m) : h, state: [last] };
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}, window=${this.window}`;
  }
}
