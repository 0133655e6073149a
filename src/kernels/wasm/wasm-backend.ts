// The WebAssembly SIMD backend: gemm and the fused recurrent gate kernels compiled from
// assembly/ (AssemblyScript), everything else delegated to the reference kernels.
//
// Memory. The module works on its own linear memory; JavaScript arrays are not in it.
//  - A call on ordinary arrays (gemm from matmul/linear) copies its operands into a
//    scratch arena, runs, copies the result out, and releases the arena.
//  - A whole recurrent sequence loop runs "mirrored" (Backend.mirror): its arrays are
//    copied in once, every per-step kernel then runs on views of linear memory with no
//    copy and no allocation, and the outputs are copied back once at the end. Space for
//    the loop's workspaces is reserved up front, so memory never grows (which would
//    detach the views) while a loop runs.
// Memory grows to the largest call seen and is reused afterwards (Wasm memory cannot
// shrink). float64 work never comes here (supportsFloat64 = false).

import { BackendError } from '../../errors.js';
import type { Backend } from '../../backend/backend.js';
import { refBackend } from '../../backend/ref.js';
import type { FloatArray, TypedArray } from '../../util/arrays.js';
import type { RnnNonlinearity } from '../../util/gates.js';
import {
  RELAXED_SIMD_SHARED_WASM_BASE64, RELAXED_SIMD_WASM_BASE64, SHARED_MAX_PAGES, SIMD_SHARED_WASM_BASE64, SIMD_WASM_BASE64,
} from './generated/binaries.js';
import { OP_SGEMM, ThreadPool, hardwareThreads, threadsSupported } from './pool.js';

interface KernelExports {
  heapBase(): number;
  gemmScratchBytes(): number;
  relaxedSimd(): number;
  sgemm(transA: number, transB: number, M: number, N: number, K: number, alpha: number,
    A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number, work: number, packed: number): void;
  packFullB(transB: number, B: number, ldb: number, K: number, N: number, dst: number): void;
  packedBBytes(K: number, N: number): number;
  lstmGatesForward(gates: number, c: number, m: number, cPrev: number, lengths: number, t: number, B: number, H: number): void;
  lstmGatesBackward(dgates: number, dc: number, dm: number, gates: number, c: number, cPrev: number, lengths: number, t: number, B: number, H: number): void;
  gruGatesForward(gates: number, ghn: number, h: number, gx: number, gh: number, hPrev: number, lengths: number, t: number, B: number, H: number): void;
  gruGatesBackward(dgx: number, dgh: number, dhDirect: number, dh: number, gates: number, ghn: number, hPrev: number, lengths: number, t: number, B: number, H: number): void;
  rnnActForward(h: number, pre: number, relu: number, lengths: number, t: number, B: number, H: number): void;
  rnnActBackward(dpre: number, dh: number, h: number, relu: number, lengths: number, t: number, B: number, H: number): void;
}

const PAGE = 65536;
const ALIGN = 64;

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Which WebAssembly features this engine has. */
export function wasmFeatures(): { simd: boolean; relaxedSimd: boolean } {
  if (typeof WebAssembly !== 'object') return { simd: false, relaxedSimd: false };
  return {
    simd: WebAssembly.validate(decodeBase64(SIMD_WASM_BASE64) as BufferSource),
    relaxedSimd: WebAssembly.validate(decodeBase64(RELAXED_SIMD_WASM_BASE64) as BufferSource),
  };
}

export interface WasmBackendOptions {
  /** Use relaxed SIMD (fused multiply-add) when the engine has it. Default true. */
  relaxed?: boolean;
  /**
   * Threads that run the kernels, the calling one included. Default: the environment
   * variable RECURRENT_THREADS, else the machine's hardware threads (at most 8). 1, or an
   * engine without shared memory and workers, runs single-threaded.
   */
  threads?: number;
}

/** Products smaller than this many multiply-adds run on one thread (waking workers costs more). */
const PARALLEL_MIN_MACS = 1 << 18;

function defaultThreads(): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RECURRENT_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new BackendError(`RECURRENT_THREADS must be a positive integer, got '${env}'`);
    return n;
  }
  return Math.min(8, hardwareThreads());
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly supportsFloat64 = false;
  readonly relaxed: boolean;
  /** Threads running the kernels (1 = no pool). */
  readonly threads: number;
  private readonly memory: WebAssembly.Memory;
  private readonly k: KernelExports;
  private pool: ThreadPool | null;
  private readonly scratches: number[]; // gemm packing area of each thread (fixed)
  private readonly buffers = new Set<ArrayBufferLike>(); // every buffer the memory has had
  private readonly base: number;    // start of the arena
  private top: number;              // arena bump pointer
  private limit = 0;                // while mirrored: the arena may not pass this
  private depth = 0;                // nesting of mirrored loops
  // While mirrored: the input arrays (constant for the loop) and B operands packed once.
  private constants = new Set<TypedArray>();
  private packedB = new Map<string, number>();
  private f32: Float32Array;

  private constructor(module: WebAssembly.Module, relaxed: boolean, threads: number) {
    this.relaxed = relaxed;
    this.threads = threads;
    this.memory = threads > 1
      ? new WebAssembly.Memory({ initial: 64, maximum: SHARED_MAX_PAGES, shared: true })
      : new WebAssembly.Memory({ initial: 64 });
    const inst = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.k = inst.exports as unknown as KernelExports;
    const heap = Math.ceil(this.k.heapBase() / ALIGN) * ALIGN;
    const scratchBytes = Math.ceil(this.k.gemmScratchBytes() / ALIGN) * ALIGN;
    this.scratches = Array.from({ length: threads }, (_, t) => heap + t * scratchBytes);
    this.base = heap + threads * scratchBytes;
    this.top = this.base;
    this.buffers.add(this.memory.buffer);
    this.ensure(this.base);
    this.f32 = new Float32Array(this.memory.buffer);
    this.pool = threads > 1 ? new ThreadPool(module, this.memory, threads) : null;
    // Kernels are called detached from the object (k.gemm passed along): bind them.
    for (const m of ['gemm', 'mirror', 'workspace', 'lstmGatesForward', 'lstmGatesBackward', 'gruGatesForward', 'gruGatesBackward', 'rnnActForward', 'rnnActBackward'] as const) {
      (this as Record<string, unknown>)[m] = (this[m] as (...a: unknown[]) => unknown).bind(this);
    }
  }

  /**
   * Compiles and instantiates the kernels synchronously. Throws a BackendError when the
   * engine lacks WebAssembly SIMD (or, on a browser main thread, refuses synchronous
   * compilation of this size: use `WasmBackend.createAsync`).
   */
  static create(options: WasmBackendOptions = {}): WasmBackend {
    const { bytes, relaxed, threads } = WasmBackend.pick(options);
    return new WasmBackend(new WebAssembly.Module(bytes as BufferSource), relaxed, threads);
  }

  static async createAsync(options: WasmBackendOptions = {}): Promise<WasmBackend> {
    const { bytes, relaxed, threads } = WasmBackend.pick(options);
    return new WasmBackend(await WebAssembly.compile(bytes as BufferSource), relaxed, threads);
  }

  private static pick(options: WasmBackendOptions): { bytes: Uint8Array; relaxed: boolean; threads: number } {
    const f = wasmFeatures();
    if (!f.simd) throw new BackendError('wasm backend: this JavaScript engine has no WebAssembly SIMD; use the reference backend');
    const relaxed = (options.relaxed ?? true) && f.relaxedSimd;
    const asked = options.threads ?? defaultThreads();
    if (!Number.isInteger(asked) || asked < 1 || asked > 256) throw new BackendError(`wasm backend: threads must be an integer in [1, 256], got ${asked}`);
    const threads = asked > 1 && threadsSupported() ? asked : 1;
    const b64 = threads > 1
      ? (relaxed ? RELAXED_SIMD_SHARED_WASM_BASE64 : SIMD_SHARED_WASM_BASE64)
      : (relaxed ? RELAXED_SIMD_WASM_BASE64 : SIMD_WASM_BASE64);
    return { bytes: decodeBase64(b64), relaxed, threads };
  }

  /** True once the worker threads have started (until then kernels run on one thread). */
  ready(): boolean {
    return this.pool?.ready() ?? true;
  }

  /** Resolves when the worker threads have started (at most timeoutMs later). */
  async whenReady(timeoutMs = 10_000): Promise<boolean> {
    const t0 = Date.now();
    while (!this.ready()) {
      if (Date.now() - t0 > timeoutMs) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  /** Stops the worker threads (the backend keeps working on one thread). */
  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
  }

  describe(): string {
    const th = this.pool ? `${this.threads} threads (${this.pool.ready() ? 'ready' : 'starting'})` : 'single thread';
    return `wasm: WebAssembly ${this.relaxed ? 'relaxed SIMD (fused multiply-add)' : 'SIMD128'} gemm and recurrent gate kernels, ${th}, float32 (float64 on ref); memory ${(this.memory.buffer.byteLength / 2 ** 20).toFixed(1)} MiB`;
  }

  /** Bytes of linear memory in use by the module (grows to the largest call, then stays). */
  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  // ---- arena ---------------------------------------------------------------------------

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (this.depth > 0) throw new BackendError(`wasm backend: internal error: memory must grow from ${have} to ${end} bytes inside a mirrored loop`);
    this.memory.grow(Math.ceil((end - have) / PAGE));
    this.buffers.add(this.memory.buffer);
    this.f32 = new Float32Array(this.memory.buffer);
  }

  /** Byte address of n 4-byte elements, aligned; grows memory when allowed. */
  private alloc(n: number): number {
    const p = this.top;
    const end = p + Math.ceil((n * 4) / ALIGN) * ALIGN;
    if (this.depth > 0 && end > this.limit) throw new BackendError(`wasm backend: internal error: workspace of ${n} floats exceeds the reservation of the mirrored loop`);
    this.ensure(end);
    this.top = end;
    return p;
  }

  private isMirrored(a: TypedArray): boolean {
    return this.buffers.has(a.buffer);
  }

  private addr(a: TypedArray, off: number): number {
    return a.byteOffset + off * 4;
  }

  mirror(arrays: readonly (TypedArray | null)[], outputs: readonly number[], fn: (views: (TypedArray | null)[]) => void): void {
    if (arrays.some((a) => a instanceof Float64Array)) throw new BackendError('wasm backend: mirror of float64 arrays');
    const mark = this.top;
    let bytes = 0;
    for (const a of arrays) if (a) bytes += Math.ceil((a.length * 4) / ALIGN) * ALIGN;
    // Workspaces of the sequence loops are bounded by twice the mirrored data (see
    // kernels/recurrent/*: the largest are (T, B, G) gradient buffers) plus small rows.
    const reserve = bytes * 3 + 1024 * 1024;
    this.ensure(mark + reserve);
    this.depth++;
    this.limit = mark + reserve;
    try {
      const views = arrays.map((a, i) => {
        if (!a) return null;
        const p = this.alloc(a.length);
        const v = a instanceof Int32Array ? new Int32Array(this.memory.buffer, p, a.length) : new Float32Array(this.memory.buffer, p, a.length);
        v.set(a as ArrayLike<number>);
        if (!outputs.includes(i)) this.constants.add(v);
        return v;
      });
      fn(views);
      for (const i of outputs) (arrays[i] as TypedArray).set(views[i] as ArrayLike<number> & TypedArray);
    } finally {
      this.depth--;
      this.top = mark;
      this.limit = 0;
      this.constants.clear();
      this.packedB.clear();
    }
  }

  workspace(like: FloatArray, n: number): FloatArray | null {
    if (this.depth === 0 || !this.isMirrored(like)) return null;
    const p = this.alloc(n);
    const v = new Float32Array(this.memory.buffer, p, n);
    v.fill(0);
    return v;
  }

  // ---- gemm ----------------------------------------------------------------------------

  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: FloatArray, aOff: number, lda: number,
    B: FloatArray, bOff: number, ldb: number,
    beta: number, C: FloatArray, cOff: number, ldc: number,
  ): void {
    if (A instanceof Float64Array || B instanceof Float64Array || C instanceof Float64Array) {
      refBackend.gemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
      return;
    }
    if (M === 0 || N === 0) return;
    const mA = this.isMirrored(A);
    const mB = this.isMirrored(B);
    const mC = this.isMirrored(C);
    if (mA && mB && mC) {
      this.sgemm(transA, transB, M, N, K, alpha, this.addr(A, aOff), lda, this.addr(B, bOff), ldb, beta, this.addr(C, cOff), ldc, M <= 64 ? B : null);
      return;
    }
    // Copy the operands that live outside linear memory into the arena (packed rows).
    const mark = this.top;
    try {
      const aRows = transA ? K : M;
      const aCols = transA ? M : K;
      const bRows = transB ? N : K;
      const bCols = transB ? K : N;
      const pA = mA ? this.addr(A, aOff) : this.alloc(aRows * aCols);
      const pB = mB ? this.addr(B, bOff) : this.alloc(bRows * bCols);
      const pC = mC ? this.addr(C, cOff) : this.alloc(M * N);
      const f = this.f32; // after every alloc (growth replaces the buffer)
      if (!mA) copyRowsIn(f, pA >> 2, A, aOff, lda, aRows, aCols);
      if (!mB) copyRowsIn(f, pB >> 2, B, bOff, ldb, bRows, bCols);
      if (!mC && beta !== 0) copyRowsIn(f, pC >> 2, C, cOff, ldc, M, N);
      this.sgemm(transA, transB, M, N, K, alpha, pA, mA ? lda : aCols, pB, mB ? ldb : bCols, beta, pC, mC ? ldc : N, null);
      if (!mC) for (let i = 0; i < M; i++) C.set(this.f32.subarray((pC >> 2) + i * N, (pC >> 2) + (i + 1) * N), cOff + i * ldc);
    } finally {
      if (this.depth === 0) this.top = mark;
    }
  }

  /**
   * sgemm on addresses, split over the pool's threads by columns of C (or by rows when C
   * is narrow). `constB`, when given, is the array B lives in, for packing it once per
   * mirrored loop (see packedOnce). Splitting does not change any result bit.
   */
  private sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    pA: number, lda: number, pB: number, ldb: number, beta: number, pC: number, ldc: number, constB: FloatArray | null,
  ): void {
    const parts: number[][] = [];
    const T = this.pool && M * N * K >= PARALLEL_MIN_MACS && this.pool.ready() ? this.threads : 1;
    const NRW = 8; // the kernel's column width: splits fall on whole tiles
    if (T > 1 && N >= 2 * NRW * T) {
      const chunk = Math.ceil(N / T / NRW) * NRW;
      for (let n0 = 0; n0 < N; n0 += chunk) {
        const n = Math.min(chunk, N - n0);
        const b = transB ? pB + n0 * ldb * 4 : pB + n0 * 4;
        parts.push(this.gemmArgs(transA, transB, M, n, K, alpha, pA, lda, b, ldb, beta, pC + n0 * 4, ldc, constB, parts.length));
      }
    } else if (T > 1 && M >= 12 * T) {
      const chunk = Math.ceil(M / T / 4) * 4; // whole micro-tile rows (MR = 4)
      for (let m0 = 0; m0 < M; m0 += chunk) {
        const m = Math.min(chunk, M - m0);
        const a = transA ? pA + m0 * 4 : pA + m0 * lda * 4;
        parts.push(this.gemmArgs(transA, transB, m, N, K, alpha, a, lda, pB, ldb, beta, pC + m0 * ldc * 4, ldc, constB, parts.length));
      }
    } else {
      parts.push(this.gemmArgs(transA, transB, M, N, K, alpha, pA, lda, pB, ldb, beta, pC, ldc, constB, 0));
    }
    const call = (a: readonly number[]): void => {
      (this.k.sgemm as (...x: number[]) => void)(...a);
    };
    if (parts.length === 1 || !this.pool) {
      for (const p of parts) call(p);
      return;
    }
    const mine = parts[0] as number[];
    this.pool.run(OP_SGEMM, parts.slice(1), () => call(mine));
  }

  /** The 15 arguments of the kernel's sgemm for thread `t` (its own scratch; B packed once when constant). */
  private gemmArgs(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    pA: number, lda: number, pB: number, ldb: number, beta: number, pC: number, ldc: number, constB: FloatArray | null, t: number,
  ): number[] {
    const packed = constB && K > 0 ? this.packedOnce(transB, N, K, constB, pB, ldb) : 0;
    const scratch = this.scratches[t] as number;
    return packed
      ? [+transA, +transB, M, N, K, alpha, pA, lda, packed, 0, beta, pC, ldc, scratch, 1]
      : [+transA, +transB, M, N, K, alpha, pA, lda, pB, ldb, beta, pC, ldc, scratch, 0];
  }

  /**
   * In a mirrored loop, a small-M product with a constant B (a recurrent weight, used at
   * every step) packs B once and reuses it; returns its address, or 0 (pack per call).
   */
  private packedOnce(transB: boolean, N: number, K: number, B: FloatArray, pB: number, ldb: number): number {
    if (this.depth === 0 || !this.constants.has(B)) return 0;
    const key = `${pB}:${+transB}:${K}:${N}:${ldb}`;
    const have = this.packedB.get(key);
    if (have !== undefined) return have;
    const bytes = this.k.packedBBytes(K, N);
    const end = this.top + Math.ceil(bytes / ALIGN) * ALIGN;
    if (end > this.limit) return 0; // no room in the reservation: pack per call instead
    const p = this.alloc(bytes / 4);
    this.k.packFullB(+transB, pB, ldb, K, N, p);
    this.packedB.set(key, p);
    return p;
  }

  // ---- recurrent gate kernels (mirrored arrays run in wasm, others on ref) --------------

  lstmGatesForward(
    gates: FloatArray, gOff: number, c: FloatArray, cOff: number, m: FloatArray, mOff: number,
    cPrev: FloatArray, pOff: number, lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (this.allMirrored(lengths, gates, c, m, cPrev)) {
      this.k.lstmGatesForward(this.addr(gates, gOff), this.addr(c, cOff), this.addr(m, mOff), this.addr(cPrev, pOff), this.lenAddr(lengths), t, B, H);
    } else {
      refBackend.lstmGatesForward(gates, gOff, c, cOff, m, mOff, cPrev, pOff, lengths, t, B, H);
    }
  }

  lstmGatesBackward(
    dgates: FloatArray, dgOff: number, dc: FloatArray, dm: FloatArray, gates: FloatArray, gOff: number,
    c: FloatArray, cOff: number, cPrev: FloatArray, pOff: number, lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (this.allMirrored(lengths, dgates, dc, dm, gates, c, cPrev)) {
      this.k.lstmGatesBackward(this.addr(dgates, dgOff), this.addr(dc, 0), this.addr(dm, 0), this.addr(gates, gOff), this.addr(c, cOff), this.addr(cPrev, pOff), this.lenAddr(lengths), t, B, H);
    } else {
      refBackend.lstmGatesBackward(dgates, dgOff, dc, dm, gates, gOff, c, cOff, cPrev, pOff, lengths, t, B, H);
    }
  }

  gruGatesForward(
    gates: FloatArray, gOff: number, ghn: FloatArray, nOff: number, h: FloatArray, hOff: number,
    gx: FloatArray, xOff: number, gh: FloatArray, hPrev: FloatArray, pOff: number,
    lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (this.allMirrored(lengths, gates, ghn, h, gx, gh, hPrev)) {
      this.k.gruGatesForward(this.addr(gates, gOff), this.addr(ghn, nOff), this.addr(h, hOff), this.addr(gx, xOff), this.addr(gh, 0), this.addr(hPrev, pOff), this.lenAddr(lengths), t, B, H);
    } else {
      refBackend.gruGatesForward(gates, gOff, ghn, nOff, h, hOff, gx, xOff, gh, hPrev, pOff, lengths, t, B, H);
    }
  }

  gruGatesBackward(
    dgx: FloatArray, dxOff: number, dgh: FloatArray, dhOff: number, dhDirect: FloatArray, dh: FloatArray,
    gates: FloatArray, gOff: number, ghn: FloatArray, nOff: number, hPrev: FloatArray, pOff: number,
    lengths: Int32Array | null, t: number, B: number, H: number,
  ): void {
    if (this.allMirrored(lengths, dgx, dgh, dhDirect, dh, gates, ghn, hPrev)) {
      this.k.gruGatesBackward(this.addr(dgx, dxOff), this.addr(dgh, dhOff), this.addr(dhDirect, 0), this.addr(dh, 0), this.addr(gates, gOff), this.addr(ghn, nOff), this.addr(hPrev, pOff), this.lenAddr(lengths), t, B, H);
    } else {
      refBackend.gruGatesBackward(dgx, dxOff, dgh, dhOff, dhDirect, dh, gates, gOff, ghn, nOff, hPrev, pOff, lengths, t, B, H);
    }
  }

  rnnActForward(h: FloatArray, hOff: number, pre: FloatArray, pOff: number, nonlinearity: RnnNonlinearity, lengths: Int32Array | null, t: number, B: number, H: number): void {
    if (this.allMirrored(lengths, h, pre)) {
      this.k.rnnActForward(this.addr(h, hOff), this.addr(pre, pOff), nonlinearity === 'relu' ? 1 : 0, this.lenAddr(lengths), t, B, H);
    } else {
      refBackend.rnnActForward(h, hOff, pre, pOff, nonlinearity, lengths, t, B, H);
    }
  }

  rnnActBackward(dpre: FloatArray, dOff: number, dh: FloatArray, h: FloatArray, hOff: number, nonlinearity: RnnNonlinearity, lengths: Int32Array | null, t: number, B: number, H: number): void {
    if (this.allMirrored(lengths, dpre, dh, h)) {
      this.k.rnnActBackward(this.addr(dpre, dOff), this.addr(dh, 0), this.addr(h, hOff), nonlinearity === 'relu' ? 1 : 0, this.lenAddr(lengths), t, B, H);
    } else {
      refBackend.rnnActBackward(dpre, dOff, dh, h, hOff, nonlinearity, lengths, t, B, H);
    }
  }

  private allMirrored(lengths: Int32Array | null, ...arrays: FloatArray[]): boolean {
    if (lengths !== null && !this.isMirrored(lengths)) return false;
    for (const a of arrays) if (!(a instanceof Float32Array) || !this.isMirrored(a)) return false;
    return true;
  }

  private lenAddr(lengths: Int32Array | null): number {
    return lengths === null ? 0 : lengths.byteOffset;
  }

  // ---- everything else: the reference kernels --------------------------------------------
  unary = refBackend.unary;
  unaryBackward = refBackend.unaryBackward;
  binary = refBackend.binary;
  where = refBackend.where;
  copyStrided = refBackend.copyStrided;
  sumToStrided = refBackend.sumToStrided;
  reduceSum = refBackend.reduceSum;
  adamUpdate = refBackend.adamUpdate;
  reduceMax = refBackend.reduceMax;
  softmax = refBackend.softmax;
  softmaxBackward = refBackend.softmaxBackward;
  indexSelect = refBackend.indexSelect;
  indexAdd = refBackend.indexAdd;
  gatherAxis = refBackend.gatherAxis;
  scatterAddAxis = refBackend.scatterAddAxis;
}

/** Copies a rows × cols block (row stride ld) from src into contiguous memory at index at. */
function copyRowsIn(dst: Float32Array, at: number, src: FloatArray, off: number, ld: number, rows: number, cols: number): void {
  if (ld === cols) {
    dst.set(src.subarray(off, off + rows * cols), at);
    return;
  }
  for (let r = 0; r < rows; r++) dst.set(src.subarray(off + r * ld, off + r * ld + cols), at + r * cols);
}
