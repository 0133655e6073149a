// Echo State Networks: the sparse reservoir (spectral radius against matrices with known
// spectra), the ridge and RLS readouts against independently computed solutions, the
// series generators against their equations, prediction modes, composition with the rest
// of the library, saving, and the errors for bad input.
import { describe, expect, it } from 'vitest';
import {
  Reservoir, EchoStateNetwork, spectralRadius, randomSparse, spmv, cholesky, choleskySolve, mackeyGlass, narma10, Generator,
  LSTM, Linear, Adam, mseLoss, randn, encodeWeights, decodeModule, moduleConfig, ArgumentError, NumericError, Tensor,
  type CSRMatrix,
} from '../../src/index.js';

/** CSR from a dense row-major matrix. */
function csr(n: number, dense: number[]): CSRMatrix {
  const rowPtr = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = dense[r * n + c] as number;
      if (v !== 0) {
        cols.push(c);
        vals.push(v);
      }
    }
    rowPtr[r + 1] = cols.length;
  }
  return { rows: n, cols: n, rowPtr, colIndex: Int32Array.from(cols), values: Float64Array.from(vals) };
}

describe('sparse reservoir matrix', () => {
  it('spmv equals the dense product', () => {
    const g = new Generator(1);
    const A = randomSparse(30, 20, 0.2, g);
    const x = Array.from({ length: 20 }, () => g.normal());
    const y = new Float64Array(30);
    spmv(A, x, y);
    for (let r = 0; r < 30; r++) {
      let s = 0;
      for (let k = A.rowPtr[r] as number; k < (A.rowPtr[r + 1] as number); k++) s += (A.values[k] as number) * (x[A.colIndex[k] as number] as number);
      expect(y[r]).toBe(s);
    }
    // Density: about 20 % of the entries.
    expect(Math.abs(A.values.length / 600 - 0.2)).toBeLessThan(0.05);
  });

  it('spectral radius of matrices with known spectra, complex dominant pairs included', () => {
    const g = new Generator(2);
    // Rotation–scaling blocks [[a, −b], [b, a]] have eigenvalues a ± ib: |λ| = √(a² + b²).
    const blocks = [[0.3, 0.4], [0.9, 1.2], [0.1, -0.2], [1.0, 0.0]] as const; // moduli 0.5, 1.5, 0.224, 1
    const n = 8;
    const d = new Array<number>(n * n).fill(0);
    blocks.forEach(([a, b], k) => {
      const i = 2 * k;
      d[i * n + i] = a;
      d[i * n + i + 1] = -b;
      d[(i + 1) * n + i] = b;
      d[(i + 1) * n + i + 1] = a;
    });
    expect(spectralRadius(csr(n, d), g)).toBeCloseTo(1.5, 3);
    // Cyclic permutation × 0.7: eigenvalues 0.7·(n-th roots of unity), all on one circle.
    const c = new Array<number>(25).fill(0);
    for (let i = 0; i < 5; i++) c[i * 5 + ((i + 1) % 5)] = 0.7;
    expect(spectralRadius(csr(5, c), g)).toBeCloseTo(0.7, 3);
    // Upper triangular: eigenvalues are the diagonal.
    const t = [0.2, 5, -3, 0, -0.95, 7, 0, 0, 0.5];
    expect(spectralRadius(csr(3, t), g)).toBeCloseTo(0.95, 2);
    // Strictly triangular: nilpotent, radius 0.
    expect(spectralRadius(csr(3, [0, 1, 1, 0, 0, 1, 0, 0, 0]), g)).toBe(0);
  });

  it('a reservoir is rescaled to the requested spectral radius and regenerates exactly from its seed', () => {
    const r = new Reservoir({ size: 300, inputSize: 2, density: 0.02, spectralRadius: 0.8, seed: 5 });
    expect(spectralRadius(r.recurrentMatrix, new Generator(99), 4000)).toBeCloseTo(0.8, 2);
    const again = new Reservoir({ size: 300, inputSize: 2, density: 0.02, spectralRadius: 0.8, seed: 5 });
    expect(Array.from(again.recurrentMatrix.values)).toEqual(Array.from(r.recurrentMatrix.values));
    expect(Array.from((again.stateDict().weight_in as Tensor).data)).toEqual(Array.from((r.stateDict().weight_in as Tensor).data));
  });
});

describe('readouts', () => {
  it('Cholesky solves SPD systems', () => {
    const A = Float64Array.from([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const x = [1, -2, 0.5];
    const b = Float64Array.from([0, 1, 2].map((i) => [0, 1, 2].reduce((s, j) => s + (A[i * 3 + j] as number) * (x[j] as number), 0)));
    cholesky(A, 3);
    choleskySolve(A, 3, b, 1);
    b.forEach((v, i) => expect(v).toBeCloseTo(x[i] as number, 12));
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(NumericError);
  });

  it('ridge regression recovers a linear map of the features; RLS converges to the same readout', () => {
    // Targets that ARE a linear function of [1, u, x]: with a tiny λ the readout reproduces them.
    const esn = new EchoStateNetwork({ size: 20, inputSize: 1, outputSize: 1, density: 0.3, spectralRadius: 0.5, seed: 3 });
    const g = new Generator(4);
    const T = 400;
    const u = Float64Array.from({ length: T }, () => g.uniform() - 0.5);
    const states = esn.reservoir.run(u, T).states;
    const w = Float64Array.from({ length: 22 }, () => g.normal());
    const y = Float64Array.from({ length: T }, (_, t) => (w[0] as number) + (w[1] as number) * (u[t] as number) + Array.from({ length: 20 }, (_, i) => (w[2 + i] as number) * (states[t * 20 + i] as number)).reduce((a, b) => a + b, 0));
    const fit = esn.fit(u, y, { washout: 10, ridge: 1e-12 });
    expect(fit.nrmse).toBeLessThan(1e-6);
    const wOut = (esn.stateDict().weight_out as Tensor).data;
    for (let k = 0; k < 22; k++) expect(Math.abs((wOut[k] as number) - (w[k] as number))).toBeLessThan(1e-4);
    // RLS from P = I/α and zero weights is, in exact arithmetic, ridge regression with λ = α.
    const online = new EchoStateNetwork({ size: 20, inputSize: 1, outputSize: 1, density: 0.3, spectralRadius: 0.5, seed: 3 });
    online.fitOnline(u, y, { washout: 10, alpha: 1e-2 });
    const ridge = new EchoStateNetwork({ size: 20, inputSize: 1, outputSize: 1, density: 0.3, spectralRadius: 0.5, seed: 3 });
    ridge.fit(u, y, { washout: 10, ridge: 1e-2 });
    const a = (online.stateDict().weight_out as Tensor).data;
    const b = (ridge.stateDict().weight_out as Tensor).data;
    for (let k = 0; k < 22; k++) expect(Math.abs((a[k] as number) - (b[k] as number))).toBeLessThan(1e-6 * (1 + Math.abs(b[k] as number)));
  });

  it('a singular ridge system gets more regularisation and says so; never NaN', () => {
    // Constant input: the input column equals the bias column, FᵀF is singular with λ = 0.
    const esn = new EchoStateNetwork({ size: 10, inputSize: 1, outputSize: 1, spectralRadius: 0.5, density: 0.5, seed: 1 });
    const T = 200;
    const fit = esn.fit(new Float64Array(T).fill(0.3), Float64Array.from({ length: T }, (_, t) => Math.sin(t / 5)), { washout: 20, ridge: 0 });
    expect(fit.ridge).toBeGreaterThan(0);
    expect(Number.isFinite(fit.nrmse)).toBe(true);
    expect(Array.from((esn.stateDict().weight_out as Tensor).data).every(Number.isFinite)).toBe(true);
  });
});

describe('series generators', () => {
  it('Mackey–Glass: RK4 at dt = 0.1 agrees with dt = 0.01 over the first samples, and stays on the attractor', () => {
    const a = mackeyGlass(50, { discard: 100 });
    const b = mackeyGlass(50, { discard: 100, dt: 0.01 });
    for (let i = 0; i < 50; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-4);
    const long = mackeyGlass(3000);
    expect(Math.min(...long)).toBeGreaterThan(0.2);
    expect(Math.max(...long)).toBeLessThan(1.4);
    expect(() => mackeyGlass(10, { dt: 0.3 })).toThrow(/dt/);
  });

  it('NARMA-10 follows its recurrence', () => {
    const { u, y } = narma10(300, new Generator(5));
    for (let t = 20; t < 299; t++) {
      let s = 0;
      for (let i = 0; i < 10; i++) s += y[t - i] as number;
      const want = 0.3 * (y[t] as number) + 0.05 * (y[t] as number) * s + 1.5 * (u[t - 9] as number) * (u[t] as number) + 0.1;
      expect(y[t + 1]).toBeCloseTo(want, 12);
    }
    expect(u.every((v) => v >= 0 && v < 0.5)).toBe(true);
  });
});

describe('prediction modes', () => {
  const series = mackeyGlass(2200);
  it('Mackey–Glass with 200 units: teacher-forced one-step and closed-loop prediction', () => {
    const esn = new EchoStateNetwork({ size: 200, inputSize: 1, outputSize: 1, spectralRadius: 1.25, leakRate: 0.3, biasScaling: 0.5, seed: 2 });
    esn.fit(series.slice(0, 1999), series.slice(1, 2000), { washout: 100 });
    const gen = esn.generate(50);
    for (let k = 0; k < 50; k++) expect(Math.abs((gen[k] as number) - (series[2000 + k] as number))).toBeLessThan(0.02);
    // Teacher-forced with the true inputs: the state left by the free run is forgotten (echo
    // state property) and one-step predictions become accurate.
    const one = esn.predict(series.slice(2050, 2150));
    for (let k = 40; k < 100; k++) expect(Math.abs((one[k] as number) - (series[2051 + k] as number))).toBeLessThan(0.005);
  });

  it('output feedback: teacher-forced training, then free-running through W_back', () => {
    const esn = new EchoStateNetwork({ size: 200, inputSize: 0, outputSize: 1, feedbackSize: 1, spectralRadius: 0.8, biasScaling: 0.2, seed: 6, features: { bias: true, state: true, input: false } });
    const y = Float64Array.from({ length: 1500 }, (_, t) => 0.5 * Math.sin(t / 4));
    const fit = esn.fit(null, y.slice(0, 1200), { washout: 100, ridge: 1e-8 });
    expect(fit.nrmse).toBeLessThan(1e-3);
    const gen = esn.generate(100);
    for (let k = 0; k < 100; k++) expect(Math.abs((gen[k] as number) - (y[1200 + k] as number))).toBeLessThan(0.05);
  });
});

describe('composition and saving', () => {
  it('a reservoir in front of an LSTM, and under a gradient-trained readout', () => {
    const res = new Reservoir({ size: 30, inputSize: 2, density: 0.2, spectralRadius: 0.9, seed: 8 });
    const x = randn([6, 3, 2], { generator: new Generator(9) });
    const states = res.forward(x);
    expect(states.shape).toEqual([6, 3, 30]);
    const lstm = new LSTM({ inputSize: 30, hiddenSize: 4, generator: new Generator(10) });
    const [out] = lstm.forward(states);
    mseLoss(out, new Tensor(new Float32Array(out.size), out.shape)).backward();
    expect(lstm.parameters().every((p) => p.grad !== null)).toBe(true);
    // Gradient-trained readout on reservoir states.
    const head = new Linear(30, 1, { generator: new Generator(11) });
    const target = randn([6, 3, 1], { generator: new Generator(12) });
    const opt = new Adam(head.parameters(), { lr: 0.05 });
    const loss0 = mseLoss(head.forward(states), target).item();
    for (let i = 0; i < 100; i++) {
      opt.zeroGrad();
      mseLoss(head.forward(states), target).backward();
      opt.step();
    }
    expect(mseLoss(head.forward(states), target).item()).toBeLessThan(loss0 * 0.5);
  });

  it('an ESN saves and loads like any module (the reservoir rebuilt from its config and seed)', () => {
    const esn = new EchoStateNetwork({ size: 50, inputSize: 1, outputSize: 1, spectralRadius: 0.9, density: 0.1, seed: 13 });
    const s = mackeyGlass(600);
    esn.fit(s.slice(0, 499), s.slice(1, 500), { washout: 50 });
    const back = decodeModule(encodeWeights(esn)) as EchoStateNetwork;
    expect(moduleConfig(back)).toEqual(moduleConfig(esn));
    expect(Array.from(back.predict(s.slice(500, 550)))).toEqual(Array.from((decodeModule(encodeWeights(esn)) as EchoStateNetwork).predict(s.slice(500, 550))));
    const fresh = new EchoStateNetwork({ size: 50, inputSize: 1, outputSize: 1, spectralRadius: 0.9, density: 0.1, seed: 13 });
    fresh.loadStateDict(esn.stateDict());
    esn.resetState();
    expect(Array.from(fresh.predict(s.slice(500, 550)))).toEqual(Array.from(esn.predict(s.slice(500, 550))));
  });
});

describe('bad input', () => {
  it('clear errors', () => {
    expect(() => new Reservoir({ size: 10, inputSize: 1, density: 0 })).toThrow(/density.*\(0, 1\]/);
    expect(() => new Reservoir({ size: 10, inputSize: 1, density: 1.5 })).toThrow(/density/);
    expect(() => new Reservoir({ size: 10, inputSize: 1, spectralRadius: 0 })).toThrow(/spectralRadius.*positive/);
    expect(() => new Reservoir({ size: 10, inputSize: 1, spectralRadius: -1 })).toThrow(/spectralRadius/);
    expect(() => new Reservoir({ size: 10, inputSize: 1, leakRate: 0 })).toThrow(/leakRate/);
    const esn = new EchoStateNetwork({ size: 10, inputSize: 1, outputSize: 1, density: 0.5, seed: 1 });
    expect(() => esn.fit([1, 2, 3], [1, 2, 3], { washout: 3 })).toThrow(/washout.*fewer steps than the data \(3\)/);
    expect(() => esn.fit([1, 2, 3], [1, 2], {})).toThrow(/inputs/);
    expect(() => esn.fit([1, 2, 3], [1, 2, 3], { washout: 0, ridge: -1 })).toThrow(/ridge/);
    expect(() => esn.fit([1, NaN, 3], [1, 2, 3], { washout: 0 })).toThrow(/finite/);
    const fb = new Reservoir({ size: 10, inputSize: 1, feedbackSize: 1, density: 0.5 });
    expect(() => fb.run([1, 2], 2)).toThrow(/feedback.*teacher outputs/);
    expect(() => fb.forward(randn([2, 1, 1]))).toThrow(/feedbackSize/);
    expect(() => new EchoStateNetwork({ size: 10, inputSize: 2, outputSize: 1, density: 0.5 }).generate(5)).toThrow(/inputSize/);
    expect(() => new EchoStateNetwork({ size: 10, inputSize: 1, outputSize: 2, feedbackSize: 1, density: 0.5 })).toThrow(/feedbackSize/);
    expect(() => new Reservoir({ size: 3, inputSize: 1, density: 0.01 })).toThrow(ArgumentError);
  });
});
