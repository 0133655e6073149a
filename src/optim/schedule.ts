// Learning-rate schedules (PyTorch's lr_scheduler), stepped once per optimizer update
// (or per epoch — the unit is the caller's). Each sets every group's lr from the
// group's initial lr; state dicts allow exact resumption.

import { ArgumentError, SerializationError } from '../errors.js';
import type { Optimizer } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

interface ScheduleState {
  lastEpoch: number;
  baseLrs: number[];
  [key: string]: unknown;
}

abstract class Schedule {
  lastEpoch = 0;
  readonly baseLrs: number[];

  constructor(protected readonly optimizer: AnyOptimizer, protected readonly name: string) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) throw new ArgumentError(name, 'optimizer', 'an Optimizer', optimizer);
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** lr of group i at epoch e. */
  protected abstract lrAt(base: number, e: number, i: number): number;

  step(): void {
    this.lastEpoch++;
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lrAt(this.baseLrs[i] as number, this.lastEpoch, i)));
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): ScheduleState {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice() };
  }

  loadStateDict(s: ScheduleState): void {
    if (!s || !Number.isInteger(s.lastEpoch) || !Array.isArray(s.baseLrs) || s.baseLrs.length !== this.baseLrs.length) {
      throw new SerializationError(`${this.name}.loadStateDict`, `expected { lastEpoch, baseLrs } for ${this.baseLrs.length} groups`);
    }
    this.lastEpoch = s.lastEpoch;
    s.baseLrs.forEach((v, i) => (this.baseLrs[i] = v));
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lastEpoch === 0 ? (this.baseLrs[i] as number) : this.lrAt(this.baseLrs[i] as number, this.lastEpoch, i)));
  }
}

function positive(name: string, key: string, v: unknown, integer = false): number {
  if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v))) {
    throw new ArgumentError(name, key, integer ? 'a positive integer' : 'a positive number', v);
  }
  return v;
}

/** lr = base · γ^⌊epoch / stepSize⌋ */
export class StepLR extends Schedule {
  constructor(optimizer: AnyOptimizer, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer, 'StepLR');
    positive('StepLR', 'stepSize', stepSize, true);
    positive('StepLR', 'gamma', gamma);
  }
  protected lrAt(base: number, e: number): number {
    return base * this.gamma ** Math.floor(e / this.stepSize);
  }
}

/** lr = base · γ^epoch */
export class ExponentialLR extends Schedule {
  constructor(optimizer: AnyOptimizer, readonly gamma: number) {
    super(optimizer, 'ExponentialLR');
    positive('ExponentialLR', 'gamma', gamma);
  }
  protected lrAt(base: number, e: number): number {
    return base * this.gamma ** e;
  }
}

/** lr = ηmin + (base − ηmin)(1 + cos(π·epoch/tMax))/2 (closed form, as PyTorch documents). */
export class CosineAnnealingLR extends Schedule {
  constructor(optimizer: AnyOptimizer, readonly tMax: number, readonly etaMin = 0) {
    super(optimizer, 'CosineAnnealingLR');
    positive('CosineAnnealingLR', 'tMax', tMax, true);
  }
  protected lrAt(base: number, e: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * e) / this.tMax))) / 2;
  }
}

/**
 * Linear warm-up from base·startFactor to base over `warmup` steps, then cosine decay to
 * etaMin at `total` steps (the usual recipe for recurrent language models).
 */
export class WarmupCosineLR extends Schedule {
  constructor(optimizer: AnyOptimizer, readonly warmup: number, readonly total: number, readonly etaMin = 0, readonly startFactor = 0) {
    super(optimizer, 'WarmupCosineLR');
    if (!Number.isInteger(warmup) || warmup < 0) throw new ArgumentError('WarmupCosineLR', 'warmup', 'a non-negative integer', warmup);
    positive('WarmupCosineLR', 'total', total, true);
    if (total <= warmup) throw new ArgumentError('WarmupCosineLR', 'total', `an integer > warmup (${warmup})`, total);
    optimizer.paramGroups.forEach((g, i) => (g.lr = this.lrAt(this.baseLrs[i] as number, 0)));
  }
  protected lrAt(base: number, e: number): number {
    if (e < this.warmup) return base * (this.startFactor + ((1 - this.startFactor) * e) / this.warmup);
    const t = Math.min(1, (e - this.warmup) / (this.total - this.warmup));
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos(Math.PI * t))) / 2;
  }
}

export interface PlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/** Divides the lr by 1/factor when a metric stops improving (PyTorch ReduceLROnPlateau). */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(private readonly optimizer: AnyOptimizer, o: PlateauOptions = {}) {
    this.mode = o.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') throw new ArgumentError('ReduceLROnPlateau', 'mode', "'min' or 'max'", this.mode);
    this.factor = o.factor ?? 0.1;
    if (!(this.factor > 0 && this.factor < 1)) throw new ArgumentError('ReduceLROnPlateau', 'factor', 'a number in (0, 1)', this.factor);
    this.patience = o.patience ?? 10;
    this.threshold = o.threshold ?? 1e-4;
    this.thresholdMode = o.thresholdMode ?? 'rel';
    this.cooldown = o.cooldown ?? 0;
    const n = optimizer.paramGroups.length;
    this.minLrs = Array.isArray(o.minLr) ? o.minLr.slice() : new Array<number>(n).fill(o.minLr ?? 0);
    if (this.minLrs.length !== n) throw new ArgumentError('ReduceLROnPlateau', 'minLr', `${n} values (one per group)`, o.minLr);
    this.eps = o.eps ?? 1e-8;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { mode, thresholdMode: tm, threshold: th, best } = this;
    if (mode === 'min') return tm === 'rel' ? a < best * (1 - th) : a < best - th;
    return tm === 'rel' ? a > best * (th + 1) : a > best + th;
  }

  step(metric?: number): void {
    if (typeof metric !== 'number') throw new ArgumentError('ReduceLROnPlateau.step', 'metric', 'a number (the monitored quantity)', metric);
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i] as number);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): Record<string, number> {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch };
  }

  loadStateDict(s: Record<string, number>): void {
    for (const k of ['best', 'numBadEpochs', 'cooldownCounter', 'lastEpoch'] as const) {
      if (typeof s?.[k] !== 'number') throw new SerializationError('ReduceLROnPlateau.loadStateDict', `missing number '${k}'`);
    }
    this.best = s.best as number;
    this.numBadEpochs = s.numBadEpochs as number;
    this.cooldownCounter = s.cooldownCounter as number;
    this.lastEpoch = s.lastEpoch as number;
  }
}
