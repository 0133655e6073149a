// Embedding: a lookup table of vectors (PyTorch nn.Embedding): weight (num, dim) ~ N(0, 1);
// the row at paddingIdx starts at zero and never receives a gradient.

import { ArgumentError } from '../errors.js';
import type { Generator } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { embedding } from '../ops/index-select.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { normal_ } from './init.js';

export interface EmbeddingOptions {
  paddingIdx?: number | null;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [name, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ArgumentError('Embedding', name, 'a positive integer', v);
    }
    let pad = options.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings) {
        throw new ArgumentError('Embedding', 'paddingIdx', `an index in [${-numEmbeddings}, ${numEmbeddings})`, pad);
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    this.weight = this.registerParameter('weight', new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float32' })));
    normal_(this.weight, 0, 1, options.generator);
    if (pad !== null) this.weight.data.fill(0, pad * embeddingDim, (pad + 1) * embeddingDim);
  }

  /** indices: int32 tensor (or integer array) of any shape → [...shape, embeddingDim]. */
  forward(indices: Tensor | readonly number[] | Int32Array): Tensor {
    return embedding(this.weight, indices, this.paddingIdx);
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
