// The reservoir of an Echo State Network (Jaeger 2001): N leaky-integrator tanh units with
// a fixed random sparse recurrent matrix W (CSR), rescaled to a chosen spectral radius,
// an input matrix W_in with input scaling, a bias, and optional output feedback W_back:
//   x(t) = (1 − a)·x(t−1) + a·tanh(W x(t−1) + W_in u(t) + b + W_back y(t−1))
// All weights are fixed (buffers, not parameters): they are saved with the module, and a
// reservoir is regenerated exactly from its seed. Computation is float64.
// `forward(input)` maps a (T, B, I) tensor to the states (T, B, N), so a reservoir can sit
// under a gradient-trained readout or in front of an LSTM (no gradient flows into it).

import { ArgumentError, ShapeError } from '../errors.js';
import { Generator } from '../util/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { randomSparse, scaleSparse, spectralRadius, type CSRMatrix } from './sparse.js';

export interface ReservoirOptions {
  /** Number of units N. */
  size: number;
  /** Width of the input u (0 for a pure generator driven by feedback). */
  inputSize: number;
  /** Fraction of nonzero recurrent weights, in (0, 1] (default 0.01, the notes' 1–5 % range). */
  density?: number;
  /** Spectral radius W is rescaled to (default 0.9), > 0. */
  spectralRadius?: number;
  /** W_in entries are U(−s, s) (default 1). */
  inputScaling?: number;
  /** Bias entries are U(−s, s) (default 0: no bias). */
  biasScaling?: number;
  /** Leak rate a in (0, 1] (default 1: no leak). */
  leakRate?: number;
  /** Width of the fed-back output y (default 0: no feedback). */
  feedbackSize?: number;
  /** W_back entries are U(−s, s) (default 1). */
  feedbackScaling?: number;
  /** Seed of every random weight (default 42). */
  seed?: number;
}

export class Reservoir extends Module {
  readonly size: number;
  readonly inputSize: number;
  readonly density: number;
  readonly spectralRadiusTarget: number;
  readonly inputScaling: number;
  readonly biasScaling: number;
  readonly leakRate: number;
  readonly feedbackSize: number;
  readonly feedbackScaling: number;
  readonly seed: number;
  /** The spectral radius measured before rescaling (power-iteration estimate). */
  readonly initialSpectralRadius: number;
  private readonly W: CSRMatrix;
  private readonly wx: Float64Array;

  constructor(options: ReservoirOptions) {
    super();
    const op = 'Reservoir';
    if (typeof options !== 'object' || options === null) throw new ArgumentError(op, 'options', 'an object with size and inputSize', options);
    const int = (name: string, v: unknown, min: number): number => {
      if (!Number.isInteger(v) || (v as number) < min) throw new ArgumentError(op, name, `an integer ≥ ${min}`, v);
      return v as number;
    };
    this.size = int('size', options.size, 1);
    this.inputSize = int('inputSize', options.inputSize, 0);
    this.feedbackSize = int('feedbackSize', options.feedbackSize ?? 0, 0);
    this.density = options.density ?? 0.01;
    if (!(typeof this.density === 'number' && this.density > 0 && this.density <= 1)) throw new ArgumentError(op, 'density', 'a number in (0, 1]', this.density);
    this.spectralRadiusTarget = options.spectralRadius ?? 0.9;
    if (!(typeof this.spectralRadiusTarget === 'number' && this.spectralRadiusTarget > 0 && Number.isFinite(this.spectralRadiusTarget))) {
      throw new ArgumentError(op, 'spectralRadius', 'a positive number', this.spectralRadiusTarget);
    }
    this.leakRate = options.leakRate ?? 1;
    if (!(typeof this.leakRate === 'number' && this.leakRate > 0 && this.leakRate <= 1)) throw new ArgumentError(op, 'leakRate', 'a number in (0, 1]', this.leakRate);
    for (const [k, v] of [['inputScaling', options.inputScaling], ['biasScaling', options.biasScaling], ['feedbackScaling', options.feedbackScaling]] as const) {
      if (v !== undefined && !(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new ArgumentError(op, k, 'a non-negative number', v);
    }
    this.inputScaling = options.inputScaling ?? 1;
    this.biasScaling = options.biasScaling ?? 0;
    this.feedbackScaling = options.feedbackScaling ?? 1;
    this.seed = int('seed', options.seed ?? 42, 0);

    const N = this.size;
    const g = new Generator(this.seed);
    const W = randomSparse(N, N, this.density, g);
    const rho = spectralRadius(W, g);
    this.initialSpectralRadius = rho;
    if (rho === 0) throw new ArgumentError(op, 'density', `a density giving W a nonzero spectral radius (N = ${N} at density ${this.density} gives a nilpotent W)`, this.density);
    scaleSparse(W, this.spectralRadiusTarget / rho);
    const uniform = (n: number, s: number): Float64Array => Float64Array.from({ length: n }, () => s * (2 * g.uniform() - 1));
    this.W = W;
    this.registerBuffer('weight_res_values', new Tensor(W.values, [W.values.length]));
    this.registerBuffer('weight_res_indices', new Tensor(W.colIndex, [W.colIndex.length]));
    this.registerBuffer('weight_res_indptr', new Tensor(W.rowPtr, [N + 1]));
    this.registerBuffer('weight_in', new Tensor(uniform(N * this.inputSize, this.inputScaling), [N, this.inputSize]));
    this.registerBuffer('bias', new Tensor(uniform(N, this.biasScaling), [N]));
    this.registerBuffer('weight_fb', new Tensor(uniform(N * this.feedbackSize, this.feedbackScaling), [N, this.feedbackSize]));
    this.wx = new Float64Array(N);
  }

  private buf(name: string): Float64Array {
    return (this.getBuffer(name) as Tensor).data as Float64Array;
  }

  /** The recurrent matrix as CSR (live buffers: a loaded state dict is used). */
  get recurrentMatrix(): CSRMatrix {
    const values = this.buf('weight_res_values');
    const colIndex = (this.getBuffer('weight_res_indices') as Tensor).data as Int32Array;
    const rowPtr = (this.getBuffer('weight_res_indptr') as Tensor).data as Int32Array;
    return values === this.W.values && colIndex === this.W.colIndex ? this.W : { rows: this.size, cols: this.size, rowPtr, colIndex, values };
  }

  /**
   * One update: x ← (1 − a) x + a tanh(W x + W_in u + b + W_back y), in place.
   * `u` has inputSize values, `y` feedbackSize values (or null when there is no feedback).
   */
  step(x: Float64Array, u: ArrayLike<number>, y: ArrayLike<number> | null): void {
    const N = this.size;
    const I = this.inputSize;
    const O = y ? this.feedbackSize : 0;
    const win = this.buf('weight_in');
    const b = this.buf('bias');
    const wfb = this.buf('weight_fb');
    const { rowPtr, colIndex, values } = this.recurrentMatrix;
    const wx = this.wx;
    // Pre-activations first (they read the old x), then the leaky update.
    for (let i = 0; i < N; i++) {
      let s = b[i] as number;
      const end = rowPtr[i + 1] as number;
      for (let k = rowPtr[i] as number; k < end; k++) s += (values[k] as number) * (x[colIndex[k] as number] as number);
      for (let k = 0; k < I; k++) s += (win[i * I + k] as number) * (u[k] as number);
      for (let k = 0; k < O; k++) s += (wfb[i * O + k] as number) * ((y as ArrayLike<number>)[k] as number);
      wx[i] = s;
    }
    const a = this.leakRate;
    if (a === 1) {
      for (let i = 0; i < N; i++) x[i] = Math.tanh(wx[i] as number);
    } else {
      const keep = 1 - a;
      for (let i = 0; i < N; i++) x[i] = keep * (x[i] as number) + a * Math.tanh(wx[i] as number);
    }
  }

  /**
   * Drives the reservoir with u (T × inputSize, row-major) from x0 (default zeros) and
   * returns the states (T × N). With feedback, `feedback[t − 1]` (T × feedbackSize; the
   * teacher's previous output, zeros before t = 0) enters at step t.
   */
  run(u: ArrayLike<number>, T: number, options: { x0?: Float64Array; feedback?: ArrayLike<number>; y0?: ArrayLike<number> } = {}): { states: Float64Array; last: Float64Array } {
    const N = this.size;
    const I = this.inputSize;
    const O = this.feedbackSize;
    if (u.length !== T * I) throw new ShapeError('Reservoir.run', 'u', `${T}×${I} values`, [u.length]);
    if (O > 0 && options.feedback === undefined) throw new ArgumentError('Reservoir.run', 'feedback', `teacher outputs (${T}×${O}) for a reservoir with feedback`, undefined);
    if (options.feedback && options.feedback.length !== T * O) throw new ShapeError('Reservoir.run', 'feedback', `${T}×${O} values`, [options.feedback.length]);
    const x = options.x0 ? Float64Array.from(options.x0) : new Float64Array(N);
    const states = new Float64Array(T * N);
    const yPrev = new Float64Array(O);
    if (options.y0) yPrev.set(Array.from(options.y0));
    const uStep = new Float64Array(I);
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < I; k++) uStep[k] = u[t * I + k] as number;
      if (O > 0 && t > 0) for (let k = 0; k < O; k++) yPrev[k] = (options.feedback as ArrayLike<number>)[(t - 1) * O + k] as number;
      this.step(x, uStep, O > 0 ? yPrev : null);
      states.set(x, t * N);
    }
    return { states, last: x };
  }

  /**
   * The states for a batch of input sequences (no feedback): input (T, B, I) or (T, I) →
   * (T, B, N) or (T, N), in the input's float dtype. No gradient flows through.
   */
  forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor) || input.dtype === 'int32') throw new ArgumentError('Reservoir', 'input', 'a float tensor (T, B, inputSize)', input);
    if (this.feedbackSize > 0) throw new ArgumentError('Reservoir.forward', 'feedbackSize', '0 (a reservoir with output feedback is driven by run(…, { feedback }))', this.feedbackSize);
    const unbatched = input.ndim === 2;
    const [T, B, I] = unbatched ? [input.shape[0] as number, 1, input.shape[1] as number] : (input.shape as [number, number, number]);
    if ((input.ndim !== 2 && input.ndim !== 3) || I !== this.inputSize) throw new ShapeError('Reservoir', 'input', `(T, B, ${this.inputSize})`, input.shape);
    const N = this.size;
    const out = new Tensor(input.dtype === 'float64' ? new Float64Array(T * B * N) : new Float32Array(T * B * N), unbatched ? [T, N] : [T, B, N]);
    const x = new Float64Array(N);
    const u = new Float64Array(I);
    for (let b = 0; b < B; b++) {
      x.fill(0);
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < I; k++) u[k] = input.data[(t * B + b) * I + k] as number;
        this.step(x, u, null);
        for (let i = 0; i < N; i++) out.data[(t * B + b) * N + i] = x[i] as number;
      }
    }
    return out;
  }

  get config(): Required<ReservoirOptions> {
    return {
      size: this.size, inputSize: this.inputSize, density: this.density, spectralRadius: this.spectralRadiusTarget, inputScaling: this.inputScaling,
      biasScaling: this.biasScaling, leakRate: this.leakRate, feedbackSize: this.feedbackSize, feedbackScaling: this.feedbackScaling, seed: this.seed,
    };
  }

  protected override extraRepr(): string {
    return `size=${this.size}, inputSize=${this.inputSize}, density=${this.density}, spectralRadius=${this.spectralRadiusTarget}, leakRate=${this.leakRate}`;
  }
}
