// The per-step gate kernels (kernels/ref/recurrent-gates.ts): forward against the
// scalar formulas, backward against central finite differences of the forward kernel,
// length masking (inactive rows untouched / zero gradients / state gradient passed
// through), buffer offsets, and float32 against float64.
import { describe, expect, it } from 'vitest';
import {
  gruGatesBackward, gruGatesForward, lstmGatesBackward, lstmGatesForward, rnnActBackward, rnnActForward,
} from '../../src/kernels/ref/recurrent-gates.js';
import { Generator } from '../../src/util/rng.js';

const B = 3;
const H = 2;
const t = 1;
const lengths = Int32Array.from([2, 1, 0]); // at t = 1: row 0 active, rows 1 and 2 inactive
const SENTINEL = 7;

function rnd(n: number, seed: number, std = 1): Float64Array {
  const g = new Generator(seed);
  return Float64Array.from({ length: n }, () => std * g.normal());
}
const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/** Central differences of a scalar function of one array, perturbing each element. */
function numGrad(a: Float64Array, f: () => number, eps = 1e-6): Float64Array {
  const g = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    a[i] = v + eps;
    const p = f();
    a[i] = v - eps;
    const m = f();
    a[i] = v;
    g[i] = (p - m) / (2 * eps);
  }
  return g;
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number)), `at ${i}`).toBeLessThan(tol);
}

describe('lstmGates', () => {
  const G = 4 * H;
  const OFF = 5; // buffers with an offset argument start at OFF
  const pre = rnd(OFF + B * G, 1);
  const cPrev = rnd(OFF + B * H, 2);
  const wc = rnd(B * H, 3); // ∂L/∂c_t
  const wm = rnd(B * H, 4); // ∂L/∂m_t

  const forward = (p: Float64Array, cp: Float64Array, L: Int32Array | null) => {
    const gates = p.slice();
    const c = new Float64Array(OFF + B * H).fill(SENTINEL);
    const m = new Float64Array(OFF + B * H).fill(SENTINEL);
    lstmGatesForward(gates, OFF, c, OFF, m, OFF, cp, OFF, L, t, B, H);
    return { gates, c, m };
  };

  it('forward matches the scalar formulas and leaves inactive rows untouched', () => {
    const { gates, c, m } = forward(pre, cPrev, lengths);
    for (let j = 0; j < H; j++) {
      const at = (k: number): number => pre[OFF + k * H + j] as number;
      const i = sig(at(0)), f = sig(at(1)), g = Math.tanh(at(2)), o = sig(at(3));
      const ct = f * (cPrev[OFF + j] as number) + i * g;
      expect(c[OFF + j]).toBeCloseTo(ct, 14);
      expect(m[OFF + j]).toBeCloseTo(o * Math.tanh(ct), 14);
      expectClose([gates[OFF + j], gates[OFF + H + j], gates[OFF + 2 * H + j], gates[OFF + 3 * H + j]] as number[], [i, f, g, o], 1e-15);
    }
    for (let k = OFF + H; k < OFF + B * H; k++) expect([c[k], m[k]]).toEqual([SENTINEL, SENTINEL]);
    expect(Array.from(gates.subarray(OFF + G))).toEqual(Array.from(pre.subarray(OFF + G)));
    expect(Array.from(c.subarray(0, OFF))).toEqual(new Array(OFF).fill(SENTINEL));
  });

  it('backward equals finite differences (active rows) and passes dc through (inactive rows)', () => {
    const lossOf = (p: Float64Array, cp: Float64Array): number => {
      const { c, m } = forward(p, cp, null);
      let l = 0;
      for (let k = 0; k < B * H; k++) l += (wc[k] as number) * (c[OFF + k] as number) + (wm[k] as number) * (m[OFF + k] as number);
      return l;
    };
    const { gates, c } = forward(pre, cPrev, null);
    const dgates = new Float64Array(OFF + B * G).fill(SENTINEL);
    const dc = wc.slice();
    lstmGatesBackward(dgates, OFF, dc, wm, gates, OFF, c, OFF, cPrev, OFF, null, t, B, H);
    const p = pre.slice();
    const cp = cPrev.slice();
    expectClose(dgates.subarray(OFF), numGrad(p, () => lossOf(p, cp)).subarray(OFF), 1e-8);
    expectClose(dc, numGrad(cp, () => lossOf(p, cp)).subarray(OFF), 1e-8);
    expect(Array.from(dgates.subarray(0, OFF))).toEqual(new Array(OFF).fill(SENTINEL));

    // Masked: the active row is unchanged, inactive rows get dgates = 0 and keep dc.
    const dgM = new Float64Array(OFF + B * G).fill(SENTINEL);
    const dcM = wc.slice();
    lstmGatesBackward(dgM, OFF, dcM, wm, gates, OFF, c, OFF, cPrev, OFF, lengths, t, B, H);
    expect(Array.from(dgM.subarray(OFF, OFF + G))).toEqual(Array.from(dgates.subarray(OFF, OFF + G)));
    expect(Array.from(dgM.subarray(OFF + G))).toEqual(new Array(2 * G).fill(0));
    expect(Array.from(dcM.subarray(0, H))).toEqual(Array.from(dc.subarray(0, H)));
    expect(Array.from(dcM.subarray(H))).toEqual(Array.from(wc.subarray(H)));
  });

  it('float32 agrees with float64', () => {
    const g32 = Float32Array.from(pre);
    const c32 = new Float32Array(OFF + B * H);
    const m32 = new Float32Array(OFF + B * H);
    lstmGatesForward(g32, OFF, c32, OFF, m32, OFF, Float32Array.from(cPrev), OFF, null, t, B, H);
    const { c, m } = forward(pre, cPrev, null);
    expectClose(c32.subarray(OFF), c.subarray(OFF), 1e-6);
    expectClose(m32.subarray(OFF), m.subarray(OFF), 1e-6);
  });
});

describe('gruGates', () => {
  const G = 3 * H;
  const gx = rnd(B * G, 5);
  const gh = rnd(B * G, 6);
  const hPrev = rnd(B * H, 7);
  const w = rnd(B * H, 8); // ∂L/∂h_t

  const forward = (x: Float64Array, hh: Float64Array, hp: Float64Array, L: Int32Array | null) => {
    const gates = x.slice(); // in place, as the sequence loop calls it
    const ghn = new Float64Array(B * H).fill(SENTINEL);
    const h = new Float64Array(B * H).fill(SENTINEL);
    gruGatesForward(gates, 0, ghn, 0, h, 0, gates, 0, hh, hp, 0, L, t, B, H);
    return { gates, ghn, h };
  };

  it('forward matches the scalar formulas (PyTorch variant) and leaves inactive rows untouched', () => {
    const { gates, ghn, h } = forward(gx, gh, hPrev, lengths);
    for (let j = 0; j < H; j++) {
      const r = sig((gx[j] as number) + (gh[j] as number));
      const z = sig((gx[H + j] as number) + (gh[H + j] as number));
      const n = Math.tanh((gx[2 * H + j] as number) + r * (gh[2 * H + j] as number));
      expect(h[j]).toBeCloseTo((1 - z) * n + z * (hPrev[j] as number), 14);
      expectClose([gates[j], gates[H + j], gates[2 * H + j], ghn[j]] as number[], [r, z, n, gh[2 * H + j] as number], 1e-15);
    }
    for (let k = H; k < B * H; k++) expect([h[k], ghn[k]]).toEqual([SENTINEL, SENTINEL]);
  });

  it('backward equals finite differences; inactive rows pass dh through', () => {
    const lossOf = (x: Float64Array, hh: Float64Array, hp: Float64Array): number => {
      const { h } = forward(x, hh, hp, null);
      return h.reduce((s, v, k) => s + v * (w[k] as number), 0);
    };
    const { gates, ghn } = forward(gx, gh, hPrev, null);
    const dgx = new Float64Array(B * G);
    const dgh = new Float64Array(B * G);
    const dhDirect = new Float64Array(B * H);
    gruGatesBackward(dgx, 0, dgh, 0, dhDirect, w, gates, 0, ghn, 0, hPrev, 0, null, t, B, H);
    const [x, hh, hp] = [gx.slice(), gh.slice(), hPrev.slice()];
    expectClose(dgx, numGrad(x, () => lossOf(x, hh, hp)), 1e-8);
    expectClose(dgh, numGrad(hh, () => lossOf(x, hh, hp)), 1e-8);
    expectClose(dhDirect, numGrad(hp, () => lossOf(x, hh, hp)), 1e-8); // gh held fixed: the direct path

    const dgxM = new Float64Array(B * G).fill(SENTINEL);
    const dghM = new Float64Array(B * G).fill(SENTINEL);
    const dhM = new Float64Array(B * H);
    gruGatesBackward(dgxM, 0, dghM, 0, dhM, w, gates, 0, ghn, 0, hPrev, 0, lengths, t, B, H);
    expect(Array.from(dgxM.subarray(0, G))).toEqual(Array.from(dgx.subarray(0, G)));
    expect(Array.from(dgxM.subarray(G))).toEqual(new Array(2 * G).fill(0));
    expect(Array.from(dghM.subarray(G))).toEqual(new Array(2 * G).fill(0));
    expect(Array.from(dhM.subarray(H))).toEqual(Array.from(w.subarray(H)));
  });
});

describe('rnnAct', () => {
  const pre = rnd(B * H, 9, 2);
  const w = rnd(B * H, 10);
  for (const nl of ['tanh', 'relu'] as const) {
    it(`${nl}: forward, backward by finite differences, masking`, () => {
      const phi = nl === 'relu' ? (v: number) => Math.max(v, 0) : Math.tanh;
      const h = new Float64Array(B * H).fill(SENTINEL);
      rnnActForward(h, 0, pre, 0, nl, lengths, t, B, H);
      for (let j = 0; j < H; j++) expect(h[j] === phi(pre[j] as number)).toBe(true); // relu may give −0, like the elementwise relu
      for (let k = H; k < B * H; k++) expect(h[k]).toBe(SENTINEL);

      const full = new Float64Array(B * H);
      rnnActForward(full, 0, pre, 0, nl, null, t, B, H);
      const dpre = new Float64Array(B * H);
      rnnActBackward(dpre, 0, w, full, 0, nl, null, t, B, H);
      const p = pre.slice();
      const num = numGrad(p, () => {
        const o = new Float64Array(B * H);
        rnnActForward(o, 0, p, 0, nl, null, t, B, H);
        return o.reduce((s, v, k) => s + v * (w[k] as number), 0);
      });
      expectClose(dpre, num, 1e-8);

      const dM = new Float64Array(B * H).fill(SENTINEL);
      rnnActBackward(dM, 0, w, full, 0, nl, lengths, t, B, H);
      expect(Array.from(dM.subarray(0, H))).toEqual(Array.from(dpre.subarray(0, H)));
      expect(Array.from(dM.subarray(H))).toEqual(new Array(2 * H).fill(0));
    });
  }

  it('relu keeps NaN as NaN and its derivative at NaN is 0', () => {
    const h = new Float64Array(2);
    rnnActForward(h, 0, Float64Array.from([NaN, -1]), 0, 'relu', null, 0, 1, 2);
    expect(Number.isNaN(h[0])).toBe(true);
    expect(Object.is(h[1], -0) || h[1] === 0).toBe(true);
  });
});
