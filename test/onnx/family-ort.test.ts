// The original GRU and the peephole / coupled LSTMs against ONNX Runtime, through the
// ONNX operator attributes that define them: GRU linear_before_reset = 0, LSTM input P,
// LSTM input_forget = 1. The layers are exported as single-operator-per-layer models
// (protobuf via onnx-proto) and ORT's outputs are compared with our forward.
import { describe, expect, it } from 'vitest';
import { GRU, PeepholeLSTM, CoupledLSTM, VariantLSTM, Generator, randn, exportOnnx, loadOnnx, Tensor } from '../../src/index.js';
import { maxAbsDiff, runOrt } from './helpers.js';

const g = new Generator(2026);
const layers: [string, () => GRU | VariantLSTM, string][] = [
  ['GRU resetAfter=false (linear_before_reset = 0)', () => new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, resetAfter: false, generator: g }), 'linear_before_reset'],
  ['PeepholeLSTM (P)', () => new PeepholeLSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, generator: g }), 'P'],
  ['CoupledLSTM (input_forget = 1)', () => new CoupledLSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, generator: g }), 'input_forget'],
  ['VariantLSTM with both (P and input_forget = 1)', () => new VariantLSTM({ inputSize: 3, hiddenSize: 5, peepholes: true, coupled: true, generator: g }), 'input_forget'],
];

describe('family layers against ONNX Runtime', () => {
  for (const [name, make, attr] of layers) {
    it(name, async () => {
      const m = make();
      const D = m.bidirectional ? 2 : 1;
      const LD = m.numLayers * D;
      const x = randn([6, 3, 3], { generator: g });
      const h0 = randn([LD, 3, 5], { generator: g });
      const c0 = randn([LD, 3, 5], { generator: g });
      const lengths = [6, 2, 4];
      const isLSTM = m instanceof VariantLSTM;
      const ours = isLSTM ? (() => { const [y, [h, c]] = m.forward(x, [h0, c0], { lengths }); return { output: y, h_n: h, c_n: c }; })()
        : (() => { const [y, h] = (m as GRU).forward(x, h0, { lengths }); return { output: y, h_n: h }; })();
      const bytes = exportOnnx(m, { initialState: true, lengths: true });
      const model = loadOnnx(bytes);
      expect(model.operators).toContain(isLSTM ? 'LSTM' : 'GRU');
      expect(new TextDecoder().decode(bytes)).toContain(attr === 'P' ? 'P_l0' : attr);
      const feeds: Record<string, Tensor> = { input: x, h0, lengths: new Tensor(Int32Array.from(lengths), [3]), ...(isLSTM ? { c0 } : {}) };
      const theirs = await runOrt(bytes, feeds, ['lengths']);
      const mine = model.run(feeds);
      for (const [k, v] of Object.entries(ours)) {
        const d = maxAbsDiff(v, theirs[k] as { data: Float32Array; dims: number[] }, k);
        expect(d, `${name} ${k}: max |ours − ORT|`).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff(v, mine[k] as Tensor, k), `${name} ${k}: import`).toBeLessThanOrEqual(1e-5);
      }
    });
  }
});
