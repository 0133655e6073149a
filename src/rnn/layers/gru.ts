// GRU layer with PyTorch's nn.GRU semantics (reset gate applied after the recurrent
// matmul, as cuDNN, Keras reset_after=True and ONNX linear_before_reset=1):
//   r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)      gates packed r, z, n
//   z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)
//   n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
//   h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
// Each layer and direction runs as one fused op: src/ops/recurrent.ts → gruSequence.

import type { Tensor } from '../../tensor/tensor.js';
import { gruSequence } from '../../ops/recurrent.js';
import { RNNBase, type DirectionWeights, type ForwardOptions, type RNNBaseOptions, type SequenceResult } from '../rnn-base.js';

export type GRUOptions = RNNBaseOptions;

export class GRU extends RNNBase {
  constructor(options: GRUOptions) {
    super('GRU', 'GRU', options);
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
    const r = gruSequence(x, h0, w.wIH, w.wHH, w.bIH, w.bHH, { lengths, reverse, ...(stepGrads ? { stepGrads } : {}) });
    return { output: r.output, hN: r.hN, cN: null };
  }
}
