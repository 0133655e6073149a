// ONNX's LSTM, GRU and RNN operators, every attribute and input, checked against ONNX
// Runtime (an independent implementation) on single-node models built here: first the
// cases of ONNX's own operator tests (onnx/backend/test/case/node/{lstm,gru,rnn}.py,
// rebuilt from the spec's descriptions of their inputs), then a sweep over attributes.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator } from '../../src/util/rng.js';
import { randn, full, zeros } from '../../src/tensor/create.js';
import { loadOnnx } from '../../src/onnx/import.js';
import { makeModel, makeNode, makeValueInfo, type AttributeValue } from '../../src/onnx/build.js';
import { compareWithOrt, maxAbsDiff, runOrt } from './helpers.js';
import { permute } from '../../src/ops/index.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';
const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3, RNN: 1 };

interface Case {
  name: string;
  kind: Kind;
  X: Tensor;
  W: Tensor;
  R: Tensor;
  B?: Tensor;
  lens?: number[];
  h0?: Tensor;
  c0?: Tensor;
  P?: Tensor;
  attrs?: Record<string, AttributeValue>;
}

/** A one-node model whose every optional input that is given becomes a graph input. */
function build(c: Case): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const names = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'];
  const values: (Tensor | undefined)[] = [c.X, c.W, c.R, c.B, c.lens ? new Tensor(Int32Array.from(c.lens), [c.lens.length]) : undefined, c.h0, c.c0, c.P];
  if (c.kind !== 'LSTM') values.length = 6;
  const inputs = values.map((v, i) => (v ? (names[i] as string) : ''));
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const feeds: Record<string, Tensor> = {};
  const infos = [];
  for (const [i, v] of values.entries()) {
    if (!v) continue;
    const n = names[i] as string;
    feeds[n] = v;
    infos.push(makeValueInfo(n, v.dtype === 'int32' ? 'int32' : 'float32', [...v.shape]));
  }
  const outs = c.kind === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  const bytes = makeModel({
    nodes: [makeNode(c.kind, inputs, outs, { hidden_size: (c.R.shape[2] as number), ...c.attrs })],
    inputs: infos,
    outputs: outs.map((o) => makeValueInfo(o, 'float32', null)),
    opset: 14,
  });
  return { bytes, feeds };
}

async function check(c: Case, tol = 1e-5): Promise<void> {
  const { bytes, feeds } = build(c);
  const model = loadOnnx(bytes, { source: c.name });
  if (c.attrs?.layout !== 1) {
    const diffs = await compareWithOrt(model, bytes, feeds, ['sequence_lens']);
    for (const [k, d] of Object.entries(diffs)) expect(d, `${c.name} ${k}: max |ours − ORT| = ${d}`).toBeLessThanOrEqual(tol);
    return;
  }
  // ONNX Runtime's CPU kernels reject layout = 1. The spec defines it as the batch-first
  // form of X, initial_h/c, Y, Y_h/c: the reference is ORT on the layout-0 model with
  // transposed inputs, its outputs transposed back.
  const t = (x: Tensor | undefined): Tensor | undefined => (x ? permute(x, [1, 0, 2]) : undefined);
  const c0: Case = { ...c, X: t(c.X) as Tensor, attrs: { ...c.attrs, layout: 0 } };
  if (c.h0) c0.h0 = t(c.h0) as Tensor;
  if (c.c0) c0.c0 = t(c.c0) as Tensor;
  const ref = build(c0);
  const theirs = await runOrt(ref.bytes, ref.feeds, ['sequence_lens']);
  const ours = model.run(feeds);
  for (const [k, v] of Object.entries(theirs)) {
    const back = permute(new Tensor(v.data, [...v.dims]), k === 'Y' ? [2, 0, 1, 3] : [1, 0, 2]);
    const d = maxAbsDiff(ours[k] as Tensor, back, k);
    expect(d, `${c.name} ${k}: max |ours − ORT (layout 0, transposed)| = ${d}`).toBeLessThanOrEqual(tol);
  }
}

const seq = (n: number, shape: number[]): Tensor => new Tensor(Float32Array.from({ length: n }, (_, i) => i + 1), shape);

describe("ONNX's operator test cases", () => {
  const w = (kind: Kind, D: number, H: number, I: number, s: number): [Tensor, Tensor] => [full([D, GATES[kind] * H, I], s), full([D, GATES[kind] * H, H], s)];
  const cases: Case[] = [
    { name: 'lstm_defaults', kind: 'LSTM', X: seq(6, [1, 3, 2]), ...wr(w('LSTM', 1, 3, 2, 0.1)) },
    { name: 'lstm_with_initial_bias', kind: 'LSTM', X: seq(9, [1, 3, 3]), ...wr(w('LSTM', 1, 4, 3, 0.1)), B: bias(1, 16, 0.1) },
    { name: 'lstm_with_peepholes', kind: 'LSTM', X: seq(8, [1, 2, 4]), ...wr(w('LSTM', 1, 3, 4, 0.3)), B: zeros([1, 24]), lens: [1, 1], h0: zeros([1, 2, 3]), c0: zeros([1, 2, 3]), P: full([1, 9], 0.1) },
    { name: 'lstm_batchwise', kind: 'LSTM', X: seq(6, [3, 1, 2]), ...wr(w('LSTM', 1, 7, 2, 0.3)), attrs: { layout: 1 } },
    { name: 'gru_defaults', kind: 'GRU', X: seq(6, [1, 3, 2]), ...wr(w('GRU', 1, 5, 2, 0.1)) },
    { name: 'gru_with_initial_bias', kind: 'GRU', X: seq(9, [1, 3, 3]), ...wr(w('GRU', 1, 3, 3, 0.1)), B: bias(1, 9, 1) },
    { name: 'gru_seq_length', kind: 'GRU', X: seq(18, [2, 3, 3]), W: rnd([1, 15, 3], 1), R: rnd([1, 15, 5], 2), B: rnd([1, 30], 3) },
    { name: 'gru_batchwise', kind: 'GRU', X: seq(6, [3, 1, 2]), ...wr(w('GRU', 1, 6, 2, 0.2)), attrs: { layout: 1 } },
    { name: 'simple_rnn_defaults', kind: 'RNN', X: seq(6, [1, 3, 2]), ...wr(w('RNN', 1, 4, 2, 0.1)) },
    { name: 'simple_rnn_with_initial_bias', kind: 'RNN', X: seq(9, [1, 3, 3]), ...wr(w('RNN', 1, 5, 3, 0.1)), B: bias(1, 5, 0.1) },
    { name: 'rnn_seq_length', kind: 'RNN', X: seq(18, [2, 3, 3]), W: rnd([1, 5, 3], 4), R: rnd([1, 5, 5], 5), B: rnd([1, 10], 6) },
    { name: 'simple_rnn_batchwise', kind: 'RNN', X: seq(6, [3, 1, 2]), ...wr(w('RNN', 1, 4, 2, 0.5)), attrs: { layout: 1 } },
  ];
  for (const c of cases) it(c.name, () => check(c));
});

function wr([W, R]: [Tensor, Tensor]): { W: Tensor; R: Tensor } {
  return { W, R };
}
/** [Wb = value, Rb = 0] for D directions, as the spec's initial-bias cases. */
function bias(D: number, gh: number, value: number): Tensor {
  const b = new Float32Array(D * 2 * gh);
  for (let d = 0; d < D; d++) b.fill(value, d * 2 * gh, d * 2 * gh + gh);
  return new Tensor(b, [D, 2 * gh]);
}
function rnd(shape: number[], seed: number, scale = 0.5): Tensor {
  const t = randn(shape, { generator: new Generator(seed) });
  for (let i = 0; i < t.size; i++) t.data[i] = (t.data[i] as number) * scale;
  return t;
}

describe('every attribute and input, against ONNX Runtime', () => {
  const T = 5;
  const Bn = 3;
  const I = 4;
  const H = 3;
  let seed = 100;
  function make(kind: Kind, opts: { D: number; layout?: 0 | 1; B?: boolean; lens?: number[]; init?: boolean; P?: boolean; attrs?: Record<string, AttributeValue> }): Case {
    const G = GATES[kind];
    const { D } = opts;
    const layout = opts.layout ?? 0;
    const c: Case = {
      name: '', kind,
      X: rnd(layout === 1 ? [Bn, T, I] : [T, Bn, I], seed++, 1),
      W: rnd([D, G * H, I], seed++), R: rnd([D, G * H, H], seed++),
      attrs: { ...(D === 2 ? { direction: 'bidirectional' } : {}), ...(layout ? { layout } : {}), ...opts.attrs },
    };
    if (opts.B) c.B = rnd([D, 2 * G * H], seed++);
    if (opts.lens) c.lens = opts.lens;
    const stateShape = layout === 1 ? [Bn, D, H] : [D, Bn, H];
    if (opts.init) {
      c.h0 = rnd(stateShape, seed++);
      if (kind === 'LSTM') c.c0 = rnd(stateShape, seed++);
    }
    if (opts.P) c.P = rnd([D, 3 * H], seed++);
    return c;
  }
  const sweep: [string, Case][] = [
    ['LSTM fast path: bidirectional, bias, sequence_lens, initial state', make('LSTM', { D: 2, B: true, lens: [5, 2, 4], init: true })],
    ['LSTM fast path: reverse, layout 1, sequence_lens', make('LSTM', { D: 1, layout: 1, B: true, lens: [3, 5, 1], attrs: { direction: 'reverse' } })],
    ['LSTM clip, bidirectional, sequence_lens, initial state', make('LSTM', { D: 2, B: true, lens: [4, 5, 2], init: true, attrs: { clip: 0.7 } })],
    ['LSTM input_forget, reverse, peepholes', make('LSTM', { D: 1, B: true, P: true, init: true, attrs: { input_forget: 1, direction: 'reverse' } })],
    ['LSTM peepholes, clip, bidirectional, layout 1', make('LSTM', { D: 2, layout: 1, B: true, P: true, init: true, lens: [2, 5, 3], attrs: { clip: 1.5 } })],
    ['LSTM activations with alpha/beta', make('LSTM', { D: 1, B: true, attrs: { activations: ['HardSigmoid', 'ScaledTanh', 'Elu'], activation_alpha: { floats: [0.3, 0.8, 0.7] }, activation_beta: { floats: [0.4, 1.2] } } })],
    ['LSTM per-direction activations', make('LSTM', { D: 2, B: true, attrs: { activations: ['Sigmoid', 'Tanh', 'Tanh', 'HardSigmoid', 'Softsign', 'LeakyRelu'], activation_alpha: { floats: [0.25, 0.1] }, activation_beta: { floats: [0.45] } } })],
    ['GRU fast path: bidirectional, sequence_lens, initial state', make('GRU', { D: 2, B: true, lens: [1, 5, 3], init: true, attrs: { linear_before_reset: 1 } })],
    ['GRU linear_before_reset = 0 (the original GRU)', make('GRU', { D: 1, B: true, init: true })],
    ['GRU linear_before_reset = 0, bidirectional, layout 1, sequence_lens', make('GRU', { D: 2, layout: 1, B: true, lens: [5, 4, 2], init: true })],
    ['GRU linear_before_reset = 1 with clip and activations', make('GRU', { D: 1, B: true, attrs: { linear_before_reset: 1, clip: 0.9, activations: ['HardSigmoid', 'Softsign'], activation_alpha: { floats: [0.3] }, activation_beta: { floats: [0.6] } } })],
    ['GRU without bias, reverse', make('GRU', { D: 1, attrs: { direction: 'reverse' } })],
    ['RNN fast path: reverse, bias, sequence_lens, initial state', make('RNN', { D: 1, B: true, lens: [5, 3, 1], init: true, attrs: { direction: 'reverse' } })],
    ['RNN Relu with clip', make('RNN', { D: 1, B: true, attrs: { activations: ['Relu'], clip: 0.8 } })],
    ['RNN bidirectional ThresholdedRelu/LeakyRelu, layout 1, sequence_lens', make('RNN', { D: 2, layout: 1, B: true, lens: [2, 3, 5], init: true, attrs: { activations: ['ThresholdedRelu', 'LeakyRelu'], activation_alpha: { floats: [0.2, 0.05] } } })],
    ['RNN Affine and Softplus', make('RNN', { D: 2, B: true, attrs: { activations: ['Affine', 'Softplus'], activation_alpha: { floats: [0.5] }, activation_beta: { floats: [0.1] } } })],
  ];
  for (const [name, c] of sweep) it(name, () => check({ ...c, name }));
});
