// RMSprop (Hinton) with PyTorch 1.13's rule:
//   g ← ±grad + wd·p;  s ← α·s + (1 − α)·g²
//   centered: ḡ ← α·ḡ + (1 − α)·g, avg = √(s − ḡ²) + ε;  else avg = √s + ε
//   momentum: buf ← μ·buf + g/avg, p ← p − lr·buf;  else p ← p − lr·g/avg

import type { FloatArray } from '../util/arrays.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, checkRange, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Tensor[] | ParamGroupInput<RMSpropOptions>[], options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...options });
  }

  protected override validate(g: RMSpropOptions, gi: number): void {
    super.validate(g, gi);
    checkRange('RMSprop', 'alpha', g.alpha, 0, Infinity);
    checkRange('RMSprop', 'eps', g.eps, 0, Infinity);
    checkRange('RMSprop', 'momentum', g.momentum, 0, Infinity);
    checkRange('RMSprop', 'weightDecay', g.weightDecay, 0, Infinity);
  }

  protected initState(p: Tensor, g: ParamGroup<RMSpropOptions>): ParamState {
    const A = p.dtype === 'float64' ? Float64Array : Float32Array;
    const st: ParamState = { step: 0, squareAvg: new A(p.size) };
    if (g.momentum > 0) st.momentumBuffer = new A(p.size);
    if (g.centered) st.gradAvg = new A(p.size);
    return st;
  }

  protected update(p: FloatArray, grad: FloatArray, st: ParamState, g: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay: wd, momentum: mu, maximize } = g;
    st.step = (st.step as number) + 1;
    const s = st.squareAvg as FloatArray;
    const ga = st.gradAvg as FloatArray | undefined;
    const buf = st.momentumBuffer as FloatArray | undefined;
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -(grad[i] as number) : (grad[i] as number);
      if (wd !== 0) gi += wd * (p[i] as number);
      s[i] = alpha * (s[i] as number) + (1 - alpha) * gi * gi;
      let avg: number;
      if (ga) {
        ga[i] = alpha * (ga[i] as number) + (1 - alpha) * gi;
        avg = Math.sqrt((s[i] as number) - (ga[i] as number) * (ga[i] as number)) + eps;
      } else {
        avg = Math.sqrt(s[i] as number) + eps;
      }
      if (buf) {
        buf[i] = mu * (buf[i] as number) + gi / avg;
        p[i] = (p[i] as number) - lr * (buf[i] as number);
      } else {
        p[i] = (p[i] as number) - lr * (gi / avg);
      }
    }
  }
}
