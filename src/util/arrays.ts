// Typed-array aliases shared by kernels, tensors and backends.

/** Storage of a floating-point tensor. Reference kernels accept both precisions. */
export type FloatArray = Float32Array | Float64Array;

/** Storage of any tensor (int32 holds indices: class labels, token ids). */
export type TypedArray = Float32Array | Float64Array | Int32Array;
