// The native backend (Node-API addon, native/) against the reference kernels: gemm on
// random and edge shapes through every kernel family this CPU has (AVX-512, AVX2+FMA,
// portable) on 1 and 2 threads; the per-step gate kernels; the fused whole-sequence
// LSTM/GRU/RNN kernels, forward and backward, with and without lengths, against the
// TypeScript sequence loops on the reference backend; and bad arguments from JavaScript,
// which must throw naming the argument before any memory is touched.
// When `npm install` could not build the addon (no compiler: native/build/status.json says
// why) these tests are skipped with that reason; when it was built, it must load.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NativeBackend, nativeUnavailableReason } from '../../src/kernels/native/native-backend.js';
import { refBackend } from '../../src/backend/ref.js';
import { setFlushDenormal } from '../../src/backend/registry.js';
import type { Backend } from '../../src/backend/backend.js';
import { Generator } from '../../src/util/rng.js';
import { lstmBackward, lstmForward } from '../../src/kernels/recurrent/lstm.js';
import { gruBackward, gruForward } from '../../src/kernels/recurrent/gru.js';
import { rnnBackward, rnnForward } from '../../src/kernels/recurrent/rnn.js';
import type { FloatArray } from '../../src/util/arrays.js';

const statusPath = new URL('../../native/build/status.json', import.meta.url);
const status = existsSync(statusPath) ? (JSON.parse(readFileSync(statusPath, 'utf8')) as { ok: boolean; reason: string }) : null;
const built = status?.ok === true;
if (!built) console.warn(`native backend tests skipped: ${status ? status.reason : 'native/build/status.json missing (npm install not run?)'}`);

function rnd(n: number, seed: number, scale = 1): Float32Array {
  const g = new Generator(seed);
  return Float32Array.from({ length: n }, () => scale * g.normal());
}

/** max |a − e| / max(1, max |e|). */
function err(a: ArrayLike<number>, e: ArrayLike<number>): number {
  if (a.length !== e.length) return Infinity;
  let d = 0;
  let s = 1;
  for (let i = 0; i < e.length; i++) {
    d = Math.max(d, Math.abs((a[i] as number) - (e[i] as number)));
    s = Math.max(s, Math.abs(e[i] as number));
  }
  return Number.isNaN(d) ? Infinity : d / s;
}

describe.runIf(built)('native backend', () => {
  it('loads where npm install built it, and reports what runs', () => {
    expect(nativeUnavailableReason()).toBe('');
    const n = NativeBackend.create();
    expect(n.describe()).toMatch(/^native: C (AVX-512|AVX2\+FMA|portable) sgemm and fused recurrent sequence kernels/);
    expect(['avx512', 'avx2', 'generic']).toContain(n.isa);
  });

  const native = built ? NativeBackend.create() : (null as unknown as NativeBackend);
  const best = built ? native.isa : 'generic';
  const families = (['avx512', 'avx2', 'generic'] as const).filter((f) => f === 'generic' || f === best || (best === 'avx512' && f === 'avx2'));

  /** Runs fn for every kernel family of this CPU and 1 and 2 threads, restoring the defaults. */
  function everyConfig(fn: (tag: string) => void): void {
    const threads = native.threads;
    try {
      for (const isa of families) {
        for (const th of [1, 2]) {
          NativeBackend.create({ isa, threads: th });
          fn(`${isa} ${th}t`);
        }
      }
    } finally {
      NativeBackend.create({ isa: best as 'avx512', threads });
    }
  }

  const sizes: [number, number, number][] = [
    [1, 1, 1], [1, 9, 1], [5, 3, 7], [6, 8, 16], [7, 9, 13], [13, 17, 300], [73, 33, 5], [32, 260, 256], [2, 2050, 3],
    [1, 1024, 256], [129, 65, 257], [200, 300, 150],
  ];
  it('gemm = ref on random and edge shapes: all transposes, alpha/beta (beta 0 ignores NaN), strides and offsets, every kernel family, 1 and 2 threads', () => {
    everyConfig((tag) => {
      for (const [M, N, K] of sizes) {
        let seed = M * 1000 + N * 10 + K;
        for (const tA of [false, true]) {
          for (const tB of [false, true]) {
            for (const [alpha, beta, pad, off] of [[1, 0, 0, 0], [0.5, 1, 3, 5], [-2, 0.25, 1, 2], [0, 2, 0, 1]] as const) {
              const aRows = tA ? K : M, aCols = tA ? M : K, bRows = tB ? N : K, bCols = tB ? K : N;
              const lda = aCols + pad, ldb = bCols + pad, ldc = N + pad;
              const A = rnd(off + aRows * lda, ++seed);
              const B = rnd(off + bRows * ldb, ++seed);
              const C0 = rnd(off + M * ldc, ++seed);
              if (beta === 0) for (let i = off; i < C0.length; i += 7) C0[i] = Number.NaN;
              const want = C0.slice();
              const got = C0.slice();
              refBackend.gemm(tA, tB, M, N, K, alpha, A, off, lda, B, off, ldb, beta, want, off, ldc);
              native.gemm(tA, tB, M, N, K, alpha, A, off, lda, B, off, ldb, beta, got, off, ldc);
              const where = `${tag} ${JSON.stringify({ M, N, K, tA, tB, alpha, beta, pad, off })}`;
              expect(err(got, want), where).toBeLessThan(4e-6 * Math.max(1, Math.sqrt(K)));
              // Padding between rows is never written.
              for (let r = 0; r < M; r++) for (let j = N; j < ldc; j++) expect(Object.is(got[off + r * ldc + j], want[off + r * ldc + j]), where).toBe(true);
            }
          }
        }
      }
    });
  });

  it('reduceSum = ref to the last bit (float64 accumulation in the same order), inner 1 and wider than a block', () => {
    for (const [outer, n, inner] of [[1, 524288, 1], [3, 1000, 7], [2, 50, 700], [4, 0, 3]] as const) {
      const x = rnd(outer * n * inner, outer + n + inner);
      const want = new Float32Array(outer * inner), got = new Float32Array(outer * inner).fill(Number.NaN);
      refBackend.reduceSum(want, x, outer, n, inner);
      native.reduceSum(got, x, outer, n, inner);
      expect(Array.from(got), `${outer}×${n}×${inner}`).toEqual(Array.from(want));
    }
  });

  it('unary tanh/sigmoid within 6 ulps of ref (NaN and ±∞ kept), their derivatives = ref to the last bit', () => {
    const n = 3001;
    const x = rnd(n, 9, 4);
    x[0] = Number.NaN; x[1] = Number.POSITIVE_INFINITY; x[2] = Number.NEGATIVE_INFINITY; x[3] = 0; x[4] = 40; x[5] = -40;
    for (const op of ['tanh', 'sigmoid'] as const) {
      const want = new Float32Array(n), got = new Float32Array(n);
      refBackend.unary(op, want, x, n);
      native.unary(op, got, x, n);
      expect(Number.isNaN(got[0]!)).toBe(true);
      for (let i = 1; i < n; i++) {
        const tol = Math.max(6 * Math.abs(want[i]!) * 2 ** -23, 2 ** -126); // (σ(−∞): a denormal, not 0)
        expect(Math.abs(got[i]! - want[i]!), `${op}(${x[i]})`).toBeLessThanOrEqual(tol);
      }
      const dy = rnd(n, 10), dxW = new Float32Array(n), dxG = new Float32Array(n);
      refBackend.unaryBackward(op, dxW, dy, x, want, n);
      native.unaryBackward(op, dxG, dy, x, want, n);
      expect(Array.from(dxG)).toEqual(Array.from(dxW));
    }
  });

  it('copyStrided = ref (transposes, narrows, broadcasts, int32, empty), and rejects reads outside x', () => {
    const x = rnd(4 * 5 * 6 * 7, 11);
    const xi = Int32Array.from(x, (v) => Math.round(v * 1000));
    const cases: [number, number[], number[]][] = [
      [0, [210, 42, 7, 1], [4, 5, 6, 7]], // contiguous
      [0, [7, 1, 42, 210], [6, 7, 5, 4]], // reversed axes
      [42, [210, 1, 7], [4, 7, 5]], // narrow + transpose
      [3, [0, 7, 1], [9, 5, 4]], // broadcast over the first axis
      [0, [1, 0], [600, 3]], // inner stride 0
      [0, [42, 7], [0, 6]], // empty
    ];
    for (const [offset, strides, shape] of cases) {
      const size = shape.reduce((a, d) => a * d, 1);
      for (const src of [x, xi]) {
        const want = src instanceof Float32Array ? new Float32Array(size) : new Int32Array(size);
        const got = src instanceof Float32Array ? new Float32Array(size) : new Int32Array(size);
        refBackend.copyStrided(want, src, offset, strides, shape);
        native.copyStrided(got, src, offset, strides, shape);
        expect(Array.from(got), `${shape} ${strides}`).toEqual(Array.from(want));
      }
    }
    const addon = (native as unknown as { n: Record<string, (...a: unknown[]) => void> }).n;
    expect(() => addon.copyStrided!(new Float32Array(2000), x, 1, Int32Array.from([1, 1]), Int32Array.from([840, 2]))).toThrow(/copyStrided: argument 'x' must hold the elements 1 … 841 the strides reach, got length 840/);
    expect(() => addon.copyStrided!(new Float32Array(10), xi, 0, Int32Array.from([1]), Int32Array.from([10]))).toThrow(/must both be Float32Arrays or both Int32Arrays/);
    expect(() => addon.copyStrided!(new Float32Array(10), x, 0, Int32Array.from([1]), Int32Array.from([11]))).toThrow(/argument 'out' must hold at least 11 elements, got 10/);
  });

  it('adamUpdate = ref to the last bit (Adam and AdamW decay), over several steps, and checks its arrays', () => {
    const n = 5000;
    const pr = rnd(n, 1), gr = rnd(n, 2, 0.1);
    const [p1, m1, v1] = [pr.slice(), new Float32Array(n), new Float32Array(n)];
    const [p2, m2, v2] = [pr.slice(), new Float32Array(n), new Float32Array(n)];
    for (let t = 1; t <= 3; t++) {
      const args = [n, 0.9, 0.999, 1e-8, 1e-3 / (1 - 0.9 ** t), Math.sqrt(1 - 0.999 ** t), t === 3 ? 1 - 1e-3 * 0.01 : 1] as const;
      refBackend.adamUpdate(p1, gr, m1, v1, ...args);
      native.adamUpdate(p2, gr, m2, v2, ...args);
    }
    expect(Array.from(p2)).toEqual(Array.from(p1));
    expect(Array.from(m2)).toEqual(Array.from(m1));
    expect(Array.from(v2)).toEqual(Array.from(v1));
    expect(p2.some((x, i) => x !== pr[i])).toBe(true);
    const addon = (native as unknown as { n: Record<string, (...a: unknown[]) => void> }).n;
    expect(() => addon.adamUpdate!(p2, gr, m2, new Float32Array(n - 1), n, 0.9, 0.999, 1e-8, 1e-3, 1, 1)).toThrow(/adamUpdate: argument 'v' must hold at least 5000 elements, got 4999/);
  });

  it('flush-to-zero mode: off by default (IEEE subnormals); on, subnormal inputs and results are 0 in the caller and in the workers; JavaScript keeps IEEE arithmetic', () => {
    expect(native.flushDenormal).toBe(false);
    const threads = native.threads;
    const M = 256; // large enough for the 2-thread gemm path
    const gemm = (a: Float32Array, b: Float32Array): Float32Array => {
      const c = new Float32Array(M * M);
      native.gemm(false, false, M, M, M, 1, a, 0, M, b, 0, M, 0, c, 0, M);
      return c;
    };
    const small = new Float32Array(M * M).fill(1e-21); // normal; products 1e-42 are subnormal
    const sub = new Float32Array(M * M).fill(1e-40); // subnormal inputs
    const big = new Float32Array(M * M).fill(1e30);
    const x = rnd(M * M, 7), y = rnd(M * M, 8);
    const refC = new Float32Array(M * M);
    refBackend.gemm(false, false, M, M, M, 1, x, 0, M, y, 0, M, 0, refC, 0, M);
    const tiny = new Float32Array([1e-40, 2e-40]);
    try {
      NativeBackend.create({ threads: 2 });
      const offSmall = gemm(small, small), offSub = gemm(sub, big), offXY = gemm(x, y);
      expect(offSmall.every((v) => v > 2.5e-40 && v < 2.62e-40)).toBe(true); // 256 × 1e-42, kept as subnormals
      expect(offSub.every((v) => Math.abs(v - 2.56e-8) < 1e-12)).toBe(true);
      expect(err(offXY, refC)).toBeLessThan(1e-5);
      const tanhOff = new Float32Array(M);
      native.unary('tanh', tanhOff, sub.subarray(0, M), M);
      expect(tanhOff.every((v) => v === Math.fround(1e-40))).toBe(true);

      expect(native.setFlushDenormal(true)).toBe(process.arch === 'x64' || process.arch === 'ia32');
      if (!native.flushDenormal) return; // not supported here: the mode stays off
      expect(gemm(small, small).every((v) => v === 0)).toBe(true); // FTZ, in every thread's tiles
      expect(gemm(sub, big).every((v) => v === 0)).toBe(true); // DAZ
      expect(Array.from(gemm(x, y))).toEqual(Array.from(offXY)); // normal numbers: the same bits
      const tanhOn = new Float32Array(M);
      native.unary('tanh', tanhOn, sub.subarray(0, M), M);
      expect(tanhOn.every((v) => v === 0)).toBe(true);
      const dx = new Float32Array(M);
      native.unaryBackward('tanh', dx, sub.subarray(0, M), tanhOn, tanhOn, M);
      expect(dx.every((v) => v === 0)).toBe(true);
      const n = 2048, p = new Float32Array(n).fill(1), m = new Float32Array(n), v = new Float32Array(n);
      native.adamUpdate(p, new Float32Array(n).fill(1e-40), m, v, n, 0.9, 0.999, 1e-8, 1e-3, 1, 1);
      expect(m.every((q) => q === 0)).toBe(true); // 0.1 × 1e-40 read as 0 × …
      // The caller's own floating-point state is restored: JavaScript still has subnormals.
      expect((tiny[0] as number) * 0.5).toBeGreaterThan(0);
      expect(Math.fround((tiny[1] as number) / 2)).toBe(Math.fround(1e-40));
      // The public switch.
      expect(setFlushDenormal(false)).toBe(true);
      expect(native.flushDenormal).toBe(false);
      expect(gemm(small, small).every((q) => q > 0)).toBe(true);
      expect(setFlushDenormal(true)).toBe(true);
      expect(native.flushDenormal).toBe(true);
      expect(() => setFlushDenormal('yes' as never)).toThrow(/setFlushDenormal: argument 'enabled' must be a boolean, got string/);
    } finally {
      native.setFlushDenormal(false);
      NativeBackend.create({ threads });
    }
    expect(native.flushDenormal).toBe(false);
  });

  it('per-step gate kernels = ref (LSTM, GRU with gates aliasing gx, RNN tanh/relu), with lengths', () => {
    const B = 5, H = 37, t = 2;
    const lengths = Int32Array.from([3, 2, 5, 1, 3]);
    for (const len of [null, lengths]) {
      const run = (k: Backend): FloatArray[] => {
        const g = rnd(2 * B * 4 * H, 1), c = rnd(2 * B * H, 2), m = rnd(B * H + 3, 3), cp = rnd(B * H + 1, 4);
        k.lstmGatesForward(g, B * 4 * H, c, B * H, m, 3, cp, 1, len, t, B, H);
        const dg = rnd(B * 4 * H + 2, 5), dc = rnd(B * H, 6), dm = rnd(B * H, 7);
        k.lstmGatesBackward(dg, 2, dc, dm, g, B * 4 * H, c, B * H, cp, 1, len, t, B, H);
        const gx = rnd(B * 3 * H, 8), gh = rnd(B * 3 * H, 9), ghn = rnd(B * H, 10), h = rnd(B * H, 11), hp = rnd(B * H, 12);
        k.gruGatesForward(gx, 0, ghn, 0, h, 0, gx, 0, gh, hp, 0, len, t, B, H);
        const dgx = rnd(B * 3 * H, 13), dgh = rnd(B * 3 * H, 14), dhd = rnd(B * H, 15), dh = rnd(B * H, 16);
        k.gruGatesBackward(dgx, 0, dgh, 0, dhd, dh, gx, 0, ghn, 0, hp, 0, len, t, B, H);
        const outs: FloatArray[] = [g, c, m, dg, dc, gx, ghn, h, dgx, dgh, dhd];
        for (const nl of ['tanh', 'relu'] as const) {
          const pre = rnd(B * H, 17), hr = rnd(B * H, 18), dpre = rnd(B * H, 19), dhr = rnd(B * H, 20);
          k.rnnActForward(hr, 0, pre, 0, nl, len, t, B, H);
          k.rnnActBackward(dpre, 0, dhr, hr, 0, nl, len, t, B, H);
          outs.push(hr, dpre);
        }
        return outs;
      };
      const want = run(refBackend);
      everyConfig((tag) => {
        const got = run(native);
        got.forEach((a, i) => expect(err(a, want[i] as FloatArray), `${tag} output ${i}`).toBeLessThan(2e-6));
      });
    }
  });

  // ---- whole sequences: native fused kernels = TypeScript loops on ref ---------------------

  function copyAll<T extends unknown[]>(args: T): T {
    return args.map((a) => (ArrayBuffer.isView(a) ? (a as Float32Array).slice() : a)) as T;
  }

  function compare(run: (k: Backend, args: unknown[]) => void, args: unknown[], outputs: number[], what: string): void {
    const r = copyAll(args);
    run(refBackend, r);
    everyConfig((tag) => {
      const w = copyAll(args);
      run(native, w);
      for (const i of outputs) {
        if (r[i] === null) continue;
        expect(err(w[i] as FloatArray, r[i] as FloatArray), `${tag} ${what}: output ${i}`).toBeLessThan(3e-5);
      }
    });
  }

  // Small (one thread, one block); large enough to split the hidden units among threads
  // with a partial last block (H = 70 with panels of 32 or 16); a batch of ≤ 4 rows
  // (the step product by dot products on AVX-512); and a batch above 32 rows (one input
  // step per chunk in the LSTM forward, a partial row tile).
  for (const { T, B, I, H } of [{ T: 7, B: 5, I: 6, H: 11 }, { T: 6, B: 9, I: 13, H: 70 }, { T: 5, B: 3, I: 4, H: 200 }, { T: 4, B: 33, I: 5, H: 40 }]) {
    const lengths = Int32Array.from({ length: B }, (_, b) => [T, 3, 1, T, 5, 0, 2, T, 4][b % 9] as number);
    for (const len of [null, lengths]) {
      const tag = `T=${T} B=${B} I=${I} H=${H}, ${len ? 'with lengths (one row empty)' : 'full length'}`;
      it(`LSTM forward and backward (${tag})`, () => {
        const G = 4 * H;
        const fwd = [new Float32Array(T * B * H), new Float32Array(T * B * H), new Float32Array(T * B * G), rnd(T * B * I, 1), rnd(B * H, 2), rnd(B * H, 3),
          rnd(G * I, 4, 1 / Math.sqrt(I)), rnd(G * H, 5, 1 / Math.sqrt(H)), rnd(G, 6), rnd(G, 7), null, len, T, B, I, H, H];
        compare((k, a) => (lstmForward as (...x: unknown[]) => void)(k, ...a), fwd, [0, 1, 2], 'lstm forward');
        // Inference (saveGates false): the same states, whatever is left in gates.
        compare((k, a) => (lstmForward as (...x: unknown[]) => void)(k, ...a, k === refBackend), fwd, [0, 1], 'lstm forward without saved gates');
        const saved = copyAll(fwd);
        (lstmForward as (...x: unknown[]) => void)(refBackend, ...saved);
        const [hS, cS, gS, x, h0, c0, wIH, wHH] = saved as Float32Array[];
        for (const optional of [true, false]) {
          const bwd = [rnd(T * B * I, 11), rnd(B * H, 12), rnd(B * H, 13), rnd(G * I, 14), rnd(G * H, 15), optional ? rnd(G, 16) : null, optional ? rnd(G, 17) : null, null,
            optional ? new Float32Array(T * B * H) : null, optional ? rnd(T * B * H, 19) : null, rnd(B * H, 20), optional ? rnd(B * H, 21) : null,
            hS, cS, gS, x, h0, c0, wIH, wHH, null, len, T, B, I, H, H];
          compare((k, a) => (lstmBackward as (...x: unknown[]) => void)(k, ...a), bwd, [0, 1, 2, 3, 4, 5, 6, 8], 'lstm backward');
        }
      });

      it(`GRU forward and backward (${tag})`, () => {
        const G = 3 * H;
        for (const bias of [true, false]) {
          const fwd = [new Float32Array(T * B * H), new Float32Array(T * B * G), new Float32Array(T * B * H), rnd(T * B * I, 1), rnd(B * H, 2),
            rnd(G * I, 4, 1 / Math.sqrt(I)), rnd(G * H, 5, 1 / Math.sqrt(H)), bias ? rnd(G, 6) : null, bias ? rnd(G, 7) : null, len, T, B, I, H];
          compare((k, a) => (gruForward as (...x: unknown[]) => void)(k, ...a), fwd, [0, 1, 2], 'gru forward');
          const saved = copyAll(fwd);
          (gruForward as (...x: unknown[]) => void)(refBackend, ...saved);
          const [hS, gS, nS, x, h0, wIH, wHH] = saved as Float32Array[];
          const bwd = [rnd(T * B * I, 11), rnd(B * H, 12), rnd(G * I, 14), rnd(G * H, 15), bias ? rnd(G, 16) : null, bias ? rnd(G, 17) : null, new Float32Array(T * B * H),
            rnd(T * B * H, 19), bias ? rnd(B * H, 20) : null, hS, gS, nS, x, h0, wIH, wHH, len, T, B, I, H];
          compare((k, a) => (gruBackward as (...x: unknown[]) => void)(k, ...a), bwd, [0, 1, 2, 3, 4, 5, 6], 'gru backward');
        }
      });

      for (const nl of ['tanh', 'relu'] as const) {
        it(`RNN(${nl}) forward and backward (${tag})`, () => {
          const fwd = [new Float32Array(T * B * H), rnd(T * B * I, 1), rnd(B * H, 2), rnd(H * I, 4, 1 / Math.sqrt(I)), rnd(H * H, 5, 1 / Math.sqrt(H)), rnd(H, 6), rnd(H, 7), nl, len, T, B, I, H];
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
  }

  it('the sequence loops really take the fused kernel (one call per sequence) and keep no per-call memory growth', () => {
    const { T, B, I, H } = { T: 5, B: 4, I: 3, H: 40 };
    const G = 4 * H;
    let calls = 0;
    const spy = Object.assign(Object.create(native) as NativeBackend, {
      sequence: { ...native.sequence, lstmForward: (...a: Parameters<NativeBackend['sequence']['lstmForward']>) => { calls++; native.sequence.lstmForward(...a); } },
    });
    const args = [new Float32Array(T * B * H), new Float32Array(T * B * H), new Float32Array(T * B * G), rnd(T * B * I, 1), rnd(B * H, 2), rnd(B * H, 3),
      rnd(G * I, 4, 1 / Math.sqrt(I)), rnd(G * H, 5, 1 / Math.sqrt(H)), null, null, null, null, T, B, I, H, H];
    (lstmForward as (...x: unknown[]) => void)(spy, ...args);
    expect(calls).toBe(1);
    (lstmForward as (...x: unknown[]) => void)(native, ...args);
    const s = native.scratchBytes();
    for (let i = 0; i < 20; i++) (lstmForward as (...x: unknown[]) => void)(native, ...args);
    expect(native.scratchBytes()).toBe(s);
  });

  it('bad arguments from JavaScript throw naming the argument, before any memory is touched', () => {
    const n = native as unknown as { n: Record<string, (...a: unknown[]) => void> };
    const addon = n.n;
    const A = new Float32Array(12), B = new Float32Array(12), C = new Float32Array(9);
    expect(() => addon.sgemm!(false, false, 3, 3, 4, 1, A, 0, 4, B, 0, 3, 0, C, 1, 3)).toThrow(/sgemm: argument 'C' must hold at least 10 elements, got 9/);
    expect(() => addon.sgemm!(false, false, 3, 3, 4, 1, A, 0, 3, B, 0, 3, 0, C, 0, 3)).toThrow(/sgemm: argument 'lda' must be at least 4/);
    expect(() => addon.sgemm!(false, false, 3, 3, 4, 1, new Float64Array(12), 0, 4, B, 0, 3, 0, C, 0, 3)).toThrow(/sgemm: argument 'A' must be a Float32Array/);
    expect(() => addon.sgemm!(false, false, -3, 3, 4, 1, A, 0, 4, B, 0, 3, 0, C, 0, 3)).toThrow(RangeError);
    expect(() => addon.sgemm!(false, false, 3.5, 3, 4, 1, A, 0, 4, B, 0, 3, 0, C, 0, 3)).toThrow(/argument 'M' must be an integer/);
    expect(() => addon.sgemm!(false, false, 3, 3)).toThrow(/sgemm: expected 16 arguments, got 4/);
    const { T, Bt, I, H } = { T: 3, Bt: 2, I: 4, H: 5 };
    const G = 4 * H;
    const ok = (): unknown[] => [new Float32Array(T * Bt * H), new Float32Array(T * Bt * H), new Float32Array(T * Bt * G), rnd(T * Bt * I, 1), rnd(Bt * H, 2), rnd(Bt * H, 3),
      rnd(G * I, 4, 1 / Math.sqrt(I)), rnd(G * H, 5, 1 / Math.sqrt(H)), null, null, null, T, Bt, I, H, true];
    expect(() => addon.lstmForward!(...ok())).not.toThrow();
    const short = ok();
    short[7] = new Float32Array(G * H - 1);
    expect(() => addon.lstmForward!(...short)).toThrow(/lstmForward: argument 'wHH' must hold at least 100 elements, got 99/);
    const badLen = ok();
    badLen[10] = new Float32Array(2);
    expect(() => addon.lstmForward!(...badLen)).toThrow(/lstmForward: argument 'lengths' must be an Int32Array or null/);
    const huge = ok();
    huge[11] = 2 ** 30;
    expect(() => addon.lstmForward!(...huge)).toThrow(/too large|must hold at least/);
    expect(() => NativeBackend.create({ threads: 0 })).toThrow(/threads must be an integer in \[1, 256\], got 0/);
  });
});
