// Reference elementwise kernels: unary maps with their derivatives, broadcast binary
// maps, and a broadcast select. Broadcasting is expressed by strides: an input is
// read at Σ index[d]·stride[d], with stride 0 on broadcast dimensions. Outputs are
// contiguous in `shape`.

import type { FloatArray, TypedArray } from '../../util/arrays.js';

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'tanh' | 'sigmoid' | 'relu' | 'abs' | 'sqrt' | 'square'
  | 'reciprocal' | 'softplus' | 'sin' | 'cos';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum';

/** Numerically stable logistic function. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + eˣ) without overflow for large x or loss of precision for very negative x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function unaryFn(op: UnaryOp): (x: number) => number {
  switch (op) {
    case 'neg': return (x) => -x;
    case 'exp': return Math.exp;
    case 'log': return Math.log;
    case 'tanh': return Math.tanh;
    case 'sigmoid': return sigmoid;
    case 'relu': return (x) => (x > 0 ? x : 0 * x); // 0·x keeps NaN as NaN
    case 'abs': return Math.abs;
    case 'sqrt': return Math.sqrt;
    case 'square': return (x) => x * x;
    case 'reciprocal': return (x) => 1 / x;
    case 'softplus': return softplus;
    case 'sin': return Math.sin;
    case 'cos': return Math.cos;
  }
}

/** out[i] = f(x[i]) for i < n. */
export function unary(op: UnaryOp, out: FloatArray, x: FloatArray, n: number): void {
  const f = unaryFn(op);
  for (let i = 0; i < n; i++) out[i] = f(x[i] as number);
}

/**
 * dx[i] = dy[i] · f'(x[i]), where y = f(x) is also given because several derivatives
 * are cheapest in terms of the output (tanh: 1 − y², sigmoid: y(1 − y), exp: y).
 */
export function unaryBackward(op: UnaryOp, dx: FloatArray, dy: FloatArray, x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = dy[i] as number;
    const xi = x[i] as number;
    const yi = y[i] as number;
    let d: number;
    switch (op) {
      case 'neg': d = -1; break;
      case 'exp': d = yi; break;
      case 'log': d = 1 / xi; break;
      case 'tanh': d = 1 - yi * yi; break; // d tanh = 1 − tanh²
      case 'sigmoid': d = yi * (1 - yi); break; // dσ = σ(1 − σ)
      case 'relu': d = xi > 0 ? 1 : 0; break; // subgradient 0 at 0, as PyTorch
      case 'abs': d = xi > 0 ? 1 : xi < 0 ? -1 : 0; break;
      case 'sqrt': d = 0.5 / yi; break;
      case 'square': d = 2 * xi; break;
      case 'reciprocal': d = -yi * yi; break;
      case 'softplus': d = sigmoid(xi); break;
      case 'sin': d = Math.cos(xi); break;
      case 'cos': d = -Math.sin(xi); break;
    }
    dx[i] = g * d;
  }
}

export function binaryFn(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case 'add': return (a, b) => a + b;
    case 'sub': return (a, b) => a - b;
    case 'mul': return (a, b) => a * b;
    case 'div': return (a, b) => a / b;
    // NaN propagates through maximum/minimum, as in PyTorch.
    case 'maximum': return (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b);
    case 'minimum': return (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b);
  }
}

/**
 * Visits every element of a contiguous output of `shape`, giving the flat output index
 * and the offsets into each strided input. The innermost dimension is a plain loop.
 */
function forEachStrided(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  body: (o: number, offs: Int32Array | Float64Array, inner: number, innerStrides: readonly number[]) => void,
): void {
  const rank = shape.length;
  const k = strides.length;
  const offs = new Float64Array(k);
  if (rank === 0) {
    body(0, offs, 1, strides.map(() => 0));
    return;
  }
  const inner = shape[rank - 1] as number;
  const innerStrides = strides.map((s) => s[rank - 1] as number);
  let outer = 1;
  for (let d = 0; d < rank - 1; d++) outer *= shape[d] as number;
  if (inner === 0 || outer === 0) return;
  const idx = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < outer; o++) {
    body(o * inner, offs, inner, innerStrides);
    // Advance the odometer over dimensions rank−2 … 0 and update offsets.
    for (let d = rank - 2; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      for (let j = 0; j < k; j++) offs[j] = (offs[j] as number) + ((strides[j] as readonly number[])[d] as number);
      if ((idx[d] as number) < (shape[d] as number)) break;
      for (let j = 0; j < k; j++) {
        offs[j] = (offs[j] as number) - (shape[d] as number) * ((strides[j] as readonly number[])[d] as number);
      }
      idx[d] = 0;
    }
  }
}

/** out = a ⊙ b with broadcasting by strides; out is contiguous in `shape`. */
export function binary(
  op: BinaryOp, out: FloatArray,
  a: FloatArray, aStrides: readonly number[],
  b: FloatArray, bStrides: readonly number[],
  shape: readonly number[],
): void {
  const f = binaryFn(op);
  forEachStrided(shape, [aStrides, bStrides], (o, offs, inner, s) => {
    let ai = offs[0] as number;
    let bi = offs[1] as number;
    const sa = s[0] as number;
    const sb = s[1] as number;
    for (let i = 0; i < inner; i++) {
      out[o + i] = f(a[ai] as number, b[bi] as number);
      ai += sa;
      bi += sb;
    }
  });
}

/** out = cond ? a : b, elementwise with broadcasting by strides (cond nonzero = true). */
export function where(
  out: FloatArray,
  cond: TypedArray, cStrides: readonly number[],
  a: FloatArray, aStrides: readonly number[],
  b: FloatArray, bStrides: readonly number[],
  shape: readonly number[],
): void {
  forEachStrided(shape, [cStrides, aStrides, bStrides], (o, offs, inner, s) => {
    let ci = offs[0] as number;
    let ai = offs[1] as number;
    let bi = offs[2] as number;
    for (let i = 0; i < inner; i++) {
      out[o + i] = (cond[ci] as number) !== 0 ? (a[ai] as number) : (b[bi] as number);
      ci += s[0] as number;
      ai += s[1] as number;
      bi += s[2] as number;
    }
  });
}

/** out = x read through arbitrary strides from `offset` (permute, slice, expand → contiguous). */
export function copyStrided(out: TypedArray, x: TypedArray, offset: number, strides: readonly number[], shape: readonly number[]): void {
  // Two common cases as one typed-array call each: a broadcast scalar, and a contiguous block.
  if (strides.every((s) => s === 0)) {
    if (shape.every((d) => d > 0)) out.fill(x[offset] as never, 0, shape.reduce((a, d) => a * d, 1));
    return;
  }
  let contiguous = true;
  for (let d = shape.length - 1, expect = 1; d >= 0; d--) {
    if ((shape[d] as number) !== 1 && strides[d] !== expect) contiguous = false;
    expect *= shape[d] as number;
  }
  if (contiguous) {
    const n = shape.reduce((a, d) => a * d, 1);
    out.set(x.subarray(offset, offset + n) as never);
    return;
  }
  forEachStrided(shape, [strides], (o, offs, inner, s) => {
    let xi = offset + (offs[0] as number);
    const sx = s[0] as number;
    for (let i = 0; i < inner; i++) {
      out[o + i] = x[xi] as number;
      xi += sx;
    }
  });
}

/**
 * The adjoint of broadcasting: out[j] += Σ x[i] over every i of `shape` that reads
 * element j through `outStrides` (0 on summed dimensions). out must be zeroed by the caller
 * to get a plain sum.
 */
export function sumToStrided(out: FloatArray, outStrides: readonly number[], x: FloatArray, shape: readonly number[]): void {
  forEachStrided(shape, [outStrides], (o, offs, inner, s) => {
    let oi = offs[0] as number;
    const so = s[0] as number;
    for (let i = 0; i < inner; i++) {
      out[oi] = (out[oi] as number) + (x[o + i] as number);
      oi += so;
    }
  });
}
