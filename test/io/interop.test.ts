// Safetensors interop with PyTorch (fixtures from tools/gen_interop_fixtures.py):
// state dicts written by PyTorch in F32/F64/F16/BF16 load into our layers and reproduce
// PyTorch's outputs; files written by our writer load in PyTorch (strict load_state_dict)
// and give our outputs there.
import { describe, expect, it, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRU, LSTM, RNN, Linear, Embedding, Sequential, Tanh, Dropout, getBackend } from '../../src/index.js';
import { encodeWeights, loadWeights, decodeModule, readWeightsConfig } from '../../src/io/weights.js';
import { buildModule, moduleConfig } from '../../src/io/module-config.js';
import { numberToBfloat16, numberToHalf, halfToNumber, bfloat16ToNumber, parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { saveModule, loadModule, configPathFor } from '../../src/node/index.js';
import { SerializationError } from '../../src/errors.js';
import { CharLM } from '../../src/models/char-lm.js';
import { Generator } from '../../src/util/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, fixturesDir, loadFixture } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixturesDir, 'interop', name)));

type AnyRecurrent = LSTM | GRU | RNN;
function runModule(m: Module, x: Tensor): Record<string, Tensor> {
  if (m instanceof LSTM) {
    const [y, [h, c]] = m.forward(x);
    return { y, h, c };
  }
  if (m instanceof GRU || m instanceof RNN) {
    const [y, h] = (m as AnyRecurrent).forward(x) as [Tensor, Tensor];
    return { y, h };
  }
  return { y: (m as Linear).forward(x) };
}

const torchModules: [string, (dtype: 'float32' | 'float64') => Module][] = [
  ['lstm_bi2', (dtype) => new LSTM({ inputSize: 5, hiddenSize: 7, numLayers: 2, bidirectional: true, dtype })],
  ['lstm_proj', (dtype) => new LSTM({ inputSize: 4, hiddenSize: 6, projSize: 3, batchFirst: true, dtype })],
  ['gru2', (dtype) => new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, dtype })],
  ['rnn_relu_bi', (dtype) => new RNN({ inputSize: 4, hiddenSize: 5, nonlinearity: 'relu', bidirectional: true, dtype })],
  ['linear', (dtype) => new Linear(6, 3, { dtype })],
];

describe('safetensors written by PyTorch load here and reproduce its outputs', () => {
  for (const [name, make] of torchModules) {
    for (const tag of ['F32', 'F64', 'F16', 'BF16'] as const) {
      it(`${name} (${tag})`, () => {
        const dtype = tag === 'F64' ? 'float64' : 'float32';
        const m = make(dtype);
        const bytes = fixture(`torch_${name}_${tag}.safetensors`);
        expect(parseSafetensors(bytes).tensors.values().next().value?.dtype).toBe(tag);
        loadWeights(m, bytes, { source: name });
        const io = loadFixture(`interop/torch_${name}_io.safetensors`, dtype);
        const out = runModule(m, io.get('x'));
        for (const [k, v] of Object.entries(out)) expectClose(v, io.get(`${k}_${tag}`), dtype === 'float64' ? 1e-12 : 2e-6, `${name} ${tag} ${k}`);
      });
    }
  }
});

describe('safetensors written here load in PyTorch', () => {
  for (const name of ['lstm_bi2', 'lstm_proj', 'gru2', 'rnn_relu_bi', 'seq_linear', 'embedding']) {
    it(`${name}: PyTorch's outputs on our file equal ours, and our writer still writes those bytes`, () => {
      const bytes = fixture(`ours_${name}.safetensors`);
      const m = decodeModule(bytes, { source: name });
      // The committed file is what the current writer produces for that module.
      expect(Buffer.from(encodeWeights(m)).equals(Buffer.from(bytes))).toBe(true);
      const torchOut = loadFixture(`interop/torch_on_ours_${name}.safetensors`);
      if (name === 'embedding') {
        expectClose((m as Embedding).weight, torchOut.get('weight'), 0, 'embedding weight');
        return;
      }
      const io = loadFixture(`interop/ours_${name}_io.safetensors`);
      const x = io.get('x');
      const ours = m instanceof Sequential ? { y: m.forward(x) } : runModule(m, x);
      for (const [k, v] of Object.entries(ours)) {
        // Written on the wasm backend; another backend sums in another order (float32 rounding).
        expectClose(v, io.get(k), getBackend().name === 'wasm' ? 0 : 1e-6, `${name} ${k} (ours now vs ours when written)`);
        expectClose(v, torchOut.get(k), 2e-6, `${name} ${k} (PyTorch on our file)`);
      }
    });
  }
});

describe('module files', () => {
  it('saveModule writes weights and config atomically; loadModule rebuilds the same module', () => {
    const m = new CharLM(12, { embed: 4, hidden: 6, layers: 2, generator: new Generator(3) });
    const path = join(dir, 'lm.safetensors');
    saveModule(path, m);
    expect(existsSync(configPathFor(path))).toBe(true);
    expect(JSON.parse(readFileSync(configPathFor(path), 'utf8'))).toEqual({ type: 'CharLM', vocabSize: 12, embed: 4, hidden: 6, layers: 2 });
    const back = loadModule(path) as CharLM;
    expect(back).toBeInstanceOf(CharLM);
    const ids = tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'int32' });
    expectClose(back.forward(ids).logits, m.forward(ids).logits, 0, 'logits');
  });

  it('the metadata config alone rebuilds a module; every built-in type round-trips its config', () => {
    const modules: Module[] = [
      new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, merge: 'sum', batchFirst: true, projSize: 2, dtype: 'float64' }),
      new GRU({ inputSize: 3, hiddenSize: 4, bias: false }),
      new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu' }),
      new Embedding(5, 3, { paddingIdx: 1 }),
      new Sequential(new Linear(3, 4, { bias: false }), new Tanh(), new Dropout(0.25), new Linear(4, 2)),
    ];
    for (const m of modules) {
      const cfg = moduleConfig(m);
      expect(moduleConfig(buildModule(JSON.parse(JSON.stringify(cfg))))).toEqual(cfg);
      const bytes = encodeWeights(m);
      expect(readWeightsConfig(bytes)).toEqual(cfg);
      const back = decodeModule(bytes);
      for (const [k, v] of Object.entries(m.stateDict())) expectClose(back.stateDict()[k] as Tensor, v, 0, k);
    }
  });

  it('F16 and BF16 writing rounds to nearest even and reads back exactly', () => {
    for (const v of [0, -0, 1, -2.5, 65504, 65520, 1e-8, 6.1e-5, 3.14159, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Infinity, -Infinity]) {
      const h = halfToNumber(numberToHalf(v));
      // Independent check: the nearest half found by search over all 65536 codes.
      let best = NaN;
      let bestErr = Infinity;
      for (let code = 0; code < 0x10000; code++) {
        const c = halfToNumber(code);
        if (Number.isNaN(c)) continue;
        const err = Math.abs(c - v);
        if (err < bestErr || (err === bestErr && (code & 1) === 0 && (numberToHalf(best) & 1) === 1)) {
          bestErr = err;
          best = c;
        }
      }
      if (Math.abs(v) >= 65520) best = Math.sign(v) * Infinity; // IEEE overflow threshold
      expect(Object.is(h, best) || h === best, `half(${v}) = ${h}, nearest is ${best}`).toBe(true);
    }
    expect(Number.isNaN(halfToNumber(numberToHalf(NaN)))).toBe(true);
    expect(bfloat16ToNumber(numberToBfloat16(1 + 2 ** -8))).toBe(1); // tie → even
    expect(bfloat16ToNumber(numberToBfloat16(1 + 3 * 2 ** -8))).toBe(1 + 2 ** -6);
    expect(Number.isNaN(bfloat16ToNumber(numberToBfloat16(NaN)))).toBe(true);
    const m = new Linear(5, 4, { generator: new Generator(2) });
    for (const floatDType of ['F16', 'BF16'] as const) {
      const bytes = encodeWeights(m, { floatDType });
      const back = decodeModule(bytes) as Linear;
      const tol = floatDType === 'F16' ? 2 ** -11 : 2 ** -8;
      expectClose(back.weight, m.weight, tol, floatDType);
      // Writing what was read gives the same bytes (the values are representable).
      expect(Buffer.from(encodeWeights(back, { floatDType })).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('bad configs and mismatched weights fail with errors that name the key', () => {
    expect(() => buildModule({ type: 'LSTM', inputSize: 3, hiddenSize: 4, hidenSize: 5 })).toThrow(/config key 'hidenSize': unknown key for LSTM/);
    expect(() => buildModule({ type: 'LSTM', inputSize: '3', hiddenSize: 4 })).toThrow(/config key 'inputSize': expected an integer, got "3"/);
    expect(() => buildModule({ type: 'LSTM', inputSize: 3 })).toThrow(/config key 'hiddenSize': missing/);
    expect(() => buildModule({ type: 'Transformer' })).toThrow(/unknown module type "Transformer"/);
    expect(() => buildModule({ type: 'Sequential', layers: [{ type: 'Linear', inFeatures: 2 }] })).toThrow(/config key 'layers\.0\.outFeatures': missing/);
    expect(() => buildModule({ type: 'LSTM', inputSize: 3, hiddenSize: 4, dtype: 'float16' })).toThrow(SerializationError);
    const bytes = encodeWeights(new LSTM({ inputSize: 3, hiddenSize: 4 }));
    const other = new LSTM({ inputSize: 3, hiddenSize: 5 });
    const before = other.stateDict().weight_ih_l0?.data.slice();
    expect(() => loadWeights(other, bytes, { source: 'x.safetensors' })).toThrow(/x\.safetensors: the weights do not fit this LSTM: .*weight_ih_l0/);
    expect(Array.from(other.stateDict().weight_ih_l0?.data ?? [])).toEqual(Array.from(before ?? []));
    expect(() => decodeModule(serializeSafetensors({ w: tensor([1]) }), { source: 'plain' })).toThrow(/plain: no module config/);
    writeFileSync(join(dir, 'broken.safetensors'), new Uint8Array([1, 2, 3]));
    expect(() => loadModule(join(dir, 'broken.safetensors'))).toThrow(/broken\.safetensors: file too short/);
  });
});
