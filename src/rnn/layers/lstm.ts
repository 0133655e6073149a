// LSTM layer with PyTorch's nn.LSTM semantics, including projections (proj_size).
//   i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)      gates packed i, f, g, o
//   f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)
//   g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)
//   o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)
//   c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
//   h_t = o_t ⊙ tanh(c_t)            (with projSize: h_t = W_hr (o_t ⊙ tanh(c_t)))
// Each layer and direction runs as one fused op: src/ops/recurrent.ts → lstmSequence.

import type { Tensor } from '../../tensor/tensor.js';
import { lstmSequence } from '../../ops/recurrent.js';
import { RNNBase, type DirectionWeights, type ForwardOptions, type RNNBaseOptions, type SequenceResult } from '../rnn-base.js';

export interface LSTMOptions extends RNNBaseOptions {
  /** If > 0, h is projected to this size by weight_hr (default 0: no projection). */
  projSize?: number;
}

export class LSTM extends RNNBase {
  constructor(options: LSTMOptions) {
    super('LSTM', 'LSTM', options);
  }

  /**
   * @param input (L, N, inputSize), (N, L, inputSize) with batchFirst, or unbatched (L, inputSize)
   * @param hx    optional [h0, c0]: h0 (numLayers·D, N, H_out), c0 (numLayers·D, N, hiddenSize)
   * @returns [output, [hN, cN]] as PyTorch
   */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null, options: ForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    const r = this.runStack(input, hx?.[0], hx?.[1], options);
    return [r.output, [r.hN, r.cN as Tensor]];
  }

  protected runDirection(
    x: Tensor, h0: Tensor, c0: Tensor | null, w: DirectionWeights,
    lengths: Int32Array | null, reverse: boolean, stepGrads: ((dh: Float32Array | Float64Array) => void) | undefined,
  ): SequenceResult {
    const r = lstmSequence(x, h0, c0 as Tensor, w.wIH, w.wHH, w.bIH, w.bHH, w.wHR, {
      lengths, reverse, ...(stepGrads ? { stepGrads } : {}),
    });
    return { output: r.output, hN: r.hN, cN: r.cN };
  }
}
