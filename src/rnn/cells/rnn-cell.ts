// RNNCell: one Elman step, h' = φ(W_ih x + b_ih + W_hh h + b_hh) (PyTorch nn.RNNCell).
import { ArgumentError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { rnnCell } from '../cell-functions.js';
import { CellBase, type CellOptions } from './cell-base.js';

export class RNNCell extends CellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: CellOptions & { nonlinearity?: 'tanh' | 'relu' }) {
    const nl = options?.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new ArgumentError('RNNCell', 'nonlinearity', "'tanh' or 'relu'", nl);
    super('RNNCell', 1, options);
    this.nonlinearity = nl;
  }

  /** x (N, inputSize) or (inputSize); h (N, hiddenSize) or zeros. Returns h'. */
  forward(input: Tensor, h?: Tensor | null): Tensor {
    const { x, unbatched, N } = this.batchInput(input);
    const hb = this.batchState('hx', h, N, this.hiddenSize, unbatched);
    const { wIH, wHH, bIH, bHH } = this.w;
    return this.unbatch(rnnCell(x, hb, wIH, wHH, bIH, bHH, this.nonlinearity), unbatched);
  }
}
