export { Reservoir, type ReservoirOptions } from './reservoir.js';
export { EchoStateNetwork, type EchoStateNetworkOptions, type ReadoutFeatures, type FitOptions } from './esn.js';
export { randomSparse, spmv, spectralRadius, scaleSparse, type CSRMatrix } from './sparse.js';
export { cholesky, choleskySolve } from './linalg.js';
