// Every differentiable op, re-exported in one place.
export { add, sub, mul, div, maximum, minimum } from './binary.js';
export { neg, exp, log, tanh, sigmoid, relu, abs, sqrt, square, reciprocal, softplus, sin, cos } from './unary.js';
export { matmul } from './matmul.js';
export { reshape, view, flatten, unsqueeze, squeeze, permute, transpose, broadcastTo } from './shape.js';
export { sum, mean, max, maxWithIndex, argmax, type Dims } from './reduce.js';
export type { TensorLike } from './util.js';
export { cat, stack, split, chunk, unbind, slice, narrow } from './concat.js';
export { dropout } from './dropout.js';
export { lstmSequence, gruSequence, rnnSequence, type SequenceOptions } from './recurrent.js';
export { softmax, logSoftmax, logsumexp } from './softmax.js';
export { indexSelect, gather, embedding } from './index-select.js';
export { where, maskedFill, gt, ge, lt, le, eq, ne } from './where.js';
export { linear } from './linear.js';
export { crossEntropy, nllLoss, mseLoss, bceWithLogits, type Reduction, type CrossEntropyOptions } from './loss.js';
export * from './sequence.js';
export { linearScan } from './scan.js';
