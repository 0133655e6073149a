export { RNN, type RNNOptions } from './layers/rnn.js';
export { LSTM, type LSTMOptions } from './layers/lstm.js';
export { GRU, type GRUOptions } from './layers/gru.js';
export { RNNBase, type RNNBaseOptions, type ForwardOptions, type MergeMode, type RecurrentState, type DirectionWeights } from './rnn-base.js';
export { RecurrentStream } from './stream.js';
export type { StepGradRecord } from './step-grads.js';
