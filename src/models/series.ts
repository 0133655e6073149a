// A one-step-ahead forecaster for a univariate time series: a recurrent layer of any type
// (makeRecurrent) reads the (normalised) values and a linear head predicts the next one at
// every step. forecast() continues a series in closed loop, feeding predictions back.

import type { Generator } from '../util/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { ArgumentError } from '../errors.js';
import { CELL_TYPES, isCellType, makeRecurrent, runRecurrent, type CellType, type RecurrentLayer } from './recurrent-factory.js';

export interface SeriesModelOptions {
  cell?: CellType;
  hidden?: number;
  layers?: number;
  generator?: Generator;
}

export class SeriesModel extends Module {
  readonly cell: CellType;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly rnn: RecurrentLayer;
  readonly head: Linear;

  constructor(options: SeriesModelOptions = {}) {
    super();
    const cell = options.cell ?? 'lstm';
    if (!isCellType(cell)) throw new ArgumentError('SeriesModel', 'cell', `one of ${CELL_TYPES.join(', ')}`, cell);
    this.cell = cell;
    this.hiddenSize = options.hidden ?? 64;
    this.numLayers = options.layers ?? 1;
    const g = options.generator ? { generator: options.generator } : {};
    this.rnn = this.registerModule('rnn', makeRecurrent(cell, { inputSize: 1, hiddenSize: this.hiddenSize, numLayers: this.numLayers, ...g }));
    this.head = this.registerModule('head', new Linear(this.hiddenSize, 1, g));
  }

  /** x (T, B, 1) → predictions of the next value (T, B, 1) and the final state. */
  forward(x: Tensor, state?: readonly Tensor[] | null): { prediction: Tensor; state: Tensor[] } {
    const r = runRecurrent(this.rnn, x, state ?? null);
    return { prediction: this.head.forward(r.output), state: r.states };
  }

  /** Reads `history` (normalised values), then predicts `steps` more, each fed back as input. */
  forecast(history: ArrayLike<number>, steps: number): Float64Array {
    if (history.length === 0) throw new ArgumentError('SeriesModel.forecast', 'history', 'at least one value', history.length);
    if (!Number.isInteger(steps) || steps < 0) throw new ArgumentError('SeriesModel.forecast', 'steps', 'a non-negative integer', steps);
    return noGrad(() => {
      const out = new Float64Array(steps);
      let r = this.forward(new Tensor(Float32Array.from(history), [history.length, 1, 1]));
      let next = r.prediction.data[history.length - 1] as number;
      for (let k = 0; k < steps; k++) {
        out[k] = next;
        if (k === steps - 1) break;
        r = this.forward(new Tensor(Float32Array.of(next), [1, 1, 1]), r.state);
        next = r.prediction.data[0] as number;
      }
      return out;
    });
  }

  get config(): { cell: CellType; hidden: number; layers: number } {
    return { cell: this.cell, hidden: this.hiddenSize, layers: this.numLayers };
  }
}
