export { CellStack, SingleStateStack, DualStateStack, runSteps, lengthMasks, timeReverser, type CellStackOptions, type StateSpec, type SequenceRun } from './stack.js';
export { JordanRNN, type JordanRNNOptions } from './jordan.js';
export { VariantLSTM, PeepholeLSTM, CoupledLSTM, type VariantLSTMOptions } from './lstm-variants.js';
export { ClockworkRNN, type ClockworkRNNOptions } from './clockwork.js';
export { IndRNN, type IndRNNOptions } from './indrnn.js';
export { MinGRU, MinLSTM } from './min-rnn.js';
export { QRNN, type QRNNOptions } from './qrnn.js';
