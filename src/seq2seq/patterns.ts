// The input/output patterns of the notes as ready modules over any recurrent layer:
//
//   many-to-one        SequenceClassifier  x_1 … x_T → y        (last valid step, mean or max over time)
//   aligned many-to-many SequenceTagger    x_1 … x_T → y_1 … y_T (one output per input step)
//   one-to-many        OneToMany           x → y_1 … y_T        (x at the first step only, or at every step)
//   many-to-many of different lengths: Seq2Seq (encoder-decoder.ts).
//
// Inputs are either token ids (int32 (T, B), when `vocabSize` is given: an embedding comes
// first) or feature vectors (T, B, inputSize). Padded batches pass their lengths.

import { ArgumentError, ShapeError } from '../errors.js';
import type { Generator } from '../util/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import { cat, lastStep, max, maskedFill, maskedMeanOverTime, narrow, squeeze, stack, lengthsArg, dropout } from '../ops/index.js';
import { makeRecurrent, runRecurrent, isCellType, CELL_TYPES, type CellType, type RecurrentLayer } from '../models/recurrent-factory.js';

export type Pooling = 'last' | 'mean' | 'max';
const POOLINGS: readonly Pooling[] = ['last', 'mean', 'max'];

export interface SequenceEncoderOptions {
  /** Token input: vocabulary size (ids in [0, vocabSize)); an Embedding(vocabSize, embed) comes first. */
  vocabSize?: number;
  /** Embedding width for token input (default 32). */
  embed?: number;
  /** Feature input: width of each step's vector (when there is no vocabulary). */
  inputSize?: number;
  /** Recurrent hidden size (default 64). */
  hidden?: number;
  /** Recurrent layer type (default 'lstm'). */
  cell?: CellType;
  layers?: number;
  bidirectional?: boolean;
  /** Dropout on the recurrent output before the head, in training mode (default 0). */
  dropout?: number;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

const positiveInt = (op: string, name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ArgumentError(op, name, 'a positive integer', v);
  return v;
};

/** Embedding (or raw features) → recurrent layer: the part every pattern shares. */
abstract class SequenceModel extends Module {
  readonly vocabSize: number | null;
  readonly inputWidth: number;
  readonly hiddenSize: number;
  readonly cell: CellType;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly dropoutP: number;
  readonly dtype: 'float32' | 'float64';
  readonly embed: Embedding | null;
  readonly rnn: RecurrentLayer;
  protected readonly generator: Generator | undefined;
  protected readonly name: string;

  protected constructor(name: string, o: SequenceEncoderOptions) {
    super();
    this.name = name;
    if (typeof o !== 'object' || o === null) throw new ArgumentError(name, 'options', 'an object', o);
    if ((o.vocabSize === undefined) === (o.inputSize === undefined)) {
      throw new ArgumentError(name, 'vocabSize / inputSize', 'exactly one of them (token ids or feature vectors)', `${o.vocabSize} / ${o.inputSize}`);
    }
    this.vocabSize = o.vocabSize === undefined ? null : positiveInt(name, 'vocabSize', o.vocabSize);
    this.dtype = o.dtype ?? 'float32';
    this.generator = o.generator;
    const g = { dtype: this.dtype, ...(o.generator ? { generator: o.generator } : {}) };
    this.inputWidth = this.vocabSize === null ? positiveInt(name, 'inputSize', o.inputSize) : positiveInt(name, 'embed', o.embed ?? 32);
    this.hiddenSize = positiveInt(name, 'hidden', o.hidden ?? 64);
    this.cell = o.cell ?? 'lstm';
    if (!isCellType(this.cell)) throw new ArgumentError(name, 'cell', `one of ${CELL_TYPES.join(', ')}`, this.cell);
    this.numLayers = positiveInt(name, 'layers', o.layers ?? 1);
    this.bidirectional = o.bidirectional ?? false;
    if (typeof this.bidirectional !== 'boolean') throw new ArgumentError(name, 'bidirectional', 'a boolean', this.bidirectional);
    const p = o.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ArgumentError(name, 'dropout', 'a number in [0, 1)', p);
    this.dropoutP = p;
    this.embed = this.vocabSize === null ? null : this.registerModule('embed', new Embedding(this.vocabSize, this.inputWidth, g));
    this.rnn = this.registerModule('rnn', makeRecurrent(this.cell, {
      inputSize: this.inputWidth, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bidirectional: this.bidirectional, ...g,
    }));
  }

  /** Width of the recurrent output at each step (hidden × directions). */
  get outputWidth(): number {
    return this.hiddenSize * (this.bidirectional ? 2 : 1);
  }

  /** Checks x and lengths; returns the recurrent output (T, B, outputWidth) and the lengths. */
  protected encodeSequence(x: Tensor, lengths: readonly number[] | Int32Array | null | undefined): { output: Tensor; lengths: Int32Array | null; T: number; B: number } {
    const op = `${this.name}.forward`;
    let input: Tensor;
    if (this.embed) {
      if (!(x instanceof Tensor) || x.dtype !== 'int32' || x.ndim !== 2) {
        throw new ArgumentError(op, 'x', 'an int32 Tensor of token ids (T, B)', x instanceof Tensor ? `${x.dtype} (${x.shape.join(', ')})` : x);
      }
      const V = this.vocabSize as number;
      for (let i = 0; i < x.size; i++) {
        const v = x.data[i] as number;
        if (v < 0 || v >= V) throw new ArgumentError(op, 'x', `token ids in [0, ${V}) (the model's vocabulary)`, v);
      }
      input = this.embed.forward(x);
    } else {
      if (!(x instanceof Tensor) || x.ndim !== 3 || x.shape[2] !== this.inputWidth) {
        throw new ShapeError(op, 'x', `(T, B, ${this.inputWidth})`, x instanceof Tensor ? x.shape : [NaN]);
      }
      input = x;
    }
    const [T, B] = x.shape as [number, number];
    if (T === 0) throw new ShapeError(op, 'x', 'at least one step (T ≥ 1)', x.shape);
    let len: Int32Array | null = null;
    if (lengths !== undefined && lengths !== null) {
      len = lengthsArg(op, lengths, B, T);
      const z = len.findIndex((l) => l === 0);
      if (z >= 0) throw new ArgumentError(op, `lengths[${z}]`, 'a length ≥ 1 (an empty sequence has no output)', 0);
    }
    let { output } = runRecurrent(this.rnn, input, null, len && len.some((l) => l !== T) ? len : null);
    if (this.dropoutP > 0 && this.training) output = dropout(output, this.dropoutP, true, this.generator);
    return { output, lengths: len, T, B };
  }
}

export interface SequenceClassifierOptions extends SequenceEncoderOptions {
  /** Number of classes (logits per sequence). */
  classes: number;
  /** How the sequence becomes one vector: the last valid step (default), or mean / max over valid steps. */
  pooling?: Pooling;
}

/**
 * Many-to-one: one output per sequence. 'last' takes the output at each sequence's last
 * valid step; for a bidirectional layer, the forward half there and the reverse half at
 * step 0 (each direction's final output, having read the whole sequence).
 */
export class SequenceClassifier extends SequenceModel {
  readonly classes: number;
  readonly pooling: Pooling;
  readonly head: Linear;

  constructor(options: SequenceClassifierOptions) {
    super('SequenceClassifier', options);
    this.classes = positiveInt('SequenceClassifier', 'classes', options.classes);
    this.pooling = options.pooling ?? 'last';
    if (!POOLINGS.includes(this.pooling)) throw new ArgumentError('SequenceClassifier', 'pooling', `one of ${POOLINGS.join(', ')}`, this.pooling);
    this.head = this.registerModule('head', new Linear(this.outputWidth, this.classes, { dtype: this.dtype, ...(options.generator ? { generator: options.generator } : {}) }));
  }

  /** The pooled sequence vector (B, outputWidth). */
  features(x: Tensor, lengths?: readonly number[] | Int32Array | null): Tensor {
    const { output, lengths: len, T, B } = this.encodeSequence(x, lengths);
    return poolOverTime(output, len, this.pooling, this.bidirectional ? this.hiddenSize : 0, T, B);
  }

  /** x (T, B) ids or (T, B, inputSize) → logits (B, classes). */
  forward(x: Tensor, lengths?: readonly number[] | Int32Array | null): Tensor {
    return this.head.forward(this.features(x, lengths));
  }

  get config(): Record<string, unknown> {
    return { ...sharedConfig(this), classes: this.classes, pooling: this.pooling };
  }
}

/** (T, B, 1): 1 at the steps past each sequence's length (for maskedFill). */
function paddingMask(lengths: Int32Array, T: number, B: number, dtype: string): Tensor {
  const pad = new Tensor(dtype === 'float64' ? new Float64Array(T * B) : new Float32Array(T * B), [T, B, 1]);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t >= (lengths[b] as number)) pad.data[t * B + b] = 1;
  return pad;
}

/**
 * Pools a recurrent output (T, B, W) over each sequence's valid steps. `split` > 0 marks a
 * bidirectional output whose second half (from `split`) is the reverse direction.
 */
export function poolOverTime(output: Tensor, lengths: Int32Array | null, pooling: Pooling, split: number, T: number, B: number): Tensor {
  if (pooling === 'mean') return maskedMeanOverTime(output, lengths);
  if (pooling === 'max') {
    if (!lengths) return max(output, 0);
    return max(maskedFill(output, paddingMask(lengths, T, B, output.dtype), -Infinity), 0);
  }
  if (!split) return lastStep(output, lengths);
  const W = output.shape[2] as number;
  const fwd = lastStep(narrow(output, 2, 0, split), lengths);
  const bwd = squeeze(narrow(narrow(output, 2, split, W - split), 0, 0, 1), 0);
  return cat([fwd, bwd], -1);
}

export interface SequenceTaggerOptions extends SequenceEncoderOptions {
  /** Outputs per step (classes, or regression targets). */
  outputs: number;
}

/** Aligned many-to-many: one output per input step; steps past a sequence's length are 0. */
export class SequenceTagger extends SequenceModel {
  readonly outputs: number;
  readonly head: Linear;

  constructor(options: SequenceTaggerOptions) {
    super('SequenceTagger', options);
    this.outputs = positiveInt('SequenceTagger', 'outputs', options.outputs);
    this.head = this.registerModule('head', new Linear(this.outputWidth, this.outputs, { dtype: this.dtype, ...(options.generator ? { generator: options.generator } : {}) }));
  }

  /** x (T, B) ids or (T, B, inputSize) → (T, B, outputs). Use sequenceMask(lengths, T) as the loss mask. */
  forward(x: Tensor, lengths?: readonly number[] | Int32Array | null): Tensor {
    const { output, lengths: len, T, B } = this.encodeSequence(x, lengths);
    const y = this.head.forward(output);
    if (!len || len.every((l) => l === T)) return y;
    return maskedFill(y, paddingMask(len, T, B, y.dtype), 0);
  }

  get config(): Record<string, unknown> {
    return { ...sharedConfig(this), outputs: this.outputs };
  }
}

function sharedConfig(m: SequenceModel): Record<string, unknown> {
  return {
    ...(m.vocabSize !== null ? { vocabSize: m.vocabSize, embed: m.inputWidth } : { inputSize: m.inputWidth }),
    hidden: m.hiddenSize, cell: m.cell, layers: m.numLayers, bidirectional: m.bidirectional, dropout: m.dropoutP, dtype: m.dtype,
  };
}

export interface OneToManyOptions {
  /** Width of the single input vector x. */
  inputSize: number;
  /** Width of each output y_t. */
  outputSize: number;
  hidden?: number;
  cell?: CellType;
  layers?: number;
  /** 'first': x is the input at step 1 and zeros follow; 'every': x is the input at every step (default 'first'). */
  feed?: 'first' | 'every';
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

/** One-to-many: a sequence of `steps` outputs (T, B, outputSize) from one input x (B, inputSize). */
export class OneToMany extends Module {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly hiddenSize: number;
  readonly cell: CellType;
  readonly numLayers: number;
  readonly feed: 'first' | 'every';
  readonly dtype: 'float32' | 'float64';
  readonly rnn: RecurrentLayer;
  readonly head: Linear;

  constructor(options: OneToManyOptions) {
    super();
    const name = 'OneToMany';
    if (typeof options !== 'object' || options === null) throw new ArgumentError(name, 'options', 'an object', options);
    this.inputSize = positiveInt(name, 'inputSize', options.inputSize);
    this.outputSize = positiveInt(name, 'outputSize', options.outputSize);
    this.hiddenSize = positiveInt(name, 'hidden', options.hidden ?? 64);
    this.cell = options.cell ?? 'lstm';
    if (!isCellType(this.cell)) throw new ArgumentError(name, 'cell', `one of ${CELL_TYPES.join(', ')}`, this.cell);
    this.numLayers = positiveInt(name, 'layers', options.layers ?? 1);
    this.feed = options.feed ?? 'first';
    if (this.feed !== 'first' && this.feed !== 'every') throw new ArgumentError(name, 'feed', "'first' or 'every'", this.feed);
    this.dtype = options.dtype ?? 'float32';
    const g = { dtype: this.dtype, ...(options.generator ? { generator: options.generator } : {}) };
    this.rnn = this.registerModule('rnn', makeRecurrent(this.cell, { inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, ...g }));
    this.head = this.registerModule('head', new Linear(this.hiddenSize, this.outputSize, g));
  }

  /** x (B, inputSize) → (steps, B, outputSize). */
  forward(x: Tensor, steps: number): Tensor {
    const op = 'OneToMany.forward';
    if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== this.inputSize) throw new ShapeError(op, 'x', `(B, ${this.inputSize})`, x instanceof Tensor ? x.shape : [NaN]);
    positiveInt(op, 'steps', steps);
    const B = x.shape[0] as number;
    const rest = this.feed === 'every' ? x : zeros([B, this.inputSize], { dtype: x.dtype === 'float64' ? 'float64' : 'float32' });
    const seq = stack([x, ...Array.from({ length: steps - 1 }, () => rest)], 0);
    return this.head.forward(runRecurrent(this.rnn, seq, null).output);
  }

  get config(): Record<string, unknown> {
    return { inputSize: this.inputSize, outputSize: this.outputSize, hidden: this.hiddenSize, cell: this.cell, layers: this.numLayers, feed: this.feed, dtype: this.dtype };
  }
}

