// Creating tensors: from values, filled, and seeded random.

import { ArgumentError } from '../errors.js';
import type { TypedArray } from '../util/arrays.js';
import { defaultGenerator, type Generator } from '../util/rng.js';
import { checkShape, sizeOf } from '../util/shape.js';
import { Tensor, arrayFor, dtypeOf, type DType, type FloatDType, type NestedArray } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface FloatTensorOptions {
  dtype?: FloatDType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends FloatTensorOptions {
  /** Source of randomness; the library's default generator (see `manualSeed`) if omitted. */
  generator?: Generator;
}

function finish(t: Tensor, requiresGrad: boolean | undefined): Tensor {
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(values: unknown, op: string): number[] {
  const shape: number[] = [];
  let v = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  // Verify the nesting is rectangular.
  const walk = (x: unknown, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (typeof x !== 'number') {
        throw new ArgumentError(op, `values[${path.join('][')}]`, 'a number', x);
      }
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ArgumentError(
        op,
        path.length ? `values[${path.join('][')}]` : 'values',
        `an array of length ${shape[dim]} (the nesting must be rectangular)`,
        x,
      );
    }
    x.forEach((y, i) => walk(y, dim + 1, [...path, i]));
  };
  walk(values, 0, []);
  return shape;
}

/**
 * A tensor from a number, nested arrays of numbers, or a typed array (flat, with `shape`).
 * dtype defaults to the typed array's, else float32.
 *
 * @example
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);          // shape [2, 3], float32
 * const y = tensor(new Float64Array(6), { shape: [3, 2] });
 */
export function tensor(
  values: number | NestedArray | TypedArray | readonly number[],
  options: TensorOptions & { shape?: readonly number[] } = {},
): Tensor {
  const op = 'tensor';
  let data: TypedArray;
  let shape: number[];
  if (ArrayBuffer.isView(values)) {
    const src = values as TypedArray;
    shape = options.shape ? checkShape(op, 'shape', options.shape) : [src.length];
    const dtype = options.dtype ?? dtypeOf(src);
    data = arrayFor(dtype, src.length);
    data.set(src);
  } else {
    const inferred = typeof values === 'number' ? [] : inferShape(values, op);
    shape = options.shape ? checkShape(op, 'shape', options.shape) : inferred;
    const flat = typeof values === 'number' ? [values] : (values as unknown[]).flat(Infinity as 1) as number[];
    data = arrayFor(options.dtype ?? 'float32', flat.length);
    for (let i = 0; i < flat.length; i++) data[i] = flat[i] as number;
  }
  if (sizeOf(shape) !== data.length) {
    throw new ArgumentError(op, 'shape', `a shape with ${data.length} elements (the number of values given)`, shape);
  }
  if (data instanceof Int32Array && options.requiresGrad) {
    throw new ArgumentError(op, 'requiresGrad', 'false for an int32 tensor', true);
  }
  return finish(new Tensor(data, shape), options.requiresGrad);
}

/** A zero-dimensional tensor holding one number. */
export function scalar(value: number, options: TensorOptions = {}): Tensor {
  return tensor(value, options);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  const s = checkShape('full', 'shape', shape);
  const data = arrayFor(options.dtype ?? 'float32', sizeOf(s));
  if (value !== 0) data.fill(value);
  return finish(new Tensor(data, s), options.requiresGrad);
}

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...options });
}

export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...options });
}

/** Evenly spaced values in [start, end) with `step` (like torch.arange). */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (!Number.isFinite(step) || step === 0) throw new ArgumentError('arange', 'step', 'a finite non-zero number', step);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = arrayFor(options.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(new Tensor(data, [n]), options.requiresGrad);
}

/** Samples from N(mean, std²). */
export function randn(shape: readonly number[], options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const s = checkShape('randn', 'shape', shape);
  const g = options.generator ?? defaultGenerator;
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const data = arrayFor(options.dtype ?? 'float32', sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * g.normal();
  return finish(new Tensor(data, s), options.requiresGrad);
}

/** Samples uniformly from [low, high) (defaults [0, 1)). */
export function rand(shape: readonly number[], options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const s = checkShape('rand', 'shape', shape);
  const g = options.generator ?? defaultGenerator;
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (!(high >= low)) throw new ArgumentError('rand', 'high', `a number ≥ low (${low})`, high);
  const data = arrayFor(options.dtype ?? 'float32', sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * g.uniform();
  return finish(new Tensor(data, s), options.requiresGrad);
}

/** Uniform random integers in [low, high), as an int32 tensor (class labels, token ids). */
export function randint(low: number, high: number, shape: readonly number[], options: { generator?: Generator } = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ArgumentError('randint', 'high', `an integer > low (${low})`, high);
  }
  const s = checkShape('randint', 'shape', shape);
  const g = options.generator ?? defaultGenerator;
  const data = new Int32Array(sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = low + g.int(high - low);
  return new Tensor(data, s);
}
