// CellStack: the layers of the wider recurrent family (Jordan, peephole and coupled LSTM,
// the original GRU, Clockwork, IndRNN, minGRU, minLSTM, QRNN) share this base. A subclass
// says what its parameters and state are and how one direction runs over a sequence —
// either step by step (`step`) or all at once (`runSequence`, e.g. a parallel scan) —
// written with differentiable ops, so backpropagation through time is autograd's and
// every layer is gradient-checked the same way. The base does the rest, as RNNBase does
// for PyTorch's layers: option validation, stacking, both directions, merge modes,
// dropout between layers, batch-first and unbatched input, and per-sequence lengths.
//
// Lengths: a step past a sequence's length keeps its state and outputs zeros; the reverse
// direction reads each sequence backwards from its own last element (the sequence is
// reversed within its length, run forwards, and the output is reversed back).

import { ArgumentError } from '../../errors.js';
import type { Generator } from '../../util/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { rand, zeros } from '../../tensor/create.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { add, cat, dropout, indexSelect, mul, reshape, split, squeeze, stack, transpose, unbind, where } from '../../ops/index.js';
import { normalizeInput, normalizeState } from '../normalize-input.js';
import type { ForwardOptions, MergeMode } from '../rnn-base.js';

export interface CellStackOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Whether the layers have biases (default true). */
  bias?: boolean;
  /** Input and output are (batch, seq, feature) (default false: (seq, batch, feature)). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Also run each sequence backwards (default false). */
  bidirectional?: boolean;
  /** How the two directions' outputs combine (default 'concat'). */
  merge?: MergeMode;
  /** Parameter precision (default float32). */
  dtype?: 'float32' | 'float64';
  /** Source of randomness for initialisation and dropout. */
  generator?: Generator;
}

/** One state tensor of a cell: its name (for errors) and width. */
export interface StateSpec {
  name: string;
  size: number;
}

export interface SequenceRun {
  /** (T, B, outputSize) */
  output: Tensor;
  /** The final state tensors, each (B, size). */
  state: Tensor[];
}

function positiveInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ArgumentError(layer, name, 'a positive integer', v);
  return v;
}

function bool(layer: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ArgumentError(layer, name, 'a boolean', v);
  return v;
}

export abstract class CellStack extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly merge: MergeMode;
  readonly dtype: 'float32' | 'float64';
  protected readonly layerName: string;
  protected readonly generator: Generator | undefined;

  protected constructor(layerName: string, options: CellStackOptions) {
    super();
    this.layerName = layerName;
    if (typeof options !== 'object' || options === null) throw new ArgumentError(layerName, 'options', 'an object with inputSize and hiddenSize', options);
    this.inputSize = positiveInt(layerName, 'inputSize', options.inputSize);
    this.hiddenSize = positiveInt(layerName, 'hiddenSize', options.hiddenSize);
    this.numLayers = positiveInt(layerName, 'numLayers', options.numLayers ?? 1);
    this.bias = bool(layerName, 'bias', options.bias, true);
    this.batchFirst = bool(layerName, 'batchFirst', options.batchFirst, false);
    this.bidirectional = bool(layerName, 'bidirectional', options.bidirectional, false);
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ArgumentError(layerName, 'dropout', 'a number in [0, 1)', p);
    this.dropout = p;
    const merge = options.merge ?? 'concat';
    if (!['concat', 'sum', 'mean', 'mul'].includes(merge)) throw new ArgumentError(layerName, 'merge', "one of 'concat', 'sum', 'mean', 'mul'", merge);
    this.merge = merge;
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new ArgumentError(layerName, 'dtype', "'float32' or 'float64'", dtype);
    this.dtype = dtype;
    this.generator = options.generator;
  }

  /** Call at the end of the subclass constructor, once its own options are set. */
  protected build(): void {
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < this.numDirections; d++) this.createParameters(l, this.suffix(l, d), this.layerInputSize(l));
    }
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** PyTorch's parameter-name suffix: _l0, _l0_reverse, … */
  protected suffix(l: number, d: number): string {
    return `_l${l}${d === 1 ? '_reverse' : ''}`;
  }

  /** Width of one direction's output at each step. */
  get outputSize(): number {
    return this.hiddenSize;
  }

  protected layerInputSize(l: number): number {
    if (l === 0) return this.inputSize;
    return this.merge === 'concat' ? this.outputSize * this.numDirections : this.outputSize;
  }

  /** A parameter initialised U(−k, k) (default k = 1/√hiddenSize, as PyTorch's recurrent layers). */
  protected uniformParam(name: string, shape: number[], k = 1 / Math.sqrt(this.hiddenSize), low = -k): Parameter {
    return this.registerParameter(name, new Parameter(rand(shape, { low, high: k, dtype: this.dtype, ...(this.generator ? { generator: this.generator } : {}) })));
  }

  protected param(name: string): Parameter {
    return this.getParameter(name) as Parameter;
  }

  protected optionalParam(name: string): Parameter | null {
    return this.getParameter(name);
  }

  /** The state tensors of one direction (their order is the order of forward's hx). */
  protected abstract stateSpec(): StateSpec[];

  /** Names of the state tensors, in the order forwardStates takes and returns them. */
  get stateNames(): string[] {
    return this.stateSpec().map((s) => s.name);
  }

  /** Registers the parameters of one layer and direction (names end with `sfx`). */
  protected abstract createParameters(l: number, sfx: string, inputSize: number): void;

  /**
   * One step: x_t (B, I), the state, the step index within the (possibly reversed)
   * sequence → this step's output (B, outputSize) and the new state.
   */
  protected step(_l: number, _sfx: string, _x: Tensor, _state: Tensor[], _t: number): { output: Tensor; state: Tensor[] } {
    throw new Error(`${this.layerName} implements neither step nor runSequence`);
  }

  /**
   * One direction over a whole time-major sequence x (T, B, I). `masks[t]` (B, 1) is 1
   * where step t is inside the sequence, or `masks` is null when every sequence has
   * length T. The default loops over `step`; layers with a parallel form override it.
   */
  protected runSequence(l: number, sfx: string, x: Tensor, state0: Tensor[], masks: Tensor[] | null): SequenceRun {
    return runSteps(x, state0, masks, (xt, state, t) => this.step(l, sfx, xt, state, t));
  }

  /**
   * @param input (T, B, inputSize), (B, T, inputSize) with batchFirst, or unbatched (T, inputSize)
   * @param hx    initial states in stateSpec order, each (numLayers·D, B, size); null for zeros
   * @returns the output (T, B, D·outputSize) and the final states, each (numLayers·D, B, size)
   */
  protected runStack(input: Tensor, hx: readonly (Tensor | null | undefined)[] | null | undefined, options: ForwardOptions): { output: Tensor; state: Tensor[] } {
    const name = this.layerName;
    const { x, T, B, unbatched, lengths } = normalizeInput(name, input, this.inputSize, this.batchFirst, options.lengths);
    if (x.dtype !== this.dtype) throw new ArgumentError(name, 'input', `a ${this.dtype} tensor like the layer's parameters`, `a ${x.dtype} tensor`);
    const LD = this.numLayers * this.numDirections;
    const specs = this.stateSpec();
    const states0 = specs.map((s, i) => {
      const t = normalizeState(name, specs.length > 1 ? `hx[${i}] (${s.name}0)` : `hx (${s.name}0)`, hx?.[i] ?? null, [LD, B, s.size], unbatched, this.dtype);
      return LD === 1 ? [reshape(t, t.shape.slice(1))] : split(t, 1, 0).map((u) => squeeze(u, 0));
    });
    const masks = lengthMasks(lengths, T, B, this.dtype);
    const reverseTime = this.bidirectional ? timeReverser(lengths, T, B) : (v: Tensor): Tensor => v;

    let layerInput = x;
    const finals: Tensor[][] = specs.map(() => []);
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < this.numDirections; d++) {
        const i = l * this.numDirections + d;
        const xin = d === 1 ? reverseTime(layerInput) : layerInput;
        const r = this.runSequence(l, this.suffix(l, d), xin, states0.map((s) => s[i] as Tensor), masks);
        outs.push(d === 1 ? reverseTime(r.output) : r.output);
        r.state.forEach((s, k) => (finals[k] as Tensor[]).push(s));
      }
      let out = outs[0] as Tensor;
      if (outs.length === 2) {
        const [f, b] = outs as [Tensor, Tensor];
        out = this.merge === 'concat' ? cat([f, b], 2) : this.merge === 'sum' ? add(f, b) : this.merge === 'mean' ? mul(add(f, b), 0.5) : mul(f, b);
      }
      if (l < this.numLayers - 1 && this.dropout > 0 && this.training) out = dropout(out, this.dropout, true, this.generator);
      layerInput = out;
    }
    let output = layerInput;
    let state = finals.map((f) => stack(f, 0));
    if (unbatched) {
      output = squeeze(output, 1);
      state = state.map((s) => squeeze(s, 1));
    } else if (this.batchFirst) {
      output = transpose(output, 0, 1);
    }
    return { output, state };
  }

  /**
   * The uniform form of forward: states in stateSpec order (null entries or null: zeros),
   * each (numLayers·D, B, size); returns the output and the final states.
   */
  forwardStates(input: Tensor, states: readonly (Tensor | null)[] | null, options: ForwardOptions = {}): { output: Tensor; state: Tensor[] } {
    return this.runStack(input, states, options);
  }

  protected override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    if (this.merge !== 'concat') parts.push(`merge='${this.merge}'`);
    return parts.join(', ');
  }
}

/**
 * The step loop over x (T, B, F) with masking: past a sequence's length the state is kept
 * (selected exactly, not blended) and the output is zero.
 */
export function runSteps(
  x: Tensor, state0: Tensor[], masks: Tensor[] | null,
  step: (xt: Tensor, state: Tensor[], t: number) => { output: Tensor; state: Tensor[] },
): SequenceRun {
  const xs = unbind(x, 0);
  let state = state0;
  const outs: Tensor[] = [];
  xs.forEach((xt, t) => {
    const r = step(xt, state, t);
    const m = masks?.[t];
    if (m) {
      const prev = state;
      state = r.state.map((s, i) => where(m, s, prev[i] as Tensor));
      outs.push(mul(r.output, m));
    } else {
      state = r.state;
      outs.push(r.output);
    }
  });
  return { output: stack(outs, 0), state };
}

/** Per-step masks (B, 1): 1 where step t is inside sequence b, or null without lengths. */
export function lengthMasks(lengths: Int32Array | null, T: number, B: number, dtype: 'float32' | 'float64'): Tensor[] | null {
  if (!lengths) return null;
  const masks: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const m = zeros([B, 1], { dtype });
    for (let b = 0; b < B; b++) m.data[b] = t < (lengths[b] as number) ? 1 : 0;
    masks.push(m);
  }
  return masks;
}

/**
 * Reverses (T, B, F) sequences in time, each within its own length (padding stays in
 * place); applying it twice gives the input back.
 */
export function timeReverser(lengths: Int32Array | null, T: number, B: number): (v: Tensor) => Tensor {
  const index = new Int32Array(T * B);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const L = lengths ? (lengths[b] as number) : T;
      index[t * B + b] = (t < L ? L - 1 - t : t) * B + b;
    }
  }
  return (v) => {
    const f = v.shape[2] as number;
    return reshape(indexSelect(reshape(v, [T * B, f]), 0, index), [T, B, f]);
  };
}

/** A layer with one state tensor h: forward(input, h0?) → [output, hN], as PyTorch's RNN/GRU. */
export abstract class SingleStateStack extends CellStack {
  forward(input: Tensor, h0?: Tensor | null, options: ForwardOptions = {}): [Tensor, Tensor] {
    const r = this.runStack(input, [h0], options);
    return [r.output, r.state[0] as Tensor];
  }
}

/** A layer with states (h, c): forward(input, [h0, c0]?) → [output, [hN, cN]], as PyTorch's LSTM. */
export abstract class DualStateStack extends CellStack {
  forward(input: Tensor, hx?: readonly [Tensor | null, Tensor | null] | null, options: ForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    const r = this.runStack(input, hx ?? null, options);
    return [r.output, [r.state[0] as Tensor, r.state[1] as Tensor]];
  }
}
