// Running a model in onnxruntime-node (the independent reference) and comparing outputs.
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../src/tensor/tensor.js';
import type { OnnxModel } from '../../src/onnx/import.js';

/** Runs `bytes` in ONNX Runtime (CPU, 1 thread). Int inputs go in as int64 unless listed in int32Inputs. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>, int32Inputs: string[] = []): Promise<Record<string, { data: Float32Array | Float64Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const of: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) {
    const dims = [...v.shape];
    if (v.dtype === 'int32') {
      of[k] = int32Inputs.includes(k) ? new ort.Tensor('int32', v.data as Int32Array, dims) : new ort.Tensor('int64', BigInt64Array.from(Array.from(v.data, (x) => BigInt(x))), dims);
    } else {
      of[k] = new ort.Tensor(v.dtype === 'float64' ? 'float64' : 'float32', v.data as Float32Array, dims);
    }
  }
  const r = await session.run(of);
  const out: Record<string, { data: Float32Array | Float64Array; dims: readonly number[] }> = {};
  for (const [k, v] of Object.entries(r)) out[k] = { data: v.data as Float32Array, dims: v.dims };
  return out;
}

/** Max |a − b| over the elements; throws when the shapes differ. */
export function maxAbsDiff(a: Tensor, b: { data: ArrayLike<number>; dims: readonly number[] } | Tensor, what: string): number {
  const dims = 'dims' in b ? b.dims : b.shape;
  if (a.shape.join(',') !== dims.join(',')) throw new Error(`${what}: shape [${a.shape.join(', ')}] vs [${dims.join(', ')}]`);
  let d = 0;
  for (let i = 0; i < a.size; i++) {
    const e = Math.abs((a.data[i] as number) - (b.data[i] as number));
    if (!(e <= d)) d = Number.isNaN(e) ? Infinity : e;
  }
  return d;
}

/** Runs our import and ORT on the same model; returns the largest difference per output. */
export async function compareWithOrt(model: OnnxModel, bytes: Uint8Array, feeds: Record<string, Tensor>, int32Inputs: string[] = []): Promise<Record<string, number>> {
  const ours = model.run(feeds);
  const theirs = await runOrt(bytes, feeds, int32Inputs);
  const diffs: Record<string, number> = {};
  for (const o of model.outputs) diffs[o.name] = maxAbsDiff(ours[o.name] as Tensor, theirs[o.name] as { data: Float32Array; dims: number[] }, o.name);
  return diffs;
}
