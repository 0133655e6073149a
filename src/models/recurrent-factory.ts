// Every recurrent layer of the library by name, behind one calling convention — so that
// models (CharLM, SeriesModel) and the command line can be built around any of them.
//   makeRecurrent('peephole-lstm', { inputSize, hiddenSize, numLayers })
//   runRecurrent(layer, x, states) → { output, states }   (states: [h] or [h, c], null = zeros)

import { ArgumentError } from '../errors.js';
import type { Generator } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { RNNBase } from '../rnn/rnn-base.js';
import { RNN } from '../rnn/layers/rnn.js';
import { LSTM } from '../rnn/layers/lstm.js';
import { GRU } from '../rnn/layers/gru.js';
import { CellStack } from '../rnn/family/stack.js';
import { JordanRNN } from '../rnn/family/jordan.js';
import { CoupledLSTM, PeepholeLSTM } from '../rnn/family/lstm-variants.js';
import { ClockworkRNN } from '../rnn/family/clockwork.js';
import { IndRNN } from '../rnn/family/indrnn.js';
import { MinGRU, MinLSTM } from '../rnn/family/min-rnn.js';
import { QRNN } from '../rnn/family/qrnn.js';

export const CELL_TYPES = [
  'lstm', 'gru', 'rnn', 'rnn-relu', 'gru-original', 'peephole-lstm', 'coupled-lstm', 'jordan', 'clockwork', 'indrnn', 'mingru', 'minlstm', 'qrnn',
] as const;
export type CellType = (typeof CELL_TYPES)[number];

/** A recurrent layer of this library: RNN/LSTM/GRU or one of the family (src/rnn/family). */
export type RecurrentLayer = RNNBase | CellStack;

export interface RecurrentSpec {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  dropout?: number;
  /** A second, reversed pass; outputs concatenated (width 2·hiddenSize). */
  bidirectional?: boolean;
  generator?: Generator;
  dtype?: 'float32' | 'float64';
}

export function isCellType(v: unknown): v is CellType {
  return typeof v === 'string' && (CELL_TYPES as readonly string[]).includes(v);
}

/** Builds a layer by name; its output width is `hiddenSize` for every type. */
export function makeRecurrent(cell: CellType, spec: RecurrentSpec): RecurrentLayer {
  if (!isCellType(cell)) throw new ArgumentError('makeRecurrent', 'cell', `one of ${CELL_TYPES.join(', ')}`, cell);
  const o = {
    inputSize: spec.inputSize, hiddenSize: spec.hiddenSize, numLayers: spec.numLayers ?? 1,
    ...(spec.dropout ? { dropout: spec.dropout } : {}), ...(spec.bidirectional ? { bidirectional: true } : {}), ...(spec.generator ? { generator: spec.generator } : {}), ...(spec.dtype ? { dtype: spec.dtype } : {}),
  };
  switch (cell) {
    case 'lstm': return new LSTM(o);
    case 'gru': return new GRU(o);
    case 'rnn': return new RNN(o);
    case 'rnn-relu': return new RNN({ ...o, nonlinearity: 'relu' });
    case 'gru-original': return new GRU({ ...o, resetAfter: false });
    case 'peephole-lstm': return new PeepholeLSTM(o);
    case 'coupled-lstm': return new CoupledLSTM(o);
    case 'jordan': return new JordanRNN({ ...o, outputSize: spec.hiddenSize });
    case 'clockwork': return new ClockworkRNN(o);
    case 'indrnn': return new IndRNN(o);
    case 'mingru': return new MinGRU(o);
    case 'minlstm': return new MinLSTM(o);
    case 'qrnn': return new QRNN(o);
  }
}

/** The name of a layer's type, if makeRecurrent builds it (null otherwise). */
export function cellTypeOf(layer: Module): CellType | null {
  if (layer instanceof LSTM) return 'lstm';
  if (layer instanceof GRU) return layer.resetAfter ? 'gru' : 'gru-original';
  if (layer instanceof RNN) return layer.nonlinearity === 'relu' ? 'rnn-relu' : 'rnn';
  if (layer instanceof PeepholeLSTM) return 'peephole-lstm';
  if (layer instanceof CoupledLSTM) return 'coupled-lstm';
  if (layer instanceof JordanRNN) return 'jordan';
  if (layer instanceof ClockworkRNN) return 'clockwork';
  if (layer instanceof IndRNN) return 'indrnn';
  if (layer instanceof MinGRU) return 'mingru';
  if (layer instanceof MinLSTM) return 'minlstm';
  if (layer instanceof QRNN) return 'qrnn';
  return null;
}

/**
 * Runs any recurrent layer over x with explicit states ([h] or [h, c]; null: zeros) and,
 * optionally, the length of each sequence of the batch.
 */
export function runRecurrent(
  layer: RecurrentLayer, x: Tensor, states: readonly Tensor[] | null, lengths?: readonly number[] | Int32Array | Tensor | null,
): { output: Tensor; states: Tensor[] } {
  const options = lengths ? { lengths } : {};
  if (layer instanceof RNNBase) {
    const r = layer.forwardState(x, states ? { h: states[0] ?? null, c: states[1] ?? null } : null, options);
    return { output: r.output, states: r.state.c ? [r.state.h as Tensor, r.state.c] : [r.state.h as Tensor] };
  }
  const r = layer.forwardStates(x, states, options);
  return { output: r.output, states: r.state };
}

/** How many state tensors a layer carries: 2 for the LSTMs (h, c), 1 for the others. */
export function stateCount(layer: RecurrentLayer): number {
  if (layer instanceof RNNBase) return layer.mode === 'LSTM' ? 2 : 1;
  return layer.stateNames.length;
}

/**
 * Whether a layer gives the same result run one step at a time (state carried) as over a
 * whole sequence: false for the Clockwork RNN (its clock restarts at every call) and the
 * QRNN with a window > 1 (it reads the previous input, which a new call does not have).
 */
export function isSteppable(layer: RecurrentLayer): boolean {
  if (layer instanceof ClockworkRNN) return layer.periods.every((p) => p === 1);
  if (layer instanceof QRNN) return layer.window === 1;
  return true;
}
