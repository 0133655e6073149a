// Shape arithmetic shared by tensors, ops and kernels. Row-major (C order) throughout.

import { ArgumentError, ShapeError, formatShape } from '../errors.js';

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Validates a user-given shape: non-negative safe integers whose product is a safe size. */
export function checkShape(op: string, argument: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new ArgumentError(op, argument, 'an array of non-negative integers', shape);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ArgumentError(op, argument, 'an array of non-negative integers', shape);
    }
    n *= d;
  }
  // Typed arrays top out at 2^32 - 1 elements on 64-bit engines; anything beyond is a bug or an attack.
  if (n > 2 ** 32 - 1) throw new ArgumentError(op, argument, 'a shape of at most 2^32 - 1 elements', formatShape(shape));
  return shape.slice() as number[];
}

/**
 * NumPy broadcasting of two shapes: dimensions are aligned from the right and must be
 * equal or 1. Throws a ShapeError naming `op` otherwise.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape, argA = 'a', argB = 'b'): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : (a[i - (rank - a.length)] as number);
    const db = i < rank - b.length ? 1 : (b[i - (rank - b.length)] as number);
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(op, argB, `a shape broadcastable with '${argA}' ${formatShape(a)}`, b);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides with which a contiguous tensor of `shape` is read when broadcast to `outShape`:
 * 0 on broadcast dimensions (and on missing leading ones).
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const off = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + off] = shape[i] === 1 ? 0 : (strides[i] as number);
  return out;
}

/** Normalises a possibly negative axis into [0, rank). */
export function normalizeAxis(op: string, axis: number, rank: number, argument = 'dim'): number {
  if (!Number.isInteger(axis) || axis < -Math.max(rank, 1) || axis >= Math.max(rank, 1)) {
    throw new ArgumentError(op, argument, `an integer in [${-Math.max(rank, 1)}, ${Math.max(rank, 1) - 1}]`, axis);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Splits `shape` around `axis` into (outer, n, inner) sizes for axis-wise kernels. */
export function axisSplit(shape: Shape, axis: number): [outer: number, n: number, inner: number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i] as number;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i] as number;
  return [outer, shape[axis] as number, inner];
}
