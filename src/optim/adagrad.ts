// Adagrad (Duchi et al. 2011) with PyTorch 1.13's rule:
//   t ← t + 1;  g ← ±grad + wd·p;  clr = lr / (1 + (t − 1)·lrDecay)
//   s ← s + g²;  p ← p − clr · g / (√s + ε)

import type { FloatArray } from '../util/arrays.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, checkRange, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Tensor[] | ParamGroupInput<AdagradOptions>[], options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...options });
  }

  protected override validate(g: AdagradOptions, gi: number): void {
    super.validate(g, gi);
    checkRange('Adagrad', 'lrDecay', g.lrDecay, 0, Infinity);
    checkRange('Adagrad', 'weightDecay', g.weightDecay, 0, Infinity);
    checkRange('Adagrad', 'initialAccumulatorValue', g.initialAccumulatorValue, 0, Infinity);
    checkRange('Adagrad', 'eps', g.eps, 0, Infinity);
  }

  protected initState(p: Tensor, g: ParamGroup<AdagradOptions>): ParamState {
    const A = p.dtype === 'float64' ? Float64Array : Float32Array;
    return { step: 0, sum: new A(p.size).fill(g.initialAccumulatorValue) };
  }

  protected update(p: FloatArray, grad: FloatArray, st: ParamState, g: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay: wd, eps, maximize } = g;
    const step = (st.step as number) + 1;
    st.step = step;
    const clr = lr / (1 + (step - 1) * lrDecay);
    const s = st.sum as FloatArray;
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -(grad[i] as number) : (grad[i] as number);
      if (wd !== 0) gi += wd * (p[i] as number);
      s[i] = (s[i] as number) + gi * gi;
      p[i] = (p[i] as number) - clr * (gi / (Math.sqrt(s[i] as number) + eps));
    }
  }
}
