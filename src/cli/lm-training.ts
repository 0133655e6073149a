// Training and evaluation of a character language model for the command line: Adam,
// gradient clipping, truncated BPTT over contiguous streams, periodic evaluation,
// interruption with a checkpoint. Progress goes to a reporter (progress bar, JSON lines
// or nothing); nothing here prints.

import { Adam, AdamW } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { RMSprop } from '../optim/rmsprop.js';
import { Adagrad } from '../optim/adagrad.js';
import { CosineAnnealingLR, ReduceLROnPlateau, StepLR, WarmupCosineLR } from '../optim/schedule.js';
import type { CellType } from '../models/recurrent-factory.js';
import { clipGradNorm } from '../optim/clip.js';
import { StreamBatches, splitByFraction } from '../data/batching.js';
import { Vocab } from '../data/vocab.js';
import { Generator } from '../util/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';
import { crossEntropy } from '../ops/loss.js';
import { reshape } from '../ops/shape.js';
import { bitsPerChar, perplexity } from '../train/metrics.js';
import { CharLM, detachState, sample, type LMState } from '../models/char-lm.js';
import { ArgumentError } from '../errors.js';

export interface LMModelConfig {
  embed: number;
  hidden: number;
  layers: number;
  /** Recurrent layer type (default 'lstm'). */
  cell?: CellType;
}

export const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const SCHEDULES = ['constant', 'cosine', 'warmup-cosine', 'step', 'plateau'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export interface LMTrainConfig {
  model: LMModelConfig;
  batch: number;
  bptt: number;
  lr: number;
  /** Optimizer (default 'adam'); SGD uses momentum 0.9. */
  optimizer?: OptimizerName;
  /** Weight decay (L2 for adam/sgd/rmsprop/adagrad, decoupled for adamw; default 0). */
  weightDecay?: number;
  /** Learning-rate schedule (default 'constant'). cosine and warmup-cosine need a step budget. */
  schedule?: ScheduleName;
  clip: number;
  /** Stop after this many updates (0: no limit). */
  steps: number;
  /** Stop after this many seconds (0: no limit). */
  seconds: number;
  /** Evaluate on the validation split every this many updates. */
  evalEvery: number;
  /** Validation chunks per evaluation. */
  evalChunks: number;
  /** Print a sample every this many seconds (0: never). */
  sampleEvery: number;
  seed: number;
}

export const DEFAULT_LM_TRAIN: LMTrainConfig = {
  model: { embed: 64, hidden: 256, layers: 2 },
  batch: 32, bptt: 64, lr: 2e-3, clip: 5, steps: 0, seconds: 150, evalEvery: 100, evalChunks: 8, sampleEvery: 30, seed: 0,
};

export interface LMData {
  vocab: Vocab;
  train: Int32Array;
  val: Int32Array;
}

/** Vocabulary (the text's characters in code-point order) and a 95/5 split by position. */
export function prepareText(text: string, vocab?: Vocab): LMData {
  const chars = Array.from(text);
  if (chars.length < 1000) throw new ArgumentError('train', 'text', 'at least 1000 characters', `${chars.length}`);
  let v = vocab;
  if (!v) {
    const set = [...new Set(chars)].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
    v = new Vocab('char', set);
  }
  const ids = v.encode(text);
  const [train, val] = splitByFraction(ids, [0.95, 0.05]) as [Int32Array, Int32Array];
  return { vocab: v, train, val };
}

export interface StepReport {
  step: number;
  loss: number;
  tokensPerSecond: number;
  seconds: number;
  /** Fraction of the run done (by steps or by time). */
  progress: number;
}

export interface EvalReport {
  step: number;
  valLoss: number;
  valBitsPerChar: number;
  seconds: number;
}

export interface Reporter {
  step?(r: StepReport): void;
  eval?(r: EvalReport): void;
  sample?(step: number, text: string): void;
}

export interface TrainResult {
  model: CharLM;
  optimizer: { stateDict(): unknown };
  schedule: { stateDict(): unknown } | null;
  steps: number;
  seconds: number;
  curve: EvalReport[];
  interrupted: boolean;
}

/** Mean cross-entropy (nats) of the model over the first `chunks` chunks of a stream. */
export function evaluateLM(model: CharLM, stream: StreamBatches, chunks: number): number {
  return noGrad(() => {
    let state: LMState | null = null;
    let total = 0;
    let count = 0;
    for (let i = 0; i < Math.min(chunks, stream.length); i++) {
      const { input, target } = stream.get(i);
      const r = model.forward(input, state);
      state = r.state;
      const [T, B, V] = r.logits.shape as [number, number, number];
      total += crossEntropy(reshape(r.logits, [T * B, V]), reshape(target, [T * B])).item() * T * B;
      count += T * B;
    }
    return total / count;
  });
}

/** Loss, bits per character and perplexity of a model on a text. */
export function evaluateText(model: CharLM, vocab: Vocab, text: string, batch = 16, bptt = 128): { loss: number; bitsPerChar: number; perplexity: number; characters: number } {
  for (const ch of text) if (!vocab.has(ch)) throw new ArgumentError('eval', 'text', "characters of the model's vocabulary", ch);
  const ids = vocab.encode(text);
  const b = Math.max(1, Math.min(batch, Math.floor(ids.length / 2)));
  const stream = new StreamBatches(ids, b, bptt);
  const loss = evaluateLM(model, stream, stream.length);
  return { loss, bitsPerChar: bitsPerChar(loss), perplexity: perplexity(loss), characters: ids.length };
}

export interface TrainOptions {
  config: LMTrainConfig;
  data: LMData;
  /** Continue from this model and optimizer state (resume). */
  model?: CharLM;
  optimizerState?: unknown;
  scheduleState?: unknown;
  startStep?: number;
  reporter?: Reporter;
  /** Polled every step; true stops training (e.g. after Ctrl-C). */
  shouldStop?: () => boolean;
}

/**
 * Trains (asynchronously: it yields to the event loop after every update, so signals such
 * as Ctrl-C and progress rendering get their turn).
 */
export async function trainLM(o: TrainOptions): Promise<TrainResult> {
  const c = o.config;
  const model = o.model ?? new CharLM(o.data.vocab.size, { ...c.model, generator: new Generator(c.seed) });
  const params = model.parameters();
  const optimizer = makeOptimizer(c, params);
  if (o.optimizerState) optimizer.loadStateDict(o.optimizerState as never);
  const schedule = makeSchedule(c, optimizer, (o.startStep ?? 0) + c.steps);
  if (o.scheduleState && schedule) schedule.loadStateDict(o.scheduleState as never);
  const train = new StreamBatches(o.data.train, c.batch, c.bptt);
  const val = new StreamBatches(o.data.val, Math.max(1, Math.min(c.batch, Math.floor(o.data.val.length / 2))), c.bptt);
  const sampler = new Generator(c.seed + 1);
  const curve: EvalReport[] = [];
  const t0 = performance.now();
  const seconds = (): number => (performance.now() - t0) / 1000;
  let state: LMState | null = null;
  let step = o.startStep ?? 0;
  const first = step;
  let lastSample = 0;
  let tokens = 0;
  let interrupted = false;
  const done = (): boolean => (c.steps > 0 && step - first >= c.steps) || (c.seconds > 0 && seconds() >= c.seconds);
  const record = (): void => {
    const valLoss = evaluateLM(model, val, c.evalChunks);
    if (schedule instanceof ReduceLROnPlateau) schedule.step(valLoss);
    const r = { step, valLoss, valBitsPerChar: bitsPerChar(valLoss), seconds: seconds() };
    curve.push(r);
    o.reporter?.eval?.(r);
  };
  while (!done()) {
    await new Promise<void>((r) => setImmediate(r));
    if (o.shouldStop?.()) {
      interrupted = true;
      break;
    }
    const i = step % train.length;
    if (i === 0) state = null;
    const { input, target } = train.get(i);
    optimizer.zeroGrad();
    const r = model.forward(input, state);
    const [T, B, V] = r.logits.shape as [number, number, number];
    const loss = crossEntropy(reshape(r.logits, [T * B, V]), reshape(target, [T * B]));
    loss.backward();
    clipGradNorm(params, c.clip);
    optimizer.step();
    if (schedule && !(schedule instanceof ReduceLROnPlateau)) schedule.step();
    state = detachState(r.state);
    step++;
    tokens += T * B;
    const s = seconds();
    const progress = Math.min(1, Math.max(c.steps > 0 ? (step - first) / c.steps : 0, c.seconds > 0 ? s / c.seconds : 0));
    o.reporter?.step?.({ step, loss: loss.item(), tokensPerSecond: tokens / Math.max(s, 1e-9), seconds: s, progress });
    if (step % c.evalEvery === 0) record();
    if (c.sampleEvery > 0 && s - lastSample >= c.sampleEvery) {
      lastSample = s;
      o.reporter?.sample?.(step, sampleFrom(model, o.data.vocab, sampler));
    }
  }
  if (curve.length === 0 || (curve[curve.length - 1] as EvalReport).step !== step) record();
  return { model, optimizer, schedule, steps: step, seconds: seconds(), curve, interrupted };
}

type AnyOptimizer = Adam | AdamW | SGD | RMSprop | Adagrad;
type AnySchedule = CosineAnnealingLR | WarmupCosineLR | StepLR | ReduceLROnPlateau;

/** The optimizer a config asks for. */
export function makeOptimizer(c: LMTrainConfig, params: Tensor[]): AnyOptimizer {
  const weightDecay = c.weightDecay ?? 0;
  switch (c.optimizer ?? 'adam') {
    case 'adam': return new Adam(params, { lr: c.lr, weightDecay });
    case 'adamw': return new AdamW(params, { lr: c.lr, weightDecay });
    case 'sgd': return new SGD(params, { lr: c.lr, momentum: 0.9, weightDecay });
    case 'rmsprop': return new RMSprop(params, { lr: c.lr, weightDecay });
    case 'adagrad': return new Adagrad(params, { lr: c.lr, weightDecay });
    default: throw new ArgumentError('train', 'optimizer', `one of ${OPTIMIZERS.join(', ')}`, c.optimizer);
  }
}

/**
 * The schedule a config asks for, stepped once per update (plateau: once per evaluation,
 * on the validation loss). cosine anneals to 0 over the step budget; warmup-cosine warms
 * up over its first 5 %; step halves the rate every 1000 updates; plateau halves it after
 * 3 evaluations without improvement.
 */
export function makeSchedule(c: LMTrainConfig, optimizer: AnyOptimizer, totalSteps: number): AnySchedule | null {
  const name = c.schedule ?? 'constant';
  if ((name === 'cosine' || name === 'warmup-cosine') && !(c.steps > 0)) {
    throw new ArgumentError('train', 'schedule', `a step budget (--steps) for the ${name} schedule`, 'a time budget only');
  }
  switch (name) {
    case 'constant': return null;
    case 'cosine': return new CosineAnnealingLR(optimizer, totalSteps);
    case 'warmup-cosine': return new WarmupCosineLR(optimizer, Math.max(1, Math.round(0.05 * totalSteps)), totalSteps);
    case 'step': return new StepLR(optimizer, 1000, 0.5);
    case 'plateau': return new ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 3 });
    default: throw new ArgumentError('train', 'schedule', `one of ${SCHEDULES.join(', ')}`, name);
  }
}

/** A short sample for progress output: a prompt from the vocabulary, temperature 0.8. */
export function sampleFrom(model: CharLM, vocab: Vocab, g: Generator, length = 160): string {
  const prompt = ['T', 'A', 'W', 'I', 'S'].find((p) => vocab.has(p)) ?? (vocab.tokens[0] as string);
  return sample(model, vocab, prompt, length, 0.8, g, 0);
}

/** Pretty size of a tensor list. */
export function countParameters(ts: readonly Tensor[]): number {
  return ts.reduce((a, t) => a + t.size, 0);
}
