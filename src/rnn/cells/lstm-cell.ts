// LSTMCell: one LSTM step (PyTorch nn.LSTMCell); gates i, f, g, o as in the LSTM layer.
import type { Tensor } from '../../tensor/tensor.js';
import { lstmCell } from '../cell-functions.js';
import { CellBase, type CellOptions } from './cell-base.js';

export class LSTMCell extends CellBase {
  constructor(options: CellOptions) {
    super('LSTMCell', 4, options);
  }

  /** x (N, inputSize) or (inputSize); hx = [h, c] or zeros. Returns [h', c']. */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const { x, unbatched, N } = this.batchInput(input);
    const h = this.batchState('hx[0] (h)', hx?.[0], N, this.hiddenSize, unbatched);
    const c = this.batchState('hx[1] (c)', hx?.[1], N, this.hiddenSize, unbatched);
    const { wIH, wHH, bIH, bHH } = this.w;
    const r = lstmCell(x, h, c, wIH, wHH, bIH, bHH);
    return [this.unbatch(r.h, unbatched), this.unbatch(r.c, unbatched)];
  }
}
