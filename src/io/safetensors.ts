// safetensors: the weight format of the Hugging Face / PyTorch ecosystem.
//   [u64 little-endian N] [N bytes of UTF-8 JSON header] [raw little-endian data]
// The header maps tensor name → { dtype, shape, data_offsets: [begin, end) } relative to
// the data section, plus an optional "__metadata__" of string → string.
// Input bytes are untrusted: every size and offset is validated before anything large is
// allocated, and every failure is a SerializationError naming the source and the tensor.
// No Node imports: this runs in browsers too.

import { SerializationError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafetensorsDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Largest header accepted (the reference implementation's limit is 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** The values, converted: floats to the requested float type, integers to Int32Array (I64 must fit). */
  readonly tensor: Tensor;
}

export interface ParsedSafetensors {
  readonly tensors: Map<string, SafetensorsEntry>;
  readonly metadata: Record<string, string>;
}

export interface ParseOptions {
  /** Name used in error messages (a file path). */
  source?: string;
  /**
   * Precision of float tensors on load: 'float32' (default), 'float64', or 'keep'
   * (F64 stays float64, every other float type becomes float32).
   */
  floatDType?: 'float32' | 'float64' | 'keep';
}

/** Exact IEEE half → number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal (and zero)
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number → IEEE half, rounded to nearest even (overflow → ±Infinity, NaN stays NaN). */
export function numberToHalf(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  // Subnormal range: multiples of 2^-24, rounded half to even.
  if (a < 2 ** -14) {
    let m = a / 2 ** -24;
    const f = Math.floor(m);
    m = m - f > 0.5 || (m - f === 0.5 && f % 2 === 1) ? f + 1 : f;
    return sign | m; // m = 1024 rounds up into the smallest normal, which is bit-exact
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1; // guard log2 rounding
  if (2 ** (e + 1) <= a) e += 1;
  let m = (a / 2 ** e - 1) * 1024;
  const f = Math.floor(m);
  m = m - f > 0.5 || (m - f === 0.5 && f % 2 === 1) ? f + 1 : f;
  if (m === 1024) {
    m = 0;
    e += 1;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

/** number → bfloat16 (float32 rounded to nearest even on its top 16 bits). */
export function numberToBfloat16(v: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setFloat32(0, v);
  const bits = buf.getUint32(0);
  if (Number.isNaN(v)) return (bits >>> 16) | 0x40;
  const lower = bits & 0xffff;
  let upper = bits >>> 16;
  if (lower > 0x8000 || (lower === 0x8000 && (upper & 1) === 1)) upper += 1;
  return upper & 0xffff;
}

/** Exact bfloat16 → number (the top half of a float32). */
export function bfloat16ToNumber(h: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, (h & 0xffff) << 16);
  return buf.getFloat32(0);
}

function fail(source: string, message: string): never {
  throw new SerializationError(source, message);
}

/** Parses a safetensors buffer, validating it completely. */
export function parseSafetensors(bytes: Uint8Array, options: ParseOptions = {}): ParsedSafetensors {
  const source = options.source ?? 'safetensors';
  const floatDType = options.floatDType ?? 'float32';
  if (!(bytes instanceof Uint8Array)) fail(source, 'expected the file contents as a Uint8Array');
  if (bytes.length < 8) fail(source, `file too short (${bytes.length} bytes): no 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo;
  if (headerLen > MAX_HEADER_BYTES) fail(source, `header length ${headerLen} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (8 + headerLen > bytes.length) fail(source, `header length ${headerLen} goes past the end of the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(source, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(source, 'header must be a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;

  let metadata: Record<string, string> = {};
  const specs: { name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
        fail(source, '__metadata__ must be an object of strings');
      }
      metadata = { ...(raw as Record<string, string>) };
      continue;
    }
    const where = `tensor '${name}'`;
    if (typeof raw !== 'object' || raw === null) fail(source, `${where}: entry must be an object`);
    const { dtype, shape, data_offsets: offs } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in BYTES)) fail(source, `${where}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(source, `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(source, `${where}: data_offsets must be two non-negative integers, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    let count = 1;
    for (const d of shape as number[]) {
      count *= d;
      if (count > Number.MAX_SAFE_INTEGER) fail(source, `${where}: shape ${JSON.stringify(shape)} has too many elements`);
    }
    const nbytes = count * BYTES[dtype as SafetensorsDType];
    if (end < begin || end > dataLen) fail(source, `${where}: data_offsets [${begin}, ${end}] outside the data section (${dataLen} bytes)`);
    if (end - begin !== nbytes) {
      fail(source, `${where}: shape ${JSON.stringify(shape)} of ${dtype} needs ${nbytes} bytes but data_offsets span ${end - begin}`);
    }
    specs.push({ name, dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end });
  }
  // The data section must be covered exactly, without gaps or overlaps.
  const sorted = specs.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const s of sorted) {
    if (s.begin !== pos) {
      fail(source, s.begin < pos ? `tensor '${s.name}': data overlaps the previous tensor` : `tensor '${s.name}': gap in the data before offset ${s.begin}`);
    }
    pos = s.end;
  }
  if (pos !== dataLen) fail(source, `${dataLen - pos} trailing bytes after the last tensor`);

  const tensors = new Map<string, SafetensorsEntry>();
  for (const s of specs) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset + dataStart + s.begin, s.end - s.begin);
    const n = (s.end - s.begin) / BYTES[s.dtype];
    const isFloat = s.dtype === 'F64' || s.dtype === 'F32' || s.dtype === 'F16' || s.dtype === 'BF16';
    const wide = floatDType === 'float64' || (floatDType === 'keep' && s.dtype === 'F64');
    const out = isFloat ? (wide ? new Float64Array(n) : new Float32Array(n)) : new Int32Array(n);
    for (let i = 0; i < n; i++) {
      switch (s.dtype) {
        case 'F64': out[i] = dv.getFloat64(i * 8, true); break;
        case 'F32': out[i] = dv.getFloat32(i * 4, true); break;
        case 'F16': out[i] = halfToNumber(dv.getUint16(i * 2, true)); break;
        case 'BF16': out[i] = bfloat16ToNumber(dv.getUint16(i * 2, true)); break;
        case 'I64': {
          const v = dv.getBigInt64(i * 8, true);
          if (v > 2147483647n || v < -2147483648n) fail(source, `tensor '${s.name}': int64 value ${v} does not fit in int32`);
          out[i] = Number(v);
          break;
        }
        case 'I32': out[i] = dv.getInt32(i * 4, true); break;
        case 'I16': out[i] = dv.getInt16(i * 2, true); break;
        case 'I8': out[i] = dv.getInt8(i); break;
        case 'U8': out[i] = dv.getUint8(i); break;
        case 'BOOL': out[i] = dv.getUint8(i) ? 1 : 0; break;
      }
    }
    tensors.set(s.name, { dtype: s.dtype, shape: s.shape, tensor: new Tensor(out, s.shape) });
  }
  return { tensors, metadata };
}

export interface SerializeOptions {
  /**
   * Storage type of float tensors: 'keep' (default: float32 → F32, float64 → F64), or
   * one of 'F32', 'F64', 'F16', 'BF16' for all of them (rounded to nearest even).
   * Int32 tensors are always I32.
   */
  floatDType?: 'keep' | 'F32' | 'F64' | 'F16' | 'BF16';
}

/**
 * Serialises tensors (float32 → F32, float64 → F64, int32 → I32, unless
 * `options.floatDType` says otherwise) with optional string metadata. Keys are written
 * sorted and the header is padded with spaces to a multiple of 8 bytes, as the
 * reference implementation does.
 */
export function serializeSafetensors(
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
  options: SerializeOptions = {},
): Uint8Array {
  const floatDType = options.floatDType ?? 'keep';
  if (!['keep', 'F32', 'F64', 'F16', 'BF16'].includes(floatDType)) {
    throw new SerializationError('serializeSafetensors', `floatDType must be 'keep', 'F32', 'F64', 'F16' or 'BF16', got ${JSON.stringify(floatDType)}`);
  }
  const dtypeFor = (t: Tensor): SafetensorsDType =>
    t.dtype === 'int32' ? 'I32' : floatDType !== 'keep' ? floatDType : t.dtype === 'float32' ? 'F32' : 'F64';
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SerializationError('serializeSafetensors', "'__metadata__' is reserved and cannot name a tensor");
    if (!(t instanceof Tensor)) throw new SerializationError('serializeSafetensors', `'${name}' is not a Tensor`);
    const dtype = dtypeFor(t);
    const nbytes = t.size * BYTES[dtype];
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + nbytes] };
    offset += nbytes;
  }
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SerializationError('serializeSafetensors', `metadata '${k}' must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length % 2 ** 32, true);
  view.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const [, t] of entries) {
    const dtype = dtypeFor(t);
    const d = t.data;
    const n = t.size;
    switch (dtype) {
      case 'F32': for (let i = 0; i < n; i++, pos += 4) view.setFloat32(pos, d[i] as number, true); break;
      case 'F64': for (let i = 0; i < n; i++, pos += 8) view.setFloat64(pos, d[i] as number, true); break;
      case 'F16': for (let i = 0; i < n; i++, pos += 2) view.setUint16(pos, numberToHalf(d[i] as number), true); break;
      case 'BF16': for (let i = 0; i < n; i++, pos += 2) view.setUint16(pos, numberToBfloat16(d[i] as number), true); break;
      default: for (let i = 0; i < n; i++, pos += 4) view.setInt32(pos, d[i] as number, true);
    }
  }
  return out;
}
