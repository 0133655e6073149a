// Echo State Network: a Reservoir and a linear readout
//   y(t) = W_out · f(t),   f(t) = [1; u(t); x(t); y(t−1)]   (each part switchable)
// trained in closed form by ridge regression — the normal equations (FᵀF + λI) W_outᵀ = FᵀY
// accumulated over time in float64 after a washout and solved by Cholesky — or online by
// recursive least squares (FORCE learning, Sussillo & Abbott 2009).
// Modes: teacher forcing (`predict`: inputs given, feedback from the true previous outputs
// when targets are given) and closed loop (`generate`: the network's own output is fed back
// — as the next input when outputs and inputs have the same width, and through W_back when
// the reservoir has feedback).

import { ArgumentError, NumericError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Reservoir, type ReservoirOptions } from './reservoir.js';
import { cholesky, choleskySolve } from './linalg.js';

export interface ReadoutFeatures {
  bias?: boolean;
  input?: boolean;
  state?: boolean;
  /** The previous output y(t−1). */
  previousOutput?: boolean;
}

export interface EchoStateNetworkOptions extends ReservoirOptions {
  outputSize: number;
  /** Parts of the readout's input (default: bias, input and state). */
  features?: ReadoutFeatures;
}

export interface FitOptions {
  /** Initial steps whose states are not used for fitting (default 100). */
  washout?: number;
  /** Ridge regularisation λ ≥ 0 (default 1e-8). */
  ridge?: number;
}

/** Accepts a Float64Array/array (T × width, row-major) or a (T, width) tensor. */
function matrix(op: string, name: string, v: Tensor | ArrayLike<number>, width: number): { data: Float64Array; T: number } {
  const data = v instanceof Tensor ? Float64Array.from(v.data) : Float64Array.from(v);
  if (v instanceof Tensor && !(v.ndim === 2 && v.shape[1] === width) && !(v.ndim === 1 && width === 1)) throw new ShapeError(op, name, `(T, ${width})`, v.shape);
  if (width === 0) throw new ArgumentError(op, name, 'a width > 0', 0);
  if (data.length % width !== 0) throw new ShapeError(op, name, `a multiple of ${width} values`, [data.length]);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i] as number)) throw new ArgumentError(op, `${name}[${i}]`, 'a finite number', data[i]);
  return { data, T: data.length / width };
}

export class EchoStateNetwork extends Module {
  readonly reservoir: Reservoir;
  readonly outputSize: number;
  readonly features: Required<ReadoutFeatures>;
  /** The network's running state: the reservoir state and the last output and input. */
  private x: Float64Array;
  private yLast: Float64Array;
  private uLast: Float64Array;

  constructor(options: EchoStateNetworkOptions) {
    super();
    if (!Number.isInteger(options?.outputSize) || options.outputSize < 1) throw new ArgumentError('EchoStateNetwork', 'outputSize', 'a positive integer', options?.outputSize);
    this.outputSize = options.outputSize;
    this.features = { bias: true, input: true, state: true, previousOutput: false, ...options.features };
    if (!this.features.bias && !this.features.input && !this.features.state && !this.features.previousOutput) {
      throw new ArgumentError('EchoStateNetwork', 'features', 'at least one of bias, input, state, previousOutput', options.features);
    }
    if (options.feedbackSize !== undefined && options.feedbackSize !== 0 && options.feedbackSize !== options.outputSize) {
      throw new ArgumentError('EchoStateNetwork', 'feedbackSize', `0 or outputSize (${options.outputSize}): the fed-back signal is the output`, options.feedbackSize);
    }
    this.reservoir = this.registerModule('reservoir', new Reservoir(options));
    this.registerBuffer('weight_out', new Tensor(new Float64Array(this.outputSize * this.featureSize), [this.outputSize, this.featureSize]));
    this.x = new Float64Array(this.reservoir.size);
    this.yLast = new Float64Array(this.outputSize);
    this.uLast = new Float64Array(this.reservoir.inputSize);
  }

  /** Width of f(t). */
  get featureSize(): number {
    const f = this.features;
    return (f.bias ? 1 : 0) + (f.input ? this.reservoir.inputSize : 0) + (f.state ? this.reservoir.size : 0) + (f.previousOutput ? this.outputSize : 0);
  }

  private get wOut(): Float64Array {
    return (this.getBuffer('weight_out') as Tensor).data as Float64Array;
  }

  private feature(f: Float64Array, u: ArrayLike<number>, x: ArrayLike<number>, yPrev: ArrayLike<number>): void {
    let k = 0;
    if (this.features.bias) f[k++] = 1;
    if (this.features.input) for (let i = 0; i < this.reservoir.inputSize; i++) f[k++] = u[i] as number;
    if (this.features.state) for (let i = 0; i < this.reservoir.size; i++) f[k++] = x[i] as number;
    if (this.features.previousOutput) for (let i = 0; i < this.outputSize; i++) f[k++] = yPrev[i] as number;
  }

  private output(f: Float64Array, y: Float64Array): void {
    const F = this.featureSize;
    const w = this.wOut;
    for (let o = 0; o < this.outputSize; o++) {
      let s = 0;
      for (let k = 0; k < F; k++) s += (w[o * F + k] as number) * (f[k] as number);
      y[o] = s;
    }
  }

  /** Teacher-forced pass collecting features (rows t ≥ washout) and leaving the state at the end. */
  private collect(op: string, inputs: Tensor | ArrayLike<number> | null, targets: Tensor | ArrayLike<number>, washout: number): { F: Float64Array; Y: Float64Array; rows: number } {
    const O = this.outputSize;
    const I = this.reservoir.inputSize;
    const y = matrix(op, 'targets', targets, O);
    const T = y.T;
    const u = I > 0 ? matrix(op, 'inputs', inputs ?? [], I) : { data: new Float64Array(0), T };
    if (u.T !== T) throw new ShapeError(op, 'inputs', `${T} steps like the targets`, [u.T]);
    if (!Number.isInteger(washout) || washout < 0) throw new ArgumentError(op, 'washout', 'a non-negative integer', washout);
    if (washout >= T) throw new ArgumentError(op, 'washout', `fewer steps than the data (${T})`, washout);
    const Fw = this.featureSize;
    const rows = T - washout;
    const F = new Float64Array(rows * Fw);
    const Y = y.data.slice(washout * O);
    const fb = this.reservoir.feedbackSize > 0;
    const x = new Float64Array(this.reservoir.size);
    const yPrev = new Float64Array(O);
    const f = new Float64Array(Fw);
    for (let t = 0; t < T; t++) {
      const ut = u.data.subarray(t * I, (t + 1) * I);
      this.reservoir.step(x, ut, fb ? yPrev : null);
      if (t >= washout) {
        this.feature(f, ut, x, yPrev);
        F.set(f, (t - washout) * Fw);
      }
      yPrev.set(y.data.subarray(t * O, (t + 1) * O));
    }
    this.x = x;
    this.yLast = yPrev;
    this.uLast = Float64Array.from(u.data.subarray((T - 1) * I, T * I));
    return { F, Y, rows };
  }

  /**
   * Ridge regression of the readout on a teacher-forced run. Returns the training NRMSE
   * (RMSE over the targets' standard deviation, per output, averaged) and the λ actually
   * used (larger than asked only when the system was numerically singular).
   */
  fit(inputs: Tensor | ArrayLike<number> | null, targets: Tensor | ArrayLike<number>, options: FitOptions = {}): { nrmse: number; ridge: number } {
    const op = 'EchoStateNetwork.fit';
    const ridge = options.ridge ?? 1e-8;
    if (!(typeof ridge === 'number' && ridge >= 0 && Number.isFinite(ridge))) throw new ArgumentError(op, 'ridge', 'a non-negative number', ridge);
    const { F, Y, rows } = this.collect(op, inputs, targets, options.washout ?? 100);
    const n = this.featureSize;
    const O = this.outputSize;
    // Normal equations in float64: A = FᵀF (lower triangle), B = FᵀY. Rows are taken in
    // blocks of RB, transposed so that every (i, j) entry is one contiguous dot product of
    // length RB: A is swept once per block instead of once per row (memory traffic / RB).
    const A = new Float64Array(n * n);
    const B = new Float64Array(n * O);
    const RB = 64;
    const Ft = new Float64Array(n * RB);
    for (let r0 = 0; r0 < rows; r0 += RB) {
      const rb = Math.min(RB, rows - r0);
      for (let r = 0; r < rb; r++) for (let i = 0; i < n; i++) Ft[i * RB + r] = F[(r0 + r) * n + i] as number;
      for (let i = 0; i < n; i++) {
        const oi = i * RB;
        const row = i * n;
        for (let j = 0; j <= i; j++) {
          const oj = j * RB;
          let s = 0;
          for (let r = 0; r < rb; r++) s += (Ft[oi + r] as number) * (Ft[oj + r] as number);
          A[row + j] = (A[row + j] as number) + s;
        }
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let r = 0; r < rb; r++) s += (Ft[oi + r] as number) * (Y[(r0 + r) * O + o] as number);
          B[i * O + o] = (B[i * O + o] as number) + s;
        }
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j] as number;
    // Solve (FᵀF + λI) W = FᵀY. When rounding makes the system numerically indefinite (FᵀF is
    // often near-singular: reservoir states are strongly correlated), λ is raised tenfold
    // until the factorisation succeeds, and the λ used is reported — never a NaN readout.
    let used = ridge;
    const meanDiag = Array.from({ length: n }, (_, i) => A[i * n + i] as number).reduce((a, b) => a + b, 0) / n;
    let L: Float64Array | null = null;
    for (let attempt = 0; attempt < 12 && !L; attempt++) {
      const M = A.slice();
      for (let i = 0; i < n; i++) M[i * n + i] = (M[i * n + i] as number) + used;
      try {
        cholesky(M, n, `ridge system (FᵀF + ${used}·I, ${n}×${n})`);
        L = M;
      } catch (e) {
        if (!(e instanceof NumericError)) throw e;
        used = Math.max(used * 10, 1e-14 * Math.max(meanDiag, 1e-300));
      }
    }
    if (!L) throw new NumericError(op, `the ridge system stays singular up to λ = ${used}: the features (${n} wide) carry no usable signal`);
    choleskySolve(L, n, B, O);
    const w = this.wOut;
    for (let o = 0; o < O; o++) for (let k = 0; k < n; k++) w[o * n + k] = B[k * O + o] as number;
    return { nrmse: this.nrmseOn(F, Y, rows), ridge: used };
  }

  /**
   * Online readout training by recursive least squares (FORCE): the readout is updated at
   * every step after the washout, P starting at I/α.
   */
  fitOnline(inputs: Tensor | ArrayLike<number> | null, targets: Tensor | ArrayLike<number>, options: { washout?: number; alpha?: number } = {}): { nrmse: number } {
    const op = 'EchoStateNetwork.fitOnline';
    const alpha = options.alpha ?? 1;
    if (!(alpha > 0)) throw new ArgumentError(op, 'alpha', 'a positive number', alpha);
    const { F, Y, rows } = this.collect(op, inputs, targets, options.washout ?? 100);
    const n = this.featureSize;
    const O = this.outputSize;
    const P = new Float64Array(n * n);
    for (let i = 0; i < n; i++) P[i * n + i] = 1 / alpha;
    const w = this.wOut;
    const Pf = new Float64Array(n);
    const y = new Float64Array(O);
    for (let r = 0; r < rows; r++) {
      const f = F.subarray(r * n, (r + 1) * n);
      this.output(f as Float64Array, y);
      let fPf = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += (P[i * n + j] as number) * (f[j] as number);
        Pf[i] = s;
        fPf += s * (f[i] as number);
      }
      const c = 1 / (1 + fPf);
      for (let i = 0; i < n; i++) {
        const pi = (Pf[i] as number) * c;
        for (let j = 0; j < n; j++) P[i * n + j] = (P[i * n + j] as number) - pi * (Pf[j] as number);
      }
      for (let o = 0; o < O; o++) {
        const e = (y[o] as number) - (Y[r * O + o] as number);
        for (let k = 0; k < n; k++) w[o * n + k] = (w[o * n + k] as number) - e * c * (Pf[k] as number);
      }
    }
    return { nrmse: this.nrmseOn(F, Y, rows) };
  }

  private nrmseOn(F: Float64Array, Y: Float64Array, rows: number): number {
    const n = this.featureSize;
    const O = this.outputSize;
    const y = new Float64Array(O);
    let total = 0;
    for (let o = 0; o < O; o++) {
      let se = 0;
      let mean = 0;
      for (let r = 0; r < rows; r++) mean += (Y[r * O + o] as number) / rows;
      let v = 0;
      for (let r = 0; r < rows; r++) {
        this.output(F.subarray(r * n, (r + 1) * n) as Float64Array, y);
        se += ((y[o] as number) - (Y[r * O + o] as number)) ** 2;
        v += ((Y[r * O + o] as number) - mean) ** 2;
      }
      total += Math.sqrt(se / Math.max(v, 1e-300));
    }
    return total / O;
  }

  /**
   * Teacher-forced outputs for `inputs` (T × inputSize), continuing from the current state.
   * With feedback, `targets` supply y(t−1) (the true previous outputs); without targets
   * the network's own outputs are fed back.
   */
  predict(inputs: Tensor | ArrayLike<number> | null, steps?: number, targets?: Tensor | ArrayLike<number>): Float64Array {
    const op = 'EchoStateNetwork.predict';
    const I = this.reservoir.inputSize;
    const O = this.outputSize;
    const u = I > 0 ? matrix(op, 'inputs', inputs ?? [], I) : { data: new Float64Array(0), T: steps ?? 0 };
    const T = u.T;
    const tgt = targets !== undefined ? matrix(op, 'targets', targets, O) : null;
    if (tgt && tgt.T !== T) throw new ShapeError(op, 'targets', `${T} steps`, [tgt.T]);
    const out = new Float64Array(T * O);
    const f = new Float64Array(this.featureSize);
    const y = new Float64Array(O);
    const fb = this.reservoir.feedbackSize > 0;
    for (let t = 0; t < T; t++) {
      const ut = u.data.subarray(t * I, (t + 1) * I);
      this.reservoir.step(this.x, ut, fb ? this.yLast : null);
      this.feature(f, ut, this.x, this.yLast);
      this.output(f, y);
      out.set(y, t * O);
      this.yLast = tgt ? tgt.data.slice(t * O, (t + 1) * O) : Float64Array.from(y);
      this.uLast = Float64Array.from(ut);
    }
    return out;
  }

  /**
   * Closed loop for `horizon` steps from the current state: each output becomes the next
   * input (when outputSize = inputSize) and/or the fed-back y(t−1) (with feedback).
   */
  generate(horizon: number): Float64Array {
    const op = 'EchoStateNetwork.generate';
    if (!Number.isInteger(horizon) || horizon < 0) throw new ArgumentError(op, 'horizon', 'a non-negative integer', horizon);
    const I = this.reservoir.inputSize;
    const O = this.outputSize;
    const fb = this.reservoir.feedbackSize > 0;
    if (I > 0 && I !== O) throw new ArgumentError(op, 'inputSize', `0 or outputSize (${O}) — the output is fed back as the next input`, I);
    if (I === 0 && !fb) throw new ArgumentError(op, 'feedbackSize', `${O} (a network without inputs generates through output feedback)`, 0);
    const out = new Float64Array(horizon * O);
    const f = new Float64Array(this.featureSize);
    const y = new Float64Array(O);
    for (let t = 0; t < horizon; t++) {
      const u = I > 0 ? this.yLast : this.uLast;
      this.reservoir.step(this.x, u, fb ? this.yLast : null);
      this.feature(f, u, this.x, this.yLast);
      this.output(f, y);
      out.set(y, t * O);
      this.uLast = Float64Array.from(u);
      this.yLast = Float64Array.from(y);
    }
    return out;
  }

  /** Forgets the running state (zeros). */
  resetState(): void {
    this.x = new Float64Array(this.reservoir.size);
    this.yLast = new Float64Array(this.outputSize);
    this.uLast = new Float64Array(this.reservoir.inputSize);
  }
}
