// The non-recurrent operators of the importer, each in a small graph run by our import and
// by ONNX Runtime (the reference), across the opset changes that alter their semantics.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator } from '../../src/util/rng.js';
import { randn } from '../../src/tensor/create.js';
import { loadOnnx } from '../../src/onnx/import.js';
import { makeInitializer, makeModel, makeNode, makeValueInfo, type AttributeValue } from '../../src/onnx/build.js';
import { compareWithOrt } from './helpers.js';

const x34 = randn([3, 4], { generator: new Generator(1) });
const x234 = randn([2, 3, 4], { generator: new Generator(2) });
const ints = (...v: number[]): Tensor => new Tensor(Int32Array.from(v), [v.length]);

interface OpCase {
  name: string;
  opset: number;
  op: string;
  inputs: [string, Tensor][];
  /** Constant inputs, stored as initializers (int64). */
  consts?: [string, Tensor][];
  attrs?: Record<string, AttributeValue>;
}

const cases: OpCase[] = [
  { name: 'Gemm transB alpha beta', opset: 14, op: 'Gemm', inputs: [['a', x34], ['b', randn([5, 4], { generator: new Generator(3) })], ['c', randn([5], { generator: new Generator(4) })]], attrs: { transB: 1, alpha: 0.5, beta: { float: 2 } } },
  { name: 'Gemm transA', opset: 14, op: 'Gemm', inputs: [['a', randn([4, 3], { generator: new Generator(5) })], ['b', randn([4, 2], { generator: new Generator(6) })]], attrs: { transA: 1 } },
  { name: 'MatMul batched', opset: 14, op: 'MatMul', inputs: [['a', x234], ['b', randn([4, 5], { generator: new Generator(7) })]] },
  { name: 'Add broadcast', opset: 14, op: 'Add', inputs: [['a', x234], ['b', randn([3, 1], { generator: new Generator(8) })]] },
  { name: 'Sub', opset: 14, op: 'Sub', inputs: [['a', x234], ['b', randn([4], { generator: new Generator(9) })]] },
  { name: 'Mul', opset: 14, op: 'Mul', inputs: [['a', x234], ['b', x234]] },
  { name: 'Div', opset: 14, op: 'Div', inputs: [['a', x234], ['b', randn([2, 1, 1], { generator: new Generator(10) })]] },
  { name: 'Softmax opset 13 (one axis)', opset: 13, op: 'Softmax', inputs: [['x', x234]], attrs: { axis: 1 } },
  { name: 'Softmax opset 11 (flatten from axis)', opset: 11, op: 'Softmax', inputs: [['x', x234]], attrs: { axis: 1 } },
  { name: 'LogSoftmax opset 13', opset: 13, op: 'LogSoftmax', inputs: [['x', x234]] },
  { name: 'LogSoftmax opset 11 default axis', opset: 11, op: 'LogSoftmax', inputs: [['x', x234]] },
  { name: 'Tanh', opset: 14, op: 'Tanh', inputs: [['x', x234]] },
  { name: 'Sigmoid', opset: 14, op: 'Sigmoid', inputs: [['x', x234]] },
  { name: 'Relu', opset: 14, op: 'Relu', inputs: [['x', x234]] },
  { name: 'Transpose perm', opset: 14, op: 'Transpose', inputs: [['x', x234]], attrs: { perm: [2, 0, 1] } },
  { name: 'Transpose default (reverse)', opset: 14, op: 'Transpose', inputs: [['x', x234]] },
  { name: 'Reshape with 0 and -1', opset: 14, op: 'Reshape', inputs: [['x', x234]], consts: [['shape', ints(0, -1)]] },
  { name: 'Flatten axis 2', opset: 14, op: 'Flatten', inputs: [['x', x234]], attrs: { axis: 2 } },
  { name: 'Squeeze opset 11 (axes attribute)', opset: 11, op: 'Squeeze', inputs: [['x', randn([2, 1, 3, 1], { generator: new Generator(11) })]], attrs: { axes: [1] } },
  { name: 'Squeeze opset 13 (axes input)', opset: 13, op: 'Squeeze', inputs: [['x', randn([2, 1, 3, 1], { generator: new Generator(11) })]], consts: [['axes', ints(-1)]] },
  { name: 'Unsqueeze opset 11', opset: 11, op: 'Unsqueeze', inputs: [['x', x34]], attrs: { axes: [0, 3] } },
  { name: 'Unsqueeze opset 13', opset: 13, op: 'Unsqueeze', inputs: [['x', x34]], consts: [['axes', ints(1, -1)]] },
  { name: 'Slice with steps and negative indices', opset: 14, op: 'Slice', inputs: [['x', x234]], consts: [['starts', ints(-1, 0)], ['ends', ints(-1000, 4)], ['axes', ints(1, 2)], ['steps', ints(-1, 2)]] },
  { name: 'Slice to the end (INT64_MAX clamps)', opset: 14, op: 'Slice', inputs: [['x', x234]], consts: [['starts', ints(1)], ['ends', ints(2147483647)], ['axes', ints(2)]] },
  { name: 'Gather axis 1, negative index', opset: 14, op: 'Gather', inputs: [['x', x234]], consts: [['idx', new Tensor(Int32Array.from([2, -1, 0, 0]), [2, 2])]], attrs: { axis: 1 } },
  { name: 'Expand', opset: 14, op: 'Expand', inputs: [['x', randn([3, 1], { generator: new Generator(12) })]], consts: [['shape', ints(2, 3, 4)]] },
  { name: 'ReduceSum opset 13', opset: 13, op: 'ReduceSum', inputs: [['x', x234]], consts: [['axes', ints(0, 2)]], attrs: { keepdims: 0 } },
  { name: 'ReduceMean', opset: 14, op: 'ReduceMean', inputs: [['x', x234]], attrs: { axes: [1], keepdims: 1 } },
  { name: 'ReduceProd', opset: 14, op: 'ReduceProd', inputs: [['x', x234]], attrs: { axes: [-1], keepdims: 0 } },
  { name: 'Exp', opset: 14, op: 'Exp', inputs: [['x', x234]] },
];

describe('operators against ONNX Runtime', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const inputs = c.inputs.map(([n, t]) => makeValueInfo(n, 'float32', [...t.shape]));
      const bytes = makeModel({
        nodes: [makeNode(c.op, [...c.inputs.map(([n]) => n), ...(c.consts ?? []).map(([n]) => n)], ['y'], c.attrs ?? {})],
        inputs, outputs: [makeValueInfo('y', 'float32', null)],
        initializers: (c.consts ?? []).map(([n, t]) => makeInitializer(n, t)), opset: c.opset,
      });
      const diffs = await compareWithOrt(loadOnnx(bytes), bytes, Object.fromEntries(c.inputs));
      expect(diffs.y, c.name).toBeLessThanOrEqual(1e-6);
    });
  }

  it('Shape, Cast, Concat, ConstantOfShape and Constant in one shape computation', async () => {
    // y = ConstantOfShape(Concat(Shape(x)[1:], [2])) + Cast(x[0,0,0] as int) ... kept float
    const bytes = makeModel({
      nodes: [
        makeNode('Shape', ['x'], ['s']),
        makeNode('Slice', ['s', 'one', 'big'], ['tail']),
        makeNode('Constant', [], ['two'], { value: new Tensor(Int32Array.of(2), [1]) }),
        makeNode('Concat', ['tail', 'two'], ['shape'], { axis: 0 }),
        makeNode('ConstantOfShape', ['shape'], ['filled'], { value: new Tensor(Float32Array.of(1.5), [1]) }),
        makeNode('Cast', ['shape'], ['shapef'], { to: 1 }),
        makeNode('ReduceSum', ['shapef'], ['total'], { keepdims: 0 }),
        makeNode('Mul', ['filled', 'total'], ['y']),
      ],
      inputs: [makeValueInfo('x', 'float32', [2, 3, 4])], outputs: [makeValueInfo('y', 'float32', null)],
      initializers: [makeInitializer('one', ints(1)), makeInitializer('big', ints(100))], opset: 14,
    });
    const diffs = await compareWithOrt(loadOnnx(bytes), bytes, { x: x234 });
    expect(diffs.y).toBe(0);
  });
});
