// ONNX import of PyTorch's exports, export round trips through ONNX Runtime, and the
// errors for unsupported or malformed models.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LSTM, GRU, RNN, Embedding, Linear, CharLM, Generator, randn, Tensor, exportOnnx, loadOnnx, SerializationError, ArgumentError } from '../../src/index.js';
import { makeModel, makeNode, makeValueInfo, makeInitializer } from '../../src/onnx/build.js';
import { onnx } from '../../src/onnx/proto.js';
import { fixturesDir, loadFixture } from '../helpers/fixtures.js';
import { compareWithOrt, maxAbsDiff, runOrt } from './helpers.js';
import { oursOnnxModels } from './ours-models.js';

const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixturesDir, 'onnx', name)));

describe('models exported by PyTorch (torch.onnx.export, opset 14)', () => {
  for (const name of ['lm_lstm2', 'lm_lstm2_state', 'gru_bi_bf', 'rnn_relu2', 'lm_gru_bi']) {
    it(`${name}: our outputs equal PyTorch's and ONNX Runtime's`, async () => {
      const bytes = file(`torch_${name}.onnx`);
      const model = loadOnnx(bytes, { source: name });
      const io = loadFixture(`onnx/torch_${name}_io.safetensors`);
      const feeds: Record<string, Tensor> = {};
      for (const i of model.inputs) feeds[i.name] = io.get(i.name);
      const out = model.run(feeds);
      for (const o of model.outputs) expect(maxAbsDiff(out[o.name] as Tensor, io.get(o.name), o.name), `${name} ${o.name} vs PyTorch`).toBeLessThanOrEqual(1e-5);
      const diffs = await compareWithOrt(model, bytes, feeds);
      for (const [k, d] of Object.entries(diffs)) expect(d, `${name} ${k} vs ORT`).toBeLessThanOrEqual(1e-5);
    });
  }

  it('dynamic axes: other sequence lengths and batch sizes run, equal to ONNX Runtime', async () => {
    for (const [name, feedsOf] of [
      ['lm_lstm2', (T: number, B: number) => ({ ids: new Tensor(Int32Array.from({ length: T * B }, (_, i) => (i * 7) % 11), [T, B]) })],
      ['gru_bi_bf', (T: number, B: number) => ({ x: randn([B, T, 4], { generator: new Generator(T * 10 + B) }) })],
    ] as const) {
      const bytes = file(`torch_${name}.onnx`);
      const model = loadOnnx(bytes);
      for (const [T, B] of [[1, 1], [9, 4]] as const) {
        const diffs = await compareWithOrt(model, bytes, feedsOf(T, B));
        for (const [k, d] of Object.entries(diffs)) expect(d, `${name} T=${T} B=${B} ${k}`).toBeLessThanOrEqual(1e-5);
      }
    }
  });

  it('reports what the model holds', () => {
    const m = loadOnnx(file('torch_lm_lstm2.onnx'));
    expect(m.opset).toBe(14);
    expect(m.inputs).toEqual([{ name: 'ids', dtype: 'int32', shape: ['T', 'B'] }]);
    expect(m.outputs.map((o) => o.name)).toEqual(['logits', 'h_n', 'c_n']);
    expect(m.operators).toContain('LSTM');
    expect(m.producer).toMatch(/pytorch/);
  });
});

describe('export', () => {
  const g = new Generator(77);
  const cases: [string, () => { model: Parameters<typeof exportOnnx>[0]; feeds: Record<string, Tensor>; expected: Record<string, Tensor>; opts?: Parameters<typeof exportOnnx>[1] }][] = [
    ['LSTM, 2 layers, bidirectional, initial state and lengths', () => {
      const m = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: g });
      const x = randn([6, 3, 3], { generator: g });
      const h0 = randn([4, 3, 4], { generator: g });
      const c0 = randn([4, 3, 4], { generator: g });
      const lengths = [6, 2, 4];
      const [y, [h, c]] = m.forward(x, [h0, c0], { lengths });
      return { model: m, feeds: { input: x, h0, c0, lengths: new Tensor(Int32Array.from(lengths), [3]) }, expected: { output: y, h_n: h, c_n: c }, opts: { initialState: true, lengths: true } };
    }],
    ['GRU batchFirst, bidirectional, merge mean', () => {
      const m = new GRU({ inputSize: 2, hiddenSize: 5, numLayers: 2, bidirectional: true, merge: 'mean', batchFirst: true, generator: g });
      const x = randn([2, 4, 2], { generator: g });
      const [y, h] = m.forward(x);
      return { model: m, feeds: { input: x }, expected: { output: y, h_n: h } };
    }],
    ['GRU merge mul, without bias', () => {
      const m = new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, merge: 'mul', bias: false, generator: g });
      const x = randn([4, 2, 2], { generator: g });
      const [y, h] = m.forward(x);
      return { model: m, feeds: { input: x }, expected: { output: y, h_n: h } };
    }],
    ['Embedding → RNN relu (3 layers) → Linear', () => {
      const embedding = new Embedding(8, 3, { generator: g });
      const rnn = new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 3, nonlinearity: 'relu', generator: g });
      const head = new Linear(4, 8, { generator: g });
      const ids = new Tensor(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 1, 3]), [5, 2]);
      const [y, h] = rnn.forward(embedding.forward(ids));
      return { model: { embedding, rnn, head }, feeds: { ids }, expected: { output: head.forward(y), h_n: h } };
    }],
    ['CharLM (float64 weights exported as float32)', () => {
      const lm = new CharLM(6, { embed: 3, hidden: 5, layers: 2, generator: g });
      const ids = new Tensor(Int32Array.from([1, 2, 3, 4, 5, 0]), [3, 2]);
      const { logits, state } = lm.forward(ids);
      return { model: lm, feeds: { ids }, expected: { output: logits, h_n: state[0], c_n: state[1] } };
    }],
  ];
  for (const [name, make] of cases) {
    it(`${name}: ONNX Runtime and our import give our outputs`, async () => {
      const { model, feeds, expected, opts } = make();
      const bytes = exportOnnx(model, opts);
      const theirs = await runOrt(bytes, feeds, ['lengths']);
      const ours = loadOnnx(bytes).run(feeds);
      for (const [k, v] of Object.entries(expected)) {
        expect(maxAbsDiff(v, theirs[k] as { data: Float32Array; dims: number[] }, k), `${name} ${k} ORT`).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff(v, ours[k] as Tensor, k), `${name} ${k} import`).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it('the committed exports pass the ONNX checker (tools/gen_onnx_fixtures.py) and are what the exporter writes today', () => {
    const checker = JSON.parse(new TextDecoder().decode(file('checker.json'))) as { results: Record<string, string> };
    for (const [name, bytes] of Object.entries(oursOnnxModels())) {
      expect(checker.results[`ours_${name}.onnx`]).toBe('ok');
      expect(Buffer.from(bytes).equals(Buffer.from(file(`ours_${name}.onnx`))), `${name} bytes`).toBe(true);
    }
  });

  it('what ONNX cannot express is refused with a reason', () => {
    expect(() => exportOnnx(new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2 }))).toThrow(/no projection/);
    expect(() => exportOnnx(new LSTM({ inputSize: 3, hiddenSize: 4 }), { opset: 9 })).toThrow(ArgumentError);
    expect(() => exportOnnx(new Linear(2, 3))).toThrow(/exportOnnx.*model/);
    expect(() => exportOnnx({ embedding: new Embedding(5, 2), rnn: new GRU({ inputSize: 3, hiddenSize: 2 }) })).toThrow(/embedding of width 3/);
  });
});

describe('bad models and bad inputs', () => {
  const tiny = (nodes: ReturnType<typeof makeNode>[], extra: Partial<Parameters<typeof makeModel>[0]> = {}): Uint8Array => makeModel({
    nodes, inputs: [makeValueInfo('x', 'float32', [2, 3])], outputs: [makeValueInfo('y', 'float32', [2, 3])], ...extra,
  });

  it('names the unsupported operator, attribute or domain', () => {
    expect(() => loadOnnx(tiny([makeNode('Conv', ['x'], ['y'])]), { source: 'm.onnx' })).toThrow(/m\.onnx: node 0 \(Conv\): operator 'Conv' is not supported/);
    expect(() => loadOnnx(tiny([makeNode('Softmax', ['x'], ['y'], { axis: 1, fancy: 2 })]))).toThrow(/attribute 'fancy' of Softmax is not supported/);
    expect(() => loadOnnx(tiny([{ ...makeNode('Relu', ['x'], ['y']), domain: 'com.microsoft' }]))).toThrow(/domain 'com\.microsoft'/);
    expect(() => loadOnnx(tiny([makeNode('Relu', ['x'], ['y'])], { opset: 5 }))).toThrow(/opset 5 is not supported/);
  });

  it('rejects graphs whose nodes use values before they exist (cycles included)', () => {
    const cyc = tiny([makeNode('Relu', ['z'], ['y']), makeNode('Relu', ['y'], ['z'])]);
    expect(() => loadOnnx(cyc)).toThrow(/input 'z' is not produced by any earlier node/);
    expect(() => loadOnnx(tiny([makeNode('Relu', ['x'], ['w'])]))).toThrow(/graph output 'y' is never produced/);
  });

  it('rejects truncated and garbage files, and declared tensors larger than their data, before allocating', () => {
    const good = file('torch_lm_lstm2.onnx');
    expect(() => loadOnnx(good.subarray(0, good.length - 100), { source: 't.onnx' })).toThrow(SerializationError);
    expect(() => loadOnnx(new Uint8Array(0))).toThrow(/empty file/);
    expect(() => loadOnnx(new TextEncoder().encode('this is not a protobuf at all, just text'))).toThrow(SerializationError);
    const huge = onnx.ModelProto.encode({
      irVersion: 7, opsetImport: [{ domain: '', version: 14 }],
      graph: { node: [], input: [], output: [makeValueInfo('w', 'float32', [])], initializer: [{ name: 'w', dims: [1e6, 1e6], dataType: 1, rawData: new Uint8Array(8) }] },
    }).finish();
    expect(() => loadOnnx(huge)).toThrow(/more than 2147483647 elements/);
    const short = onnx.ModelProto.encode({
      irVersion: 7, opsetImport: [{ domain: '', version: 14 }],
      graph: { node: [], input: [], output: [makeValueInfo('w', 'float32', [])], initializer: [{ name: 'w', dims: [1000, 1000], dataType: 1, rawData: new Uint8Array(8) }] },
    }).finish();
    expect(() => loadOnnx(short)).toThrow(/needs 4000000 bytes but raw_data has 8/);
    const external = onnx.ModelProto.encode({
      irVersion: 7, opsetImport: [{ domain: '', version: 14 }],
      graph: { node: [], input: [], output: [makeValueInfo('w', 'float32', [])], initializer: [{ name: 'w', dims: [2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] }] },
    }).finish();
    expect(() => loadOnnx(external)).toThrow(/external data is not supported/);
  });

  it('checks feeds: names, types and declared dimensions', () => {
    const m = loadOnnx(tiny([makeNode('Relu', ['x'], ['y'])]));
    expect(() => m.run({})).toThrow(/feeds\['x'\]/);
    expect(() => m.run({ x: randn([2, 4]) })).toThrow(/shape \[2, 3\]/);
    expect(() => m.run({ x: randn([2, 3]), z: randn([1]) })).toThrow(/feeds\['z'\]/);
    const lm = loadOnnx(file('torch_lm_lstm2.onnx'));
    expect(() => lm.run({ ids: randn([3, 2]) })).toThrow(/int32 tensor/);
    expect(() => lm.run({ ids: new Tensor(Int32Array.of(1, 99), [1, 2]) })).toThrow(/index 99 is out of range/);
  });

  it('a ConstantOfShape asking for a huge tensor fails cleanly', () => {
    const bytes = makeModel({
      nodes: [makeNode('ConstantOfShape', ['s'], ['y'])],
      inputs: [], outputs: [makeValueInfo('y', 'float32', [])],
      initializers: [makeInitializer('s', new Tensor(Int32Array.of(100000, 100000, 100000), [3]))],
    });
    expect(() => loadOnnx(bytes).run({})).toThrow(/more than 2147483647 elements/);
  });
});
