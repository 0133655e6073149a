// What RNNCell, LSTMCell and GRUCell share: options, PyTorch's parameter names
// (weight_ih, weight_hh, bias_ih, bias_hh) and initialisation U(−1/√H, 1/√H), and the
// handling of unbatched input. The math is in ../cell-functions.ts.

import { ArgumentError, ShapeError } from '../../errors.js';
import type { Generator } from '../../util/rng.js';
import { Tensor, assertTensor } from '../../tensor/tensor.js';
import { rand, zeros } from '../../tensor/create.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { squeeze, unsqueeze } from '../../ops/index.js';

export interface CellOptions {
  inputSize: number;
  hiddenSize: number;
  /** Whether the cell has bias_ih and bias_hh (default true). */
  bias?: boolean;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

export abstract class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly dtype: 'float32' | 'float64';
  protected readonly cellName: string;

  protected constructor(cellName: string, gates: number, options: CellOptions) {
    super();
    this.cellName = cellName;
    if (typeof options !== 'object' || options === null) throw new ArgumentError(cellName, 'options', 'an object with inputSize and hiddenSize', options);
    for (const key of ['inputSize', 'hiddenSize'] as const) {
      const v = options[key];
      if (!Number.isInteger(v) || v <= 0) throw new ArgumentError(cellName, key, 'a positive integer', v);
    }
    this.inputSize = options.inputSize;
    this.hiddenSize = options.hiddenSize;
    this.bias = options.bias ?? true;
    this.dtype = options.dtype ?? 'float32';
    const k = 1 / Math.sqrt(this.hiddenSize);
    const init = (shape: number[]): Parameter =>
      new Parameter(rand(shape, { low: -k, high: k, dtype: this.dtype, ...(options.generator ? { generator: options.generator } : {}) }));
    const G = gates * this.hiddenSize;
    this.registerParameter('weight_ih', init([G, this.inputSize]));
    this.registerParameter('weight_hh', init([G, this.hiddenSize]));
    this.registerParameter('bias_ih', this.bias ? init([G]) : null);
    this.registerParameter('bias_hh', this.bias ? init([G]) : null);
  }

  protected get w(): { wIH: Parameter; wHH: Parameter; bIH: Parameter | null; bHH: Parameter | null } {
    return {
      wIH: this.getParameter('weight_ih') as Parameter,
      wHH: this.getParameter('weight_hh') as Parameter,
      bIH: this.getParameter('bias_ih'),
      bHH: this.getParameter('bias_hh'),
    };
  }

  /** Validates x ((N, I) or unbatched (I)) and returns it batched, with the unbatched flag. */
  protected batchInput(x: Tensor): { x: Tensor; unbatched: boolean; N: number } {
    assertTensor(this.cellName, 'input', x);
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(this.cellName, 'input', `shape [batch, ${this.inputSize}] or [${this.inputSize}]`, x.shape);
    }
    const unbatched = x.ndim === 1;
    const xb = unbatched ? unsqueeze(x, 0) : x;
    return { x: xb, unbatched, N: xb.shape[0] as number };
  }

  /** The given state batched to (N, size) (validated), or zeros. */
  protected batchState(name: string, s: Tensor | null | undefined, N: number, size: number, unbatched: boolean): Tensor {
    if (s === null || s === undefined) return zeros([N, size], { dtype: this.dtype });
    assertTensor(this.cellName, name, s);
    const want = unbatched ? [size] : [N, size];
    if (s.ndim !== want.length || s.shape.some((d, i) => d !== want[i])) throw new ShapeError(this.cellName, name, want, s.shape);
    return unbatched ? unsqueeze(s, 0) : s;
  }

  protected unbatch(t: Tensor, unbatched: boolean): Tensor {
    return unbatched ? squeeze(t, 0) : t;
  }

  protected override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=false'}`;
  }
}
