// ONNX protobuf messages (the `onnx-proto` package: protobufjs code generated from
// onnx.proto) and the checked conversions between ONNX tensors/attributes and ours.
// Files are untrusted: decoding errors, external data, unknown data types and tensors
// whose declared shape does not match their data are SerializationErrors, raised before
// anything the size of the declared shape is allocated.

import onnxProto from 'onnx-proto';
import { SerializationError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { bfloat16ToNumber, halfToNumber } from '../io/safetensors.js';

export const onnx = onnxProto.onnx;
export type ModelProto = InstanceType<typeof onnx.ModelProto>;
export type GraphProto = InstanceType<typeof onnx.GraphProto>;
export type NodeProto = InstanceType<typeof onnx.NodeProto>;
export type ITensorProto = Parameters<typeof onnx.TensorProto.create>[0] & object;
export type INodeProto = Parameters<typeof onnx.NodeProto.create>[0] & object;
export type IAttributeProto = Parameters<typeof onnx.AttributeProto.create>[0] & object;

export const DataType = onnx.TensorProto.DataType;
export const AttributeType = onnx.AttributeProto.AttributeType;

/** Largest tensor (in elements) a model may declare: 2^31 − 1, the largest typed array index we use. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** protobufjs gives int64 fields as numbers or Long objects. */
export function toInt(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** An int64 value clamped to int32 (ONNX uses INT64_MAX/MIN as "to the end" in Slice). */
export function clampInt32(v: number): number {
  return v > 2147483647 ? 2147483647 : v < -2147483648 ? -2147483648 : v;
}

export function decodeModel(bytes: Uint8Array, source: string): ModelProto {
  if (!(bytes instanceof Uint8Array)) throw new SerializationError(source, 'expected the file contents as a Uint8Array');
  if (bytes.length === 0) throw new SerializationError(source, 'empty file: not an ONNX model');
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new SerializationError(source, `not a valid ONNX model (protobuf decoding failed: ${(e as Error).message})`);
  }
  if (!model.graph) throw new SerializationError(source, 'not an ONNX model: it has no graph');
  return model;
}

const ELEMENT_BYTES: Partial<Record<number, number>> = {
  [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.FLOAT16]: 2, [DataType.BFLOAT16]: 2,
  [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.INT16]: 2, [DataType.INT8]: 1, [DataType.UINT8]: 1,
  [DataType.UINT16]: 2, [DataType.BOOL]: 1,
};

export function dataTypeName(t: number): string {
  return (DataType as unknown as Record<number, string>)[t] ?? `data type ${t}`;
}

/** Whether an ONNX data type becomes a float tensor here (float16/bfloat16 widen to float32). */
export function isFloatType(t: number): boolean {
  return t === DataType.FLOAT || t === DataType.DOUBLE || t === DataType.FLOAT16 || t === DataType.BFLOAT16;
}

/**
 * An ONNX TensorProto as a Tensor: FLOAT/FLOAT16/BFLOAT16 → float32, DOUBLE → float64,
 * integer and bool types → int32 (int64 values clamped to the int32 range).
 */
export function tensorFromProto(t: ITensorProto, source: string, what: string): Tensor {
  const name = t.name ? `${what} '${t.name}'` : what;
  if ((t.externalData && t.externalData.length > 0) || t.dataLocation === 1) {
    throw new SerializationError(source, `${name}: external data is not supported (save the model with its weights inside)`);
  }
  const dtype = t.dataType ?? 0;
  const bytesPer = ELEMENT_BYTES[dtype];
  if (bytesPer === undefined) throw new SerializationError(source, `${name}: unsupported data type ${dataTypeName(dtype)}`);
  const dims = (t.dims ?? []).map((d) => toInt(d as number));
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new SerializationError(source, `${name}: invalid dimension ${d} in shape [${dims.join(', ')}]`);
    count *= d;
    if (count > MAX_TENSOR_ELEMENTS) throw new SerializationError(source, `${name}: shape [${dims.join(', ')}] has more than ${MAX_TENSOR_ELEMENTS} elements`);
  }
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const typed: ArrayLike<number | { toNumber(): number }> | null =
    dtype === DataType.FLOAT ? (t.floatData ?? null)
      : dtype === DataType.DOUBLE ? (t.doubleData ?? null)
        : dtype === DataType.INT64 ? ((t.int64Data as ArrayLike<number>) ?? null)
          : (t.int32Data ?? null); // int32, int16, int8, uint8, uint16, bool, float16, bfloat16
  const typedLen = typed?.length ?? 0;
  if (raw) {
    if (raw.length !== count * bytesPer) {
      throw new SerializationError(source, `${name}: shape [${dims.join(', ')}] of ${dataTypeName(dtype)} needs ${count * bytesPer} bytes but raw_data has ${raw.length}`);
    }
  } else if (typedLen !== count) {
    throw new SerializationError(source, `${name}: shape [${dims.join(', ')}] has ${count} elements but the data holds ${typedLen}`);
  }
  const isFloat = isFloatType(dtype);
  const out = dtype === DataType.DOUBLE ? new Float64Array(count) : isFloat ? new Float32Array(count) : new Int32Array(count);
  if (raw) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) {
      switch (dtype) {
        case DataType.FLOAT: out[i] = dv.getFloat32(i * 4, true); break;
        case DataType.DOUBLE: out[i] = dv.getFloat64(i * 8, true); break;
        case DataType.FLOAT16: out[i] = halfToNumber(dv.getUint16(i * 2, true)); break;
        case DataType.BFLOAT16: out[i] = bfloat16ToNumber(dv.getUint16(i * 2, true)); break;
        case DataType.INT64: out[i] = clampInt32(Number(dv.getBigInt64(i * 8, true))); break;
        case DataType.INT32: out[i] = dv.getInt32(i * 4, true); break;
        case DataType.INT16: out[i] = dv.getInt16(i * 2, true); break;
        case DataType.UINT16: out[i] = dv.getUint16(i * 2, true); break;
        case DataType.INT8: out[i] = dv.getInt8(i); break;
        default: out[i] = dv.getUint8(i); // UINT8, BOOL
      }
    }
  } else if (typed) {
    for (let i = 0; i < count; i++) {
      const v = toInt(typed[i] as number);
      out[i] = dtype === DataType.FLOAT16 ? halfToNumber(v & 0xffff) : dtype === DataType.BFLOAT16 ? bfloat16ToNumber(v & 0xffff) : isFloat ? v : clampInt32(v);
    }
  }
  return new Tensor(out, dims);
}

/** A Tensor as an ONNX TensorProto (float32 → FLOAT, float64 → DOUBLE, int32 → INT64 or INT32). */
export function tensorToProto(name: string, t: Tensor, intType: 'INT64' | 'INT32' = 'INT64'): ITensorProto {
  const dims = [...t.shape];
  if (t.dtype === 'float32') {
    return { name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(new Float32Array(t.data).buffer) };
  }
  if (t.dtype === 'float64') {
    return { name, dims, dataType: DataType.DOUBLE, rawData: new Uint8Array(new Float64Array(t.data).buffer) };
  }
  if (intType === 'INT32') return { name, dims, dataType: DataType.INT32, rawData: new Uint8Array(new Int32Array(t.data).buffer) };
  const b = new BigInt64Array(t.size);
  for (let i = 0; i < t.size; i++) b[i] = BigInt(t.data[i] as number);
  return { name, dims, dataType: DataType.INT64, rawData: new Uint8Array(b.buffer) };
}
