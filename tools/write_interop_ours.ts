// Writes safetensors files with THIS library's writer (module weights with their config,
// plus an input and our outputs), for tools/gen_interop_fixtures.py to load into PyTorch.
// Run: node --import tsx tools/write_interop_ours.ts   (then npm run fixtures:interop)
import { writeFileSync } from 'node:fs';
import { Generator, GRU, LSTM, RNN, Linear, Embedding, Sequential, encodeWeights, serializeSafetensors, randn, noGrad, type Module, type Tensor } from '../src/index.js';

const dir = new URL('../test/fixtures/interop/', import.meta.url);
const g = new Generator(20261125);

function save(name: string, module: Module, io: Record<string, Tensor>): void {
  writeFileSync(new URL(`ours_${name}.safetensors`, dir), encodeWeights(module));
  writeFileSync(new URL(`ours_${name}_io.safetensors`, dir), serializeSafetensors(io));
}

noGrad(() => {
  {
    const m = new LSTM({ inputSize: 5, hiddenSize: 7, numLayers: 2, bidirectional: true, generator: g });
    const x = randn([6, 3, 5], { generator: g });
    const [y, [h, c]] = m.forward(x);
    save('lstm_bi2', m, { x, y, h, c });
  }
  {
    const m = new LSTM({ inputSize: 4, hiddenSize: 6, projSize: 3, batchFirst: true, generator: g });
    const x = randn([2, 5, 4], { generator: g });
    const [y, [h, c]] = m.forward(x);
    save('lstm_proj', m, { x, y, h, c });
  }
  {
    const m = new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, generator: g });
    const x = randn([7, 2, 3], { generator: g });
    const [y, h] = m.forward(x);
    save('gru2', m, { x, y, h });
  }
  {
    const m = new RNN({ inputSize: 4, hiddenSize: 5, nonlinearity: 'relu', bidirectional: true, generator: g });
    const x = randn([4, 2, 4], { generator: g });
    const [y, h] = m.forward(x);
    save('rnn_relu_bi', m, { x, y, h });
  }
  {
    const m = new Sequential(new Linear(4, 8, { generator: g }), new Linear(8, 3, { generator: g }));
    const x = randn([5, 4], { generator: g });
    save('seq_linear', m, { x, y: m.forward(x) });
  }
  {
    const m = new Embedding(10, 4, { paddingIdx: 0, generator: g });
    save('embedding', m, {});
  }
});
console.log('wrote', dir.pathname);
