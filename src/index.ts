// The public API of `recurrent`. Everything a user (and the CLI and explorer) imports
// comes from here.

export * from './errors.js';
export { Generator, manualSeed, defaultGenerator, type GeneratorState } from './util/rng.js';
export type { FloatArray, TypedArray } from './util/arrays.js';

// Tensors and autograd
export { Tensor, type DType, type FloatDType, type FloatTensor, type GradNode, type NestedArray } from './tensor/tensor.js';
export * from './tensor/create.js';
export { noGrad, isGradEnabled, type BackwardOptions } from './autograd/engine.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './autograd/gradcheck.js';

// Backends
export type { Backend, UnaryOp, BinaryOp } from './backend/backend.js';
export { setBackend, getBackend, registerBackend, listBackends, describeBackend, setNumThreads, setFlushDenormal, wasmBackend, nativeBackend } from './backend/registry.js';
export { NativeBackend, nativeUnavailableReason, type NativeAddon } from './kernels/native/native-backend.js';
export { WasmBackend, wasmFeatures, type WasmBackendOptions } from './kernels/wasm/wasm-backend.js';

// Ops
export * from './ops/index.js';

// Neural-network modules
export * from './nn/index.js';

// Recurrent layers
export * from './rnn/index.js';

// Data
export * from './data/index.js';

// Serialization
export {
  parseSafetensors, serializeSafetensors, halfToNumber, numberToHalf, bfloat16ToNumber, numberToBfloat16,
  type ParsedSafetensors, type SafetensorsEntry, type SafetensorsDType, type SerializeOptions,
} from './io/safetensors.js';
export { encodeWeights, loadWeights, decodeModule, readWeightsConfig, CONFIG_METADATA_KEY, type EncodeWeightsOptions, type LoadWeightsOptions } from './io/weights.js';
export { moduleConfig, buildModule, registerModuleType, hasModuleConfig, type ModuleConfig, type ModuleType } from './io/module-config.js';
export {
  encodeCheckpoint, decodeCheckpoint, loadCheckpointWeights, CHECKPOINT_FORMAT, CHECKPOINT_VERSION,
  type CheckpointState, type DecodedCheckpoint,
} from './io/checkpoint.js';

// Training
export { accuracy, perplexity, bitsPerChar, editDistance, sequenceErrorRates, type AccuracyOptions } from './train/metrics.js';
export { Trainer, earlyStopping, checkpointEvery, logEvery, type TrainerOptions, type TrainerCallback, type OptimizerLike, type SchedulerLike, type StepInfo, type EvalInfo, type FitResult } from './train/trainer.js';

// Optimizers, clipping, schedules
export * from './optim/index.js';

// Ready-made models
export { makeRecurrent, runRecurrent, stateCount, isSteppable, cellTypeOf, isCellType, CELL_TYPES, type CellType, type RecurrentLayer, type RecurrentSpec } from './models/recurrent-factory.js';
export { SeriesModel, type SeriesModelOptions } from './models/series.js';
export { CharLM, sample as sampleText, sampleIndex, detachState, type CharLMOptions, type LMState } from './models/char-lm.js';

// Patterns, encoder–decoder, attention, decoding
export * from './seq2seq/index.js';

// Echo State Networks
export * from './esn/index.js';

// ONNX
export * from './onnx/index.js';
