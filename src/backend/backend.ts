// The kernel interface. Every op computes through a backend; a backend is a plain
// object of kernels over typed arrays and integer sizes (no tensors, no autograd).
// The reference backend (kernels/ref) is the specification; faster backends (wasm,
// native) implement the same signatures and are tested against it. Kernels assume
// valid arguments: validation happens in ops, once, at the boundary.
//
// Precision: every backend must accept Float32Array. Float64Array (used by gradient
// checks) may be delegated to the reference kernels; `supportsFloat64` says which.

import type { FloatArray, TypedArray } from '../util/arrays.js';
import type { UnaryOp, BinaryOp } from '../kernels/ref/elementwise.js';
import type * as gates from '../kernels/ref/recurrent-gates.js';

export type { UnaryOp, BinaryOp };

export interface Backend {
  /** Short identifier: 'ref', 'wasm', 'native'. */
  readonly name: string;
  /** Whether the kernels accept Float64Array; if not, float64 work runs on the reference backend. */
  readonly supportsFloat64: boolean;
  /** One line saying what runs: instruction set, threads, precision. */
  describe(): string;

  /** C = alpha·op(A)·op(B) + beta·C, row-major, see kernels/ref/gemm.ts. */
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: FloatArray, aOff: number, lda: number,
    B: FloatArray, bOff: number, ldb: number,
    beta: number, C: FloatArray, cOff: number, ldc: number,
  ): void;

  unary(op: UnaryOp, out: FloatArray, x: FloatArray, n: number): void;
  unaryBackward(op: UnaryOp, dx: FloatArray, dy: FloatArray, x: FloatArray, y: FloatArray, n: number): void;
  binary(
    op: BinaryOp, out: FloatArray,
    a: FloatArray, aStrides: readonly number[],
    b: FloatArray, bStrides: readonly number[],
    shape: readonly number[],
  ): void;
  where(
    out: FloatArray, cond: TypedArray, cStrides: readonly number[],
    a: FloatArray, aStrides: readonly number[],
    b: FloatArray, bStrides: readonly number[],
    shape: readonly number[],
  ): void;
  copyStrided(out: TypedArray, x: TypedArray, offset: number, strides: readonly number[], shape: readonly number[]): void;
  sumToStrided(out: FloatArray, outStrides: readonly number[], x: FloatArray, shape: readonly number[]): void;

  reduceSum(out: FloatArray, x: FloatArray, outer: number, n: number, inner: number): void;
  reduceMax(out: FloatArray, argmax: Int32Array, x: FloatArray, outer: number, n: number, inner: number): void;
  softmax(out: FloatArray, x: FloatArray, outer: number, n: number, inner: number, log: boolean): void;
  softmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, outer: number, n: number, inner: number, log: boolean): void;

  indexSelect(out: TypedArray, x: TypedArray, index: Int32Array, outer: number, n: number, inner: number): void;
  indexAdd(dx: FloatArray, dy: FloatArray, index: Int32Array, outer: number, n: number, inner: number): void;
  gatherAxis(out: FloatArray, x: FloatArray, index: Int32Array, outer: number, n: number, inner: number): void;
  scatterAddAxis(dx: FloatArray, dy: FloatArray, index: Int32Array, outer: number, n: number, inner: number): void;

  /** Adam's update in place (kernels/ref/optim.ts has the rule and the argument meanings). */
  adamUpdate(
    p: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, n: number,
    b1: number, b2: number, eps: number, stepSize: number, bc2Sqrt: number, shrink: number,
  ): void;

  // Fused per-step gate kernels of the recurrent sequence loops (kernels/recurrent/*):
  // pointwise work of one time step over B rows, with length masking (see the ref file).
  lstmGatesForward: typeof gates.lstmGatesForward;
  lstmGatesBackward: typeof gates.lstmGatesBackward;
  gruGatesForward: typeof gates.gruGatesForward;
  gruGatesBackward: typeof gates.gruGatesBackward;
  rnnActForward: typeof gates.rnnActForward;
  rnnActBackward: typeof gates.rnnActBackward;

  // Optional: whole-sequence kernels (one layer, one direction, float32, no projection)
  // with exactly the semantics and arguments of the loops in kernels/recurrent/* minus
  // the backend (see SequenceKernels). A backend that has them runs a sequence in one
  // call: the native backend fuses the recurrent gemm with the gate nonlinearities and
  // keeps the packed recurrent weights hot across steps.
  sequence?: SequenceKernels;

  // Optional: backends whose kernels run on their own memory (WebAssembly linear memory)
  // let a whole sequence loop run there. `mirror` copies the arrays in, runs `fn` on
  // views of the copies, copies the arrays at `outputs` back, and frees the copies;
  // inside `fn`, `workspace` hands out zeroed scratch arrays in the same memory.
  // Backends without them run every kernel on the caller's arrays.
  mirror?(arrays: readonly (TypedArray | null)[], outputs: readonly number[], fn: (views: (TypedArray | null)[]) => void): void;
  /** A zeroed scratch array of n floats next to `like`, or null when `like` is not mirrored. */
  workspace?(like: FloatArray, n: number): FloatArray | null;
}

type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

/** Whole-sequence kernels: the parameters of kernels/recurrent/{lstm,gru,rnn}.ts without the backend. */
export interface SequenceKernels {
  lstmForward(...args: Tail<Parameters<typeof import('../kernels/recurrent/lstm.js').lstmForward>>): void;
  lstmBackward(...args: Tail<Parameters<typeof import('../kernels/recurrent/lstm.js').lstmBackward>>): void;
  gruForward(...args: Tail<Parameters<typeof import('../kernels/recurrent/gru.js').gruForward>>): void;
  gruBackward(...args: Tail<Parameters<typeof import('../kernels/recurrent/gru.js').gruBackward>>): void;
  rnnForward(...args: Tail<Parameters<typeof import('../kernels/recurrent/rnn.js').rnnForward>>): void;
  rnnBackward(...args: Tail<Parameters<typeof import('../kernels/recurrent/rnn.js').rnnBackward>>): void;
}
