// Encoder–decoder (sequence to sequence) over any recurrent layer of the library, for
// source and target sequences of different lengths (Sutskever et al. 2014; Cho et al. 2014),
// with optional attention (Bahdanau et al. 2015; Luong et al. 2015).
//
//   encoder:  h_1 … h_S = RNN_enc(E_src x_1 … x_S)         (bidirectional: [→h_j; ←h_j])
//   context:  c = [→h_S; ←h_1] of the top layer            (the encoder's last state)
//             c' = c (bridge 'copy') or tanh(W_b c + b_b) (bridge 'linear', learned)
//   decoder:  s_0 = c' when initState; input_t = [E_tgt y_{t−1}; c (feedContext); h̃_{t−1} (inputFeeding)]
//             s_t = RNN_dec(input_t, s_{t−1})
//   output:   with attention  ctx_t = Σ_j a_tj h_j,  h̃_t = tanh(W_c [ctx_t; s_t])
//             without         h̃_t = s_t
//             p(y_t | y_<t, x) = softmax(W_o h̃_t + b_o)
//
// Training is teacher-forced: y_{t−1} is the reference token. With teacherForcing = 1 and
// no input feeding every decoder step is known in advance, so the decoder runs over the
// whole target in one fused call and attention scores all steps in one batched product;
// otherwise (a teacher-forcing ratio < 1, input feeding, or decoding) it runs step by step.
// Decoding: greedy and beam search (beam.ts), batched.
//
// Layout: token ids are int32 (T, B), time-major like every recurrent layer here.

import { ArgumentError, ShapeError } from '../errors.js';
import { defaultGenerator, type Generator } from '../util/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { noGrad } from '../autograd/engine.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import { cat, dropout, indexSelect, narrow, reshape, squeeze, stack, tanh, transpose, unsqueeze, argmax } from '../ops/index.js';
import { makeRecurrent, runRecurrent, stateCount, isSteppable, isCellType, CELL_TYPES, type CellType, type RecurrentLayer } from '../models/recurrent-factory.js';
import { Attention, ATTENTION_SCORES, type AttentionScore, type PreparedKeys } from './attention.js';

export interface Seq2SeqOptions {
  /** Source vocabulary size (token ids 0 … srcVocab−1). */
  srcVocab: number;
  /** Target vocabulary size. */
  tgtVocab: number;
  /** Embedding width of both vocabularies (default 64). */
  embed?: number;
  /** Encoder hidden size per direction (default 128). */
  hidden?: number;
  /** Decoder hidden size (default hidden × encoder directions). */
  decoderHidden?: number;
  /** Recurrent layer of the encoder and the decoder (default 'lstm'). */
  cell?: CellType;
  /** Encoder layer type, if different from `cell`. */
  encoderCell?: CellType;
  /** Decoder layer type, if different from `cell`. */
  decoderCell?: CellType;
  encoderLayers?: number;
  decoderLayers?: number;
  /** Bidirectional encoder (default true). */
  bidirectional?: boolean;
  /** Attention score, or 'none' for the plain encoder–decoder (default 'general'). */
  attention?: AttentionScore | 'none';
  /** Hidden width of the additive score (default decoderHidden). */
  attentionSize?: number;
  /** The context c' is the decoder's initial state (default true). */
  initState?: boolean;
  /** The context c is concatenated to the decoder's input at every step (default false). */
  feedContext?: boolean;
  /** c' = c ('copy': widths must match) or a learned tanh(W c + b) ('linear', default). */
  bridge?: 'copy' | 'linear';
  /** Luong's input feeding: h̃_{t−1} is part of the decoder's input (default false). */
  inputFeeding?: boolean;
  /** Dropout on embeddings and on h̃ in training mode (default 0). */
  dropout?: number;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

/** What the encoder hands the decoder. */
export interface Encoded {
  /** Attention keys (prepared), or null without attention. */
  keys: PreparedKeys | null;
  /** The encoder's last state c (B, contextSize). */
  context: Tensor;
  /** The decoder's initial states (each (decoderLayers, B, decoderHidden)), or null for zeros. */
  init: Tensor[] | null;
  /** Source lengths (B). */
  lengths: Int32Array;
  batch: number;
  srcSteps: number;
}

/** The decoder's running state between steps. */
export interface DecoderState {
  states: Tensor[] | null;
  /** h̃_{t−1} for input feeding (B, decoderHidden), or null. */
  feed: Tensor | null;
}

export interface Seq2SeqOutput {
  /** (T, B, tgtVocab) */
  logits: Tensor;
  /** Attention weights (B, T, S), or null without attention. */
  attention: Tensor | null;
}

export interface ForwardOptions {
  /** Probability of feeding the reference token (else the model's own prediction) (default 1). */
  teacherForcing?: number;
  /** Randomness of the teacher-forcing choice (default: the library's generator). */
  generator?: Generator;
}

/** x with dimension `dim` fixed at index i (torch.select). */
const select = (x: Tensor, dim: number, i: number): Tensor => squeeze(narrow(x, dim, i, 1), dim);

const positiveInt = (op: string, name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ArgumentError(op, name, 'a positive integer', v);
  return v;
};

export class Seq2Seq extends Module {
  readonly srcVocab: number;
  readonly tgtVocab: number;
  readonly embedDim: number;
  readonly hiddenSize: number;
  readonly decoderHidden: number;
  readonly encoderCell: CellType;
  readonly decoderCell: CellType;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  readonly bidirectional: boolean;
  readonly attentionScore: AttentionScore | 'none';
  readonly attentionSize: number;
  readonly initState: boolean;
  readonly feedContext: boolean;
  readonly bridgeKind: 'copy' | 'linear';
  readonly inputFeeding: boolean;
  readonly dropoutP: number;
  readonly dtype: 'float32' | 'float64';
  readonly srcEmbed: Embedding;
  readonly encoder: RecurrentLayer;
  readonly tgtEmbed: Embedding;
  readonly decoder: RecurrentLayer;
  readonly bridgeH: Linear | null;
  readonly bridgeC: Linear | null;
  readonly attention: Attention | null;
  readonly combine: Linear | null;
  readonly out: Linear;
  private readonly generator: Generator | undefined;

  constructor(options: Seq2SeqOptions) {
    super();
    const name = 'Seq2Seq';
    if (typeof options !== 'object' || options === null) throw new ArgumentError(name, 'options', 'an object with srcVocab and tgtVocab', options);
    this.srcVocab = positiveInt(name, 'srcVocab', options.srcVocab);
    this.tgtVocab = positiveInt(name, 'tgtVocab', options.tgtVocab);
    this.embedDim = positiveInt(name, 'embed', options.embed ?? 64);
    this.hiddenSize = positiveInt(name, 'hidden', options.hidden ?? 128);
    this.bidirectional = options.bidirectional ?? true;
    if (typeof this.bidirectional !== 'boolean') throw new ArgumentError(name, 'bidirectional', 'a boolean', this.bidirectional);
    const dirs = this.bidirectional ? 2 : 1;
    this.decoderHidden = positiveInt(name, 'decoderHidden', options.decoderHidden ?? this.hiddenSize * dirs);
    const cell = options.cell ?? 'lstm';
    this.encoderCell = options.encoderCell ?? cell;
    this.decoderCell = options.decoderCell ?? cell;
    for (const [k, v] of [['cell', cell], ['encoderCell', this.encoderCell], ['decoderCell', this.decoderCell]] as const) {
      if (!isCellType(v)) throw new ArgumentError(name, k, `one of ${CELL_TYPES.join(', ')}`, v);
    }
    this.encoderLayers = positiveInt(name, 'encoderLayers', options.encoderLayers ?? 1);
    this.decoderLayers = positiveInt(name, 'decoderLayers', options.decoderLayers ?? 1);
    const att = options.attention ?? 'general';
    if (att !== 'none' && !ATTENTION_SCORES.includes(att)) throw new ArgumentError(name, 'attention', `'none' or one of ${ATTENTION_SCORES.join(', ')}`, att);
    this.attentionScore = att;
    this.initState = options.initState ?? true;
    this.feedContext = options.feedContext ?? false;
    this.inputFeeding = options.inputFeeding ?? false;
    for (const k of ['initState', 'feedContext', 'inputFeeding'] as const) {
      if (typeof this[k] !== 'boolean') throw new ArgumentError(name, k, 'a boolean', this[k]);
    }
    const bridge = options.bridge ?? 'linear';
    if (bridge !== 'copy' && bridge !== 'linear') throw new ArgumentError(name, 'bridge', "'copy' or 'linear'", bridge);
    this.bridgeKind = bridge;
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ArgumentError(name, 'dropout', 'a number in [0, 1)', p);
    this.dropoutP = p;
    this.dtype = options.dtype ?? 'float32';
    this.generator = options.generator;
    const o = { dtype: this.dtype, ...(options.generator ? { generator: options.generator } : {}) };

    const ctx = this.contextSize;
    if (bridge === 'copy' && this.initState && ctx !== this.decoderHidden) {
      throw new ArgumentError(name, 'decoderHidden', `${ctx} (hidden × directions) for bridge 'copy'; use bridge 'linear' for other widths`, this.decoderHidden);
    }
    this.srcEmbed = this.registerModule('src_embed', new Embedding(this.srcVocab, this.embedDim, o));
    this.encoder = this.registerModule('encoder', makeRecurrent(this.encoderCell, {
      inputSize: this.embedDim, hiddenSize: this.hiddenSize, numLayers: this.encoderLayers, bidirectional: this.bidirectional, ...o,
    }));
    this.tgtEmbed = this.registerModule('tgt_embed', new Embedding(this.tgtVocab, this.embedDim, o));
    const decIn = this.embedDim + (this.feedContext ? ctx : 0) + (this.inputFeeding ? this.decoderHidden : 0);
    this.decoder = this.registerModule('decoder', makeRecurrent(this.decoderCell, {
      inputSize: decIn, hiddenSize: this.decoderHidden, numLayers: this.decoderLayers, ...o,
    }));
    if (!isSteppable(this.decoder)) {
      throw new ArgumentError(name, 'decoderCell', 'a layer that can run one step at a time (not clockwork or qrnn)', this.decoderCell);
    }
    const encStates = stateCount(this.encoder);
    const decStates = stateCount(this.decoder);
    const linearBridge = this.initState && bridge === 'linear';
    this.bridgeH = linearBridge ? this.registerModule('bridge_h', new Linear(ctx, this.decoderHidden * this.decoderLayers, o)) : null;
    this.bridgeC = linearBridge && encStates === 2 && decStates === 2 ? this.registerModule('bridge_c', new Linear(ctx, this.decoderHidden * this.decoderLayers, o)) : null;
    if (att !== 'none') {
      this.attentionSize = options.attentionSize ?? this.decoderHidden;
      this.attention = this.registerModule('attention', new Attention({
        querySize: this.decoderHidden, keySize: ctx, score: att, attentionSize: this.attentionSize, ...o,
      }));
      this.combine = this.registerModule('combine', new Linear(ctx + this.decoderHidden, this.decoderHidden, { ...o, bias: false }));
    } else {
      this.attentionSize = 0;
      this.attention = null;
      this.combine = null;
    }
    this.out = this.registerModule('out', new Linear(this.decoderHidden, this.tgtVocab, o));
  }

  /** Width of the encoder's context c and of each attention key: hidden × directions. */
  get contextSize(): number {
    return this.hiddenSize * (this.bidirectional ? 2 : 1);
  }

  /** The sizes and switches that rebuild this model (saved next to the weights). */
  get config(): Required<Omit<Seq2SeqOptions, 'generator' | 'cell'>> {
    return {
      srcVocab: this.srcVocab, tgtVocab: this.tgtVocab, embed: this.embedDim, hidden: this.hiddenSize, decoderHidden: this.decoderHidden,
      encoderCell: this.encoderCell, decoderCell: this.decoderCell, encoderLayers: this.encoderLayers, decoderLayers: this.decoderLayers,
      bidirectional: this.bidirectional, attention: this.attentionScore, attentionSize: this.attentionSize || this.decoderHidden,
      initState: this.initState, feedContext: this.feedContext, bridge: this.bridgeKind, inputFeeding: this.inputFeeding,
      dropout: this.dropoutP, dtype: this.dtype,
    };
  }

  /** Checks that token ids are integers in [0, vocab) and returns the (T, B) shape. */
  private checkTokens(op: string, arg: string, ids: Tensor, vocab: number, which: string): [number, number] {
    if (!(ids instanceof Tensor) || ids.dtype !== 'int32' || ids.ndim !== 2) {
      throw new ArgumentError(op, arg, 'an int32 Tensor of token ids (T, B)', ids instanceof Tensor ? `${ids.dtype} (${ids.shape.join(', ')})` : ids);
    }
    const [T, B] = ids.shape as [number, number];
    if (T === 0) throw new ShapeError(op, arg, 'at least one step (an empty sequence has nothing to encode or predict)', ids.shape);
    if (B === 0) throw new ShapeError(op, arg, 'at least one sequence in the batch', ids.shape);
    for (let i = 0; i < ids.size; i++) {
      const v = ids.data[i] as number;
      if (v < 0 || v >= vocab) {
        throw new ArgumentError(op, `${arg}[${Math.floor(i / B)}][${i % B}]`, `a token id in [0, ${vocab}) (the model's ${which} vocabulary has ${vocab} entries; was the data encoded with another vocabulary?)`, v);
      }
    }
    return [T, B];
  }

  /**
   * Checks that the vocabularies a caller pairs with this model have the model's sizes.
   * Anything with a `size` (a Vocab) is accepted.
   */
  checkVocabularies(src: { size: number }, tgt: { size: number }): void {
    if (src?.size !== this.srcVocab) throw new ArgumentError('Seq2Seq', 'source vocabulary', `${this.srcVocab} entries (the model's srcVocab)`, src?.size);
    if (tgt?.size !== this.tgtVocab) throw new ArgumentError('Seq2Seq', 'target vocabulary', `${this.tgtVocab} entries (the model's tgtVocab)`, tgt?.size);
  }

  /** Runs the encoder: src int32 (S, B), srcLengths (B) (default: all S). */
  encode(src: Tensor, srcLengths?: readonly number[] | Int32Array | null): Encoded {
    const op = 'Seq2Seq.encode';
    const [S, B] = this.checkTokens(op, 'src', src, this.srcVocab, 'source');
    let lengths: Int32Array;
    if (srcLengths === undefined || srcLengths === null) lengths = new Int32Array(B).fill(S);
    else {
      if (srcLengths.length !== B) throw new ArgumentError(op, 'srcLengths', `${B} lengths (one per sequence)`, srcLengths.length);
      lengths = Int32Array.from(srcLengths);
      lengths.forEach((l, b) => {
        if (!Number.isInteger(l) || l < 1 || l > S) throw new ArgumentError(op, `srcLengths[${b}]`, `an integer in [1, ${S}] (empty sources cannot be encoded)`, srcLengths[b]);
      });
    }
    let x = this.srcEmbed.forward(src); // (S, B, E)
    if (this.dropoutP > 0 && this.training) x = dropout(x, this.dropoutP, true, this.generator);
    const padded = lengths.some((l) => l !== S);
    const r = runRecurrent(this.encoder, x, null, padded ? lengths : null);
    // The top layer's final state of each direction: index (L−1)·D + d of the state's first dim.
    const D = this.bidirectional ? 2 : 1;
    const top = (s: Tensor): Tensor => {
      const parts = [];
      for (let d = 0; d < D; d++) parts.push(select(s, 0, (this.encoderLayers - 1) * D + d));
      return parts.length === 1 ? parts[0] as Tensor : cat(parts, -1);
    };
    const context = top(r.states[0] as Tensor); // (B, ctx)
    const cellContext = r.states.length === 2 ? top(r.states[1] as Tensor) : null;
    let init: Tensor[] | null = null;
    if (this.initState) {
      const Ld = this.decoderLayers;
      const H = this.decoderHidden;
      const perLayer = (v: Tensor): Tensor => (this.bridgeKind === 'copy'
        ? stack(Array.from({ length: Ld }, () => v), 0)
        : transpose(reshape(tanh(v), [B, Ld, H]), 0, 1));
      const h0 = this.bridgeKind === 'copy' ? perLayer(context) : perLayer((this.bridgeH as Linear).forward(context));
      init = [h0];
      if (stateCount(this.decoder) === 2) {
        if (cellContext && this.bridgeKind === 'copy') init.push(perLayer(cellContext));
        else if (cellContext && this.bridgeC) init.push(perLayer(this.bridgeC.forward(cellContext)));
        else init.push(zeros([Ld, B, H], { dtype: this.dtype }));
      }
    }
    const keys = this.attention ? this.attention.prepare(transpose(r.output, 0, 1), padded ? lengths : null) : null;
    return { keys, context, init, lengths, batch: B, srcSteps: S };
  }

  /** The decoder's state before the first step. */
  initialState(enc: Encoded): DecoderState {
    return { states: enc.init, feed: this.inputFeeding ? zeros([enc.batch, this.decoderHidden], { dtype: this.dtype }) : null };
  }

  /** h̃ (…, Hd) and attention weights from decoder outputs s (B, T, Hd) or (B, Hd). */
  private attend(s: Tensor, enc: Encoded): { hTilde: Tensor; weights: Tensor | null } {
    if (!this.attention) return { hTilde: s, weights: null };
    const { context, weights } = this.attention.forward(s, enc.keys as PreparedKeys);
    return { hTilde: tanh((this.combine as Linear).forward(cat([context, s], -1))), weights };
  }

  private project(hTilde: Tensor): Tensor {
    const h = this.dropoutP > 0 && this.training ? dropout(hTilde, this.dropoutP, true, this.generator) : hTilde;
    return this.out.forward(h);
  }

  /**
   * One decoder step: tokens (B) int32 (the previous output) → logits (B, tgtVocab), the
   * attention weights (B, S) (null without attention) and the next state.
   */
  step(tokens: Tensor, state: DecoderState, enc: Encoded): { logits: Tensor; weights: Tensor | null; state: DecoderState } {
    const B = enc.batch;
    if (!(tokens instanceof Tensor) || tokens.dtype !== 'int32' || tokens.size !== B) {
      throw new ArgumentError('Seq2Seq.step', 'tokens', `an int32 Tensor of ${B} token ids`, tokens instanceof Tensor ? `${tokens.dtype} (${tokens.shape.join(', ')})` : tokens);
    }
    let x = this.tgtEmbed.forward(reshape(tokens, [B])); // (B, E)
    if (this.dropoutP > 0 && this.training) x = dropout(x, this.dropoutP, true, this.generator);
    const parts = [x];
    if (this.feedContext) parts.push(enc.context);
    if (this.inputFeeding) parts.push(state.feed as Tensor);
    const input = parts.length === 1 ? x : cat(parts, -1);
    const r = runRecurrent(this.decoder, unsqueeze(input, 0), state.states);
    const s = select(r.output, 0, 0); // (B, Hd)
    const { hTilde, weights } = this.attend(s, enc);
    return { logits: this.project(hTilde), weights, state: { states: r.states, feed: this.inputFeeding ? hTilde : null } };
  }

  /**
   * Teacher-forced decoding of a whole batch: src (S, B), tgtIn (T, B) — the target shifted
   * right (it starts with the start token). Returns logits (T, B, tgtVocab) for the loss
   * against the target shifted left, and the attention weights (B, T, S).
   */
  forward(src: Tensor, srcLengths: readonly number[] | Int32Array | null, tgtIn: Tensor, options: ForwardOptions = {}): Seq2SeqOutput {
    const op = 'Seq2Seq.forward';
    const ratio = options.teacherForcing ?? 1;
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) throw new ArgumentError(op, 'teacherForcing', 'a number in [0, 1]', ratio);
    const enc = this.encode(src, srcLengths);
    const [T, B] = this.checkTokens(op, 'tgtIn', tgtIn, this.tgtVocab, 'target');
    if (B !== enc.batch) throw new ShapeError(op, 'tgtIn', `(T, ${enc.batch}) (the source's batch size)`, tgtIn.shape);
    if (ratio === 1 && !this.inputFeeding) {
      // Every input is known: one fused decoder call, one batched attention.
      let x = this.tgtEmbed.forward(tgtIn); // (T, B, E)
      if (this.dropoutP > 0 && this.training) x = dropout(x, this.dropoutP, true, this.generator);
      if (this.feedContext) x = cat([x, stack(Array.from({ length: T }, () => enc.context), 0)], -1);
      const r = runRecurrent(this.decoder, x, enc.init);
      const s = transpose(r.output, 0, 1); // (B, T, Hd)
      const { hTilde, weights } = this.attend(s, enc);
      return { logits: transpose(this.project(hTilde), 0, 1), attention: weights };
    }
    const g = options.generator ?? defaultGenerator;
    let state = this.initialState(enc);
    const logits: Tensor[] = [];
    const weights: Tensor[] = [];
    let prev: Tensor | null = null;
    for (let t = 0; t < T; t++) {
      let tokens = select(tgtIn, 0, t);
      if (t > 0 && ratio < 1 && prev) {
        const predicted = noGrad(() => argmax(prev as Tensor, -1));
        const mixed = new Int32Array(B);
        for (let b = 0; b < B; b++) mixed[b] = g.uniform() < ratio ? tokens.data[b] as number : predicted.data[b] as number;
        tokens = new Tensor(mixed, [B]);
      }
      const r = this.step(tokens, state, enc);
      state = r.state;
      prev = r.logits;
      logits.push(r.logits);
      if (r.weights) weights.push(r.weights);
    }
    return { logits: stack(logits, 0), attention: weights.length ? stack(weights, 1) : null };
  }

  /** The encoder output with batch rows `index` (beam search repeats each source per beam). */
  reorderEncoded(enc: Encoded, index: Int32Array): Encoded {
    return reorderEncoded(enc, index);
  }

  /** The decoder state with batch rows `index`. */
  reorderState(state: DecoderState, index: Int32Array): DecoderState {
    return reorderState(state, index);
  }

  protected override extraRepr(): string {
    return `srcVocab=${this.srcVocab}, tgtVocab=${this.tgtVocab}, attention='${this.attentionScore}'`;
  }
}

/** Rows `index` of every state tensor along the batch dimension (dim 1 of (L, B, H)). */
export function reorderState(state: DecoderState, index: Int32Array): DecoderState {
  return {
    states: state.states ? state.states.map((s) => indexSelect(s, 1, index)) : null,
    feed: state.feed ? indexSelect(state.feed, 0, index) : null,
  };
}

/** The encoder output of every batch element repeated per beam (rows `index`). */
export function reorderEncoded(enc: Encoded, index: Int32Array): Encoded {
  const keys = enc.keys
    ? {
      keys: indexSelect(enc.keys.keys, 0, index),
      projected: indexSelect(enc.keys.projected, 0, index),
      padMask: enc.keys.padMask ? indexSelect(enc.keys.padMask, 0, index) : null,
      lengths: enc.keys.lengths ? Int32Array.from(index, (i) => (enc.keys as PreparedKeys).lengths?.[i] as number) : null,
    }
    : null;
  return {
    keys,
    context: indexSelect(enc.context, 0, index),
    init: enc.init ? enc.init.map((s) => indexSelect(s, 1, index)) : null,
    lengths: Int32Array.from(index, (i) => enc.lengths[i] as number),
    batch: index.length,
    srcSteps: enc.srcSteps,
  };
}

