// The exported models whose bytes are committed for the ONNX checker (see
// tools/write_onnx_ours.ts): rebuilt from fixed seeds, so the test can re-export and compare.
import { LSTM, GRU, RNN, Embedding, Linear, CharLM, Generator, exportOnnx } from '../../src/index.js';

export function oursOnnxModels(): Record<string, Uint8Array> {
  const g = new Generator(424242);
  return {
    lstm_bi2: exportOnnx(new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: g }), { initialState: true, lengths: true }),
    gru_sum_bf: exportOnnx(new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, merge: 'sum', batchFirst: true, generator: g })),
    rnn_relu_lm: exportOnnx({ embedding: new Embedding(7, 3, { generator: g }), rnn: new RNN({ inputSize: 3, hiddenSize: 5, nonlinearity: 'relu', generator: g }), head: new Linear(5, 7, { generator: g }) }),
    charlm: exportOnnx(new CharLM(9, { embed: 4, hidden: 6, layers: 2, generator: g }), { initialState: true }),
  };
}
