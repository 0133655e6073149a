// RNNBase: what RNN, LSTM and GRU share — option validation, parameters named and
// shaped exactly like PyTorch's state_dict, PyTorch's default initialisation, and the
// loop over layers and directions. Each (layer, direction) runs as ONE fused sequence
// op (src/ops/recurrent.ts) with a hand-written BPTT backward; this file never computes
// a gate.
//
// Shapes (PyTorch's letters): L = sequence length, N = batch, D = 2 if bidirectional
// else 1, H_in = inputSize, H_cell = hiddenSize, H_out = projSize || hiddenSize.
//   input  (L, N, H_in)        or (N, L, H_in) with batchFirst, or unbatched (L, H_in)
//   output (L, N, D·H_out)     (or N, L, … / L, …); with merge ≠ 'concat': (L, N, H_out)
//   h_n    (numLayers·D, N, H_out), c_n (numLayers·D, N, H_cell)   (unbatched: no N)

import { ArgumentError } from '../errors.js';
import type { Generator } from '../util/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { rand } from '../tensor/create.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { add, cat, dropout, mul, reshape, split, squeeze, stack, transpose } from '../ops/index.js';
import { normalizeInput, normalizeState } from './normalize-input.js';
import { sequenceStepGrads, type StepGradRecord } from './step-grads.js';
import { RecurrentStream } from './stream.js';

/** The recurrent state carried between calls: h, and c for LSTM (null = zeros). */
export interface RecurrentState {
  h: Tensor | null;
  c: Tensor | null;
}

export type RNNMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** How the two directions of a bidirectional layer are combined (PyTorch: concat). */
export type MergeMode = 'concat' | 'sum' | 'mean' | 'mul';

export interface RNNBaseOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Whether the layers have bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output are (batch, seq, feature) instead of (seq, batch, feature) (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer except the last, in training mode (default 0). */
  dropout?: number;
  /** Run a second, reversed pass over each sequence (default false). */
  bidirectional?: boolean;
  /** Combination of the two directions' outputs (default 'concat', as PyTorch). */
  merge?: MergeMode;
  /** Parameter precision (default float32). */
  dtype?: 'float32' | 'float64';
  /** Source of randomness for initialisation and dropout (default: the library's generator). */
  generator?: Generator;
}

export interface ForwardOptions {
  /**
   * Length of each sequence of the batch (the equivalent of a packed sequence): outputs
   * past a sequence's length are zero, its final state is taken at its own last step, and
   * the reverse direction starts at its own last element.
   */
  lengths?: readonly number[] | Int32Array | Tensor | null;
}

/** Weights of one layer and direction, in the packed PyTorch layout. */
export interface DirectionWeights {
  wIH: Parameter;
  wHH: Parameter;
  bIH: Parameter | null;
  bHH: Parameter | null;
  wHR: Parameter | null;
}

export interface SequenceResult {
  output: Tensor;
  hN: Tensor;
  cN: Tensor | null;
}

function positiveInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ArgumentError(layer, name, 'a positive integer', v);
  }
  return v;
}

function bool(layer: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ArgumentError(layer, name, 'a boolean', v);
  return v;
}

export abstract class RNNBase extends Module {
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  readonly merge: MergeMode;
  readonly dtype: 'float32' | 'float64';
  /** When true, backward records ‖∂L/∂h_t‖ for every step into `stepGradNorms`. */
  recordStepGrads = false;
  /** Per-step gradient norms of the last backward pass (see `recordStepGrads`). */
  stepGradNorms: StepGradRecord[] = [];
  protected readonly layerName: string;
  private readonly generator: Generator | undefined;

  protected constructor(layerName: string, mode: RNNMode, options: RNNBaseOptions & { projSize?: number }) {
    super();
    this.layerName = layerName;
    if (typeof options !== 'object' || options === null) {
      throw new ArgumentError(layerName, 'options', 'an object with inputSize and hiddenSize', options);
    }
    this.mode = mode;
    for (const k of ['peepholes', 'coupled'] as const) {
      if (k in options) {
        throw new ArgumentError(layerName, k, `absent: ${k === 'peepholes' ? 'peepholes' : 'coupled gates'} are an LSTM variant (use PeepholeLSTM, CoupledLSTM or VariantLSTM)`, (options as unknown as Record<string, unknown>)[k]);
      }
    }
    this.inputSize = positiveInt(layerName, 'inputSize', options.inputSize);
    this.hiddenSize = positiveInt(layerName, 'hiddenSize', options.hiddenSize);
    this.numLayers = positiveInt(layerName, 'numLayers', options.numLayers ?? 1);
    this.bias = bool(layerName, 'bias', options.bias, true);
    this.batchFirst = bool(layerName, 'batchFirst', options.batchFirst, false);
    this.bidirectional = bool(layerName, 'bidirectional', options.bidirectional, false);
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ArgumentError(layerName, 'dropout', 'a number in [0, 1)', p);
    this.dropout = p;
    const proj = options.projSize ?? 0;
    if (!Number.isInteger(proj) || proj < 0) throw new ArgumentError(layerName, 'projSize', 'a non-negative integer', proj);
    if (proj > 0 && mode !== 'LSTM') throw new ArgumentError(layerName, 'projSize', '0 (projections are an LSTM feature)', proj);
    if (proj >= this.hiddenSize && proj > 0) {
      throw new ArgumentError(layerName, 'projSize', `smaller than hiddenSize (${this.hiddenSize})`, proj);
    }
    this.projSize = proj;
    const merge = options.merge ?? 'concat';
    if (!['concat', 'sum', 'mean', 'mul'].includes(merge)) {
      throw new ArgumentError(layerName, 'merge', "one of 'concat', 'sum', 'mean', 'mul'", merge);
    }
    this.merge = merge;
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new ArgumentError(layerName, 'dtype', "'float32' or 'float64'", dtype);
    this.dtype = dtype;
    this.generator = options.generator;
    if (p > 0 && this.numLayers === 1) {
      // PyTorch warns here too: dropout only acts between layers.
      console.warn(`${layerName}: dropout=${p} has no effect with numLayers=1 (dropout is applied between layers)`);
    }
    this.createParameters();
  }

  /** Number of directions (1 or 2). */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Size of the hidden state h (projSize when projecting). */
  get outputHiddenSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** Number of gate rows per hidden unit: 4 for LSTM, 3 for GRU, 1 for RNN. */
  protected get gateCount(): number {
    return this.mode === 'LSTM' ? 4 : this.mode === 'GRU' ? 3 : 1;
  }

  /** Input size of layer l: inputSize, then the previous layer's output width. */
  protected layerInputSize(l: number): number {
    if (l === 0) return this.inputSize;
    return this.merge === 'concat' ? this.outputHiddenSize * this.numDirections : this.outputHiddenSize;
  }

  private createParameters(): void {
    // PyTorch: every weight and bias ~ U(−1/√hiddenSize, 1/√hiddenSize); registration order
    // per layer and direction: weight_ih, weight_hh, bias_ih, bias_hh, weight_hr.
    const k = 1 / Math.sqrt(this.hiddenSize);
    const G = this.gateCount * this.hiddenSize;
    const init = (shape: number[]): Parameter =>
      new Parameter(rand(shape, { low: -k, high: k, dtype: this.dtype, ...(this.generator ? { generator: this.generator } : {}) }));
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < this.numDirections; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        this.registerParameter(`weight_ih${sfx}`, init([G, this.layerInputSize(l)]));
        this.registerParameter(`weight_hh${sfx}`, init([G, this.outputHiddenSize]));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, init([G]));
          this.registerParameter(`bias_hh${sfx}`, init([G]));
        }
        if (this.projSize > 0) this.registerParameter(`weight_hr${sfx}`, init([this.projSize, this.hiddenSize]));
      }
    }
  }

  /** The parameters of layer `l`, direction `d` (0 forward, 1 reverse). */
  directionWeights(l: number, d: number): DirectionWeights {
    const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
    const get = (name: string): Parameter | null => this.getParameter(`${name}${sfx}`);
    return {
      wIH: get('weight_ih') as Parameter,
      wHH: get('weight_hh') as Parameter,
      bIH: get('bias_ih'),
      bHH: get('bias_hh'),
      wHR: get('weight_hr'),
    };
  }

  /** Runs one direction of one layer as a fused op (implemented per cell type). */
  protected abstract runDirection(
    x: Tensor, h0: Tensor, c0: Tensor | null, w: DirectionWeights,
    lengths: Int32Array | null, reverse: boolean, record: ((dh: Float32Array | Float64Array) => void) | undefined,
  ): SequenceResult;

  /**
   * Runs the stack over a whole sequence batch. `h0`/`c0` are (numLayers·D, N, H) or
   * null for zeros. Returns time-major or batch-first output like the input.
   */
  protected runStack(input: Tensor, h0In: Tensor | null | undefined, c0In: Tensor | null | undefined, options: ForwardOptions) {
    const name = this.layerName;
    const { x, B, unbatched, lengths } = normalizeInput(name, input, this.inputSize, this.batchFirst, options.lengths);
    if (x.dtype !== this.dtype) {
      throw new ArgumentError(name, 'input', `a ${this.dtype} tensor like the layer's parameters`, `a ${x.dtype} tensor`);
    }
    const LD = this.numLayers * this.numDirections;
    const h0 = normalizeState(name, this.mode === 'LSTM' ? 'hx[0] (h0)' : 'hx (h0)', h0In, [LD, B, this.outputHiddenSize], unbatched, this.dtype);
    const c0 = this.mode === 'LSTM'
      ? normalizeState(name, 'hx[1] (c0)', c0In, [LD, B, this.hiddenSize], unbatched, this.dtype)
      : null;
    const h0s = LD === 1 ? [reshape(h0, h0.shape.slice(1))] : split(h0, 1, 0).map((t) => squeeze(t, 0));
    const c0s = c0 === null ? null : LD === 1 ? [reshape(c0, c0.shape.slice(1))] : split(c0, 1, 0).map((t) => squeeze(t, 0));

    this.stepGradNorms = [];
    let layerInput = x;
    const hNs: Tensor[] = [];
    const cNs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < this.numDirections; d++) {
        const i = l * this.numDirections + d;
        let record: ((dh: Float32Array | Float64Array) => void) | undefined;
        if (this.recordStepGrads) {
          const rec = sequenceStepGrads(l, d, layerInput.shape[0] as number, B, this.outputHiddenSize, d === 1, lengths);
          this.stepGradNorms.push(rec.record);
          record = rec.callback;
        }
        const r = this.runDirection(layerInput, h0s[i] as Tensor, c0s ? (c0s[i] as Tensor) : null, this.directionWeights(l, d), lengths, d === 1, record);
        outs.push(r.output);
        hNs.push(r.hN);
        if (r.cN) cNs.push(r.cN);
      }
      let out = outs[0] as Tensor;
      if (outs.length === 2) {
        const [f, b] = outs as [Tensor, Tensor];
        out = this.merge === 'concat' ? cat([f, b], 2)
          : this.merge === 'sum' ? add(f, b)
          : this.merge === 'mean' ? mul(add(f, b), 0.5)
          : mul(f, b);
      }
      if (l < this.numLayers - 1 && this.dropout > 0 && this.training) {
        out = dropout(out, this.dropout, true, this.generator);
      }
      layerInput = out;
    }
    let output = layerInput;
    let hN = stack(hNs, 0);
    let cN = cNs.length > 0 ? stack(cNs, 0) : null;
    if (unbatched) {
      output = squeeze(output, 1);
      hN = squeeze(hN, 1);
      if (cN) cN = squeeze(cN, 1);
    } else if (this.batchFirst) {
      output = transpose(output, 0, 1);
    }
    return { output, hN, cN };
  }

  /**
   * The uniform form of `forward` used by streams and wrappers: the state is
   * `{ h, c }` (c only for LSTM; null entries mean zeros).
   */
  forwardState(input: Tensor, state: RecurrentState | null, options: ForwardOptions = {}): { output: Tensor; state: RecurrentState } {
    const r = this.runStack(input, state?.h, state?.c, options);
    return { output: r.output, state: { h: r.hN, c: r.cN } };
  }

  /**
   * A stateful stream for inference or truncated BPTT: feed one step or one chunk at a
   * time; the state carries over between calls and gives the same numbers as one call
   * over the whole sequence. Not available for bidirectional layers (the reverse pass
   * needs the whole sequence).
   */
  stream(): RecurrentStream {
    return new RecurrentStream(this);
  }

  protected override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    if (this.projSize) parts.push(`projSize=${this.projSize}`);
    if (this.merge !== 'concat') parts.push(`merge='${this.merge}'`);
    return parts.join(', ');
  }
}
