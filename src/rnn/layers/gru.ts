// GRU layer with PyTorch's nn.GRU semantics (reset gate applied after the recurrent
// matmul, as cuDNN, Keras reset_after=True and ONNX linear_before_reset=1):
//   r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)      gates packed r, z, n
//   z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)
//   n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
//   h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
// Each layer and direction runs as one fused op: src/ops/recurrent.ts → gruSequence.
//
// With resetAfter: false it is the GRU of the original paper (Cho et al. 2014; Keras
// reset_after=False, ONNX linear_before_reset=0): the reset gate scales h_{t−1} BEFORE
// the recurrent product,
//   n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t−1}) + b_hn),
// computed with composed ops (autograd does its BPTT). Same parameters and names.

import { ArgumentError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { gruSequence } from '../../ops/recurrent.js';
import { add, chunk, linear, matmul, mul, narrow, sigmoid, sub, tanh, transpose } from '../../ops/index.js';
import { RNNBase, type DirectionWeights, type ForwardOptions, type RNNBaseOptions, type SequenceResult } from '../rnn-base.js';
import { lengthMasks, runSteps, timeReverser } from '../family/stack.js';

export interface GRUOptions extends RNNBaseOptions {
  /** Reset gate after the recurrent product, as PyTorch (default true); false: the original GRU. */
  resetAfter?: boolean;
}

export class GRU extends RNNBase {
  readonly resetAfter: boolean;

  constructor(options: GRUOptions) {
    super('GRU', 'GRU', options);
    const ra = options.resetAfter ?? true;
    if (typeof ra !== 'boolean') throw new ArgumentError('GRU', 'resetAfter', 'a boolean', ra);
    this.resetAfter = ra;
  }

  /**
   * @param input (L, N, inputSize), (N, L, inputSize) with batchFirst, or unbatched (L, inputSize)
   * @param h0    optional (numLayers·D, N, hiddenSize)
   * @returns [output, hN] as PyTorch
   */
  forward(input: Tensor, h0?: Tensor | null, options: ForwardOptions = {}): [Tensor, Tensor] {
    const r = this.runStack(input, h0, null, options);
    return [r.output, r.hN];
  }

  protected runDirection(
    x: Tensor, h0: Tensor, _c0: Tensor | null, w: DirectionWeights,
    lengths: Int32Array | null, reverse: boolean, stepGrads: ((dh: Float32Array | Float64Array) => void) | undefined,
  ): SequenceResult {
    if (!this.resetAfter) {
      if (stepGrads) throw new ArgumentError('GRU', 'recordStepGrads', 'false with resetAfter: false (per-step gradient norms come from the fused kernel)', true);
      return this.originalDirection(x, h0, w, lengths, reverse);
    }
    const r = gruSequence(x, h0, w.wIH, w.wHH, w.bIH, w.bHH, { lengths, reverse, ...(stepGrads ? { stepGrads } : {}) });
    return { output: r.output, hN: r.hN, cN: null };
  }

  /** The original GRU (reset before the recurrent product), with composed ops. */
  private originalDirection(x: Tensor, h0: Tensor, w: DirectionWeights, lengths: Int32Array | null, reverse: boolean): SequenceResult {
    const [T, B] = x.shape as [number, number];
    const H = this.hiddenSize;
    const flip = reverse ? timeReverser(lengths, T, B) : (v: Tensor): Tensor => v;
    const xp = linear(flip(x), w.wIH, w.bIH); // (T, B, 3H): r, z, n
    const wRZ = transpose(narrow(w.wHH, 0, 0, 2 * H), 0, 1);
    const wN = transpose(narrow(w.wHH, 0, 2 * H, H), 0, 1);
    const bRZ = w.bHH ? narrow(w.bHH, 0, 0, 2 * H) : null;
    const bN = w.bHH ? narrow(w.bHH, 0, 2 * H, H) : null;
    const r = runSteps(xp, [h0], lengthMasks(lengths, T, B, this.dtype), (xt, [h]) => {
      const hPrev = h as Tensor;
      const [xr, xz, xn] = chunk(xt, 3, 1) as [Tensor, Tensor, Tensor];
      let hrz = matmul(hPrev, wRZ);
      if (bRZ) hrz = add(hrz, bRZ);
      const [hr, hz] = chunk(hrz, 2, 1) as [Tensor, Tensor];
      const rg = sigmoid(add(xr, hr));
      const zg = sigmoid(add(xz, hz));
      let hn = matmul(mul(rg, hPrev), wN);
      if (bN) hn = add(hn, bN);
      const n = tanh(add(xn, hn));
      const hNew = add(mul(sub(1, zg), n), mul(zg, hPrev));
      return { output: hNew, state: [hNew] };
    });
    return { output: flip(r.output), hN: r.state[0] as Tensor, cN: null };
  }

  protected override extraRepr(): string {
    return super.extraRepr() + (this.resetAfter ? '' : ', resetAfter=false');
  }
}
