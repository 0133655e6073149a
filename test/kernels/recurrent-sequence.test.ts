// The sequence loops (kernels/recurrent/*) as kernels: they go through the backend
// they are given (so a faster backend's gemm and gate kernels are used), with one gemm
// for the input projection and one per step; backward accumulates (+=); the state is
// carried past a row's length and dhSteps is 0 there; T = 0 and B = 0 are no-ops.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { refBackend } from '../../src/backend/ref.js';
import { lstmBackward, lstmForward } from '../../src/kernels/recurrent/lstm.js';
import { gruBackward, gruForward } from '../../src/kernels/recurrent/gru.js';
import { rnnBackward, rnnForward } from '../../src/kernels/recurrent/rnn.js';
import { Generator } from '../../src/util/rng.js';

type Counts = Record<string, number>;

/** The reference backend with every recurrent-relevant kernel counted. */
function counting(): { k: Backend; counts: Counts } {
  const counts: Counts = {};
  const wrap = <F extends (...a: never[]) => void>(name: string, f: F): F =>
    ((...a: Parameters<F>) => {
      counts[name] = (counts[name] ?? 0) + 1;
      f(...a);
    }) as F;
  const k: Backend = {
    ...refBackend,
    gemm: wrap('gemm', refBackend.gemm),
    lstmGatesForward: wrap('lstmGatesForward', refBackend.lstmGatesForward),
    lstmGatesBackward: wrap('lstmGatesBackward', refBackend.lstmGatesBackward),
    gruGatesForward: wrap('gruGatesForward', refBackend.gruGatesForward),
    gruGatesBackward: wrap('gruGatesBackward', refBackend.gruGatesBackward),
    rnnActForward: wrap('rnnActForward', refBackend.rnnActForward),
    rnnActBackward: wrap('rnnActBackward', refBackend.rnnActBackward),
  };
  return { k, counts };
}

function rnd(n: number, seed: number, std = 0.5): Float64Array {
  const g = new Generator(seed);
  return Float64Array.from({ length: n }, () => std * g.normal());
}

type Kind = 'lstm' | 'lstmProj' | 'gru' | 'rnn';

interface Run {
  /** Output state (T, B, P) after forward. */
  hState: Float64Array;
  /** Every gradient buffer after backward, by name. */
  grads: Record<string, Float64Array>;
  dhSteps: Float64Array;
}

/**
 * Runs forward then backward of `kind` on seeded data with backend k. `init` prefills
 * every gradient buffer (to test accumulation).
 */
function run(kind: Kind, k: Backend, T: number, B: number, lengths: Int32Array | null, init = 0): Run {
  const I = 3, H = 3;
  const P = kind === 'lstmProj' ? 2 : H;
  const G = (kind === 'gru' ? 3 : kind === 'rnn' ? 1 : 4) * H;
  const x = rnd(T * B * I, 1, 1), h0 = rnd(B * P, 2), c0 = rnd(B * H, 3);
  const wIH = rnd(G * I, 4), wHH = rnd(G * P, 5), bIH = rnd(G, 6), bHH = rnd(G, 7), wHR = rnd(P * H, 8);
  const dhOut = rnd(T * B * P, 9, 1), dhN = rnd(B * P, 10, 1), dcN = rnd(B * H, 11, 1);
  const z = (n: number): Float64Array => new Float64Array(n).fill(init);
  const grads: Record<string, Float64Array> = {
    dx: z(T * B * I), dh0: z(B * P), dwIH: z(G * I), dwHH: z(G * P), dbIH: z(G), dbHH: z(G),
  };
  const hState = new Float64Array(T * B * P);
  const dhSteps = new Float64Array(T * B * P).fill(NaN); // every element must be written
  const g = grads as Record<string, Float64Array> & { dx: Float64Array; dh0: Float64Array; dwIH: Float64Array; dwHH: Float64Array; dbIH: Float64Array; dbHH: Float64Array };
  if (kind === 'lstm' || kind === 'lstmProj') {
    const proj = kind === 'lstmProj' ? wHR : null;
    grads.dc0 = z(B * H);
    if (proj) grads.dwHR = z(P * H);
    const cState = new Float64Array(T * B * H), gates = new Float64Array(T * B * G);
    lstmForward(k, hState, cState, gates, x, h0, c0, wIH, wHH, bIH, bHH, proj, lengths, T, B, I, H, P);
    lstmBackward(k, g.dx, g.dh0, grads.dc0, g.dwIH, g.dwHH, g.dbIH, g.dbHH, grads.dwHR ?? null, dhSteps, dhOut, dhN, dcN,
      hState, cState, gates, x, h0, c0, wIH, wHH, proj, lengths, T, B, I, H, P);
  } else if (kind === 'gru') {
    const gates = new Float64Array(T * B * G), ghn = new Float64Array(T * B * H);
    gruForward(k, hState, gates, ghn, x, h0, wIH, wHH, bIH, bHH, lengths, T, B, I, H);
    gruBackward(k, g.dx, g.dh0, g.dwIH, g.dwHH, g.dbIH, g.dbHH, dhSteps, dhOut, dhN, hState, gates, ghn, x, h0, wIH, wHH, lengths, T, B, I, H);
  } else {
    rnnForward(k, hState, x, h0, wIH, wHH, bIH, bHH, 'tanh', lengths, T, B, I, H);
    rnnBackward(k, g.dx, g.dh0, g.dwIH, g.dwHH, g.dbIH, g.dbHH, dhSteps, dhOut, dhN, hState, x, h0, wIH, wHH, 'tanh', lengths, T, B, I, H);
  }
  return { hState, grads, dhSteps };
}

const kinds: Kind[] = ['lstm', 'lstmProj', 'gru', 'rnn'];

describe('sequence kernels', () => {
  it.each(kinds)('%s: one input-projection gemm, one recurrent gemm per step, batched weight gradients', (kind) => {
    const T = 5, B = 2;
    const { k, counts } = counting();
    run(kind, k, T, B, null);
    const gate = kind === 'gru' ? 'gruGates' : kind === 'rnn' ? 'rnnAct' : 'lstmGates';
    expect(counts[`${gate}Forward`]).toBe(T);
    expect(counts[`${gate}Backward`]).toBe(T);
    // forward: 1 (X·W_ihᵀ) + T (h·W_hhᵀ) [+ T projections];
    // backward: T (dG·W_hh) + dW_ih + 2 for dW_hh (h0 and h_1…h_{T−1}) + dX [+ T (dh·W_hr) + dW_hr]
    const proj = kind === 'lstmProj' ? T : 0;
    expect(counts.gemm).toBe(1 + T + proj + T + 4 + (proj ? proj + 1 : 0));
  });

  it.each(kinds)('%s: gradients accumulate into the buffers (+=)', (kind) => {
    const lengths = Int32Array.from([3, 1]);
    const fresh = run(kind, refBackend, 4, 2, lengths, 0);
    const acc = run(kind, refBackend, 4, 2, lengths, 1);
    for (const [name, g] of Object.entries(fresh.grads)) {
      const a = acc.grads[name] as Float64Array;
      g.forEach((v, i) => expect(a[i], `${name}[${i}]`).toBeCloseTo(v + 1, 13));
    }
  });

  it.each(kinds)('%s: state carried past each length; dhSteps is 0 there and written everywhere', (kind) => {
    const T = 4, B = 3;
    const lengths = Int32Array.from([4, 1, 0]);
    const { hState, dhSteps } = run(kind, refBackend, T, B, lengths);
    const P = hState.length / (T * B);
    for (let b = 0; b < B; b++) {
      const L = lengths[b] as number;
      for (let t = 0; t < T; t++) {
        const row = Array.from(hState.subarray((t * B + b) * P, (t * B + b + 1) * P));
        const steps = Array.from(dhSteps.subarray((t * B + b) * P, (t * B + b + 1) * P));
        if (t >= L && L > 0) expect(row).toEqual(Array.from(hState.subarray(((L - 1) * B + b) * P, ((L - 1) * B + b + 1) * P)));
        if (t >= L) expect(steps).toEqual(new Array(P).fill(0));
        else expect(steps.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
      }
    }
  });

  it.each(kinds)('%s: T = 0 and B = 0 do no work; the final-state gradient reaches dh0', (kind) => {
    const { k, counts } = counting();
    const r = run(kind, k, 0, 2, null);
    expect(counts.gemm ?? 0).toBe(0);
    expect(Array.from(r.grads.dh0 as Float64Array)).toEqual(Array.from(rnd(r.grads.dh0!.length, 10, 1)));
    expect(r.grads.dwIH!.every((v) => v === 0)).toBe(true);
    const empty = run(kind, k, 3, 0, null);
    expect(empty.hState.length).toBe(0);
    expect(counts.gemm ?? 0).toBe(0);
  });
});
