// The native backend (Node only): the C kernels of native/ — a packed sgemm with AVX-512,
// AVX2+FMA and portable micro-kernels chosen at run time, a persistent thread pool, and
// fused whole-sequence LSTM/GRU/RNN kernels — loaded as a Node-API addon built by
// `npm install` (node-gyp). Everything else is delegated to the reference kernels.
//
// Zero copy: the addon reads and writes the typed arrays' own memory. It validates every
// array (type and length against the sizes, offsets and strides) before touching it.
// float64 never comes here (supportsFloat64 = false): gradient checks run on `ref`.
//
// Loading uses process.getBuiltinModule (Node ≥ 20.16), so this module has no static
// Node import and the core stays bundleable for browsers, where `loadNativeAddon`
// simply returns null.

import { BackendError } from '../../errors.js';
import type { Backend, SequenceKernels } from '../../backend/backend.js';
import { refBackend } from '../../backend/ref.js';
import type { FloatArray, TypedArray } from '../../util/arrays.js';
import type { UnaryOp } from '../ref/elementwise.js';
import type { RnnNonlinearity } from '../../util/gates.js';

type F32 = Float32Array;
type F32N = Float32Array | null;
type I32N = Int32Array | null;

/** The functions the addon exports (native/src/addon.c). */
export interface NativeAddon {
  info(): { isa: string; threads: number; nr: number; scratchBytes: number; flushDenormal: boolean };
  setThreads(n: number): void;
  setFlushDenormal(enabled: boolean): boolean;
  forceIsa(isa: string): boolean;
  reduceSum(out: F32, x: F32, outer: number, n: number, inner: number): void;
  unary(op: number, out: F32, x: F32, n: number): void;
  unaryBackward(op: number, dx: F32, dy: F32, y: F32, n: number): void;
  copyStrided(out: F32 | Int32Array, x: F32 | Int32Array, offset: number, strides: Int32Array, shape: Int32Array): void;
  adamUpdate(p: F32, grad: F32, m: F32, v: F32, n: number, b1: number, b2: number, eps: number, stepSize: number, bc2Sqrt: number, shrink: number): void;
  sgemm(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, A: F32, aOff: number, lda: number,
    B: F32, bOff: number, ldb: number, beta: number, C: F32, cOff: number, ldc: number): void;
  lstmForward(hState: F32, cState: F32, gates: F32, x: F32, h0: F32, c0: F32, wIH: F32, wHH: F32, bIH: F32N, bHH: F32N,
    lengths: I32N, T: number, B: number, I: number, H: number, saveGates: boolean): void;
  lstmBackward(dx: F32, dh0: F32, dc0: F32, dwIH: F32, dwHH: F32, dbIH: F32N, dbHH: F32N, dhSteps: F32N, dhOut: F32N,
    dhN: F32N, dcN: F32N, hState: F32, cState: F32, gates: F32, x: F32, h0: F32, c0: F32, wIH: F32, wHH: F32,
    lengths: I32N, T: number, B: number, I: number, H: number): void;
  gruForward(hState: F32, gates: F32, ghn: F32, x: F32, h0: F32, wIH: F32, wHH: F32, bIH: F32N, bHH: F32N,
    lengths: I32N, T: number, B: number, I: number, H: number): void;
  gruBackward(dx: F32, dh0: F32, dwIH: F32, dwHH: F32, dbIH: F32N, dbHH: F32N, dhSteps: F32N, dhOut: F32N, dhN: F32N,
    hState: F32, gates: F32, ghn: F32, x: F32, h0: F32, wIH: F32, wHH: F32, lengths: I32N,
    T: number, B: number, I: number, H: number): void;
  rnnForward(hState: F32, x: F32, h0: F32, wIH: F32, wHH: F32, bIH: F32N, bHH: F32N, relu: boolean, lengths: I32N,
    T: number, B: number, I: number, H: number): void;
  rnnBackward(dx: F32, dh0: F32, dwIH: F32, dwHH: F32, dbIH: F32N, dbHH: F32N, dhSteps: F32N, dhOut: F32N, dhN: F32N,
    hState: F32, x: F32, h0: F32, wIH: F32, wHH: F32, relu: boolean, lengths: I32N,
    T: number, B: number, I: number, H: number): void;
  lstmGatesForward(gates: F32, gOff: number, c: F32, cOff: number, m: F32, mOff: number, cPrev: F32, pOff: number,
    lengths: I32N, t: number, B: number, H: number): void;
  lstmGatesBackward(dgates: F32, dgOff: number, dc: F32, dm: F32, gates: F32, gOff: number, c: F32, cOff: number,
    cPrev: F32, pOff: number, lengths: I32N, t: number, B: number, H: number): void;
  gruGatesForward(gates: F32, gOff: number, ghn: F32, nOff: number, h: F32, hOff: number, gx: F32, xOff: number, gh: F32,
    hPrev: F32, pOff: number, lengths: I32N, t: number, B: number, H: number): void;
  gruGatesBackward(dgx: F32, dxOff: number, dgh: F32, dhOff: number, dhDirect: F32, dh: F32, gates: F32, gOff: number,
    ghn: F32, nOff: number, hPrev: F32, pOff: number, lengths: I32N, t: number, B: number, H: number): void;
  rnnActForward(h: F32, hOff: number, pre: F32, pOff: number, relu: boolean, lengths: I32N, t: number, B: number, H: number): void;
  rnnActBackward(dpre: F32, dOff: number, dh: F32, h: F32, hOff: number, relu: boolean, lengths: I32N, t: number, B: number, H: number): void;
}

interface NodeProcess {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

let addon: NativeAddon | null | undefined;
let loadFailure = '';

/** Where the addon is built (native/build/Release), relative to this module in src/ or dist/. */
const ADDON_PATH = '../../../native/build/Release/recurrent_native.node';

/**
 * The compiled addon, or null (not Node, not built, or RECURRENT_NATIVE=0); the reason
 * for null is in `nativeUnavailableReason()`.
 */
export function loadNativeAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node) {
    loadFailure = 'not running on Node.js';
    return null;
  }
  if (proc.env?.RECURRENT_NATIVE === '0') {
    loadFailure = 'disabled by RECURRENT_NATIVE=0';
    return null;
  }
  if (typeof proc.getBuiltinModule !== 'function') {
    loadFailure = `Node ${proc.versions.node} lacks process.getBuiltinModule (needs ≥ 20.16)`;
    return null;
  }
  try {
    const { createRequire } = proc.getBuiltinModule('node:module') as { createRequire(url: string): (id: string) => unknown };
    const { fileURLToPath } = proc.getBuiltinModule('node:url') as { fileURLToPath(u: URL): string };
    const path = fileURLToPath(new URL(ADDON_PATH, import.meta.url));
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? '';
    loadFailure = /Cannot find module|cannot open shared object/.test(msg)
      ? 'the native addon is not built (npm install builds it with node-gyp; see docs/native.md)'
      : `the native addon failed to load: ${msg}`;
    addon = null;
  }
  return addon;
}

/** Why the native backend is unavailable ('' if it is available). */
export function nativeUnavailableReason(): string {
  loadNativeAddon();
  return loadFailure;
}

/** Products smaller than this many multiply-adds run on the reference gemm (a call into the addon costs ~0.3 µs). */
const SMALL_GEMM_MACS = 256;

const isF32 = (a: unknown): a is Float32Array => a instanceof Float32Array;

export class NativeBackend implements Backend {
  readonly name = 'native';
  readonly supportsFloat64 = false;
  readonly sequence: SequenceKernels;
  private readonly n: NativeAddon;

  private constructor(n: NativeAddon) {
    this.n = n;
    const relu = (nl: RnnNonlinearity): boolean => nl === 'relu';
    this.sequence = {
      lstmForward: (hState, cState, gates, x, h0, c0, wIH, wHH, bIH, bHH, wHR, lengths, T, B, I, H, P, saveGates = true) => {
        if (wHR !== null || P !== H) throw new BackendError('native lstmForward: projection is handled by the step loop');
        n.lstmForward(hState as F32, cState as F32, gates as F32, x as F32, h0 as F32, c0 as F32, wIH as F32, wHH as F32,
          bIH as F32N, bHH as F32N, lengths, T, B, I, H, saveGates);
      },
      lstmBackward: (dx, dh0, dc0, dwIH, dwHH, dbIH, dbHH, dwHR, dhSteps, dhOut, dhN, dcN, hState, cState, gates, x, h0, c0,
        wIH, wHH, wHR, lengths, T, B, I, H, P) => {
        if (wHR !== null || dwHR !== null || P !== H) throw new BackendError('native lstmBackward: projection is handled by the step loop');
        n.lstmBackward(dx as F32, dh0 as F32, dc0 as F32, dwIH as F32, dwHH as F32, dbIH as F32N, dbHH as F32N,
          dhSteps as F32N, dhOut as F32N, dhN as F32N, dcN as F32N, hState as F32, cState as F32, gates as F32, x as F32,
          h0 as F32, c0 as F32, wIH as F32, wHH as F32, lengths, T, B, I, H);
      },
      gruForward: (hState, gates, ghn, x, h0, wIH, wHH, bIH, bHH, lengths, T, B, I, H) =>
        n.gruForward(hState as F32, gates as F32, ghn as F32, x as F32, h0 as F32, wIH as F32, wHH as F32, bIH as F32N,
          bHH as F32N, lengths, T, B, I, H),
      gruBackward: (dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, dhOut, dhN, hState, gates, ghn, x, h0, wIH, wHH, lengths, T, B, I, H) =>
        n.gruBackward(dx as F32, dh0 as F32, dwIH as F32, dwHH as F32, dbIH as F32N, dbHH as F32N, dhSteps as F32N,
          dhOut as F32N, dhN as F32N, hState as F32, gates as F32, ghn as F32, x as F32, h0 as F32, wIH as F32, wHH as F32,
          lengths, T, B, I, H),
      rnnForward: (hState, x, h0, wIH, wHH, bIH, bHH, nl, lengths, T, B, I, H) =>
        n.rnnForward(hState as F32, x as F32, h0 as F32, wIH as F32, wHH as F32, bIH as F32N, bHH as F32N, relu(nl), lengths, T, B, I, H),
      rnnBackward: (dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, dhOut, dhN, hState, x, h0, wIH, wHH, nl, lengths, T, B, I, H) =>
        n.rnnBackward(dx as F32, dh0 as F32, dwIH as F32, dwHH as F32, dbIH as F32N, dbHH as F32N, dhSteps as F32N,
          dhOut as F32N, dhN as F32N, hState as F32, x as F32, h0 as F32, wIH as F32, wHH as F32, relu(nl), lengths, T, B, I, H),
    };
    // Kernels are called detached from the object (k.gemm passed along): bind them.
    for (const m of ['gemm', 'reduceSum', 'lstmGatesForward', 'lstmGatesBackward', 'gruGatesForward', 'gruGatesBackward', 'rnnActForward', 'rnnActBackward'] as const) {
      (this as Record<string, unknown>)[m] = (this[m] as (...a: unknown[]) => unknown).bind(this);
    }
  }

  /**
   * The native backend, or a BackendError saying why it is unavailable. Options: threads
   * (default RECURRENT_THREADS, else the machine's CPUs, at most 8), isa (force a kernel
   * family: 'avx512' | 'avx2' | 'generic'; default: the best this CPU has, or RECURRENT_NATIVE_ISA).
   */
  static create(options: { threads?: number; isa?: 'avx512' | 'avx2' | 'generic' } = {}): NativeBackend {
    const n = loadNativeAddon();
    if (!n) throw new BackendError(`native backend unavailable: ${loadFailure}`);
    if (options.threads !== undefined) {
      if (!Number.isInteger(options.threads) || options.threads < 1 || options.threads > 256) {
        throw new BackendError(`native backend: threads must be an integer in [1, 256], got ${options.threads}`);
      }
      n.setThreads(options.threads);
    }
    if (options.isa !== undefined && !n.forceIsa(options.isa)) {
      throw new BackendError(`native backend: isa '${options.isa}' is not supported by this CPU (it has '${n.info().isa}')`);
    }
    return new NativeBackend(n);
  }

  /** Threads running the kernels (shared by every NativeBackend instance: one pool per process). */
  get threads(): number {
    return this.n.info().threads;
  }

  /** The kernel family in use: 'avx512', 'avx2' or 'generic'. */
  get isa(): string {
    return this.n.info().isa;
  }

  /** Bytes of scratch the fused sequence kernels keep (grow-only, reused). */
  scratchBytes(): number {
    return this.n.info().scratchBytes;
  }

  setThreads(threads: number): void {
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new BackendError(`native backend: threads must be an integer in [1, 256], got ${threads}`);
    this.n.setThreads(threads);
  }

  /**
   * Flush-to-zero mode of the kernels (process-wide, as torch.set_flush_denormal): when on,
   * subnormal float32 inputs are read as 0 and subnormal results written as 0, which removes
   * the 10–100× slowdown of arithmetic on subnormal numbers (they appear late in training:
   * tiny gradients through saturated gates, attention weights near 0). Off by default (IEEE
   * arithmetic, as PyTorch). Returns whether the CPU supports it (x86); false leaves it off.
   */
  setFlushDenormal(enabled: boolean): boolean {
    if (typeof enabled !== 'boolean') throw new BackendError(`native backend: setFlushDenormal(enabled) takes a boolean, got ${typeof enabled}`);
    return this.n.setFlushDenormal(enabled);
  }

  /** Whether the kernels flush subnormal numbers to zero (see setFlushDenormal). */
  get flushDenormal(): boolean {
    return this.n.info().flushDenormal;
  }

  describe(): string {
    const i = this.n.info();
    const th = i.threads > 1 ? `${i.threads} threads` : 'single thread';
    return `native: C ${i.isa === 'avx512' ? 'AVX-512' : i.isa === 'avx2' ? 'AVX2+FMA' : 'portable'} sgemm and fused recurrent sequence kernels (Node-API addon), ${th}, float32 (float64 on ref)`;
  }

  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: FloatArray, aOff: number, lda: number,
    B: FloatArray, bOff: number, ldb: number,
    beta: number, C: FloatArray, cOff: number, ldc: number,
  ): void {
    if (!isF32(A) || !isF32(B) || !isF32(C) || M * N * K < SMALL_GEMM_MACS) {
      refBackend.gemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
      return;
    }
    this.n.sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  }

  lstmGatesForward(
    gates: FloatArray, gOff: number, c: FloatArray, cOff: number, m: FloatArray, mOff: number,
    cPrev: FloatArray, pOff: number, lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (isF32(gates) && isF32(c) && isF32(m) && isF32(cPrev)) this.n.lstmGatesForward(gates, gOff, c, cOff, m, mOff, cPrev, pOff, lengths, t, B, H);
    else refBackend.lstmGatesForward(gates, gOff, c, cOff, m, mOff, cPrev, pOff, lengths, t, B, H);
  }

  lstmGatesBackward(
    dgates: FloatArray, dgOff: number, dc: FloatArray, dm: FloatArray, gates: FloatArray, gOff: number,
    c: FloatArray, cOff: number, cPrev: FloatArray, pOff: number, lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (isF32(dgates) && isF32(dc) && isF32(dm) && isF32(gates) && isF32(c) && isF32(cPrev)) {
      this.n.lstmGatesBackward(dgates, dgOff, dc, dm, gates, gOff, c, cOff, cPrev, pOff, lengths, t, B, H);
    } else refBackend.lstmGatesBackward(dgates, dgOff, dc, dm, gates, gOff, c, cOff, cPrev, pOff, lengths, t, B, H);
  }

  gruGatesForward(
    gates: FloatArray, gOff: number, ghn: FloatArray, nOff: number, h: FloatArray, hOff: number,
    gx: FloatArray, xOff: number, gh: FloatArray, hPrev: FloatArray, pOff: number,
    lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (isF32(gates) && isF32(ghn) && isF32(h) && isF32(gx) && isF32(gh) && isF32(hPrev)) {
      this.n.gruGatesForward(gates, gOff, ghn, nOff, h, hOff, gx, xOff, gh, hPrev, pOff, lengths, t, B, H);
    } else refBackend.gruGatesForward(gates, gOff, ghn, nOff, h, hOff, gx, xOff, gh, hPrev, pOff, lengths, t, B, H);
  }

  gruGatesBackward(
    dgx: FloatArray, dxOff: number, dgh: FloatArray, dhOff: number, dhDirect: FloatArray, dh: FloatArray,
    gates: FloatArray, gOff: number, ghn: FloatArray, nOff: number, hPrev: FloatArray, pOff: number,
    lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (isF32(dgx) && isF32(dgh) && isF32(dhDirect) && isF32(dh) && isF32(gates) && isF32(ghn) && isF32(hPrev)) {
      this.n.gruGatesBackward(dgx, dxOff, dgh, dhOff, dhDirect, dh, gates, gOff, ghn, nOff, hPrev, pOff, lengths, t, B, H);
    } else refBackend.gruGatesBackward(dgx, dxOff, dgh, dhOff, dhDirect, dh, gates, gOff, ghn, nOff, hPrev, pOff, lengths, t, B, H);
  }

  rnnActForward(
    h: FloatArray, hOff: number, pre: FloatArray, pOff: number, nonlinearity: RnnNonlinearity,
    lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (isF32(h) && isF32(pre)) this.n.rnnActForward(h, hOff, pre, pOff, nonlinearity === 'relu', lengths, t, B, H);
    else refBackend.rnnActForward(h, hOff, pre, pOff, nonlinearity, lengths, t, B, H);
  }

  rnnActBackward(
    dpre: FloatArray, dOff: number, dh: FloatArray, h: FloatArray, hOff: number, nonlinearity: RnnNonlinearity,
    lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (isF32(dpre) && isF32(dh) && isF32(h)) this.n.rnnActBackward(dpre, dOff, dh, h, hOff, nonlinearity === 'relu', lengths, t, B, H);
    else refBackend.rnnActBackward(dpre, dOff, dh, h, hOff, nonlinearity, lengths, t, B, H);
  }

  /** Sums in float64 in the reference order (bit-identical to it); small ones stay in JavaScript. */
  reduceSum(out: FloatArray, x: FloatArray, outer: number, n: number, inner: number): void {
    if (isF32(out) && isF32(x) && outer * n * inner >= 4096) this.n.reduceSum(out, x, outer, n, inner);
    else refBackend.reduceSum(out, x, outer, n, inner);
  }

  /** Same arithmetic as the reference (float64, same order), to the last bit. */
  adamUpdate(p: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, n: number, b1: number, b2: number, eps: number, stepSize: number, bc2Sqrt: number, shrink: number): void {
    if (isF32(p) && isF32(grad) && isF32(m) && isF32(v) && n >= 1024) this.n.adamUpdate(p, grad, m, v, n, b1, b2, eps, stepSize, bc2Sqrt, shrink);
    else refBackend.adamUpdate(p, grad, m, v, n, b1, b2, eps, stepSize, bc2Sqrt, shrink);
  }

  /** tanh and sigmoid of float32 arrays from 256 elements: the vectorised functions of the gate kernels (within 6 ulps). */
  unary(op: UnaryOp, out: FloatArray, x: FloatArray, n: number): void {
    const code = op === 'tanh' ? 0 : op === 'sigmoid' ? 1 : -1;
    if (code >= 0 && n >= 256 && isF32(out) && isF32(x)) this.n.unary(code, out, x, n);
    else refBackend.unary(op, out, x, n);
  }

  /** tanh and sigmoid derivatives from the output, the reference's float64 arithmetic. */
  unaryBackward(op: UnaryOp, dx: FloatArray, dy: FloatArray, x: FloatArray, y: FloatArray, n: number): void {
    const code = op === 'tanh' ? 0 : op === 'sigmoid' ? 1 : -1;
    if (code >= 0 && n >= 256 && isF32(dx) && isF32(dy) && isF32(y)) this.n.unaryBackward(code, dx, dy, y, n);
    else refBackend.unaryBackward(op, dx, dy, x, y, n);
  }

  /** Strided gathers of 4-byte elements (transposes, narrows) from 1024 elements in C. */
  copyStrided(out: TypedArray, x: TypedArray, offset: number, strides: readonly number[], shape: readonly number[]): void {
    let n = 1;
    for (const d of shape) n *= d;
    if (n >= 1024 && shape.length <= 16 && ((isF32(out) && isF32(x)) || (out instanceof Int32Array && x instanceof Int32Array))) {
      this.n.copyStrided(out, x, offset, Int32Array.from(strides), Int32Array.from(shape));
    } else refBackend.copyStrided(out, x, offset, strides, shape);
  }

  binary = refBackend.binary;
  where = refBackend.where;
  sumToStrided = refBackend.sumToStrided;
  reduceMax = refBackend.reduceMax;
  softmax = refBackend.softmax;
  softmaxBackward = refBackend.softmaxBackward;
  indexSelect = refBackend.indexSelect;
  indexAdd = refBackend.indexAdd;
  gatherAxis = refBackend.gatherAxis;
  scatterAddAxis = refBackend.scatterAddAxis;
}
