// Generated benchmark series of reservoir computing.
//   mackeyGlass: the Mackey–Glass delay differential equation
//     dx/dt = β x(t − τ) / (1 + x(t − τ)^n) − γ x(t),   β = 0.2, γ = 0.1, n = 10, τ = 17 (chaotic),
//     integrated by 4th-order Runge–Kutta with step dt = 0.1 (the delayed value at half steps
//     interpolated linearly), from a constant history x = 1.2, sampled every `sampleEvery`
//     time units (default 1) after a transient is discarded.
//   narma10: the 10th-order nonlinear autoregressive moving average system of Atiya & Parlos
//     (2000), y(t+1) = 0.3 y(t) + 0.05 y(t) Σ_{i=0..9} y(t−i) + 1.5 u(t−9) u(t) + 0.1, driven by
//     u(t) ~ U(0, 0.5).
import { ArgumentError } from '../errors.js';
import type { Generator } from '../util/rng.js';

export interface MackeyGlassOptions {
  tau?: number;
  beta?: number;
  gamma?: number;
  exponent?: number;
  /** Integration step (default 0.1; must divide tau and sampleEvery). */
  dt?: number;
  /** Time between samples (default 1). */
  sampleEvery?: number;
  /** Time units discarded at the start (default 1000). */
  discard?: number;
  /** Constant initial history (default 1.2). */
  x0?: number;
}

export function mackeyGlass(length: number, options: MackeyGlassOptions = {}): Float64Array {
  if (!Number.isInteger(length) || length < 1) throw new ArgumentError('mackeyGlass', 'length', 'a positive integer', length);
  const tau = options.tau ?? 17;
  const beta = options.beta ?? 0.2;
  const gamma = options.gamma ?? 0.1;
  const n = options.exponent ?? 10;
  const dt = options.dt ?? 0.1;
  const every = options.sampleEvery ?? 1;
  const discard = options.discard ?? 1000;
  const lag = Math.round(tau / dt);
  const stride = Math.round(every / dt);
  if (Math.abs(lag * dt - tau) > 1e-9 || Math.abs(stride * dt - every) > 1e-9 || lag < 1) {
    throw new ArgumentError('mackeyGlass', 'dt', `a step dividing tau (${tau}) and sampleEvery (${every})`, dt);
  }
  const steps = Math.round(discard / dt) + length * stride;
  const x = new Float64Array(lag + steps + 1).fill(options.x0 ?? 1.2);
  const f = (xt: number, xd: number): number => (beta * xd) / (1 + xd ** n) - gamma * xt;
  for (let k = lag; k < lag + steps; k++) {
    const xt = x[k] as number;
    const d0 = x[k - lag] as number;
    const d1 = x[k - lag + 1] as number;
    const dh = 0.5 * (d0 + d1);
    const k1 = f(xt, d0);
    const k2 = f(xt + 0.5 * dt * k1, dh);
    const k3 = f(xt + 0.5 * dt * k2, dh);
    const k4 = f(xt + dt * k3, d1);
    x[k + 1] = xt + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  const out = new Float64Array(length);
  const start = lag + Math.round(discard / dt);
  for (let i = 0; i < length; i++) out[i] = x[start + i * stride] as number;
  return out;
}

/** NARMA-10: inputs u and outputs y of length `length` (after a 200-step transient). */
export function narma10(length: number, generator: Generator): { u: Float64Array; y: Float64Array } {
  if (!Number.isInteger(length) || length < 1) throw new ArgumentError('narma10', 'length', 'a positive integer', length);
  const skip = 200;
  const n = length + skip;
  const u = new Float64Array(n);
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) u[t] = 0.5 * generator.uniform();
  for (let t = 9; t < n - 1; t++) {
    let s = 0;
    for (let i = 0; i < 10; i++) s += y[t - i] as number;
    y[t + 1] = 0.3 * (y[t] as number) + 0.05 * (y[t] as number) * s + 1.5 * (u[t - 9] as number) * (u[t] as number) + 0.1;
  }
  return { u: u.slice(skip), y: y.slice(skip) };
}
