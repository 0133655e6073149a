export { Module, type StateDict, type LoadStateDictResult } from './module.js';
export { Parameter } from './parameter.js';
export { Linear, type LinearOptions } from './linear.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Dropout, Tanh, Sigmoid, ReLU, Softmax, LogSoftmax, Sequential, type TensorModule } from './layers.js';
export * as init from './init.js';
