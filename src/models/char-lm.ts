// A character-level language model: Embedding(V, E) → LSTM(E, H, L layers) → Linear(H, V)
// (defaults 64, 256, 2), with sampling by temperature and top-k. Its state dict has
// PyTorch's names (embed.weight, lstm.weight_ih_l0, …, head.weight, head.bias), so the
// same model in PyTorch (tools/char_lm_torch.py) loads it and vice versa. Used by the
// `recurrent` command line (demo, train, sample) and examples/char-lm.

import type { Generator } from '../util/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import { LSTM } from '../rnn/layers/lstm.js';
import { RNNBase } from '../rnn/rnn-base.js';
import { makeRecurrent, runRecurrent, isCellType, CELL_TYPES, type CellType, type RecurrentLayer } from './recurrent-factory.js';
import type { Vocab } from '../data/vocab.js';
import { ArgumentError } from '../errors.js';

export interface CharLMOptions {
  /** Embedding width (default 64). */
  embed?: number;
  /** LSTM hidden size (default 256). */
  hidden?: number;
  /** Stacked LSTM layers (default 2). */
  layers?: number;
  /** The recurrent layer type (default 'lstm'; any of CELL_TYPES). */
  cell?: CellType;
  /** Source of the initial weights (default: the library's generator). */
  generator?: Generator;
}

/** The recurrent state: (h, c) for the LSTMs, (h) for the others, each (layers, B, width). */
export type LMState = readonly Tensor[];

export class CharLM extends Module {
  readonly vocabSize: number;
  readonly embedDim: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly cell: CellType;
  readonly embed: Embedding;
  /** The recurrent layer (registered as 'lstm' for the default cell, PyTorch's twin's name; else 'rnn'). */
  readonly rnn: RecurrentLayer;
  readonly head: Linear;

  constructor(vocabSize: number, options: CharLMOptions = {}) {
    super();
    this.vocabSize = vocabSize;
    this.embedDim = options.embed ?? 64;
    this.hiddenSize = options.hidden ?? 256;
    this.numLayers = options.layers ?? 2;
    const cell = options.cell ?? 'lstm';
    if (!isCellType(cell)) throw new ArgumentError('CharLM', 'cell', `one of ${CELL_TYPES.join(', ')}`, cell);
    this.cell = cell;
    const g = options.generator ? { generator: options.generator } : {};
    // Registration order = PyTorch's state_dict order.
    this.embed = this.registerModule('embed', new Embedding(vocabSize, this.embedDim, g));
    this.rnn = this.registerModule(cell === 'lstm' ? 'lstm' : 'rnn', makeRecurrent(cell, { inputSize: this.embedDim, hiddenSize: this.hiddenSize, numLayers: this.numLayers, ...g }));
    this.head = this.registerModule('head', new Linear(this.hiddenSize, vocabSize, g));
  }

  /** The recurrent layer as an LSTM (the default cell); throws for other cells. */
  get lstm(): LSTM {
    if (!(this.rnn instanceof LSTM)) throw new ArgumentError('CharLM.lstm', 'cell', "'lstm'", this.cell);
    return this.rnn;
  }

  /** ids int32 (T, B) → logits (T, B, V) and the state after the last step (null/absent = zeros). */
  forward(ids: Tensor, state?: LMState | null): { logits: Tensor; state: LMState } {
    const r = runRecurrent(this.rnn, this.embed.forward(ids), state ?? null);
    return { logits: this.head.forward(r.output), state: r.states };
  }

  /** The sizes needed to rebuild the model (stored in checkpoints); `cell` only when not the default. */
  get config(): { vocabSize: number; embed: number; hidden: number; layers: number; cell?: CellType } {
    return { vocabSize: this.vocabSize, embed: this.embedDim, hidden: this.hiddenSize, layers: this.numLayers, ...(this.cell !== 'lstm' ? { cell: this.cell } : {}) };
  }
}

/** Keeps the state's values, cuts its gradient history (truncated BPTT boundary). */
export function detachState(s: LMState): LMState {
  return s.map((t) => t.detach());
}

/**
 * Index drawn from softmax(logits / temperature) by inverse CDF with a uniform u ∈ [0, 1),
 * computed in float64 with the maximum subtracted.
 */
export function sampleIndex(logits: ArrayLike<number>, temperature: number, u: number, topK = 0): number {
  const V = logits.length;
  let m = -Infinity;
  for (let k = 0; k < V; k++) m = Math.max(m, (logits[k] as number) / temperature);
  // top-k: only the k largest logits keep probability (ties at the threshold included).
  let threshold = -Infinity;
  if (topK > 0 && topK < V) threshold = Float64Array.from(logits as ArrayLike<number>).sort()[V - topK] as number;
  const w = new Float64Array(V);
  let total = 0;
  for (let k = 0; k < V; k++) {
    w[k] = (logits[k] as number) >= threshold ? Math.exp((logits[k] as number) / temperature - m) : 0;
    total += w[k] as number;
  }
  let acc = 0;
  const target = u * total;
  for (let k = 0; k < V; k++) {
    acc += w[k] as number;
    if (target < acc) return k;
  }
  return V - 1; // u·total rounded up to the total
}

/**
 * Continues `prompt` by `length` sampled characters at `temperature` (> 0), with the
 * LSTM's streaming API: the prompt is fed as one chunk, then one step per character,
 * the state carried by the stream. Returns the prompt followed by the sample.
 */
export function sample(model: CharLM, vocab: Vocab, prompt: string, length: number, temperature: number, generator: Generator, topK = 0): string {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new ArgumentError('sample', 'temperature', 'a positive number', temperature);
  if (!Number.isInteger(length) || length < 0) throw new ArgumentError('sample', 'length', 'a non-negative integer', length);
  if (!Number.isInteger(topK) || topK < 0) throw new ArgumentError('sample', 'topK', 'a non-negative integer (0 = all)', topK);
  if (prompt.length === 0) throw new ArgumentError('sample', 'prompt', 'a non-empty string', prompt);
  for (const ch of prompt) {
    if (!vocab.has(ch)) throw new ArgumentError('sample', 'prompt', "characters of the model's vocabulary", ch);
  }
  const ids = vocab.encode(prompt);
  const V = model.vocabSize;
  return noGrad(() => {
    if (!(model.rnn instanceof RNNBase)) return sampleStepwise(model, vocab, prompt, ids, length, temperature, generator, topK);
    const stream = model.rnn.stream();
    // Prompt: (L, 1) ids → (L, 1, E) → (L, 1, H); only the last step's logits are needed.
    const out = stream.forward(model.embed.forward(new Tensor(ids, [ids.length, 1])));
    let logits = model.head.forward(out).data.subarray((ids.length - 1) * V);
    const generated: number[] = [];
    for (let n = 0; n < length; n++) {
      const next = sampleIndex(logits, temperature, generator.uniform(), topK);
      generated.push(next);
      if (n === length - 1) break;
      // One step: (1) id → (1, E) → stream.step → (1, H) → (1, V).
      const h = stream.step(model.embed.forward(new Tensor(Int32Array.of(next), [1])));
      logits = model.head.forward(h).data;
    }
    return prompt + vocab.decode(generated);
  });
}

/** Sampling for layers without a stream: the state is carried through forward calls. */
function sampleStepwise(model: CharLM, vocab: Vocab, prompt: string, ids: Int32Array, length: number, temperature: number, generator: Generator, topK: number): string {
  const V = model.vocabSize;
  let r = model.forward(new Tensor(ids, [ids.length, 1]), null);
  let logits = r.logits.data.subarray((ids.length - 1) * V);
  const generated: number[] = [];
  for (let n = 0; n < length; n++) {
    const next = sampleIndex(logits, temperature, generator.uniform(), topK);
    generated.push(next);
    if (n === length - 1) break;
    r = model.forward(new Tensor(Int32Array.of(next), [1, 1]), r.state);
    logits = r.logits.data;
  }
  return prompt + vocab.decode(generated);
}
