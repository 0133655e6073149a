// A character-level language model on Moby-Dick: Embedding → 2-layer LSTM → Linear,
// trained by truncated BPTT on contiguous streams, exactly mirrored by
// tools/char_lm_torch.py (same vocabulary, split, batch order, state carrying,
// optimizer, clipping and evaluation) so the two can be compared step for step.
//
// Data pipeline (the twin implements the same functions):
//   vocab   = the text's distinct characters in code-point order (no special tokens)
//   split   = 90 / 5 / 5 % by position
//   stream  = StreamBatches(ids, B, bptt): B contiguous streams, chunk i = rows
//             [i·bptt, i·bptt + T) as input and shifted by one as target
//   step s  = chunk s mod #chunks; the LSTM state carries (detached) from chunk to chunk
//             and restarts from zero when the pass over the data wraps around
//   val     = the first `evalChunks` chunks of the validation stream, state carried,
//             mean cross-entropy over all their tokens (nats)

import {
  Adam, Embedding, Generator, LSTM, Linear, Module, StreamBatches, Tensor, Vocab, bitsPerChar, clipGradNorm,
  crossEntropy, noGrad, parseSafetensors, reshape, softmax, type RecurrentState,
} from '../../src/index.js';

export interface CharLMConfig {
  embed: number;
  hidden: number;
  layers: number;
}

export const DEFAULT_MODEL: CharLMConfig = { embed: 64, hidden: 256, layers: 2 };

export class CharLM extends Module {
  readonly embed: Embedding;
  readonly lstm: LSTM;
  readonly head: Linear;

  constructor(readonly vocabSize: number, readonly config: CharLMConfig = DEFAULT_MODEL, generator?: Generator) {
    super();
    const g = generator ? { generator } : {};
    this.embed = this.registerModule('embed', new Embedding(vocabSize, config.embed, g));
    this.lstm = this.registerModule('lstm', new LSTM({ inputSize: config.embed, hiddenSize: config.hidden, numLayers: config.layers, ...g }));
    this.head = this.registerModule('head', new Linear(config.hidden, vocabSize, g));
  }

  /** ids (T, B) int32 → logits (T, B, V) and the new state. */
  forwardState(ids: Tensor, state: RecurrentState | null): { logits: Tensor; state: RecurrentState } {
    const x = this.embed.forward(ids);
    const r = this.lstm.forwardState(x, state);
    return { logits: this.head.forward(r.output), state: r.state };
  }
}

/** Cuts the gradient history of a carried state (truncated BPTT). */
export function detachState(s: RecurrentState): RecurrentState {
  return { h: s.h ? s.h.detach() : null, c: s.c ? s.c.detach() : null };
}

/** Mean cross-entropy of logits (T, B, V) against target (T, B). */
export function lmLoss(logits: Tensor, target: Tensor): Tensor {
  const [T, B, V] = logits.shape as [number, number, number];
  return crossEntropy(reshape(logits, [T * B, V]), reshape(target, [T * B]));
}

export interface CharData {
  vocab: Vocab;
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/** Vocabulary in code-point order and the 90/5/5 split by position. */
export function prepareText(text: string): CharData {
  const chars = [...new Set(Array.from(text))].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
  const vocab = new Vocab('char', chars);
  const ids = vocab.encode(text);
  const n1 = Math.floor(ids.length * 0.9);
  const n2 = Math.floor(ids.length * 0.95);
  return { vocab, train: ids.slice(0, n1), val: ids.slice(n1, n2), test: ids.slice(n2) };
}

/** Mean cross-entropy (nats per character) over the first `chunks` chunks of a stream. */
export function evaluate(model: CharLM, stream: StreamBatches, chunks: number): number {
  return noGrad(() => {
    let state: RecurrentState | null = null;
    let total = 0;
    let count = 0;
    const n = Math.min(chunks, stream.length);
    for (let i = 0; i < n; i++) {
      const { input, target } = stream.get(i);
      const r = model.forwardState(input, state);
      state = r.state;
      total += lmLoss(r.logits, target).item() * target.size;
      count += target.size;
    }
    return total / count;
  });
}

export interface TrainConfig {
  steps: number;
  evalEvery: number;
  evalChunks: number;
  batch: number;
  bptt: number;
  lr: number;
  clip: number;
  model: CharLMConfig;
  seed: number;
  /** Initial weights (a state dict as safetensors bytes), e.g. written by the PyTorch twin. */
  init?: Uint8Array;
  /** Called after every evaluation. */
  onEval?: (row: CurveRow) => void;
}

export interface CurveRow {
  step: number;
  trainLoss: number;
  valLoss: number;
  valBpc: number;
  seconds: number;
}

export const DEFAULT_TRAIN: Omit<TrainConfig, 'init' | 'onEval'> = {
  steps: 1000, evalEvery: 100, evalChunks: 8, batch: 32, bptt: 64, lr: 2e-3, clip: 5, model: DEFAULT_MODEL, seed: 0,
};

/** Trains a CharLM; returns the model and the curve (step 0 = before training). */
export function train(data: CharData, cfg: TrainConfig): { model: CharLM; curve: CurveRow[] } {
  const model = new CharLM(data.vocab.size, cfg.model, new Generator(cfg.seed));
  if (cfg.init) {
    const parsed = parseSafetensors(cfg.init, { source: 'init' });
    model.loadStateDict(new Map([...parsed.tensors].map(([k, v]) => [k, v.tensor])));
  }
  const params = model.parameters();
  const opt = new Adam(params, { lr: cfg.lr });
  const trainStream = new StreamBatches(data.train, cfg.batch, cfg.bptt);
  const valStream = new StreamBatches(data.val, cfg.batch, cfg.bptt);
  const curve: CurveRow[] = [];
  const t0 = performance.now();
  let state: RecurrentState | null = null;
  let recent = 0;
  let recentN = 0;
  const record = (step: number): void => {
    const valLoss = evaluate(model, valStream, cfg.evalChunks);
    const row = { step, trainLoss: recentN ? recent / recentN : Number.NaN, valLoss, valBpc: bitsPerChar(valLoss), seconds: (performance.now() - t0) / 1000 };
    curve.push(row);
    cfg.onEval?.(row);
    recent = 0;
    recentN = 0;
  };
  record(0);
  for (let step = 1; step <= cfg.steps; step++) {
    const i = (step - 1) % trainStream.length;
    if (i === 0) state = null;
    const { input, target } = trainStream.get(i);
    opt.zeroGrad();
    const r = model.forwardState(input, state);
    const loss = lmLoss(r.logits, target);
    loss.backward();
    clipGradNorm(params, cfg.clip);
    opt.step();
    state = detachState(r.state);
    recent += loss.item();
    recentN++;
    if (step % cfg.evalEvery === 0 || step === cfg.steps) record(step);
  }
  return { model, curve };
}

/** Samples `length` characters after `prompt` at a temperature, one step at a time. */
export function sample(model: CharLM, vocab: Vocab, prompt: string, length: number, temperature: number, generator: Generator): string {
  if (!(temperature > 0)) throw new Error(`sample: temperature must be > 0, got ${temperature}`);
  return noGrad(() => {
    let state: RecurrentState | null = null;
    const ids = Array.from(vocab.encode(prompt));
    if (ids.length === 0) throw new Error('sample: the prompt must not be empty');
    let logits: Tensor | null = null;
    for (const id of ids) {
      const r = model.forwardState(new Tensor(Int32Array.of(id), [1, 1]), state);
      state = r.state;
      logits = r.logits;
    }
    const out: number[] = [];
    for (let n = 0; n < length; n++) {
      const V = vocab.size;
      const scaled = new Tensor(Float32Array.from((logits as Tensor).data, (v) => v / temperature), [V]);
      const p = softmax(scaled).data;
      let u = generator.uniform();
      let next = V - 1;
      for (let k = 0; k < V; k++) {
        u -= p[k] as number;
        if (u <= 0) {
          next = k;
          break;
        }
      }
      out.push(next);
      const r = model.forwardState(new Tensor(Int32Array.of(next), [1, 1]), state);
      state = r.state;
      logits = r.logits;
    }
    return prompt + vocab.decode(out);
  });
}
