// The WebAssembly kernel module: entry point compiled by tools/build-wasm.mjs.
export { sgemm, gemmScratchBytes, relaxedSimd, packFullB, packedBBytes } from './gemm';
export { lstmGatesForward, lstmGatesBackward, gruGatesForward, gruGatesBackward, rnnActForward, rnnActBackward } from './gates';

/** First byte of linear memory free for the host's arena (after static data). */
export function heapBase(): usize {
  return __heap_base;
}
