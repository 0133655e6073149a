// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019) with PyTorch 1.13's rule:
//   t ← t + 1;  g ← ±grad (+ wd·p for Adam);  (AdamW: p ← p·(1 − lr·wd))
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  (AMSGrad: v̂ ← max(v̂, v))
//   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)

import type { FloatArray } from '../util/arrays.js';
import type { Tensor } from '../tensor/tensor.js';
import { backendFor } from '../backend/registry.js';
import { Optimizer, checkRange, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

class AdamBase extends Optimizer<AdamOptions> {
  constructor(name: string, private readonly decoupled: boolean, params: Tensor[] | ParamGroupInput<AdamOptions>[], defaults: AdamOptions) {
    super(name, params, defaults);
  }

  protected override validate(g: AdamOptions, gi: number): void {
    super.validate(g, gi);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) checkRange(this.name, 'betas', g.betas, 0, 1);
    checkRange(this.name, 'betas[0]', g.betas[0], 0, 1);
    checkRange(this.name, 'betas[1]', g.betas[1], 0, 1);
    checkRange(this.name, 'eps', g.eps, 0, Infinity);
    checkRange(this.name, 'weightDecay', g.weightDecay, 0, Infinity);
  }

  protected initState(p: Tensor, g: ParamGroup<AdamOptions>): ParamState {
    const A = p.dtype === 'float64' ? Float64Array : Float32Array;
    const st: ParamState = { step: 0, expAvg: new A(p.size), expAvgSq: new A(p.size) };
    if (g.amsgrad) st.maxExpAvgSq = new A(p.size);
    return st;
  }

  protected update(p: FloatArray, grad: FloatArray, st: ParamState, g: ParamGroup<AdamOptions>): void {
    const { lr, betas: [b1, b2], eps, weightDecay: wd, maximize } = g;
    const step = (st.step as number) + 1;
    st.step = step;
    const m = st.expAvg as FloatArray;
    const v = st.expAvgSq as FloatArray;
    const vmax = st.maxExpAvgSq as FloatArray | undefined;
    const bc1 = 1 - b1 ** step;
    const bc2Sqrt = Math.sqrt(1 - b2 ** step);
    const stepSize = lr / bc1;
    if (!vmax && !maximize && (this.decoupled || wd === 0)) {
      // The common case, as a backend kernel without per-element branches: the same
      // arithmetic as the loop below (the native kernel too, to the last bit).
      backendFor(p instanceof Float64Array ? 'float64' : 'float32').adamUpdate(p, grad, m, v, p.length, b1, b2, eps, stepSize, bc2Sqrt, this.decoupled ? 1 - lr * wd : 1);
      return;
    }
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -(grad[i] as number) : (grad[i] as number);
      if (this.decoupled) p[i] = (p[i] as number) * (1 - lr * wd);
      else if (wd !== 0) gi += wd * (p[i] as number);
      m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
      v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
      let vv = v[i] as number;
      if (vmax) {
        vmax[i] = Math.max(vmax[i] as number, vv);
        vv = vmax[i] as number;
      }
      const denom = Math.sqrt(vv) / bc2Sqrt + eps;
      p[i] = (p[i] as number) - stepSize * ((m[i] as number) / denom);
    }
  }
}

export class Adam extends AdamBase {
  constructor(params: Tensor[] | ParamGroupInput<AdamOptions>[], options: Partial<AdamOptions> = {}) {
    super('Adam', false, params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options });
  }
}

export class AdamW extends AdamBase {
  constructor(params: Tensor[] | ParamGroupInput<AdamOptions>[], options: Partial<AdamOptions> = {}) {
    super('AdamW', true, params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...options });
  }
}
