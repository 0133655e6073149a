import { describe, expect, it } from 'vitest';
import { Module, Parameter, Linear, Embedding, Dropout, Sequential, Tanh, ReLU, init } from '../../src/nn/index.js';
import { LSTM } from '../../src/rnn/index.js';
import { tensor, zeros, ones, randn } from '../../src/tensor/create.js';
import { sum } from '../../src/ops/index.js';
import { Generator } from '../../src/util/rng.js';

class Net extends Module {
  readonly embed = this.registerModule('embed', new Embedding(10, 4, { generator: new Generator(1) }));
  readonly rnn = this.registerModule('rnn', new LSTM({ inputSize: 4, hiddenSize: 3, generator: new Generator(2) }));
  readonly head = this.registerModule('head', new Sequential(new Linear(3, 5, { generator: new Generator(3) }), new Tanh()));
  readonly scale = this.registerBuffer('scale', ones([1]));
}

describe('Module', () => {
  it('names parameters with dotted PyTorch-style paths in registration order', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'embed.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'head.0.weight', 'head.0.bias',
    ]);
    // PyTorch order: a module's own parameters, then its buffers, then its children.
    expect(Object.keys(net.stateDict())).toEqual(['scale',
      'embed.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'head.0.weight', 'head.0.bias']);
    expect(net.numParameters()).toBe(40 + 48 + 36 + 12 + 12 + 15 + 5);
  });

  it('loadStateDict round-trips, and strict mode names missing and unexpected keys', () => {
    const a = new Net();
    const b = new Net();
    b.loadStateDict(Object.fromEntries(Object.entries(a.stateDict()).map(([k, v]) => [k, v.clone()])));
    for (const [n, p] of a.namedParameters()) expect(b.stateDict()[n]!.toFlatArray()).toEqual(p.toFlatArray());
    const partial = { ...a.stateDict(), extra: zeros([1]) } as Record<string, ReturnType<typeof zeros>>;
    delete partial['head.0.bias'];
    expect(() => b.loadStateDict(partial)).toThrowErrorMatchingInlineSnapshot(`[SerializationError: Net.loadStateDict: the state dict does not match the module (missing keys: 'head.0.bias'; unexpected keys: 'extra')]`);
    expect(b.loadStateDict(partial, { strict: false })).toEqual({ missingKeys: ['head.0.bias'], unexpectedKeys: ['extra'] });
  });

  it('shape mismatch names the key and both shapes and leaves the module unchanged', () => {
    const lin = new Linear(3, 4);
    const before = lin.weight.toFlatArray();
    expect(() => lin.loadStateDict({ weight: zeros([3, 4]), bias: zeros([4]) })).toThrowErrorMatchingInlineSnapshot(`[ShapeError: Linear.loadStateDict: argument 'weight' must have shape [4, 3] (the module's), got shape [3, 4]]`);
    expect(lin.weight.toFlatArray()).toEqual(before);
  });

  it('loads float64 values into float32 parameters', () => {
    const lin = new Linear(2, 1);
    lin.loadStateDict({ weight: tensor([[0.5, 0.25]], { dtype: 'float64' }), bias: tensor([1], { dtype: 'float64' }) });
    expect(lin.forward(tensor([[2, 4]])).toArray()).toEqual([[3]]);
  });

  it('train/eval propagate; zeroGrad clears gradients; toString describes the tree', () => {
    const net = new Net();
    net.eval();
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.head.training).toBe(true);
    sum(net.head.forward(randn([2, 3]))).backward();
    expect(net.head.at(0)!.parameters()[0]!.grad).not.toBeNull();
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    expect(net.toString()).toMatchInlineSnapshot(`
      "Net(
        (embed): Embedding(10, 4)
        (rnn): LSTM(4, 3)
        (head): Sequential(
          (0): Linear(inFeatures=3, outFeatures=5, bias=true)
          (1): Tanh()
        )
      )"
    `);
  });

  it('refuses duplicate names and non-modules', () => {
    const m = new Module();
    m.registerParameter('w', new Parameter(zeros([1])));
    expect(() => m.registerParameter('w', new Parameter(zeros([1])))).toThrow(/not registered yet/);
    expect(() => m.registerModule('a.b', new Module())).toThrow(/without dots/);
  });
});

describe('layers', () => {
  it('Linear computes x Wᵀ + b (checked by explicit loops) on batched input', () => {
    const lin = new Linear(3, 2, { generator: new Generator(4) });
    const x = randn([2, 2, 3], { generator: new Generator(5) });
    const y = lin.forward(x);
    expect(y.shape).toEqual([2, 2, 2]);
    const W = lin.weight.data, b = lin.bias!.data;
    for (let r = 0; r < 4; r++) {
      for (let o = 0; o < 2; o++) {
        let acc = b[o]!;
        for (let k = 0; k < 3; k++) acc += x.data[r * 3 + k]! * W[o * 3 + k]!;
        expect(y.data[r * 2 + o]).toBeCloseTo(acc, 5);
      }
    }
  });

  it('Linear default init is U(−1/√in, 1/√in) like PyTorch, and seeded', () => {
    const lin = new Linear(64, 256, { generator: new Generator(6) });
    const bound = 1 / 8;
    const w = lin.weight.toFlatArray();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(bound * 0.99);
    const varU = (bound * 2) ** 2 / 12;
    const v = w.reduce((s, x) => s + x * x, 0) / w.length;
    expect(Math.abs(v - varU) / varU).toBeLessThan(0.05);
    expect(new Linear(64, 256, { generator: new Generator(6) }).weight.toFlatArray()).toEqual(w);
  });

  it('xavier and kaiming initialisers have the documented spread', () => {
    const t = zeros([200, 300]);
    init.xavierNormal_(t, 1, new Generator(7));
    const std = Math.sqrt(t.toFlatArray().reduce((s, x) => s + x * x, 0) / t.size);
    expect(std).toBeCloseTo(Math.sqrt(2 / 500), 3);
    init.kaimingUniform_(t, 0, 'fanIn', new Generator(8));
    expect(Math.max(...t.toFlatArray().map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 300));
  });

  it('Embedding looks up rows; the padding row starts at zero and gets no gradient', () => {
    const e = new Embedding(5, 3, { paddingIdx: 0, generator: new Generator(9) });
    expect(Array.from(e.weight.data.subarray(0, 3))).toEqual([0, 0, 0]);
    const ids = tensor([[1, 0], [4, 1]], { dtype: 'int32' });
    const y = e.forward(ids);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.data.subarray(3, 6))).toEqual([0, 0, 0]);
    sum(y).backward();
    expect(e.weight.grad!.toArray()).toEqual([[0, 0, 0], [2, 2, 2], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
  });

  it('Dropout is active in training only; Sequential chains', () => {
    const d = new Dropout(0.5, new Generator(10));
    const x = ones([100]);
    expect(d.forward(x).toFlatArray().filter((v) => v === 0).length).toBeGreaterThan(20);
    d.eval();
    expect(d.forward(x)).toBe(x);
    const s = new Sequential(new Linear(2, 2), new ReLU());
    expect(s.forward(ones([3, 2])).shape).toEqual([3, 2]);
    expect(s.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
  });

  it('bad options name the layer, the option and the value', () => {
    expect(() => new Linear(0, 3)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: Linear: argument 'inFeatures' must be a positive integer, got 0]`);
    expect(() => new Embedding(5, 3, { paddingIdx: 7 })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: Embedding: argument 'paddingIdx' must be an index in [-5, 5), got 7]`);
    expect(() => new Dropout(2)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: Dropout: argument 'p' must be a probability in [0, 1], got 2]`);
    expect(() => new Linear(3, 2).forward(ones([2, 4]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: linear: argument 'x' must have last dimension 3 (the inFeatures of weight [2, 3]), got shape [2, 4]]`);
  });
});
