// The reference backend: plain, obviously-correct TypeScript kernels (kernels/ref).
// Every other backend is tested against these, kernel by kernel.

import type { Backend } from './backend.js';
import { gemm } from '../kernels/ref/gemm.js';
import { unary, unaryBackward, binary, where, copyStrided, sumToStrided } from '../kernels/ref/elementwise.js';
import { reduceSum, reduceMax, softmax, softmaxBackward } from '../kernels/ref/reduce.js';
import { indexSelect, indexAdd, gatherAxis, scatterAddAxis } from '../kernels/ref/gather.js';
import { adamUpdate } from '../kernels/ref/optim.js';
import * as gates from '../kernels/ref/recurrent-gates.js';

export const refBackend: Backend = {
  name: 'ref',
  supportsFloat64: true,
  describe: () => 'ref: plain TypeScript reference kernels, single thread, float32 and float64',
  gemm,
  unary,
  unaryBackward,
  binary,
  where,
  copyStrided,
  sumToStrided,
  reduceSum,
  reduceMax,
  softmax,
  softmaxBackward,
  indexSelect,
  indexAdd,
  gatherAxis,
  scatterAddAxis,
  adamUpdate,
  lstmGatesForward: gates.lstmGatesForward,
  lstmGatesBackward: gates.lstmGatesBackward,
  gruGatesForward: gates.gruGatesForward,
  gruGatesBackward: gates.gruGatesBackward,
  rnnActForward: gates.rnnActForward,
  rnnActBackward: gates.rnnActBackward,
};
