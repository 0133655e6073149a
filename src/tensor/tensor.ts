// Tensor: a contiguous, row-major block of numbers with a shape, a dtype and, when it
// takes part in differentiation, a link to the graph node that produced it.
// Tensors are immutable from the API's point of view: ops return new tensors, and only
// optimizers (under noGrad) write into a parameter's storage.

import { ArgumentError, DTypeError, GradError, ShapeError } from '../errors.js';
import type { FloatArray, TypedArray } from '../util/arrays.js';
import { sizeOf } from '../util/shape.js';
import { runBackward, type BackwardOptions } from '../autograd/engine.js';

export type DType = 'float32' | 'float64' | 'int32';
export type FloatDType = 'float32' | 'float64';

/** A tensor known to hold floating-point data (every gradient is one). */
export type FloatTensor = Tensor & { readonly data: FloatArray; readonly dtype: FloatDType };

/**
 * A node of the autograd graph: one recorded op application. `backward` maps the
 * gradients of the op's outputs (null where an output received none) to the gradients
 * of its inputs (null or undefined where an input needs none). It is set to null once
 * the graph has been freed by a backward pass.
 */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly numOutputs: number;
  backward: ((grads: readonly (FloatTensor | null)[]) => readonly (Tensor | null | undefined)[]) | null;
  /** Outputs whose gradient the user asked to keep (`retainGrad`), by output index. */
  retained?: Map<number, Tensor>;
}

export function arrayFor(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
  }
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

export class Tensor {
  /** Row-major storage, exactly `size` elements. */
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Accumulated gradient after `backward()` (leaves, and tensors that called `retainGrad`). */
  grad: Tensor | null = null;
  /** The graph node that produced this tensor, null for leaves and constants. */
  gradFn: GradNode | null = null;
  /** Which output of `gradFn` this tensor is. */
  outputIndex = 0;
  private _requiresGrad = false;

  constructor(data: TypedArray, shape: readonly number[]) {
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new ShapeError('Tensor', 'data', `length ${n} to fill shape [${shape.join(', ')}]`, [data.length]);
    }
    this.data = data;
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtypeOf(data);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Whether gradients flow to this tensor. Only floating-point tensors can require grad. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (value && this.dtype === 'int32') {
      throw new DTypeError('Tensor.requiresGrad', 'this', 'a float32 or float64 tensor to require grad', 'int32');
    }
    if (!value && this.gradFn) {
      throw new GradError(
        'Tensor.requiresGrad',
        `cannot turn off requiresGrad on a tensor computed by '${this.gradFn.op}'; use detach() instead`,
      );
    }
    this._requiresGrad = value;
  }

  /** Marks this tensor as a leaf that requires grad and returns it (chainable). */
  requireGrad(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError('Tensor.item', 'this', 'exactly one element', this.shape);
    return this.data[0] as number;
  }

  /** The values as (nested) JavaScript arrays; a scalar gives a number. */
  toArray(): number | NestedArray {
    if (this.shape.length === 0) return this.data[0] as number;
    const build = (dim: number, offset: number): NestedArray => {
      const n = this.shape[dim] as number;
      const out: (number | NestedArray)[] = new Array(n);
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = this.data[offset + i] as number;
      } else {
        let stride = 1;
        for (let d = dim + 1; d < this.shape.length; d++) stride *= this.shape[d] as number;
        for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      }
      return out as NestedArray;
    };
    return build(0, 0);
  }

  /** The values as a flat JavaScript array. */
  toFlatArray(): number[] {
    return Array.from(this.data);
  }

  /**
   * Backpropagates from this tensor. Without `grad`, the tensor must hold exactly one
   * element (a loss); otherwise `grad` has this tensor's shape and gives ∂L/∂this.
   */
  backward(grad?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, grad, options);
  }

  /** Keeps this (non-leaf) tensor's gradient in `.grad` after the next backward pass. */
  retainGrad(): this {
    if (!this._requiresGrad) {
      throw new GradError('Tensor.retainGrad', 'the tensor does not require grad, so it will never receive one');
    }
    if (this.gradFn) {
      this.gradFn.retained ??= new Map();
      this.gradFn.retained.set(this.outputIndex, this);
    }
    return this;
  }

  /** A tensor sharing this one's storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage, cut from the graph. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  toString(): string {
    const vals = Array.from(this.data.subarray(0, 8), (v) => +v.toPrecision(5));
    const more = this.size > 8 ? ', ...' : '';
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}${
      this._requiresGrad ? ', requiresGrad' : ''
    }, [${vals.join(', ')}${more}])`;
  }
}

export type NestedArray = (number | NestedArray)[];

/** Throws a DTypeError unless the tensor holds floating-point data. */
export function assertFloat(op: string, argument: string, t: Tensor): asserts t is FloatTensor {
  if (t.dtype === 'int32') throw new DTypeError(op, argument, 'a float32 or float64 tensor', 'int32');
}

/** Throws an ArgumentError unless `t` is a Tensor. */
export function assertTensor(op: string, argument: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ArgumentError(op, argument, 'a Tensor', t);
}
