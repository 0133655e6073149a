// GRUCell: one GRU step (PyTorch nn.GRUCell; reset applied after the recurrent matmul).
import type { Tensor } from '../../tensor/tensor.js';
import { gruCell } from '../cell-functions.js';
import { CellBase, type CellOptions } from './cell-base.js';

export class GRUCell extends CellBase {
  constructor(options: CellOptions) {
    super('GRUCell', 3, options);
  }

  /** x (N, inputSize) or (inputSize); h (N, hiddenSize) or zeros. Returns h'. */
  forward(input: Tensor, h?: Tensor | null): Tensor {
    const { x, unbatched, N } = this.batchInput(input);
    const hb = this.batchState('hx', h, N, this.hiddenSize, unbatched);
    const { wIH, wHH, bIH, bHH } = this.w;
    return this.unbatch(gruCell(x, hb, wIH, wHH, bIH, bHH), unbatched);
  }
}
