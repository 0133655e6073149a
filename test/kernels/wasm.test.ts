// The WebAssembly backend against the reference kernels: gemm on random and edge shapes
// (every transpose combination, alpha/beta, offsets and row strides, sizes that are not
// multiples of the SIMD width or of the micro-tile, 1×1, empty), on ordinary arrays and on
// arrays mirrored into linear memory; the fused gate kernels with length masking; whole
// recurrent sequence loops, forward and backward.
import { describe, expect, it } from 'vitest';
import { WasmBackend, wasmFeatures } from '../../src/kernels/wasm/wasm-backend.js';
import { refBackend } from '../../src/backend/ref.js';
import { Generator } from '../../src/util/rng.js';
import { lstmBackward, lstmForward } from '../../src/kernels/recurrent/lstm.js';
import { gruBackward, gruForward } from '../../src/kernels/recurrent/gru.js';
import { rnnBackward, rnnForward } from '../../src/kernels/recurrent/rnn.js';
import type { FloatArray, TypedArray } from '../../src/util/arrays.js';

const wasm = WasmBackend.create();
const plain = WasmBackend.create({ relaxed: false });

function rnd(n: number, seed: number): Float32Array {
  const g = new Generator(seed);
  return Float32Array.from({ length: n }, () => g.normal());
}

/** max |a − e| / max(1, max |e|). */
function err(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let d = 0;
  let s = 1;
  for (let i = 0; i < e.length; i++) {
    d = Math.max(d, Math.abs((a[i] as number) - (e[i] as number)));
    s = Math.max(s, Math.abs(e[i] as number));
  }
  if (a.length !== e.length) return Infinity;
  return Number.isNaN(d) ? Infinity : d / s;
}

interface GemmCase { tA: boolean; tB: boolean; M: number; N: number; K: number; alpha: number; beta: number; pad: number; off: number }

function runGemm(k: typeof refBackend, c: GemmCase, seed: number, C0?: Float32Array): Float32Array {
  const { tA, tB, M, N, K, alpha, beta, pad, off } = c;
  const aRows = tA ? K : M;
  const aCols = tA ? M : K;
  const bRows = tB ? N : K;
  const bCols = tB ? K : N;
  const lda = aCols + pad;
  const ldb = bCols + pad;
  const ldc = N + pad;
  const A = rnd(off + aRows * lda, seed);
  const B = rnd(off + bRows * ldb, seed + 1);
  const C = C0 ? C0.slice() : rnd(off + M * ldc, seed + 2);
  if (beta === 0) for (let i = off; i < C.length; i += 7) C[i] = Number.NaN; // beta = 0 ignores C, even NaN
  k.gemm(tA, tB, M, N, K, alpha, A, off, lda, B, off, ldb, beta, C, off, ldc);
  return C;
}

describe('wasm backend', () => {
  it('reports what runs', () => {
    expect(wasmFeatures().simd).toBe(true);
    expect(wasm.describe()).toMatch(/^wasm: WebAssembly (relaxed SIMD|SIMD128)/);
    expect(plain.relaxed).toBe(false);
  });

  const sizes: [number, number, number][] = [
    [0, 3, 4], [3, 0, 4], [3, 4, 0], [1, 1, 1], [1, 9, 1], [5, 3, 7], [6, 8, 16], [7, 9, 13],
    [13, 17, 300], [73, 33, 5], [32, 260, 256], [2, 2050, 3],
  ];
  for (const k of [wasm, plain]) {
    for (const [M, N, K] of sizes) {
      it(`${k === plain ? 'plain-SIMD build' : 'default build'} gemm ${M}×${N}×${K}, all transposes, alpha/beta, strides and offsets = ref`, () => {
        let seed = M * 1000 + N * 10 + K;
        for (const tA of [false, true]) {
          for (const tB of [false, true]) {
            for (const [alpha, beta, pad, off] of [[1, 0, 0, 0], [0.5, 1, 3, 5], [-2, 0.25, 1, 2], [0, 2, 0, 1]] as const) {
              const c = { tA, tB, M, N, K, alpha, beta, pad, off };
              const base = rnd(off + M * (N + pad), ++seed);
              const want = runGemm(refBackend, c, seed, base);
              const got = runGemm(k, c, seed, base);
              // float32 products summed in a different order: error ~ K · 2⁻²⁴ relative to |A||B|.
              expect(err(got, want), JSON.stringify(c)).toBeLessThan(1e-6 * Math.max(1, Math.sqrt(K)) * 4);
            }
          }
        }
      });
    }
  }

  for (const [M, N, K] of [[9, 21, 35], [5, 2100, 300], [64, 7, 1]]) it(`gemm ${M}×${N}×${K} on arrays mirrored into linear memory (the path of the sequence loops, B packed once) = ref`, () => {
    const A = rnd(M * K, 1);
    const B = rnd(N * K, 2);
    const C = rnd(M * N, 3);
    const want = C.slice();
    refBackend.gemm(false, true, M, N, K, 1, A, 0, K, B, 0, K, 1, want, 0, N);
    wasm.mirror([A, B, C], [2], (v) => {
      const [a, b, c] = v as Float32Array[];
      expect(wasm.workspace(a as Float32Array, 4)).not.toBeNull();
      // Twice: the second call reuses B packed by the first.
      wasm.gemm(false, true, M, N, K, 0.5, a as Float32Array, 0, K, b as Float32Array, 0, K, 1, c as Float32Array, 0, N);
      wasm.gemm(false, true, M, N, K, 0.5, a as Float32Array, 0, K, b as Float32Array, 0, K, 1, c as Float32Array, 0, N);
    });
    expect(err(C, want)).toBeLessThan(1e-5);
    expect(wasm.workspace(A, 4)).toBeNull(); // outside a mirrored call there is no workspace
  });
});

// ---- whole sequence loops: wasm (mirrored, wasm gate kernels) = ref -------------------------

interface Dims { T: number; B: number; I: number; H: number }
const dims: Dims = { T: 7, B: 5, I: 6, H: 11 };
const lengths = Int32Array.from([7, 3, 1, 7, 5]);

function copyAll<T extends unknown[]>(args: T): T {
  return args.map((a) => (ArrayBuffer.isView(a) ? (a as Float32Array).slice() : a)) as T;
}

function compare(run: (k: typeof refBackend, args: unknown[]) => void, args: unknown[], outputs: number[], what: string): void {
  const r = copyAll(args);
  const w = copyAll(args);
  run(refBackend, r);
  run(wasm, w);
  for (const i of outputs) {
    if (r[i] === null) continue; // an absent optional output (no projection)
    const e = err(w[i] as FloatArray, r[i] as FloatArray);
    expect(e, `${what}: output ${i}`).toBeLessThan(2e-5);
  }
}

describe('sequence loops on the wasm backend = ref', () => {
  const { T, B, I, H } = dims;
  for (const len of [null, lengths]) {
    const tag = len ? 'with lengths' : 'full length';
    it(`LSTM forward and backward, with and without projection (${tag})`, () => {
      for (const P of [H, 4]) {
        const G = 4 * H;
        const proj = P !== H ? rnd(P * H, 9) : null;
        const fwd = [new Float32Array(T * B * P), new Float32Array(T * B * H), new Float32Array(T * B * G), rnd(T * B * I, 1), rnd(B * P, 2), rnd(B * H, 3),
          rnd(G * I, 4), rnd(G * P, 5), rnd(G, 6), rnd(G, 7), proj, len, T, B, I, H, P];
        compare((k, a) => (lstmForward as (...x: unknown[]) => void)(k, ...a), fwd, [0, 1, 2], `lstm forward P=${P}`);
        const saved = copyAll(fwd);
        (lstmForward as (...x: unknown[]) => void)(refBackend, ...saved);
        const [hS, cS, gS, x, h0, c0, wIH, wHH, , , wHR] = saved as (Float32Array | null)[];
        const bwd = [rnd(T * B * I, 11), rnd(B * P, 12), rnd(B * H, 13), rnd(G * I, 14), rnd(G * P, 15), rnd(G, 16), rnd(G, 17), proj ? rnd(P * H, 18) : null,
          new Float32Array(T * B * P), rnd(T * B * P, 19), rnd(B * P, 20), rnd(B * H, 21), hS, cS, gS, x, h0, c0, wIH, wHH, wHR, len, T, B, I, H, P];
        compare((k, a) => (lstmBackward as (...x: unknown[]) => void)(k, ...a), bwd, [0, 1, 2, 3, 4, 5, 6, 7, 8], `lstm backward P=${P}`);
      }
    });

    it(`GRU forward and backward (${tag})`, () => {
      const G = 3 * H;
      const fwd = [new Float32Array(T * B * H), new Float32Array(T * B * G), new Float32Array(T * B * H), rnd(T * B * I, 1), rnd(B * H, 2),
        rnd(G * I, 4), rnd(G * H, 5), rnd(G, 6), rnd(G, 7), len, T, B, I, H];
      compare((k, a) => (gruForward as (...x: unknown[]) => void)(k, ...a), fwd, [0, 1, 2], 'gru forward');
      const saved = copyAll(fwd);
      (gruForward as (...x: unknown[]) => void)(refBackend, ...saved);
      const [hS, gS, nS, x, h0, wIH, wHH] = saved as Float32Array[];
      const bwd = [rnd(T * B * I, 11), rnd(B * H, 12), rnd(G * I, 14), rnd(G * H, 15), rnd(G, 16), rnd(G, 17), new Float32Array(T * B * H),
        rnd(T * B * H, 19), rnd(B * H, 20), hS, gS, nS, x, h0, wIH, wHH, len, T, B, I, H];
      compare((k, a) => (gruBackward as (...x: unknown[]) => void)(k, ...a), bwd, [0, 1, 2, 3, 4, 5, 6], 'gru backward');
    });

    for (const nl of ['tanh', 'relu'] as const) {
      it(`RNN(${nl}) forward and backward (${tag})`, () => {
        const fwd = [new Float32Array(T * B * H), rnd(T * B * I, 1), rnd(B * H, 2), rnd(H * I, 4), rnd(H * H, 5), rnd(H, 6), rnd(H, 7), nl, len, T, B, I, H];
        compare((k, a) => (rnnForward as (...x: unknown[]) => void)(k, ...a), fwd, [0], 'rnn forward');
        const saved = copyAll(fwd);
        (rnnForward as (...x: unknown[]) => void)(refBackend, ...saved);
        const [hS, x, h0, wIH, wHH] = saved as Float32Array[];
        const bwd = [rnd(T * B * I, 11), rnd(B * H, 12), rnd(H * I, 14), rnd(H * H, 15), rnd(H, 16), rnd(H, 17), new Float32Array(T * B * H),
          rnd(T * B * H, 19), rnd(B * H, 20), hS, x, h0, wIH, wHH, nl, len, T, B, I, H];
        compare((k, a) => (rnnBackward as (...x: unknown[]) => void)(k, ...a), bwd, [0, 1, 2, 3, 4, 5, 6], 'rnn backward');
      });
    }
  }

  it('the wasm run really happens in linear memory (a mirrored loop) and leaves the arena as it was', () => {
    const before = wasm.memoryBytes();
    const G = 4 * H;
    const args: (TypedArray | number | null)[] = [new Float32Array(T * B * H), new Float32Array(T * B * H), new Float32Array(T * B * G), rnd(T * B * I, 1), rnd(B * H, 2), rnd(B * H, 3),
      rnd(G * I, 4), rnd(G * H, 5), null, null, null, null, T, B, I, H, H];
    let mirrored = 0;
    const spy = Object.assign(Object.create(wasm) as WasmBackend, {
      mirror: (a: readonly (TypedArray | null)[], o: readonly number[], fn: (v: (TypedArray | null)[]) => void) => {
        mirrored++;
        wasm.mirror(a, o, fn);
      },
    });
    (lstmForward as (...x: unknown[]) => void)(spy, ...args);
    expect(mirrored).toBe(1);
    expect(wasm.memoryBytes()).toBeGreaterThanOrEqual(before);
  });
});

describe('wasm backend on a thread pool', () => {
  it('gives bit-identical results on 1 and 2 threads (split by columns, by rows, mirrored with B packed once)', async () => {
    const one = WasmBackend.create({ threads: 1 });
    const two = WasmBackend.create({ threads: 2 });
    try {
      expect(two.threads).toBe(2);
      expect(await two.whenReady()).toBe(true);
      expect(two.describe()).toMatch(/2 threads \(ready\)/);
      for (const [M, N, K, tA, tB] of [[64, 300, 257, false, true], [700, 10, 129, true, false], [37, 1030, 64, false, false], [2, 3, 4, true, true]] as const) {
        const A = rnd(M * K, 1);
        const B = rnd(N * K, 2);
        const C0 = rnd(M * N, 3);
        const outs = [one, two].map((k) => {
          const C = C0.slice();
          k.gemm(tA, tB, M, N, K, 0.7, A, 0, tA ? M : K, B, 0, tB ? K : N, 0.3, C, 0, N);
          const Cm = C0.slice();
          k.mirror([A, B, Cm], [2], (v) => {
            const [a, b, c] = v as Float32Array[];
            for (let r = 0; r < 2; r++) k.gemm(tA, tB, M, N, K, 0.7, a as Float32Array, 0, tA ? M : K, b as Float32Array, 0, tB ? K : N, 0.3, c as Float32Array, 0, N);
          });
          return [C, Cm];
        });
        const [c1, m1] = outs[0] as Float32Array[];
        const [c2, m2] = outs[1] as Float32Array[];
        expect(Array.from(c2 as Float32Array)).toEqual(Array.from(c1 as Float32Array));
        expect(Array.from(m2 as Float32Array)).toEqual(Array.from(m1 as Float32Array));
        const want = C0.slice();
        refBackend.gemm(tA, tB, M, N, K, 0.7, A, 0, tA ? M : K, B, 0, tB ? K : N, 0.3, want, 0, N);
        expect(err(c2 as Float32Array, want)).toBeLessThan(1e-4);
      }
      // A whole LSTM loop, forward and backward, is identical too.
      const { T, B: Bt, I, H } = { T: 9, B: 40, I: 70, H: 64 };
      const G = 4 * H;
      const run = (k: WasmBackend): Float32Array[] => {
        const args: unknown[] = [new Float32Array(T * Bt * H), new Float32Array(T * Bt * H), new Float32Array(T * Bt * G), rnd(T * Bt * I, 1), rnd(Bt * H, 2), rnd(Bt * H, 3),
          rnd(G * I, 4), rnd(G * H, 5), rnd(G, 6), rnd(G, 7), null, null, T, Bt, I, H, H];
        (lstmForward as (...x: unknown[]) => void)(k, ...args);
        return args.slice(0, 3) as Float32Array[];
      };
      const r1 = run(one);
      const r2 = run(two);
      r1.forEach((a, i) => expect(Array.from(r2[i] as Float32Array)).toEqual(Array.from(a)));
    } finally {
      two.dispose();
    }
  });

  it('rejects a bad thread count by name', () => {
    expect(() => WasmBackend.create({ threads: 0 })).toThrow(/threads must be an integer in \[1, 256\], got 0/);
    expect(() => WasmBackend.create({ threads: 1.5 })).toThrow(/threads/);
  });
});
