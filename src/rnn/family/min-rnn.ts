// minGRU and minLSTM (Feng, Tung, Ahmed, Bengio & Hajimirsadeghi 2024, "Were RNNs All We
// Needed?"): the gates read only the input, never h_{t−1}, so the recurrence is linear in
// h and the whole sequence is one parallel scan (ops/scan.ts) instead of T dependent
// nonlinear steps:
//   minGRU:  z_t = σ(W_z x_t + b_z),  h̃_t = W_h x_t + b_h,
//            h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t
//   minLSTM: f_t = σ(W_f x_t + b_f),  i_t = σ(W_i x_t + b_i),  h̃_t = W_h x_t + b_h,
//            f'_t = f_t / (f_t + i_t),  i'_t = i_t / (f_t + i_t),
//            h_t = f'_t ⊙ h_{t−1} + i'_t ⊙ h̃_t
// (the paper's sequential/parallel forms in linear space; its log-space variant is a
// numerical-stability rewrite of the same recurrence). Past a sequence's length the scan
// coefficients are a = 1, b = 0, which carries the state unchanged.
// Parameters: weight_ih (G·H, I) with gate rows z, h (minGRU) or f, i, h (minLSTM), and
// bias_ih (G·H). Cost: the gates are one (T·B, I)·(I, G·H) product; the scan is O(T·B·H).

import type { Tensor } from '../../tensor/tensor.js';
import { add, chunk, div, linear, linearScan, mul, narrow, reshape, sigmoid, stack, sub, where } from '../../ops/index.js';
import { SingleStateStack, type CellStackOptions, type SequenceRun, type StateSpec } from './stack.js';

abstract class ScanStack extends SingleStateStack {
  protected abstract readonly gateCount: number;

  protected stateSpec(): StateSpec[] {
    return [{ name: 'h', size: this.hiddenSize }];
  }

  protected createParameters(_l: number, sfx: string, inputSize: number): void {
    const k = 1 / Math.sqrt(inputSize);
    this.uniformParam(`weight_ih${sfx}`, [this.gateCount * this.hiddenSize, inputSize], k);
    if (this.bias) this.uniformParam(`bias_ih${sfx}`, [this.gateCount * this.hiddenSize], k);
  }

  /** The scan coefficients (a, b), each (T, B, H), from the gate pre-activations. */
  protected abstract coefficients(gates: Tensor[]): [Tensor, Tensor];

  protected override runSequence(_l: number, sfx: string, x: Tensor, [h0]: Tensor[], masks: Tensor[] | null): SequenceRun {
    const gates = chunk(linear(x, this.param(`weight_ih${sfx}`), this.optionalParam(`bias_ih${sfx}`)), this.gateCount, 2);
    let [a, b] = this.coefficients(gates);
    const m = masks ? stack(masks, 0) : null; // (T, B, 1)
    if (m) {
      a = where(m, a, 1);
      b = where(m, b, 0);
    }
    const h = linearScan(a, b, h0 as Tensor);
    const T = x.shape[0] as number;
    // With a = 1, b = 0 past each length, the last row is the state after each sequence's own last step.
    const last = reshape(narrow(h, 0, T - 1, 1), [h.shape[1] as number, h.shape[2] as number]);
    return { output: m ? mul(h, m) : h, state: [last] };
  }
}

export class MinGRU extends ScanStack {
  protected readonly gateCount = 2;
  constructor(options: CellStackOptions) {
    super('MinGRU', options);
    this.build();
  }
  protected coefficients([zPre, hTilde]: Tensor[]): [Tensor, Tensor] {
    const z = sigmoid(zPre as Tensor);
    return [sub(1, z), mul(z, hTilde as Tensor)];
  }
}

export class MinLSTM extends ScanStack {
  protected readonly gateCount = 3;
  constructor(options: CellStackOptions) {
    super('MinLSTM', options);
    this.build();
  }
  protected coefficients([fPre, iPre, hTilde]: Tensor[]): [Tensor, Tensor] {
    const f = sigmoid(fPre as Tensor);
    const i = sigmoid(iPre as Tensor);
    const s = add(f, i);
    return [div(f, s), mul(div(i, s), hTilde as Tensor)];
  }
}
