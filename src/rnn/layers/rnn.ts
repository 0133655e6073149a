// Elman RNN layer with PyTorch's nn.RNN semantics:
//   h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh),   φ = tanh (default) or relu
// Each layer and direction runs as one fused op: src/ops/recurrent.ts → rnnSequence.

import { ArgumentError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { rnnSequence } from '../../ops/recurrent.js';
import { RNNBase, type DirectionWeights, type ForwardOptions, type RNNBaseOptions, type SequenceResult } from '../rnn-base.js';

export interface RNNOptions extends RNNBaseOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNOptions) {
    const nl = options?.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new ArgumentError('RNN', 'nonlinearity', "'tanh' or 'relu'", nl);
    super('RNN', nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', options);
    this.nonlinearity = nl;
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
    const r = rnnSequence(x, h0, w.wIH, w.wHH, w.bIH, w.bHH, this.nonlinearity, {
      lengths, reverse, ...(stepGrads ? { stepGrads } : {}),
    });
    return { output: r.output, hN: r.hN, cN: null };
  }

  protected override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === 'relu' ? ", nonlinearity='relu'" : '');
  }
}
