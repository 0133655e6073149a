// The wider recurrent family: every layer gradient-checked (float64 finite differences,
// stacked, bidirectional, with lengths), its forward checked against an independent
// plain-JavaScript loop of the paper's equations, and the behaviours that define it
// (clockwork skipping and structure, IndRNN's bound, length semantics, errors).
import { describe, expect, it } from 'vitest';
import {
  JordanRNN, VariantLSTM, PeepholeLSTM, CoupledLSTM, ClockworkRNN, IndRNN, MinGRU, MinLSTM, QRNN, LSTM, GRU, RNN,
  Generator, randn, gradcheck, linearScan, sum, mul, Adam, moduleConfig, buildModule, encodeWeights, decodeModule, ArgumentError,
  type Module,
} from '../../src/index.js';
import { linearScanChunked, linearScanSequential } from '../../src/kernels/ref/scan.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { r64 } from '../helpers/random.js';
import { expectClose } from '../helpers/fixtures.js';

const g = (s: number): Generator => new Generator(s);
type Layer = Module & { forward(x: Tensor, hx?: never, o?: { lengths?: number[] }): [Tensor, Tensor | [Tensor, Tensor]] };
const common = { inputSize: 2, hiddenSize: 4, dtype: 'float64' as const };

const makers: [string, (extra: object) => Layer][] = [
  ['JordanRNN', (o) => new JordanRNN({ ...common, outputSize: 3, ...o }) as unknown as Layer],
  ['PeepholeLSTM', (o) => new PeepholeLSTM({ ...common, ...o }) as unknown as Layer],
  ['CoupledLSTM', (o) => new CoupledLSTM({ ...common, ...o }) as unknown as Layer],
  ['VariantLSTM peepholes+coupled+projection', (o) => new VariantLSTM({ ...common, peepholes: true, coupled: true, projSize: 3, ...o }) as unknown as Layer],
  ['GRU resetAfter=false', (o) => new GRU({ ...common, resetAfter: false, ...o }) as unknown as Layer],
  ['ClockworkRNN', (o) => new ClockworkRNN({ ...common, periods: [1, 2], ...o }) as unknown as Layer],
  ['ClockworkRNN periods 1,3 (non-dividing)', (o) => new ClockworkRNN({ ...common, periods: [1, 3], ...o }) as unknown as Layer],
  ['IndRNN', (o) => new IndRNN({ ...common, nonlinearity: 'tanh', ...o }) as unknown as Layer],
  ['MinGRU', (o) => new MinGRU({ ...common, ...o }) as unknown as Layer],
  ['MinLSTM', (o) => new MinLSTM({ ...common, ...o }) as unknown as Layer],
  ['QRNN', (o) => new QRNN({ ...common, window: 2, ...o }) as unknown as Layer],
];

const flatOut = (r: [Tensor, Tensor | [Tensor, Tensor]]): Tensor[] => [r[0], ...(Array.isArray(r[1]) ? r[1] : [r[1]])];

describe('gradient checks: 2 layers, bidirectional, lengths (float64)', () => {
  makers.forEach(([name, make], k) => {
    it(name, () => {
      const layer = make({ numLayers: 2, bidirectional: true, generator: g(100 + k) });
      const x = r64([5, 3, 2], 200 + k);
      // The input and a few parameters of each layer and direction.
      const params = layer.namedParameters().filter(([n]) => /_l1_reverse$|weight_hh_l0$|weight_c[io]_l0$|weight_yh_l0$/.test(n)).map(([, p]) => p);
      const res = gradcheck((xx) => flatOut(layer.forward(xx as Tensor, undefined as never, { lengths: [5, 2, 4] })), [x, ...params], { atol: 1e-6 });
      expect(res.maxAbsError).toBeLessThan(1e-6);
      expect(res.entries).toBeGreaterThan(100);
    });
  });
});

describe('length semantics: a padded sequence gives what it gives alone', () => {
  makers.forEach(([name, make], k) => {
    it(name, () => {
      const layer = make({ numLayers: 2, bidirectional: true, generator: g(300 + k) });
      const x = randn([6, 2, 2], { dtype: 'float64', generator: g(400 + k) });
      const [yb, sb] = [...flatOut(layer.forward(x, undefined as never, { lengths: [6, 3] }))].reduce<[Tensor | null, Tensor[]]>((acc, t, i) => (i === 0 ? [t, []] : [acc[0], [...acc[1], t]]), [null, []]);
      const alone = randn([3, 1, 2], { dtype: 'float64' });
      for (let t = 0; t < 3; t++) for (let f = 0; f < 2; f++) alone.data[t * 2 + f] = x.data[(t * 2 + 1) * 2 + f] as number;
      const [ya, ...sa] = flatOut(layer.forward(alone));
      const y = yb as Tensor;
      const W = y.shape[2] as number;
      for (let t = 0; t < 6; t++) {
        for (let f = 0; f < W; f++) {
          const got = y.data[(t * 2 + 1) * W + f] as number;
          expect(Math.abs(got - (t < 3 ? (ya.data[t * W + f] as number) : 0))).toBeLessThan(1e-12);
        }
      }
      sb.forEach((s, i) => {
        const S = s.shape[2] as number;
        const a = sa[i] as Tensor;
        for (let d = 0; d < 4; d++) for (let f = 0; f < S; f++) expect(Math.abs((s.data[(d * 2 + 1) * S + f] as number) - (a.data[d * S + f] as number))).toBeLessThan(1e-12);
      });
    });
  });
});

// ---- forward against independent plain-JS loops of the papers' equations ----------------

const sig = (v: number): number => 1 / (1 + Math.exp(-v));
/** Row r of W (rows × cols) · v. */
const dot = (W: Tensor, r: number, v: ArrayLike<number>, cols: number, off = 0): number => {
  let s = 0;
  for (let c = 0; c < cols; c++) s += (W.data[r * cols + c] as number) * (v[off + c] as number);
  return s;
};
const P = (m: Module, n: string): Tensor => m.stateDict()[n] as Tensor;

describe('forward equals the equations, written out', () => {
  const T = 5;
  const I = 3;
  const H = 4;
  const x = randn([T, 1, I], { dtype: 'float64', generator: g(7) });

  it('JordanRNN: h = tanh(W_ih x + W_yh y + b), y = tanh(W_hy h + b)', () => {
    const m = new JordanRNN({ inputSize: I, hiddenSize: H, outputSize: 2, dtype: 'float64', generator: g(1) });
    let y = [0, 0];
    const want: number[] = [];
    for (let t = 0; t < T; t++) {
      const h = Array.from({ length: H }, (_, j) => Math.tanh(dot(P(m, 'weight_ih_l0'), j, x.data, I, t * I) + (P(m, 'bias_ih_l0').data[j] as number) + dot(P(m, 'weight_yh_l0'), j, y, 2) + (P(m, 'bias_yh_l0').data[j] as number)));
      y = [0, 1].map((o) => Math.tanh(dot(P(m, 'weight_hy_l0'), o, h, H) + (P(m, 'bias_hy_l0').data[o] as number)));
      want.push(...y);
    }
    expect(Math.max(...want.map((v, i) => Math.abs(v - (m.forward(x)[0].data[i] as number))))).toBeLessThan(1e-12);
  });

  it('PeepholeLSTM and CoupledLSTM', () => {
    for (const coupled of [false, true]) {
      const m = new VariantLSTM({ inputSize: I, hiddenSize: H, peepholes: true, coupled, dtype: 'float64', generator: g(2) });
      const G = coupled ? 3 : 4;
      let h = new Array<number>(H).fill(0);
      let c = new Array<number>(H).fill(0);
      const want: number[] = [];
      for (let t = 0; t < T; t++) {
        const pre = (gate: number, j: number): number => {
          const r = gate * H + j;
          return dot(P(m, 'weight_ih_l0'), r, x.data, I, t * I) + (P(m, 'bias_ih_l0').data[r] as number) + dot(P(m, 'weight_hh_l0'), r, h, H) + (P(m, 'bias_hh_l0').data[r] as number);
        };
        const idx = coupled ? { i: 0, g: 1, o: 2 } : { i: 0, f: 1, g: 2, o: 3 };
        const cNew = c.map((cp, j) => {
          const i = sig(pre(idx.i, j) + (P(m, 'weight_ci_l0').data[j] as number) * cp);
          const f = coupled ? 1 - i : sig(pre(1, j) + (P(m, 'weight_cf_l0').data[j] as number) * cp);
          return f * cp + i * Math.tanh(pre(idx.g, j));
        });
        h = cNew.map((cn, j) => sig(pre(idx.o, j) + (P(m, 'weight_co_l0').data[j] as number) * cn) * Math.tanh(cn));
        c = cNew;
        want.push(...h);
        void G;
      }
      const got = m.forward(x)[0];
      expect(Math.max(...want.map((v, i) => Math.abs(v - (got.data[i] as number))))).toBeLessThan(1e-12);
    }
  });

  it('VariantLSTM without peepholes or coupling is PyTorch\'s LSTM (projection included)', () => {
    const v = new VariantLSTM({ inputSize: I, hiddenSize: H, projSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64', generator: g(3) });
    const l = new LSTM({ inputSize: I, hiddenSize: H, projSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64' });
    l.loadStateDict(v.stateDict());
    const xb = randn([T, 3, I], { dtype: 'float64', generator: g(4) });
    const [a, [ah, ac]] = v.forward(xb, null, { lengths: [5, 1, 3] });
    const [b, [bh, bc]] = l.forward(xb, null, { lengths: [5, 1, 3] });
    expectClose(a, b, 1e-12, 'output');
    expectClose(ah, bh, 1e-12, 'h_n');
    expectClose(ac, bc, 1e-12, 'c_n');
  });

  it('ClockworkRNN: group i updates only when t mod T_i = 0', () => {
    const m = new ClockworkRNN({ inputSize: I, hiddenSize: 6, periods: [1, 2, 4], dtype: 'float64', generator: g(5) });
    let h = new Array<number>(6).fill(0);
    const want: number[] = [];
    const Wh = P(m, 'weight_hh_l0');
    for (let t = 0; t < T; t++) {
      h = h.map((hv, j) => {
        const period = [1, 2, 4][Math.floor(j / 2)] as number;
        if (t % period !== 0) return hv;
        let acc = dot(P(m, 'weight_ih_l0'), j, x.data, I, t * I) + (P(m, 'bias_ih_l0').data[j] as number) + (P(m, 'bias_hh_l0').data[j] as number);
        for (let c = 0; c < 6; c++) if ([1, 2, 4][Math.floor(c / 2)]! >= period) acc += (Wh.data[j * 6 + c] as number) * (h[c] as number);
        return Math.tanh(acc);
      });
      want.push(...h);
    }
    const got = m.forward(x)[0];
    expect(Math.max(...want.map((v, i) => Math.abs(v - (got.data[i] as number))))).toBeLessThan(1e-12);
    expect([0, 1, 2, 3, 4, 8].map((t) => m.activeUnits(t))).toEqual([6, 2, 4, 2, 6, 6]);
  });

  it('IndRNN: h = relu(W x + b + u ⊙ h)', () => {
    const m = new IndRNN({ inputSize: I, hiddenSize: H, dtype: 'float64', generator: g(6) });
    let h = new Array<number>(H).fill(0);
    const want: number[] = [];
    for (let t = 0; t < T; t++) {
      h = h.map((hv, j) => Math.max(0, dot(P(m, 'weight_ih_l0'), j, x.data, I, t * I) + (P(m, 'bias_ih_l0').data[j] as number) + (P(m, 'weight_hh_l0').data[j] as number) * hv));
      want.push(...h);
    }
    const got = m.forward(x)[0];
    expect(Math.max(...want.map((v, i) => Math.abs(v - (got.data[i] as number))))).toBeLessThan(1e-12);
  });

  it('minGRU, minLSTM and QRNN: the sequential recurrences', () => {
    const gru = new MinGRU({ inputSize: I, hiddenSize: H, dtype: 'float64', generator: g(8) });
    const lstm = new MinLSTM({ inputSize: I, hiddenSize: H, dtype: 'float64', generator: g(9) });
    const q = new QRNN({ inputSize: I, hiddenSize: H, window: 3, dtype: 'float64', generator: g(10) });
    const lin = (m: Module, row: number, t: number, width = 1): number => {
      let s = P(m, 'bias_ih_l0').data[row] as number;
      for (let k = 0; k < width; k++) if (t - k >= 0) s += dot(P(m, 'weight_ih_l0'), row, x.data, I, (t - k) * I) + 0 * k;
      return s;
    };
    // QRNN's weight row holds [x_t, x_{t−1}, x_{t−2}] blocks: compute its input product by hand.
    const qlin = (row: number, t: number): number => {
      let s = P(q, 'bias_ih_l0').data[row] as number;
      const W = P(q, 'weight_ih_l0');
      for (let k = 0; k < 3; k++) if (t - k >= 0) for (let c = 0; c < I; c++) s += (W.data[row * 3 * I + k * I + c] as number) * (x.data[(t - k) * I + c] as number);
      return s;
    };
    let hg = new Array<number>(H).fill(0);
    let hl = new Array<number>(H).fill(0);
    let cq = new Array<number>(H).fill(0);
    const wg: number[] = [];
    const wl: number[] = [];
    const wq: number[] = [];
    for (let t = 0; t < T; t++) {
      hg = hg.map((h, j) => {
        const z = sig(lin(gru, j, t));
        return (1 - z) * h + z * lin(gru, H + j, t);
      });
      hl = hl.map((h, j) => {
        const f = sig(lin(lstm, j, t));
        const i = sig(lin(lstm, H + j, t));
        return (f / (f + i)) * h + (i / (f + i)) * lin(lstm, 2 * H + j, t);
      });
      cq = cq.map((c, j) => {
        const f = sig(qlin(H + j, t));
        return f * c + (1 - f) * Math.tanh(qlin(j, t));
      });
      wg.push(...hg);
      wl.push(...hl);
      wq.push(...cq.map((c, j) => sig(qlin(2 * H + j, t)) * c));
    }
    for (const [m, want] of [[gru, wg], [lstm, wl], [q, wq]] as const) {
      const got = (m as MinGRU).forward(x)[0];
      expect(Math.max(...want.map((v, i) => Math.abs(v - (got.data[i] as number))))).toBeLessThan(1e-12);
    }
  });
});

describe('linear scan', () => {
  it('the chunked (parallel) scan equals the sequential one for any chunk length, T = 1 included', () => {
    const gen = g(11);
    for (const [T, N] of [[1, 3], [7, 5], [64, 9], [100, 1]] as const) {
      const a = randn([T, N], { dtype: 'float64', generator: gen });
      const b = randn([T, N], { dtype: 'float64', generator: gen });
      const h0 = randn([N], { dtype: 'float64', generator: gen });
      const ref = new Float64Array(T * N);
      linearScanSequential(ref, a.data, b.data, h0.data, T, N);
      for (const chunk of [0, 1, 2, 3, 8, 1000]) {
        const h = new Float64Array(T * N);
        linearScanChunked(h, a.data, b.data, h0.data, T, N, chunk);
        const err = Math.max(...Array.from(h, (v, i) => Math.abs(v - (ref[i] as number)) / (1 + Math.abs(ref[i] as number))));
        expect(err, `T=${T} N=${N} chunk=${chunk}`).toBeLessThan(1e-12);
      }
    }
  });

  it('gradcheck of linearScan (a, b, h0), several chunk lengths', () => {
    for (const chunk of [0, 1, 2, 5]) {
      const res = gradcheck((a, b, h0) => linearScan(a as Tensor, b as Tensor, h0 as Tensor, { chunk }), [r64([6, 2, 3], 1), r64([6, 2, 3], 2), r64([2, 3], 3)]);
      expect(res.maxAbsError).toBeLessThan(1e-7);
    }
  });
});

describe('carrying the state between chunks (truncated BPTT, streaming)', () => {
  // Clockwork's clock and QRNN's convolution window restart at each call, so for them two
  // chunks differ from one call by design (docs/recurrent-family.md); the others must agree.
  const carryable = makers.filter(([n]) => !/Clockwork|QRNN/.test(n));
  for (const [name, make] of carryable) {
    it(name, () => {
      const layer = make({ numLayers: 2, generator: g(500) }) as unknown as { forwardStates(x: Tensor, s: Tensor[] | null): { output: Tensor; state: Tensor[] } } & Layer;
      const x = randn([7, 2, 2], { dtype: 'float64', generator: g(501) });
      const run = (xx: Tensor, st: Tensor[] | null) => ('forwardStates' in layer ? layer.forwardStates(xx, st) : (() => {
        const r = (layer as unknown as GRU).forwardState(xx, st ? { h: st[0] ?? null, c: null } : null);
        return { output: r.output, state: [r.state.h as Tensor] };
      })());
      const whole = run(x, null);
      const a = run(slice3(x, 0, 3), null);
      const b = run(slice3(x, 3, 7), a.state);
      for (let i = 0; i < whole.state.length; i++) expectClose(b.state[i] as Tensor, whole.state[i] as Tensor, 1e-12, `${name} state ${i}`);
      const W = whole.output.shape[2] as number;
      for (let k = 0; k < 4 * 2 * W; k++) expect(Math.abs((b.output.data[k] as number) - (whole.output.data[3 * 2 * W + k] as number))).toBeLessThan(1e-12);
    });
  }
});

function slice3(x: Tensor, from: number, to: number): Tensor {
  const per = (x.shape[1] as number) * (x.shape[2] as number);
  return randnLike(x.data.slice(from * per, to * per) as Float64Array, [to - from, x.shape[1] as number, x.shape[2] as number]);
}

function randnLike(data: Float64Array, shape: number[]): Tensor {
  const t = randn(shape, { dtype: 'float64' });
  t.data.set(data);
  return t;
}

describe('behaviour', () => {
  it('ClockworkRNN: W_hh stays block-upper-triangular through training; slow groups keep their state', () => {
    const m = new ClockworkRNN({ inputSize: 2, hiddenSize: 8, periods: [1, 2, 4, 8], generator: g(12) });
    const opt = new Adam(m.parameters(), { lr: 0.05, weightDecay: 0.01 });
    for (let s = 0; s < 5; s++) {
      const [y] = m.forward(randn([9, 3, 2], { generator: g(20 + s) }));
      const loss = sum(mul(y, y));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    const W = m.stateDict().weight_hh_l0 as Tensor;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) if (Math.floor(c / 2) < Math.floor(r / 2)) expect(W.data[r * 8 + c] === 0, `W[${r}, ${c}]`).toBe(true);
    expect(Array.from(W.data).some((v) => v !== 0)).toBe(true);
    const [y] = m.forward(randn([4, 1, 2], { generator: g(30) }));
    // Steps 1 and 3: only the period-1 group (units 0–1) changes.
    for (const t of [1, 3]) for (let u = 2; u < 8; u++) expect(y.data[t * 8 + u]).toBe(y.data[(t - 1) * 8 + u]);
  });

  it('IndRNN.constrainRecurrent_ bounds |u|', () => {
    const m = new IndRNN({ inputSize: 2, hiddenSize: 6, recurrentInit: [-3, 3], recurrentMax: 1.1, generator: g(13) });
    m.constrainRecurrent_();
    expect(Array.from((m.stateDict().weight_hh_l0 as Tensor).data).every((v) => Math.abs(v) <= 1.1 + 1e-7)).toBe(true);
  });

  it('every layer saves and rebuilds from its config', () => {
    for (const [name, make] of makers) {
      const m = make({ numLayers: 2, bidirectional: true, generator: g(14) });
      const back = decodeModule(encodeWeights(m)) as Layer;
      expect(moduleConfig(back), name).toEqual(moduleConfig(m));
      const x = randn([3, 2, 2], { dtype: 'float64', generator: g(15) });
      expectClose(back.forward(x)[0], m.forward(x)[0], 0, name);
    }
    expect(() => buildModule({ type: 'ClockworkRNN', inputSize: 2, hiddenSize: 4, periods: [1, 'x'] })).toThrow(/periods': expected an array of integers/);
  });

  it('bad options are clear errors', () => {
    expect(() => new ClockworkRNN({ inputSize: 2, hiddenSize: 6, periods: [1, 2, 4, 8] })).toThrow(/ClockworkRNN: .*periods.*divides hiddenSize \(6\)/);
    expect(() => new ClockworkRNN({ inputSize: 2, hiddenSize: 4, periods: [0, 1] })).toThrow(ArgumentError);
    expect(() => new ClockworkRNN({ inputSize: 2, hiddenSize: 4, periods: [2, 1] })).toThrow(/strictly increasing/);
    expect(() => new ClockworkRNN({ inputSize: 2, hiddenSize: 4, periods: [1.5, 2] })).toThrow(/positive integers/);
    expect(() => new JordanRNN({ inputSize: 2, hiddenSize: 4 } as never)).toThrow(/outputSize/);
    expect(() => new GRU({ inputSize: 2, hiddenSize: 4, peepholes: true } as never)).toThrow(/peepholes.*LSTM/);
    expect(() => new RNN({ inputSize: 2, hiddenSize: 4, coupled: true } as never)).toThrow(/coupled.*LSTM/);
    expect(() => new VariantLSTM({ inputSize: 2, hiddenSize: 4, projSize: 4 })).toThrow(/projSize/);
    expect(() => new QRNN({ inputSize: 2, hiddenSize: 4, window: 0 })).toThrow(/window/);
    expect(() => new IndRNN({ inputSize: 2, hiddenSize: 4, recurrentMax: -1 })).toThrow(/recurrentMax/);
    expect(() => new MinGRU({ inputSize: 2, hiddenSize: 4 }).forward(randn([3, 2, 5]))).toThrow(/MinGRU.*input/);
  });
});
