// ONNX export of a recurrent stack — [Embedding] → RNN/LSTM/GRU (any layers, either
// direction, batchFirst, any merge) → [Linear] — with ONNX's own LSTM/GRU/RNN operators,
// one node per layer. Gate orders are converted from PyTorch's (LSTM i,f,g,o → ONNX
// i,o,f,c; GRU r,z,n → z,r,h; linear_before_reset = 1 for PyTorch's GRU, 0 for the
// original form, GRU({ resetAfter: false })).
//
// Graph inputs: `ids` (int64 [T, B]) with an embedding, else `input` (float [T, B, I]);
// [B, T, …] with batchFirst; optional `h0` ([layers·D, B, H]), `c0` (LSTM) and
// `lengths` (int32 [B], ONNX's sequence_lens). Outputs: `output` ([T, B, D·H] or the
// head's logits), `h_n` and, for an LSTM, `c_n` — the same tensors as forward() here.
// T and B are symbolic, so the model accepts any sequence length and batch size.

import { ArgumentError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import { RNNBase } from '../rnn/rnn-base.js';
import { VariantLSTM } from '../rnn/family/lstm-variants.js';
import { RNN } from '../rnn/layers/rnn.js';
import type { GRU } from '../rnn/layers/gru.js';
import { makeInitializer, makeModel, makeNode, makeValueInfo, type AttributeValue, type ValueInfo } from './build.js';
import type { INodeProto, ITensorProto } from './proto.js';

type Recurrent = RNNBase | VariantLSTM;

export interface RecurrentStack {
  embedding?: Embedding | null;
  /** PyTorch's RNN/LSTM/GRU (the original GRU too), or an LSTM variant (peepholes, coupled gates). */
  rnn: Recurrent;
  head?: Linear | null;
}

export interface ExportOnnxOptions {
  /** Default-domain opset (default 14; 13 to 17 are supported by the exporter). */
  opset?: number;
  /** Add the `h0` (and `c0`) inputs for an initial state (default false: zeros). */
  initialState?: boolean;
  /** Add the `lengths` input (ONNX sequence_lens, int32 [B]) for padded batches (default false). */
  lengths?: boolean;
  /** Model documentation string. */
  docString?: string;
  /** Key → value strings for the model's metadata_props (e.g. a vocabulary as JSON). */
  metadata?: Record<string, string>;
}

/** The parts of a model the exporter understands: an RNN layer, or a module with them. */
function partsOf(model: Module | RecurrentStack): RecurrentStack {
  const isRecurrent = (v: unknown): v is Recurrent => v instanceof RNNBase || v instanceof VariantLSTM;
  if (isRecurrent(model)) return { rnn: model };
  // A plain { embedding?, rnn, head? } object (a Module is analysed by its children below).
  if (!(model instanceof Module) && isRecurrent((model as RecurrentStack).rnn)) return model as RecurrentStack;
  // A module with one recurrent child, at most one Embedding and one Linear (e.g. CharLM).
  const children = (model as Module).namedChildren?.() ?? [];
  const rnns = children.filter(([, c]) => isRecurrent(c));
  const embeds = children.filter(([, c]) => c instanceof Embedding);
  const heads = children.filter(([, c]) => c instanceof Linear);
  if (rnns.length !== 1 || embeds.length > 1 || heads.length > 1 || children.length !== rnns.length + embeds.length + heads.length) {
    throw new ArgumentError('exportOnnx', 'model', 'an RNN/LSTM/GRU layer, {embedding?, rnn, head?}, or a module whose children are one recurrent layer with at most one Embedding and one Linear', model);
  }
  return { rnn: rnns[0]?.[1] as Recurrent, embedding: (embeds[0]?.[1] as Embedding | undefined) ?? null, head: (heads[0]?.[1] as Linear | undefined) ?? null };
}

// ONNX gate block k ← PyTorch gate block ORDER[k].
const ORDER = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] } as const;

/** Gate blocks of H rows taken in `order` (−1: a block of zeros, for a gate the layer lacks). */
function reorderRows(src: Tensor, order: readonly number[], H: number): Float32Array {
  const cols = src.ndim === 2 ? (src.shape[1] as number) : 1;
  const out = new Float32Array(order.length * H * cols);
  order.forEach((from, k) => {
    if (from >= 0) out.set(Float32Array.from(src.data.subarray(from * H * cols, (from + 1) * H * cols)), k * H * cols);
  });
  return out;
}

/** Exports a recurrent model as .onnx bytes (see the file comment for inputs and outputs). */
export function exportOnnx(model: Module | RecurrentStack, options: ExportOnnxOptions = {}): Uint8Array {
  const op = 'exportOnnx';
  const { rnn, embedding, head } = partsOf(model);
  const opset = options.opset ?? 14;
  if (!Number.isInteger(opset) || opset < 13 || opset > 17) throw new ArgumentError(op, 'options.opset', 'an integer from 13 to 17', opset);
  if (rnn.projSize > 0) throw new ArgumentError(op, 'model', 'an LSTM without projSize (ONNX\'s LSTM operator has no projection)', `projSize=${rnn.projSize}`);
  const variant = rnn instanceof VariantLSTM ? rnn : null;
  const kind = variant || (rnn as RNNBase).mode === 'LSTM' ? 'LSTM' : (rnn as RNNBase).mode === 'GRU' ? 'GRU' : 'RNN';
  const H = rnn.hiddenSize;
  const D = rnn.numDirections;
  const L = rnn.numLayers;
  // A coupled LSTM has gate rows i, g, o: ONNX's forget rows are zeros (unused with input_forget = 1).
  const order = variant?.coupled ? [0, 2, -1, 1] : ORDER[kind];
  const nodes: INodeProto[] = [];
  const inits: ITensorProto[] = [];
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const seqDims: (number | string)[] = rnn.batchFirst ? ['B', 'T'] : ['T', 'B'];
  const axesConst = (name: string, axes: number[]): string => {
    inits.push(makeInitializer(name, new Tensor(Int32Array.from(axes), [axes.length])));
    return name;
  };

  let x: string;
  if (embedding) {
    if (embedding.embeddingDim !== rnn.inputSize) throw new ArgumentError(op, 'model', `an embedding of width ${rnn.inputSize} (the recurrent layer's inputSize)`, embedding.embeddingDim);
    inputs.push(makeValueInfo('ids', 'int64', seqDims));
    inits.push(makeInitializer('embedding.weight', toF32(embedding.weight)));
    nodes.push(makeNode('Gather', ['embedding.weight', 'ids'], ['embedded'], { axis: 0 }, 'embedding'));
    x = 'embedded';
  } else {
    inputs.push(makeValueInfo('input', 'float32', [...seqDims, rnn.inputSize]));
    x = 'input';
  }
  if (rnn.batchFirst) {
    nodes.push(makeNode('Transpose', [x], ['x_time_major'], { perm: [1, 0, 2] }, 'to_time_major'));
    x = 'x_time_major';
  }
  const P = H;
  if (options.initialState) {
    inputs.push(makeValueInfo('h0', 'float32', [L * D, 'B', P]));
    if (kind === 'LSTM') inputs.push(makeValueInfo('c0', 'float32', [L * D, 'B', H]));
  }
  if (options.lengths) inputs.push(makeValueInfo('lengths', 'int32', ['B']));

  const hs: string[] = [];
  const cs: string[] = [];
  const sd = rnn.stateDict();
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? rnn.inputSize : (rnn.merge === 'concat' ? D * H : H);
    const G = order.length;
    const W = new Float32Array(D * G * H * I);
    const R = new Float32Array(D * G * H * H);
    const B = new Float32Array(D * 2 * G * H);
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      W.set(reorderRows(sd[`weight_ih${sfx}`] as Tensor, order, H), d * G * H * I);
      R.set(reorderRows(sd[`weight_hh${sfx}`] as Tensor, order, H), d * G * H * H);
      if (rnn.bias) {
        B.set(reorderRows(sd[`bias_ih${sfx}`] as Tensor, order, H), d * 2 * G * H);
        B.set(reorderRows(sd[`bias_hh${sfx}`] as Tensor, order, H), d * 2 * G * H + G * H);
      }
    }
    inits.push(makeInitializer(`W_l${l}`, new Tensor(W, [D, G * H, I])), makeInitializer(`R_l${l}`, new Tensor(R, [D, G * H, H])));
    if (rnn.bias) inits.push(makeInitializer(`B_l${l}`, new Tensor(B, [D, 2 * G * H])));
    if (variant?.peepholes) {
      // ONNX's P: [D, 3H] in i, o, f order.
      const Pw = new Float32Array(D * 3 * H);
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        (['ci', 'co', 'cf'] as const).forEach((n, k) => {
          const p = sd[`weight_${n}${sfx}`];
          if (p) Pw.set(Float32Array.from(p.data), d * 3 * H + k * H);
        });
      }
      inits.push(makeInitializer(`P_l${l}`, new Tensor(Pw, [D, 3 * H])));
    }
    let h0 = '';
    let c0 = '';
    if (options.initialState) {
      const starts = axesConst(`state_start_l${l}`, [l * D]);
      const ends = axesConst(`state_end_l${l}`, [(l + 1) * D]);
      const axis0 = axesConst(`state_axis_l${l}`, [0]);
      nodes.push(makeNode('Slice', ['h0', starts, ends, axis0], [`h0_l${l}`], {}, `h0_slice_l${l}`));
      h0 = `h0_l${l}`;
      if (kind === 'LSTM') {
        nodes.push(makeNode('Slice', ['c0', starts, ends, axis0], [`c0_l${l}`], {}, `c0_slice_l${l}`));
        c0 = `c0_l${l}`;
      }
    }
    const attrs: Record<string, AttributeValue | undefined> = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
    if (kind === 'GRU') attrs.linear_before_reset = (rnn as GRU).resetAfter ? 1 : 0;
    if (rnn instanceof RNN && rnn.nonlinearity === 'relu') attrs.activations = Array.from({ length: D }, () => 'Relu');
    const nodeInputs = [x, `W_l${l}`, `R_l${l}`, rnn.bias ? `B_l${l}` : '', options.lengths ? 'lengths' : '', h0];
    if (kind === 'LSTM') nodeInputs.push(c0, variant?.peepholes ? `P_l${l}` : '');
    if (variant?.coupled) attrs.input_forget = 1;
    while (nodeInputs[nodeInputs.length - 1] === '') nodeInputs.pop();
    const outs = [`Y_l${l}`, `Yh_l${l}`, ...(kind === 'LSTM' ? [`Yc_l${l}`] : [])];
    nodes.push(makeNode(kind, nodeInputs, outs, attrs, `${kind.toLowerCase()}_l${l}`));
    hs.push(`Yh_l${l}`);
    if (kind === 'LSTM') cs.push(`Yc_l${l}`);
    // Y (T, D, B, H) → (T, B, D·H) for concat, (T, B, H) for the other merges.
    const y = `y_l${l}`;
    if (D === 1) {
      nodes.push(makeNode('Squeeze', [`Y_l${l}`, axesConst(`squeeze_axes_l${l}`, [1])], [y], {}, `squeeze_l${l}`));
    } else if (rnn.merge === 'concat') {
      nodes.push(makeNode('Transpose', [`Y_l${l}`], [`Yt_l${l}`], { perm: [0, 2, 1, 3] }, `transpose_l${l}`));
      nodes.push(makeNode('Reshape', [`Yt_l${l}`, axesConst(`concat_shape_l${l}`, [0, 0, -1])], [y], {}, `merge_l${l}`));
    } else {
      const reduceOp = rnn.merge === 'sum' ? 'ReduceSum' : rnn.merge === 'mean' ? 'ReduceMean' : 'ReduceProd';
      // ReduceSum takes axes as an input from opset 13; ReduceMean and ReduceProd from 18.
      if (reduceOp === 'ReduceSum') nodes.push(makeNode(reduceOp, [`Y_l${l}`, axesConst(`merge_axes_l${l}`, [1])], [y], { keepdims: 0 }, `merge_l${l}`));
      else nodes.push(makeNode(reduceOp, [`Y_l${l}`], [y], { axes: [1], keepdims: 0 }, `merge_l${l}`));
    }
    x = y;
  }
  if (rnn.batchFirst) {
    nodes.push(makeNode('Transpose', [x], ['y_batch_first'], { perm: [1, 0, 2] }, 'to_batch_first'));
    x = 'y_batch_first';
  }
  const outWidth = rnn.merge === 'concat' ? D * H : H;
  if (head) {
    if (head.inFeatures !== outWidth) throw new ArgumentError(op, 'model', `a head with inFeatures ${outWidth}`, head.inFeatures);
    const wt = new Float32Array(head.inFeatures * head.outFeatures);
    for (let o = 0; o < head.outFeatures; o++) for (let i = 0; i < head.inFeatures; i++) wt[i * head.outFeatures + o] = head.weight.data[o * head.inFeatures + i] as number;
    inits.push(makeInitializer('head.weight_t', new Tensor(wt, [head.inFeatures, head.outFeatures])));
    if (head.bias) {
      inits.push(makeInitializer('head.bias', toF32(head.bias)));
      nodes.push(makeNode('MatMul', [x, 'head.weight_t'], ['head_mm'], {}, 'head_matmul'));
      nodes.push(makeNode('Add', ['head_mm', 'head.bias'], ['output'], {}, 'head_bias'));
    } else {
      nodes.push(makeNode('MatMul', [x, 'head.weight_t'], ['output'], {}, 'head_matmul'));
    }
    outputs.push(makeValueInfo('output', 'float32', [...seqDims, head.outFeatures]));
  } else {
    nodes.push(makeNode('Identity', [x], ['output'], {}, 'output'));
    outputs.push(makeValueInfo('output', 'float32', [...seqDims, outWidth]));
  }
  const concatStates = (names: string[], out: string): void => {
    nodes.push(names.length === 1 ? makeNode('Identity', names, [out], {}, out) : makeNode('Concat', names, [out], { axis: 0 }, out));
  };
  concatStates(hs, 'h_n');
  outputs.push(makeValueInfo('h_n', 'float32', [L * D, 'B', P]));
  if (kind === 'LSTM') {
    concatStates(cs, 'c_n');
    outputs.push(makeValueInfo('c_n', 'float32', [L * D, 'B', H]));
  }
  return makeModel({
    nodes, inputs, outputs, initializers: inits, opset, graphName: `recurrent_${kind.toLowerCase()}`,
    producerName: 'recurrent', ...(options.metadata ? { metadata: options.metadata } : {}), docString: options.docString ?? `${kind} ×${L}${D === 2 ? ' bidirectional' : ''} exported by recurrent`,
  });
}

function toF32(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : new Tensor(Float32Array.from(t.data), t.shape);
}
