// SGD with momentum, dampening, Nesterov momentum and weight decay — PyTorch 1.13's rule:
//   g ← ±grad + wd·p;  buf ← g (first step) or μ·buf + (1 − τ)·g;
//   g ← g + μ·buf (Nesterov) or buf;  p ← p − lr·g

import type { FloatArray } from '../util/arrays.js';
import type { Tensor } from '../tensor/tensor.js';
import { ArgumentError } from '../errors.js';
import { Optimizer, checkRange, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Tensor[] | ParamGroupInput<SGDOptions>[], options: Partial<SGDOptions> & { lr: number }) {
    super('SGD', params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options });
  }

  protected override validate(g: SGDOptions, gi: number): void {
    super.validate(g, gi);
    checkRange('SGD', 'momentum', g.momentum, 0, Infinity);
    checkRange('SGD', 'weightDecay', g.weightDecay, 0, Infinity);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new ArgumentError('SGD', 'nesterov', 'used with momentum > 0 and dampening = 0', `momentum=${g.momentum}, dampening=${g.dampening}`);
    }
  }

  protected initState(p: Tensor, g: ParamGroup<SGDOptions>): ParamState {
    return g.momentum !== 0 ? { momentumBuffer: new (p.dtype === 'float64' ? Float64Array : Float32Array)(p.size), started: 0 } : {};
  }

  protected update(p: FloatArray, grad: FloatArray, st: ParamState, g: ParamGroup<SGDOptions>): void {
    const { lr, momentum: mu, dampening, weightDecay: wd, nesterov, maximize } = g;
    const buf = st.momentumBuffer as FloatArray | undefined;
    const first = st.started === 0;
    for (let i = 0; i < p.length; i++) {
      let d = maximize ? -(grad[i] as number) : (grad[i] as number);
      if (wd !== 0) d += wd * (p[i] as number);
      if (buf) {
        const b = first ? d : mu * (buf[i] as number) + (1 - dampening) * d;
        buf[i] = b;
        d = nesterov ? d + mu * (buf[i] as number) : (buf[i] as number);
      }
      p[i] = (p[i] as number) - lr * d;
    }
    if (buf) st.started = 1;
  }
}
