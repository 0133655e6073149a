// Trainer: the training loop every example needs, small enough to read in one sitting.
// One step = zero grads → loss(batch) → NaN/Inf check → backward → optional clipping →
// optimizer step → schedule step → callbacks. Evaluation every N steps; callbacks can
// stop training (early stopping). The whole state (weights, optimizer, schedule,
// generators, step) goes into one checkpoint, and resuming reproduces the losses of
// an uninterrupted run.

import { ArgumentError, NumericError, SerializationError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';
import type { Module } from '../nn/module.js';
import type { Generator, GeneratorState } from '../util/rng.js';
import { decodeCheckpoint, encodeCheckpoint, loadCheckpointWeights, type DecodedCheckpoint } from '../io/checkpoint.js';

/** What the trainer needs of an optimizer (every optimizer in src/optim fits). */
export interface OptimizerLike {
  step(): void;
  zeroGrad(): void;
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

/** What the trainer needs of a learning-rate schedule. */
export interface SchedulerLike {
  step(metric?: number): void;
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

export interface StepInfo {
  step: number;
  loss: number;
  /** Gradient norm before clipping (when clipping is on). */
  gradNorm?: number;
  /** Milliseconds the step took. */
  ms: number;
}

export interface EvalInfo {
  step: number;
  /** Validation loss returned by `evaluate`. */
  loss: number;
  best: number;
}

/** Hooks called by the loop. Returning 'stop' ends training after the current step. */
export interface TrainerCallback {
  onStep?(info: StepInfo, trainer: Trainer<never>): void | 'stop';
  onEval?(info: EvalInfo, trainer: Trainer<never>): void | 'stop';
  onEnd?(trainer: Trainer<never>): void;
}

export interface TrainerOptions<B> {
  model: Module;
  optimizer: OptimizerLike;
  /** Computes the loss of one batch (a one-element tensor). The model is in training mode. */
  loss: (batch: B, step: number) => Tensor;
  scheduler?: SchedulerLike;
  /** 'step' (default): scheduler.step() after every update; 'eval': scheduler.step(valLoss) after each evaluation (plateau schedules). */
  schedulerMode?: 'step' | 'eval';
  /** Clip the global gradient norm to this value before each update. */
  clipGradNorm?: (params: Tensor[]) => number;
  /** Validation loss, computed in eval mode without recording the graph. */
  evaluate?: () => number;
  /** Evaluate every N steps (default: never, unless evaluate is given: 100). */
  evalEvery?: number;
  callbacks?: TrainerCallback[];
  /** Generators whose state is saved in checkpoints (data shuffling, dropout, sampling). */
  generators?: Record<string, Generator>;
}

export interface FitResult {
  steps: number;
  losses: number[];
  evals: EvalInfo[];
  stoppedEarly: boolean;
}

export class Trainer<B> {
  /** Number of updates done so far (restored by `restore`). */
  step = 0;
  /** Best validation loss seen so far. */
  bestEval = Infinity;
  private readonly opts: TrainerOptions<B>;

  constructor(options: TrainerOptions<B>) {
    if (!options || typeof options.loss !== 'function') throw new ArgumentError('Trainer', 'options.loss', 'a function (batch, step) => loss tensor', options?.loss);
    if (!options.model || typeof options.model.parameters !== 'function') throw new ArgumentError('Trainer', 'options.model', 'a Module', options?.model);
    if (!options.optimizer || typeof options.optimizer.step !== 'function') throw new ArgumentError('Trainer', 'options.optimizer', 'an optimizer', options?.optimizer);
    const every = options.evalEvery ?? (options.evaluate ? 100 : 0);
    if (!Number.isInteger(every) || every < 0) throw new ArgumentError('Trainer', 'options.evalEvery', 'a non-negative integer', options.evalEvery);
    this.opts = { ...options, evalEvery: every };
  }

  get model(): Module {
    return this.opts.model;
  }

  /** One update on one batch; returns the loss. Throws NumericError on a NaN or infinite loss. */
  trainStep(batch: B): StepInfo {
    const { model, optimizer, scheduler } = this.opts;
    const t0 = performance.now();
    model.train();
    optimizer.zeroGrad();
    const lossT = this.opts.loss(batch, this.step);
    if (lossT.size !== 1) throw new ArgumentError('Trainer', 'loss', 'a function returning a one-element tensor', `a tensor of shape [${lossT.shape.join(', ')}]`);
    const loss = lossT.item();
    if (!Number.isFinite(loss)) {
      throw new NumericError('Trainer', `the loss is ${loss} at step ${this.step + 1}; training stopped (lower the learning rate or clip gradients)`);
    }
    lossT.backward();
    const gradNorm = this.opts.clipGradNorm ? this.opts.clipGradNorm(model.parameters()) : undefined;
    optimizer.step();
    this.step++;
    if (scheduler && (this.opts.schedulerMode ?? 'step') === 'step') scheduler.step();
    return { step: this.step, loss, ms: performance.now() - t0, ...(gradNorm !== undefined ? { gradNorm } : {}) };
  }

  /** Runs evaluate() in eval mode without recording; returns the validation loss. */
  evaluateNow(): EvalInfo {
    if (!this.opts.evaluate) throw new ArgumentError('Trainer.evaluateNow', 'options.evaluate', 'a function', undefined);
    const { model } = this.opts;
    const wasTraining = model.training;
    model.eval();
    const loss = noGrad(() => (this.opts.evaluate as () => number)());
    model.train(wasTraining);
    this.bestEval = Math.min(this.bestEval, loss);
    if (this.opts.scheduler && this.opts.schedulerMode === 'eval') this.opts.scheduler.step(loss);
    return { step: this.step, loss, best: this.bestEval };
  }

  /**
   * Trains over `batches` until they run out or `maxSteps` total updates are done (the
   * count includes steps restored from a checkpoint).
   */
  fit(batches: Iterable<B>, options: { maxSteps?: number } = {}): FitResult {
    const maxSteps = options.maxSteps ?? Infinity;
    const callbacks = this.opts.callbacks ?? [];
    const losses: number[] = [];
    const evals: EvalInfo[] = [];
    let stop = false;
    for (const batch of batches) {
      if (this.step >= maxSteps) break;
      const info = this.trainStep(batch);
      losses.push(info.loss);
      for (const cb of callbacks) if (cb.onStep?.(info, this as unknown as Trainer<never>) === 'stop') stop = true;
      if (this.opts.evaluate && this.opts.evalEvery && this.step % this.opts.evalEvery === 0) {
        const e = this.evaluateNow();
        evals.push(e);
        for (const cb of callbacks) if (cb.onEval?.(e, this as unknown as Trainer<never>) === 'stop') stop = true;
      }
      if (stop) break;
    }
    for (const cb of callbacks) cb.onEnd?.(this as unknown as Trainer<never>);
    return { steps: this.step, losses, evals, stoppedEarly: stop };
  }

  /** The complete training state as checkpoint bytes (see io/checkpoint.ts). */
  checkpoint(extra?: { config?: unknown; extra?: unknown }): Uint8Array {
    const rng: Record<string, GeneratorState> = {};
    for (const [name, g] of Object.entries(this.opts.generators ?? {})) rng[name] = g.getState();
    return encodeCheckpoint(this.opts.model, {
      step: this.step,
      optimizer: this.opts.optimizer.stateDict(),
      scheduler: this.opts.scheduler ? this.opts.scheduler.stateDict() : null,
      rng,
      config: extra?.config ?? null,
      extra: { bestEval: this.bestEval, user: extra?.extra ?? null },
    });
  }

  /** Restores weights, optimizer, schedule, generators and step from a checkpoint. */
  restore(source: Uint8Array | DecodedCheckpoint, name = 'checkpoint'): void {
    const ck = source instanceof Uint8Array ? decodeCheckpoint(source, name) : source;
    loadCheckpointWeights(this.opts.model, ck, name);
    try {
      this.opts.optimizer.loadStateDict(ck.optimizer as never);
      if (this.opts.scheduler && ck.scheduler !== null) this.opts.scheduler.loadStateDict(ck.scheduler as never);
    } catch (e) {
      throw new SerializationError(name, `the optimizer or schedule state does not fit: ${(e as Error).message}`);
    }
    const rng = (ck.rng ?? {}) as Record<string, GeneratorState>;
    for (const [key, g] of Object.entries(this.opts.generators ?? {})) {
      const st = rng[key];
      if (!st) throw new SerializationError(name, `the checkpoint has no state for generator '${key}'`);
      g.setState(st);
    }
    this.step = ck.step ?? 0;
    const extra = ck.extra as { bestEval?: number } | null;
    this.bestEval = typeof extra?.bestEval === 'number' ? extra.bestEval : Infinity;
  }
}

/** Stops training when the validation loss has not improved by minDelta for `patience` evaluations. */
export function earlyStopping(options: { patience: number; minDelta?: number }): TrainerCallback {
  if (!Number.isInteger(options.patience) || options.patience < 1) throw new ArgumentError('earlyStopping', 'patience', 'a positive integer', options.patience);
  let best = Infinity;
  let bad = 0;
  return {
    onEval(info) {
      if (info.loss < best - (options.minDelta ?? 0)) {
        best = info.loss;
        bad = 0;
        return undefined;
      }
      bad++;
      return bad >= options.patience ? 'stop' : undefined;
    },
  };
}

/** Calls `save(trainer)` every `every` steps and at the end (e.g. write trainer.checkpoint() to disk). */
export function checkpointEvery(every: number, save: (trainer: Trainer<never>) => void): TrainerCallback {
  if (!Number.isInteger(every) || every < 1) throw new ArgumentError('checkpointEvery', 'every', 'a positive integer', every);
  return {
    onStep(info, trainer) {
      if (info.step % every === 0) save(trainer);
    },
    onEnd(trainer) {
      save(trainer);
    },
  };
}

/** Logs step, loss and speed every `every` steps through `log` (default console.log). */
export function logEvery(every: number, log: (line: string) => void = console.log): TrainerCallback {
  let window: number[] = [];
  let ms = 0;
  return {
    onStep(info) {
      window.push(info.loss);
      ms += info.ms;
      if (info.step % every === 0) {
        const mean = window.reduce((a, b) => a + b, 0) / window.length;
        log(`step ${info.step}  loss ${mean.toFixed(4)}  ${(ms / window.length).toFixed(1)} ms/step`);
        window = [];
        ms = 0;
      }
    },
    onEval(info) {
      log(`step ${info.step}  validation loss ${info.loss.toFixed(4)} (best ${info.best.toFixed(4)})`);
    },
  };
}
