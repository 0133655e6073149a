// Weight averaging (PyTorch's torch.optim.swa_utils.AveragedModel): the average of a
// model's parameters sampled during training — the equal average of every sample
// (stochastic weight averaging, Izmailov et al. 2018) or an exponential moving average
// (Polyak averaging). The average often generalises better than the last weights.
//
//   equal:  avg_1 = p_1;  avg_n = avg_{n−1} + (p_n − avg_{n−1}) / n        (as PyTorch's default)
//   EMA:    avg_1 = p_1;  avg_n = decay·avg_{n−1} + (1 − decay)·p_n
//
// Only parameters are averaged (buffers are the module's own, as PyTorch's default
// use_buffers = false). Arithmetic in float64, stored in the parameters' dtype.

import { ArgumentError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module, StateDict } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import type { FloatArray } from '../util/arrays.js';

export interface AveragedModelOptions {
  /** Exponential moving average with this decay in [0, 1); default: the equal average of every sample. */
  decay?: number;
}

/**
 * Keeps the average of a module's parameters over the samples taken by `updateParameters()`.
 *
 * @example
 * const swa = new AveragedModel(model);
 * // in the training loop, from some update on:  swa.updateParameters();
 * const devLoss = swa.withAveraged(() => evaluate(model)); // the model holds the average inside
 * swa.copyToModule();                                       // or keep the average for good
 */
export class AveragedModel {
  readonly module: Module;
  /** null: the equal average; else the EMA decay. */
  readonly decay: number | null;
  private readonly named: [string, Parameter][];
  private averages: FloatArray[] | null = null;
  private n = 0;

  constructor(module: Module, options: AveragedModelOptions = {}) {
    const name = 'AveragedModel';
    if (module === null || typeof module !== 'object' || typeof (module as Module).namedParameters !== 'function') {
      throw new ArgumentError(name, 'module', 'a Module', module);
    }
    const decay = options.decay;
    if (decay !== undefined && (typeof decay !== 'number' || !(decay >= 0 && decay < 1))) {
      throw new ArgumentError(name, 'decay', 'a number in [0, 1)', decay);
    }
    this.module = module;
    this.decay = decay ?? null;
    this.named = module.namedParameters();
    if (this.named.length === 0) throw new ArgumentError(name, 'module', 'a module with parameters', 'none');
  }

  /** Samples averaged so far. */
  get nAveraged(): number {
    return this.n;
  }

  /** Adds the module's current parameters to the average. */
  updateParameters(): void {
    this.checkSizes('updateParameters');
    if (this.averages === null) {
      this.averages = this.named.map(([, p]) => (p.data as FloatArray).slice());
      this.n = 1;
      return;
    }
    this.n++;
    const n = this.n;
    const decay = this.decay;
    this.named.forEach(([, p], i) => {
      const a = (this.averages as FloatArray[])[i] as FloatArray;
      const d = p.data as FloatArray;
      if (decay === null) for (let j = 0; j < a.length; j++) a[j] = (a[j] as number) + ((d[j] as number) - (a[j] as number)) / n;
      else for (let j = 0; j < a.length; j++) a[j] = decay * (a[j] as number) + (1 - decay) * (d[j] as number);
    });
  }

  /** Runs fn with the averaged parameters in the module, then puts the module's own back (also when fn throws). */
  withAveraged<T>(fn: () => T): T {
    const averages = this.requireAverages('withAveraged');
    const saved = this.named.map(([, p]) => (p.data as FloatArray).slice());
    this.named.forEach(([, p], i) => (p.data as FloatArray).set(averages[i] as FloatArray));
    try {
      return fn();
    } finally {
      this.named.forEach(([, p], i) => (p.data as FloatArray).set(saved[i] as FloatArray));
    }
  }

  /** Writes the averaged parameters into the module. */
  copyToModule(): void {
    const averages = this.requireAverages('copyToModule');
    this.named.forEach(([, p], i) => (p.data as FloatArray).set(averages[i] as FloatArray));
  }

  /** The averages by parameter name (copies), and `n_averaged`, as PyTorch's AveragedModel. */
  stateDict(): StateDict {
    const out: StateDict = { n_averaged: new Tensor(new Float64Array([this.n]), []) };
    if (this.averages) {
      this.named.forEach(([name, p], i) => (out[name] = new Tensor((this.averages as FloatArray[])[i]!.slice(), p.shape)));
    }
    return out;
  }

  /** Restores a stateDict() of an average of the same module (to resume averaging after a restart). */
  loadStateDict(state: StateDict): void {
    const op = 'AveragedModel.loadStateDict';
    const count = state.n_averaged;
    if (!(count instanceof Tensor) || count.size !== 1) throw new ArgumentError(op, 'state.n_averaged', 'a one-element tensor', count);
    const n = count.data[0] as number;
    if (!Number.isInteger(n) || n < 0) throw new ArgumentError(op, 'state.n_averaged', 'a non-negative integer', n);
    if (n === 0) {
      this.averages = null;
      this.n = 0;
      return;
    }
    const averages = this.named.map(([name, p]) => {
      const t = state[name];
      if (!(t instanceof Tensor)) throw new ArgumentError(op, `state['${name}']`, `a tensor of shape (${p.shape.join(', ')})`, t);
      if (t.size !== p.size || t.shape.join(',') !== p.shape.join(',')) throw new ArgumentError(op, `state['${name}']`, `shape (${p.shape.join(', ')})`, `(${t.shape.join(', ')})`);
      const a = (p.data as FloatArray).slice();
      for (let j = 0; j < a.length; j++) a[j] = t.data[j] as number;
      return a;
    });
    this.averages = averages;
    this.n = n;
  }

  private requireAverages(op: string): FloatArray[] {
    if (this.averages === null) throw new ArgumentError(`AveragedModel.${op}`, 'this', 'an average of at least one sample (call updateParameters() first)', 'no samples');
    this.checkSizes(op);
    return this.averages;
  }

  private checkSizes(op: string): void {
    for (const [name, p] of this.named) {
      if (p.data.length !== p.size) throw new ArgumentError(`AveragedModel.${op}`, name, 'a contiguous parameter', `a view of ${p.size} of ${p.data.length} elements`);
    }
    if (this.averages) {
      this.named.forEach(([name, p], i) => {
        if ((this.averages as FloatArray[])[i]!.length !== p.size) throw new ArgumentError(`AveragedModel.${op}`, name, `${(this.averages as FloatArray[])[i]!.length} elements (as when averaging began)`, p.size);
      });
    }
  }
}
