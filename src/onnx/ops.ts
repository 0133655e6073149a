// The ONNX operators the importer runs, each checked against the spec's semantics for
// the opset the model declares. Values are Tensors: float32 (FLOAT, FLOAT16, BFLOAT16),
// float64 (DOUBLE) or int32 (every integer type and BOOL; int64 values are clamped to the
// int32 range, which covers every shape, index and axis a model can use here).
// Float compute goes through this library's ops and kernels (matmul, softmax, the fused
// recurrent kernels); integer and shape arithmetic is done here on plain arrays.

import { SerializationError } from '../errors.js';
import { Tensor, arrayFor, type DType } from '../tensor/tensor.js';
import { add, indexSelect, logSoftmax, matmul, mul, permute, reshape, softmax, sigmoid, tanh, relu, exp, log, neg, sqrt, abs } from '../ops/index.js';
import { broadcastShapes } from '../util/shape.js';
import { AttributeType, DataType, MAX_TENSOR_ELEMENTS, clampInt32, dataTypeName, tensorFromProto, toInt, type INodeProto, type IAttributeProto } from './proto.js';
import { parseActivations, runRecurrent, type RecurrentKind } from './recurrent.js';

/** What an operator sees: its inputs (undefined where absent), attributes and the opset. */
export class OpContext {
  readonly attrs = new Map<string, IAttributeProto>();
  constructor(
    readonly node: INodeProto,
    readonly inputs: (Tensor | undefined)[],
    readonly opset: number,
    readonly source: string,
  ) {
    for (const a of node.attribute ?? []) this.attrs.set(a.name ?? '', a);
  }

  get where(): string {
    return `${this.node.opType} node '${this.node.name || (this.node.output ?? [])[0] || '?'}'`;
  }

  fail(message: string): never {
    throw new SerializationError(this.source, `${this.where}: ${message}`);
  }

  input(i: number, name: string): Tensor {
    const t = this.inputs[i];
    if (!t) this.fail(`input ${i} (${name}) is required`);
    return t;
  }

  optional(i: number): Tensor | undefined {
    return this.inputs[i];
  }

  private attr(name: string, type: number): IAttributeProto | undefined {
    const a = this.attrs.get(name);
    if (a && a.type !== type && a.type !== undefined && a.type !== null && a.type !== AttributeType.UNDEFINED) {
      const names = AttributeType as unknown as Record<number, string>;
      this.fail(`attribute '${name}' has type ${names[a.type] ?? a.type}, expected ${names[type]}`);
    }
    return a;
  }

  int(name: string, dflt: number): number {
    const a = this.attr(name, AttributeType.INT);
    return a ? toInt(a.i as number) : dflt;
  }

  float(name: string, dflt: number | null): number | null {
    const a = this.attr(name, AttributeType.FLOAT);
    return a ? (a.f ?? 0) : dflt;
  }

  string(name: string, dflt: string): string {
    const a = this.attr(name, AttributeType.STRING);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : dflt;
  }

  ints(name: string): number[] | null {
    const a = this.attr(name, AttributeType.INTS);
    return a ? (a.ints ?? []).map((v) => toInt(v as number)) : null;
  }

  floats(name: string): number[] | null {
    const a = this.attr(name, AttributeType.FLOATS);
    return a ? [...(a.floats ?? [])] : null;
  }

  strings(name: string): string[] | null {
    const a = this.attr(name, AttributeType.STRINGS);
    return a ? (a.strings ?? []).map((s) => new TextDecoder().decode(s)) : null;
  }

  tensor(name: string): Tensor | null {
    const a = this.attr(name, AttributeType.TENSOR);
    return a?.t ? tensorFromProto(a.t, this.source, `${this.where} attribute '${name}'`) : null;
  }

  /** Axis in [-rank, rank) normalised to [0, rank). */
  axis(value: number, rank: number, what = 'axis'): number {
    if (!Number.isInteger(value) || value < -rank || value >= rank) this.fail(`${what} ${value} is out of range for rank ${rank}`);
    return value < 0 ? value + rank : value;
  }

  /** An int tensor input as a list of numbers. */
  intList(i: number, name: string): number[] {
    const t = this.input(i, name);
    if (t.dtype !== 'int32') this.fail(`input ${name} must be an integer tensor`);
    return Array.from(t.data as Int32Array);
  }
}

export interface OpSpec {
  /** Attributes the importer understands; any other is an error naming it. */
  attributes: readonly string[];
  run(ctx: OpContext): (Tensor | null)[];
}

// ---- generic helpers (any dtype) --------------------------------------------------------

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i] as number;
  }
  return s;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkSize(ctx: OpContext, shape: readonly number[]): void {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) ctx.fail(`invalid output dimension ${d}`);
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) ctx.fail(`output shape [${shape.join(', ')}] has more than ${MAX_TENSOR_ELEMENTS} elements`);
  }
}

/** Elementwise binary op with NumPy broadcasting, on any dtype (ints stay ints). */
function broadcastBinary(ctx: OpContext, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  let shape: number[];
  try {
    shape = broadcastShapes(ctx.where, a.shape, b.shape);
  } catch {
    ctx.fail(`shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not broadcast`);
  }
  const dtype: DType = a.dtype === b.dtype ? a.dtype : a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
  const n = sizeOf(shape);
  const out = arrayFor(dtype, n);
  const r = shape.length;
  const sa = bstrides(a.shape, r);
  const sb = bstrides(b.shape, r);
  const idx = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    let ia = 0;
    let ib = 0;
    for (let k = 0; k < r; k++) {
      ia += (idx[k] as number) * (sa[k] as number);
      ib += (idx[k] as number) * (sb[k] as number);
    }
    out[i] = f(a.data[ia] as number, b.data[ib] as number);
    for (let k = r - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (shape[k] as number)) break;
      idx[k] = 0;
    }
  }
  return new Tensor(out, shape);
}

function bstrides(shape: readonly number[], rank: number): number[] {
  const s = strides(shape);
  const out = new Array<number>(rank).fill(0);
  const off = rank - shape.length;
  shape.forEach((d, i) => {
    out[off + i] = d === 1 ? 0 : (s[i] as number);
  });
  return out;
}

function permuteAny(x: Tensor, perm: number[]): Tensor {
  if (x.dtype !== 'int32') return permute(x, perm);
  const shape = perm.map((p) => x.shape[p] as number);
  const si = strides(x.shape);
  const n = x.size;
  const out = new Int32Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let k = 0; k < shape.length; k++) src += (idx[k] as number) * (si[perm[k] as number] as number);
    out[i] = x.data[src] as number;
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (shape[k] as number)) break;
      idx[k] = 0;
    }
  }
  return new Tensor(out, shape);
}

function withShape(x: Tensor, shape: number[]): Tensor {
  return new Tensor(x.data, shape);
}

function unary(f: (x: Tensor) => Tensor): OpSpec {
  return {
    attributes: [],
    run: (ctx) => {
      const x = ctx.input(0, 'X');
      if (x.dtype === 'int32') ctx.fail('expects a float tensor');
      return [f(x)];
    },
  };
}

function binary(f: (a: Tensor, b: Tensor) => Tensor, scalar: (x: number, y: number) => number): OpSpec {
  return {
    attributes: [],
    run: (ctx) => {
      const a = ctx.input(0, 'A');
      const b = ctx.input(1, 'B');
      if (a.dtype !== 'int32' && b.dtype !== 'int32' && a.dtype === b.dtype) {
        try {
          return [f(a, b)];
        } catch (e) {
          ctx.fail((e as Error).message);
        }
      }
      return [broadcastBinary(ctx, a, b, scalar)];
    },
  };
}

/** Axes from an attribute (older opsets) or from an optional input (newer ones). */
function axesOf(ctx: OpContext, inputIndex: number, fromInputSince: number): number[] | null {
  if (ctx.opset >= fromInputSince) return ctx.optional(inputIndex) ? ctx.intList(inputIndex, 'axes') : null;
  return ctx.ints('axes');
}

function reduce(kind: 'sum' | 'mean' | 'prod', axesInputSince: number): OpSpec {
  return {
    attributes: ['axes', 'keepdims', 'noop_with_empty_axes'],
    run: (ctx) => {
      const x = ctx.input(0, 'data');
      const keep = ctx.int('keepdims', 1) !== 0;
      let axes = axesOf(ctx, 1, axesInputSince);
      if (axes === null || axes.length === 0) {
        if (ctx.int('noop_with_empty_axes', 0)) return [x];
        axes = x.shape.map((_, i) => i);
      }
      const ax = new Set(axes.map((a) => ctx.axis(a, x.ndim, 'axes')));
      const outShape = x.shape.map((d, i) => (ax.has(i) ? 1 : d));
      const out = arrayFor(x.dtype, sizeOf(outShape)).fill(kind === 'prod' ? 1 : 0);
      const so = strides(outShape);
      const idx = new Array<number>(x.ndim).fill(0);
      for (let i = 0; i < x.size; i++) {
        let o = 0;
        for (let k = 0; k < x.ndim; k++) if (!ax.has(k)) o += (idx[k] as number) * (so[k] as number);
        out[o] = kind === 'prod' ? (out[o] as number) * (x.data[i] as number) : (out[o] as number) + (x.data[i] as number);
        for (let k = x.ndim - 1; k >= 0; k--) {
          idx[k] = (idx[k] as number) + 1;
          if ((idx[k] as number) < (x.shape[k] as number)) break;
          idx[k] = 0;
        }
      }
      if (kind === 'mean') {
        const count = [...ax].reduce((a, k) => a * (x.shape[k] as number), 1);
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / count;
      }
      return [new Tensor(out, keep ? outShape : x.shape.filter((_, i) => !ax.has(i)))];
    },
  };
}

function softmaxOp(log_: boolean): OpSpec {
  return {
    attributes: ['axis'],
    run: (ctx) => {
      const x = ctx.input(0, 'input');
      if (x.dtype === 'int32') ctx.fail('expects a float tensor');
      const f = log_ ? logSoftmax : softmax;
      if (ctx.opset >= 13) return [f(x, ctx.axis(ctx.int('axis', -1), x.ndim))];
      // Before opset 13: the input is seen as 2-D [prod(dims < axis), prod(dims ≥ axis)].
      const axis = ctx.axis(ctx.int('axis', 1), Math.max(x.ndim, 1));
      const rows = sizeOf(x.shape.slice(0, axis));
      return [withShape(f(withShape(x, [rows, x.size / Math.max(rows, 1)]), 1), [...x.shape])];
    },
  };
}

const RECURRENT_ATTRIBUTES = ['activation_alpha', 'activation_beta', 'activations', 'clip', 'direction', 'hidden_size', 'layout', 'input_forget', 'linear_before_reset'] as const;

function recurrentOp(kind: RecurrentKind): OpSpec {
  return {
    attributes: RECURRENT_ATTRIBUTES.filter((a) => (a === 'input_forget' ? kind === 'LSTM' : a === 'linear_before_reset' ? kind === 'GRU' : true)),
    run: (ctx) => {
      const direction = ctx.string('direction', 'forward');
      if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
        ctx.fail(`attribute 'direction' must be forward, reverse or bidirectional, got ${JSON.stringify(direction)}`);
      }
      const W = ctx.input(1, 'W');
      const G = kind === 'LSTM' ? 4 : kind === 'GRU' ? 3 : 1;
      const hidden = ctx.int('hidden_size', W.ndim === 3 ? (W.shape[1] as number) / G : 0);
      if (!Number.isInteger(hidden) || hidden <= 0) ctx.fail(`attribute 'hidden_size' must be a positive integer, got ${hidden}`);
      const layout = ctx.int('layout', 0);
      if (layout !== 0 && layout !== 1) ctx.fail(`attribute 'layout' must be 0 or 1, got ${layout}`);
      const clip = ctx.float('clip', null);
      if (clip !== null && !(clip > 0)) ctx.fail(`attribute 'clip' must be positive, got ${clip}`);
      const D = direction === 'bidirectional' ? 2 : 1;
      let activations: ReturnType<typeof parseActivations> = [];
      try {
        activations = parseActivations(ctx.where, kind, D, ctx.strings('activations'), ctx.floats('activation_alpha') ?? [], ctx.floats('activation_beta') ?? []);
      } catch (e) {
        ctx.fail((e as Error).message);
      }
      const attrs = {
        hiddenSize: hidden, direction: direction as 'forward' | 'reverse' | 'bidirectional', activations, clip, layout: layout as 0 | 1,
        inputForget: ctx.int('input_forget', 0) !== 0, linearBeforeReset: ctx.int('linear_before_reset', 0) !== 0,
      } as const;
      let r: ReturnType<typeof runRecurrent> | undefined;
      try {
        r = runRecurrent(ctx.where, kind, attrs, {
          X: ctx.input(0, 'X'), W, R: ctx.input(2, 'R'), B: ctx.optional(3), sequenceLens: ctx.optional(4), initialH: ctx.optional(5),
          initialC: kind === 'LSTM' ? ctx.optional(6) : undefined, P: kind === 'LSTM' ? ctx.optional(7) : undefined,
        });
      } catch (e) {
        if (e instanceof SerializationError) throw e;
        ctx.fail((e as Error).message);
      }
      if (!r) return ctx.fail('internal error: no result');
      return kind === 'LSTM' ? [r.Y, r.Yh, r.Yc] : [r.Y, r.Yh];
    },
  };
}

function sliceOp(): OpSpec {
  return {
    attributes: ['starts', 'ends', 'axes'],
    run: (ctx) => {
      const x = ctx.input(0, 'data');
      let starts: number[], ends: number[], axes: number[] | null, steps: number[] | null;
      if (ctx.opset >= 10) {
        starts = ctx.intList(1, 'starts');
        ends = ctx.intList(2, 'ends');
        axes = ctx.optional(3) ? ctx.intList(3, 'axes') : null;
        steps = ctx.optional(4) ? ctx.intList(4, 'steps') : null;
      } else {
        starts = ctx.ints('starts') ?? ctx.fail("attribute 'starts' is required");
        ends = ctx.ints('ends') ?? ctx.fail("attribute 'ends' is required");
        axes = ctx.ints('axes');
        steps = null;
      }
      if (ends.length !== starts.length) ctx.fail(`starts and ends differ in length (${starts.length} vs ${ends.length})`);
      const ax = axes ?? starts.map((_, i) => i);
      if (ax.length !== starts.length || (steps && steps.length !== starts.length)) ctx.fail('starts, ends, axes and steps must have the same length');
      const begin = x.shape.map(() => 0);
      const step = x.shape.map(() => 1);
      const outShape = [...x.shape];
      ax.forEach((a0, i) => {
        const a = ctx.axis(a0, x.ndim, 'axes');
        const dim = x.shape[a] as number;
        const st = steps ? (steps[i] as number) : 1;
        if (st === 0) ctx.fail('steps must not be 0');
        let s = starts[i] as number;
        let e = ends[i] as number;
        if (s < 0) s += dim;
        if (e < 0) e += dim;
        if (st > 0) {
          s = Math.min(Math.max(s, 0), dim);
          e = Math.min(Math.max(e, 0), dim);
          outShape[a] = Math.max(0, Math.ceil((e - s) / st));
        } else {
          s = Math.min(Math.max(s, -1), dim - 1);
          e = Math.min(Math.max(e, -1), dim - 1);
          outShape[a] = Math.max(0, Math.ceil((e - s) / st));
        }
        begin[a] = s;
        step[a] = st;
      });
      const n = sizeOf(outShape);
      const out = arrayFor(x.dtype, n);
      const si = strides(x.shape);
      const idx = new Array<number>(x.ndim).fill(0);
      for (let i = 0; i < n; i++) {
        let src = 0;
        for (let k = 0; k < x.ndim; k++) src += ((begin[k] as number) + (idx[k] as number) * (step[k] as number)) * (si[k] as number);
        out[i] = x.data[src] as number;
        for (let k = x.ndim - 1; k >= 0; k--) {
          idx[k] = (idx[k] as number) + 1;
          if ((idx[k] as number) < (outShape[k] as number)) break;
          idx[k] = 0;
        }
      }
      return [new Tensor(out, outShape)];
    },
  };
}

function gatherOp(): OpSpec {
  return {
    attributes: ['axis'],
    run: (ctx) => {
      const x = ctx.input(0, 'data');
      const ind = ctx.input(1, 'indices');
      if (ind.dtype !== 'int32') ctx.fail('indices must be an integer tensor');
      if (x.ndim === 0) ctx.fail('data must have rank ≥ 1');
      const axis = ctx.axis(ctx.int('axis', 0), x.ndim);
      const dim = x.shape[axis] as number;
      const flat = new Int32Array(ind.size);
      for (let i = 0; i < ind.size; i++) {
        let v = ind.data[i] as number;
        if (v < -dim || v >= dim) ctx.fail(`index ${v} is out of range for axis ${axis} of size ${dim}`);
        if (v < 0) v += dim;
        flat[i] = v;
      }
      const outShape = [...x.shape.slice(0, axis), ...ind.shape, ...x.shape.slice(axis + 1)];
      if (x.dtype !== 'int32') return [withShape(indexSelect(x, axis, flat), outShape)];
      const outer = sizeOf(x.shape.slice(0, axis));
      const inner = sizeOf(x.shape.slice(axis + 1));
      const out = new Int32Array(outer * flat.length * inner);
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < flat.length; j++) {
          const src = (o * dim + (flat[j] as number)) * inner;
          out.set((x.data as Int32Array).subarray(src, src + inner), (o * flat.length + j) * inner);
        }
      }
      return [new Tensor(out, outShape)];
    },
  };
}

function toDType(ctx: OpContext, to: number): DType {
  switch (to) {
    case DataType.FLOAT: return 'float32';
    case DataType.DOUBLE: return 'float64';
    case DataType.INT64: case DataType.INT32: case DataType.INT16: case DataType.INT8: case DataType.UINT8: case DataType.BOOL: return 'int32';
    default: return ctx.fail(`Cast to ${dataTypeName(to)} is not supported`);
  }
}

function castTo(x: Tensor, dtype: DType, to: number): Tensor {
  if (x.dtype === dtype && to !== DataType.BOOL) return x;
  const out = arrayFor(dtype, x.size);
  for (let i = 0; i < x.size; i++) {
    const v = x.data[i] as number;
    out[i] = to === DataType.BOOL ? (v !== 0 ? 1 : 0) : dtype === 'int32' ? clampInt32(Math.trunc(v)) : v;
  }
  return new Tensor(out, x.shape);
}

export const OPS: Record<string, OpSpec> = {
  Identity: { attributes: [], run: (ctx) => [ctx.input(0, 'input')] },
  Dropout: {
    attributes: ['seed', 'ratio', 'is_test'],
    run: (ctx) => {
      if (ctx.node.output && ctx.node.output.length > 1 && ctx.node.output[1]) ctx.fail("the 'mask' output is not supported (inference only)");
      return [ctx.input(0, 'data')];
    },
  },
  Constant: {
    attributes: ['value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'sparse_value', 'value_string', 'value_strings'],
    run: (ctx) => {
      const t = ctx.tensor('value');
      if (t) return [t];
      const f = ctx.float('value_float', null);
      if (f !== null) return [new Tensor(Float32Array.of(f), [])];
      const fs = ctx.floats('value_floats');
      if (fs) return [new Tensor(Float32Array.from(fs), [fs.length])];
      if (ctx.attrs.has('value_int')) return [new Tensor(Int32Array.of(clampInt32(ctx.int('value_int', 0))), [])];
      const is = ctx.ints('value_ints');
      if (is) return [new Tensor(Int32Array.from(is, clampInt32), [is.length])];
      return ctx.fail('only dense tensor, float(s) and int(s) values are supported');
    },
  },
  Cast: {
    attributes: ['to', 'saturate'],
    run: (ctx) => {
      const to = ctx.int('to', 0);
      return [castTo(ctx.input(0, 'input'), toDType(ctx, to), to)];
    },
  },
  Shape: {
    attributes: ['start', 'end'],
    run: (ctx) => {
      const x = ctx.input(0, 'data');
      const r = x.ndim;
      const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const s = norm(ctx.int('start', 0));
      const e = norm(ctx.int('end', r));
      const dims = x.shape.slice(s, Math.max(s, e));
      return [new Tensor(Int32Array.from(dims), [dims.length])];
    },
  },
  Gather: gatherOp(),
  Gemm: {
    attributes: ['alpha', 'beta', 'transA', 'transB'],
    run: (ctx) => {
      let a = ctx.input(0, 'A');
      let b = ctx.input(1, 'B');
      const c = ctx.optional(2);
      if (a.ndim !== 2 || b.ndim !== 2) ctx.fail(`A and B must be 2-D, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
      if (ctx.int('transA', 0)) a = permute(a, [1, 0]);
      if (ctx.int('transB', 0)) b = permute(b, [1, 0]);
      if (a.shape[1] !== b.shape[0]) ctx.fail(`inner dimensions differ: [${a.shape.join(', ')}] · [${b.shape.join(', ')}]`);
      const alpha = ctx.float('alpha', 1) as number;
      const beta = ctx.float('beta', 1) as number;
      let y = matmul(a, b);
      if (alpha !== 1) y = mul(y, alpha);
      if (c) y = broadcastBinary(ctx, y, c, (u, v) => u + beta * v);
      return [y];
    },
  },
  MatMul: {
    attributes: [],
    run: (ctx) => {
      const a = ctx.input(0, 'A');
      const b = ctx.input(1, 'B');
      if (a.dtype === 'int32' || b.dtype === 'int32') ctx.fail('integer MatMul is not supported');
      try {
        return [matmul(a, b)];
      } catch (e) {
        return ctx.fail((e as Error).message);
      }
    },
  },
  Add: binary(add, (x, y) => x + y),
  Sub: binary((a, b) => add(a, neg(b)), (x, y) => x - y),
  Mul: binary(mul, (x, y) => x * y),
  Div: {
    attributes: [],
    run: (ctx) => {
      const a = ctx.input(0, 'A');
      const b = ctx.input(1, 'B');
      const ints = a.dtype === 'int32' && b.dtype === 'int32';
      return [broadcastBinary(ctx, a, b, ints ? (x, y) => (y === 0 ? ctx.fail('integer division by zero') : Math.trunc(x / y)) : (x, y) => x / y)];
    },
  },
  Tanh: unary(tanh),
  Sigmoid: unary(sigmoid),
  Relu: unary(relu),
  Exp: unary(exp),
  Log: unary(log),
  Neg: { attributes: [], run: (ctx) => { const x = ctx.input(0, 'X'); return [x.dtype === 'int32' ? castTo(broadcastBinary(ctx, x, new Tensor(Int32Array.of(-1), []), (u, v) => u * v), 'int32', DataType.INT32) : neg(x)]; } },
  Sqrt: unary(sqrt),
  Abs: unary(abs),
  Softmax: softmaxOp(false),
  LogSoftmax: softmaxOp(true),
  Transpose: {
    attributes: ['perm'],
    run: (ctx) => {
      const x = ctx.input(0, 'data');
      const perm = ctx.ints('perm') ?? x.shape.map((_, i) => x.ndim - 1 - i);
      if (perm.length !== x.ndim || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) ctx.fail(`perm [${perm.join(', ')}] is not a permutation of the ${x.ndim} axes`);
      return [permuteAny(x, perm)];
    },
  },
  Reshape: {
    attributes: ['allowzero'],
    run: (ctx) => {
      const x = ctx.input(0, 'data');
      const spec = ctx.intList(1, 'shape');
      const allowZero = ctx.int('allowzero', 0) !== 0;
      const shape = spec.map((d, i) => (d === 0 && !allowZero ? (i < x.ndim ? (x.shape[i] as number) : ctx.fail(`shape[${i}] = 0 copies a dimension the input does not have`)) : d));
      const unknown = shape.filter((d) => d === -1).length;
      if (unknown > 1 || shape.some((d) => d < -1)) ctx.fail(`invalid target shape [${spec.join(', ')}]`);
      if (unknown === 1) {
        const known = sizeOf(shape.filter((d) => d !== -1));
        if (known === 0 || x.size % known !== 0) ctx.fail(`cannot reshape [${x.shape.join(', ')}] to [${spec.join(', ')}]`);
        shape[shape.indexOf(-1)] = x.size / known;
      }
      if (sizeOf(shape) !== x.size) ctx.fail(`cannot reshape [${x.shape.join(', ')}] (${x.size} elements) to [${shape.join(', ')}]`);
      return [x.dtype === 'int32' ? withShape(x, shape) : reshape(x, shape)];
    },
  },
  Flatten: {
    attributes: ['axis'],
    run: (ctx) => {
      const x = ctx.input(0, 'input');
      const axis = ctx.axis(ctx.int('axis', 1), x.ndim + 1);
      const rows = sizeOf(x.shape.slice(0, axis));
      return [withShape(x, [rows, rows === 0 ? 0 : x.size / rows])];
    },
  },
  Squeeze: {
    attributes: ['axes'],
    run: (ctx) => {
      const x = ctx.input(0, 'data');
      const axes = axesOf(ctx, 1, 13);
      const drop = new Set(axes === null ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : axes.map((a) => ctx.axis(a, x.ndim, 'axes')));
      for (const a of drop) if (x.shape[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${x.shape[a]}`);
      return [withShape(x, x.shape.filter((_, i) => !drop.has(i)))];
    },
  },
  Unsqueeze: {
    attributes: ['axes'],
    run: (ctx) => {
      const x = ctx.input(0, 'data');
      const axes = axesOf(ctx, 1, 13) ?? ctx.fail('axes are required');
      const r = x.ndim + axes.length;
      const ins = new Set(axes.map((a) => ctx.axis(a, r, 'axes')));
      if (ins.size !== axes.length) ctx.fail(`repeated axes [${axes.join(', ')}]`);
      const shape: number[] = [];
      let k = 0;
      for (let i = 0; i < r; i++) shape.push(ins.has(i) ? 1 : (x.shape[k++] as number));
      return [withShape(x, shape)];
    },
  },
  Concat: {
    attributes: ['axis'],
    run: (ctx) => {
      const xs = ctx.inputs.filter((t): t is Tensor => t !== undefined);
      if (xs.length === 0) ctx.fail('needs at least one input');
      const first = xs[0] as Tensor;
      const axis = ctx.axis(ctx.int('axis', 0), first.ndim);
      for (const t of xs) {
        if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
          ctx.fail(`inputs of shapes [${first.shape.join(', ')}] and [${t.shape.join(', ')}] cannot be joined on axis ${axis}`);
        }
      }
      const dtype: DType = xs.every((t) => t.dtype === first.dtype) ? first.dtype : ctx.fail('inputs have different types');
      const outer = sizeOf(first.shape.slice(0, axis));
      const inner = sizeOf(first.shape.slice(axis + 1));
      const total = xs.reduce((a, t) => a + (t.shape[axis] as number), 0);
      const out = arrayFor(dtype, outer * total * inner);
      let off = 0;
      for (const t of xs) {
        const w = (t.shape[axis] as number) * inner;
        for (let o = 0; o < outer; o++) (out as Float32Array).set((t.data as Float32Array).subarray(o * w, (o + 1) * w), o * total * inner + off);
        off += w;
      }
      const shape = [...first.shape];
      shape[axis] = total;
      return [new Tensor(out, shape)];
    },
  },
  Slice: sliceOp(),
  ConstantOfShape: {
    attributes: ['value'],
    run: (ctx) => {
      const shape = ctx.intList(0, 'input');
      checkSize(ctx, shape);
      const v = ctx.tensor('value') ?? new Tensor(Float32Array.of(0), [1]);
      if (v.size !== 1) ctx.fail("attribute 'value' must hold one element");
      return [new Tensor(arrayFor(v.dtype, sizeOf(shape)).fill(v.data[0] as number), shape)];
    },
  },
  Expand: {
    attributes: [],
    run: (ctx) => {
      const x = ctx.input(0, 'input');
      const target = ctx.intList(1, 'shape');
      let shape: number[];
      try {
        shape = broadcastShapes(ctx.where, x.shape, target);
      } catch {
        return ctx.fail(`cannot expand [${x.shape.join(', ')}] to [${target.join(', ')}]`);
      }
      checkSize(ctx, shape);
      const zero = new Tensor(arrayFor(x.dtype, sizeOf(shape)), shape);
      return [broadcastBinary(ctx, x, zero, (u) => u)];
    },
  },
  ReduceSum: reduce('sum', 13),
  ReduceMean: reduce('mean', 18),
  ReduceProd: reduce('prod', 18),
  LSTM: recurrentOp('LSTM'),
  GRU: recurrentOp('GRU'),
  RNN: recurrentOp('RNN'),
};

