// Layer behaviour beyond the PyTorch fixtures: unbatched input, streaming = one call,
// truncated BPTT, dropout between layers, merge modes, per-step gradient norms, and
// errors for bad input.
import { describe, expect, it } from 'vitest';
import { LSTM, GRU, RNN } from '../../src/rnn/index.js';
import { randn, zeros } from '../../src/tensor/create.js';
import { Generator } from '../../src/util/rng.js';
import { cat, mul, sum, slice, add, reshape, unsqueeze } from '../../src/ops/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { relError } from '../helpers/fixtures.js';

const g = (seed: number) => new Generator(seed);

describe('unbatched input', () => {
  it('(L, I) input gives (L, D·H) output and (numLayers·D, H) states, equal to a batch of one', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: g(1) });
    const x = randn([5, 3], { generator: g(2) });
    const [out, [h, c]] = lstm.forward(x);
    expect(out.shape).toEqual([5, 8]);
    expect(h.shape).toEqual([4, 4]);
    expect(c.shape).toEqual([4, 4]);
    const [outB, [hB]] = lstm.forward(reshape(x, [5, 1, 3]));
    expect(relError(out.data, outB.data).rel).toBe(0);
    expect(relError(h.data, hB.data).rel).toBe(0);
  });
});


describe('streaming', () => {
  for (const Layer of [RNN, GRU, LSTM]) {
    it(`${Layer.name}: steps and chunks give the same numbers as one call`, () => {
      const layer = new Layer({ inputSize: 3, hiddenSize: 5, numLayers: 2, generator: g(3) });
      const x = randn([7, 2, 3], { generator: g(4) });
      const [full] = (layer as RNN).forward(x);
      const s = layer.stream();
      const steps: Tensor[] = [];
      for (let t = 0; t < 3; t++) steps.push(s.step(reshape(slice(x, 0, t, t + 1), [2, 3])));
      const rest = s.forward(slice(x, 0, 3, 7));
      const joined = cat([...steps.map((t) => unsqueeze(t, 0)), rest], 0);
      expect(relError(joined.data, full.data).rel).toBeLessThan(1e-6);
    });
  }

  it('truncated BPTT: detach cuts the gradient at the chunk boundary but keeps the state', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, generator: g(5) });
    const x1 = randn([4, 1, 2], { generator: g(6), requiresGrad: true });
    const x2 = randn([4, 1, 2], { generator: g(7), requiresGrad: true });
    const s = lstm.stream();
    s.forward(x1);
    const stateBefore = s.state!.h!.toFlatArray();
    s.detach();
    expect(s.state!.h!.toFlatArray()).toEqual(stateBefore);
    const y2 = s.forward(x2);
    sum(y2).backward();
    expect(x1.grad).toBeNull();
    expect(x2.grad).not.toBeNull();
    // Without detach the gradient reaches the first chunk.
    const s2 = lstm.stream();
    s2.forward(x1);
    sum(s2.forward(x2)).backward();
    expect(x1.grad).not.toBeNull();
  });

  it('refuses bidirectional layers', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true });
    expect(() => gru.stream()).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: stream: argument 'layer' must be a unidirectional layer (a bidirectional pass needs the whole sequence), got "bidirectional=true"]`);
  });
});


describe('options', () => {
  it('dropout between layers acts in training mode only, and is seeded', () => {
    const mk = () => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.5, generator: g(8) });
    const x = randn([5, 2, 3], { generator: g(9) });
    const a = mk(), b = mk();
    const [ya] = a.forward(x);
    const [yb] = b.forward(x);
    expect(ya.toFlatArray()).toEqual(yb.toFlatArray()); // same seed, same masks
    const [ye1] = a.eval().forward(x);
    const [ye2] = a.forward(x);
    expect(ye1.toFlatArray()).toEqual(ye2.toFlatArray()); // deterministic in eval
    expect(relError(ye1.data, ya.data).rel).toBeGreaterThan(1e-3); // training differs
  });

  it('merge modes combine the directions and size the next layer accordingly', () => {
    const x = randn([4, 2, 3], { generator: g(10) });
    const cc = new RNN({ inputSize: 3, hiddenSize: 5, bidirectional: true, generator: g(11) });
    const [yc] = cc.forward(x);
    for (const merge of ['sum', 'mean', 'mul'] as const) {
      const m = new RNN({ inputSize: 3, hiddenSize: 5, bidirectional: true, merge, numLayers: 2, generator: g(11) });
      expect(m.getParameter('weight_ih_l1')!.shape).toEqual([5, 5]);
      const one = new RNN({ inputSize: 3, hiddenSize: 5, bidirectional: true, merge, generator: g(11) });
      const [y] = one.forward(x);
      expect(y.shape).toEqual([4, 2, 5]);
      const f = slice(yc, 2, 0, 5), r = slice(yc, 2, 5, 10);
      const want = merge === 'sum' ? add(f, r) : merge === 'mean' ? mul(add(f, r), 0.5) : mul(f, r);
      expect(relError(y.data, want.data).rel).toBeLessThan(1e-6);
    }
  });

  it('gradcheck through a 2-layer bidirectional LSTM with projection and lengths (float64)', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, projSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64', generator: g(12) });
    const x = randn([4, 3, 2], { dtype: 'float64', generator: g(13), requiresGrad: true });
    const res = gradcheck((xx) => {
      const [y, [h, c]] = lstm.forward(xx!, null, { lengths: [4, 1, 2] });
      return [y, h, c];
    }, [x], { names: ['x'] });
    expect(res.maxAbsError).toBeLessThan(1e-6);
  });
});

describe('per-step gradient norms', () => {
  it('records ‖∂L/∂h_t‖ equal to the gradient of retained per-step outputs', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, dtype: 'float64', generator: g(14) });
    rnn.recordStepGrads = true;
    const x = randn([6, 2, 2], { dtype: 'float64', generator: g(15) });
    const [y, h] = rnn.forward(x);
    // Loss on the last step only: the norm of ∂L/∂h_t at t < T-1 comes purely through time.
    sum(mul(h, h)).backward();
    const rec = rnn.stepGradNorms[0]!;
    expect(rec.norms.length).toBe(6);
    // ∂L/∂h_{T-1} = 2 h_{T-1}
    const want = Math.sqrt(h.toFlatArray().reduce((s, v) => s + 4 * v * v, 0));
    expect(rec.norms[5]).toBeCloseTo(want, 10);
    expect(rec.norms.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    void y;
  });
});

describe('bad input', () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
  it('wrong rank', () => expect(() => lstm.forward(zeros([3]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: LSTM: argument 'input' must have rank 3 (seq, batch, feature) or rank 2 (seq, feature), got shape [3]]`));
  it('wrong feature size', () => expect(() => lstm.forward(zeros([5, 2, 7]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: LSTM: argument 'input' must have last dimension equal to inputSize = 3, got shape [5, 2, 7]]`));
  it('initial state of the wrong shape', () => {
    expect(() => lstm.forward(zeros([5, 2, 3]), [zeros([2, 4]), zeros([2, 2, 4])])).toThrowErrorMatchingInlineSnapshot(`[ShapeError: LSTM: argument 'hx[0] (h0)' must have shape [2, 2, 4], got shape [2, 4]]`);
  });
  it('lengths longer than the sequence or not matching the batch', () => {
    expect(() => lstm.forward(zeros([5, 2, 3]), null, { lengths: [5, 6] })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: LSTM: argument 'lengths[1]' must be an integer in [0, 5] (the sequence length), got 6]`);
    expect(() => lstm.forward(zeros([5, 2, 3]), null, { lengths: [5] })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: LSTM: argument 'lengths' must be 2 lengths, one per sequence of the batch (input shape [5, 2, 3]), got [5]]`);
  });
  it('bad options', () => {
    expect(() => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 4 })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: LSTM: argument 'projSize' must be smaller than hiddenSize (4), got 4]`);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, dropout: 1 })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: GRU: argument 'dropout' must be a number in [0, 1), got 1]`);
    expect(() => new RNN({ inputSize: 0, hiddenSize: 4 })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: RNN: argument 'inputSize' must be a positive integer, got 0]`);
    expect(() => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'sigmoid' as 'tanh' })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: RNN: argument 'nonlinearity' must be 'tanh' or 'relu', got "sigmoid"]`);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, projSize: 2 } as never)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: GRU: argument 'projSize' must be 0 (projections are an LSTM feature), got 2]`);
  });
  it('dtype mismatch between input and parameters', () => {
    expect(() => lstm.forward(zeros([5, 2, 3], { dtype: 'float64' }))).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: LSTM: argument 'input' must be a float32 tensor like the layer's parameters, got "a float64 tensor"]`);
  });
});
