// Optimizer base: parameter groups with their own hyperparameters, lazily created
// per-parameter state, zeroGrad, and a state dict shaped like PyTorch's
// ({ state: { index: {...} }, paramGroups: [{ ...hyper, params: [indices] }] }).
// Updates run in place on each parameter's storage, in its own precision, under noGrad.

import { ArgumentError, SerializationError } from '../errors.js';
import type { FloatArray } from '../util/arrays.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';

export type ParamGroup<H> = H & { params: Tensor[] };
export type ParamGroupInput<H> = Partial<H> & { params: Tensor[] };

/** Per-parameter state: typed-array buffers and scalar counters. */
export type ParamState = Record<string, FloatArray | number>;

export interface OptimizerStateDict<H> {
  state: Record<number, ParamState>;
  paramGroups: (H & { params: number[] })[];
}

export abstract class Optimizer<H extends { lr: number }> {
  readonly paramGroups: ParamGroup<H>[];
  protected readonly state = new Map<Tensor, ParamState>();
  protected readonly name: string;

  protected constructor(name: string, params: Tensor[] | ParamGroupInput<H>[], defaults: H) {
    this.name = name;
    if (!Array.isArray(params) || params.length === 0) throw new ArgumentError(name, 'params', 'a non-empty array of parameters or parameter groups', params);
    const groups: ParamGroupInput<H>[] = (params[0] as { params?: unknown }).params !== undefined
      ? (params as ParamGroupInput<H>[])
      : [{ params: params as Tensor[] } as ParamGroupInput<H>];
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g, gi) => {
      if (!Array.isArray(g.params) || g.params.length === 0) throw new ArgumentError(name, `params[${gi}].params`, 'a non-empty array of tensors', g.params);
      for (const p of g.params) {
        if (!p || typeof p !== 'object' || !('data' in p) || p.dtype === 'int32') throw new ArgumentError(name, `params[${gi}]`, 'float tensors', p);
        if (!p.requiresGrad) throw new ArgumentError(name, `params[${gi}]`, 'tensors that require grad (use Parameter)', 'a tensor without requiresGrad');
        if (seen.has(p)) throw new ArgumentError(name, `params[${gi}]`, 'each parameter in one group only', 'a repeated parameter');
        seen.add(p);
      }
      const merged = { ...defaults, ...g } as ParamGroup<H>;
      this.validate(merged, gi);
      return merged;
    });
  }

  /** Checks a group's hyperparameters (lr > 0 and the optimizer's own ranges). */
  protected validate(group: H, gi: number): void {
    const lr = group.lr;
    if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) throw new ArgumentError(this.name, gi === 0 ? 'lr' : `paramGroups[${gi}].lr`, 'a positive finite number', lr);
  }

  /** Sets every parameter's gradient to null. */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue; // PyTorch skips parameters whose .grad is None
          let st = this.state.get(p);
          if (!st) {
            st = this.initState(p, group);
            this.state.set(p, st);
          }
          this.update(p.data as FloatArray, p.grad.data as FloatArray, st, group);
        }
      }
    });
  }

  /** Fresh state for a parameter, created at its first update. */
  protected abstract initState(p: Tensor, group: ParamGroup<H>): ParamState;

  /** The update rule, in place on `param`. */
  protected abstract update(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<H>): void;

  private allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** PyTorch-shaped state dict; buffers are copies. */
  stateDict(): OptimizerStateDict<H> {
    const params = this.allParams();
    const state: Record<number, ParamState> = {};
    params.forEach((p, i) => {
      const st = this.state.get(p);
      if (!st) return;
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(st)) copy[k] = typeof v === 'number' ? v : v.slice();
      state[i] = copy;
    });
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params: ps, ...hyper } = g;
      return { ...(hyper as unknown as H), params: ps.map(() => next++) };
    });
    return { state, paramGroups };
  }

  /** Restores a state dict from an optimizer over parameters of the same shapes. */
  loadStateDict(sd: OptimizerStateDict<H>): void {
    const src = `${this.name}.loadStateDict`;
    if (!sd || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') {
      throw new SerializationError(src, 'expected { state, paramGroups }');
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new SerializationError(src, `the state has ${sd.paramGroups.length} parameter groups, this optimizer ${this.paramGroups.length}`);
    }
    sd.paramGroups.forEach((g, gi) => {
      const mine = this.paramGroups[gi] as ParamGroup<H>;
      if (!Array.isArray(g.params) || g.params.length !== mine.params.length) {
        throw new SerializationError(src, `group ${gi} has ${g.params?.length} parameters, this optimizer's has ${mine.params.length}`);
      }
    });
    const params = this.allParams();
    const restored = new Map<Tensor, ParamState>();
    for (const [key, st] of Object.entries(sd.state)) {
      const i = Number(key);
      const p = params[i];
      if (!p || !Number.isInteger(i)) throw new SerializationError(src, `state for parameter ${key}, which does not exist`);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(st)) {
        if (typeof v === 'number') copy[k] = v;
        else if (ArrayBuffer.isView(v) && (v as FloatArray).length === p.size) {
          copy[k] = p.dtype === 'float64' ? Float64Array.from(v as FloatArray) : Float32Array.from(v as FloatArray);
        } else {
          throw new SerializationError(src, `state '${k}' of parameter ${i} must have ${p.size} elements (shape [${p.shape.join(', ')}])`);
        }
      }
      restored.set(p, copy);
    }
    // Everything validated: apply.
    sd.paramGroups.forEach((g, gi) => {
      const { params: _ignored, ...hyper } = g;
      Object.assign(this.paramGroups[gi] as object, hyper);
    });
    this.state.clear();
    for (const [p, st] of restored) this.state.set(p, st);
  }
}

/** Throws unless v is a number in [lo, hi) (or [lo, hi] when inclusive). */
export function checkRange(op: string, name: string, v: unknown, lo: number, hi: number, inclusiveHi = false): void {
  if (typeof v !== 'number' || !(v >= lo) || !(inclusiveHi ? v <= hi : v < hi)) {
    throw new ArgumentError(op, name, `a number in [${lo}, ${hi}${inclusiveHi ? ']' : ')'}`, v);
  }
}
