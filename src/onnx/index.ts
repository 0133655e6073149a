// ONNX import (run .onnx models with this library's kernels) and export (recurrent stacks
// with ONNX's LSTM/GRU/RNN operators).
export { loadOnnx, OnnxModel, MIN_OPSET, MAX_OPSET, type OnnxValueInfo, type LoadOnnxOptions } from './import.js';
export { exportOnnx, type ExportOnnxOptions, type RecurrentStack } from './export.js';
export { makeModel, makeNode, makeValueInfo, makeInitializer, attribute, type AttributeValue, type MakeModelOptions, type ElemType, type ValueInfo } from './build.js';
export { OPS as ONNX_OPERATORS } from './ops.js';
