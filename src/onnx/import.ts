// ONNX import: a .onnx model (bytes) becomes an OnnxModel that runs with this library's
// kernels. Everything is checked when the model is loaded — the protobuf itself, every
// initializer's shape against its data, that every operator and attribute is supported
// (the error names the first that is not), that each node's inputs are produced before
// it (which also rules out cycles) — so `run` only fails on bad inputs.

import { ArgumentError, SerializationError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';
import { DataType, decodeModel, tensorFromProto, toInt, type GraphProto, type ModelProto } from './proto.js';
import { OPS, OpContext } from './ops.js';

/** Lowest and highest default-domain opset versions accepted. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

export interface OnnxValueInfo {
  name: string;
  /** 'float32', 'float64', 'int32' (int64/int32/bool inputs), or the ONNX type name if other. */
  dtype: string;
  /** Dimensions: numbers, symbolic names, or null when unknown. */
  shape: (number | string | null)[] | null;
}

export interface LoadOnnxOptions {
  /** Name used in error messages (a file path). */
  source?: string;
}

function valueInfo(v: NonNullable<GraphProto['input']>[number]): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const et = tt?.elemType ?? 0;
  const dtype = et === DataType.FLOAT || et === DataType.FLOAT16 || et === DataType.BFLOAT16 ? 'float32'
    : et === DataType.DOUBLE ? 'float64'
      : [DataType.INT64, DataType.INT32, DataType.INT16, DataType.INT8, DataType.UINT8, DataType.BOOL].includes(et) ? 'int32'
        : (DataType as unknown as Record<number, string>)[et] ?? 'unknown';
  const shape = tt?.shape?.dim ? tt.shape.dim.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? toInt(d.dimValue as number) : null)) : null;
  return { name: v.name ?? '', dtype, shape };
}

export class OnnxModel {
  /** The graph's inputs that are not initializers (what `run` needs). */
  readonly inputs: OnnxValueInfo[];
  readonly outputs: OnnxValueInfo[];
  /** The default-domain opset version the model declares. */
  readonly opset: number;
  readonly producer: string;
  /** Operator types used, sorted. */
  readonly operators: string[];
  /** The model's metadata_props. */
  readonly metadata: Record<string, string>;
  private readonly initializers: Map<string, Tensor>;

  constructor(private readonly model: ModelProto, readonly source: string) {
    const graph = model.graph as GraphProto;
    let opset: number | null = null;
    for (const o of model.opsetImport ?? []) {
      if (!o.domain || o.domain === 'ai.onnx') opset = toInt(o.version as number);
    }
    if (opset === null) throw new SerializationError(source, 'the model declares no default-domain opset (opset_import)');
    if (opset < MIN_OPSET || opset > MAX_OPSET) {
      throw new SerializationError(source, `opset ${opset} is not supported (supported: ${MIN_OPSET} to ${MAX_OPSET})`);
    }
    this.opset = opset;
    this.metadata = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
    this.producer = `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim();
    this.initializers = new Map();
    for (const init of graph.initializer ?? []) {
      if (!init.name) throw new SerializationError(source, 'an initializer has no name');
      this.initializers.set(init.name, tensorFromProto(init, source, 'initializer'));
    }
    if ((graph.sparseInitializer ?? []).length > 0) throw new SerializationError(source, 'sparse initializers are not supported');
    this.inputs = (graph.input ?? []).filter((v) => !this.initializers.has(v.name ?? '')).map(valueInfo);
    this.outputs = (graph.output ?? []).map(valueInfo);
    if (this.outputs.length === 0) throw new SerializationError(source, 'the graph has no outputs');

    // Every operator and attribute supported; every input defined before use.
    const known = new Set<string>([...this.initializers.keys(), ...this.inputs.map((i) => i.name), '']);
    const ops = new Set<string>();
    for (const [k, node] of (graph.node ?? []).entries()) {
      const label = `node ${k} (${node.opType || '?'}${node.name ? ` '${node.name}'` : ''})`;
      if (node.domain && node.domain !== 'ai.onnx') throw new SerializationError(source, `${label}: operator domain '${node.domain}' is not supported`);
      const spec = OPS[node.opType ?? ''];
      if (!spec) throw new SerializationError(source, `${label}: operator '${node.opType}' is not supported (supported: ${Object.keys(OPS).sort().join(', ')})`);
      for (const a of node.attribute ?? []) {
        if (!spec.attributes.includes(a.name ?? '')) {
          throw new SerializationError(source, `${label}: attribute '${a.name}' of ${node.opType} is not supported (supported: ${spec.attributes.join(', ') || 'none'})`);
        }
      }
      for (const i of node.input ?? []) {
        if (!known.has(i)) throw new SerializationError(source, `${label}: input '${i}' is not produced by any earlier node, initializer or graph input (the graph is not topologically sorted, or has a cycle)`);
      }
      for (const o of node.output ?? []) if (o) known.add(o);
      ops.add(node.opType as string);
    }
    for (const o of this.outputs) if (!known.has(o.name)) throw new SerializationError(source, `graph output '${o.name}' is never produced`);
    this.operators = [...ops].sort();
  }

  /**
   * Runs the graph. `feeds` maps each input name to a tensor (int64 inputs as int32
   * tensors or plain integer arrays are accepted via Tensor); returns every graph output.
   */
  run(feeds: Record<string, Tensor>): Record<string, Tensor> {
    return noGrad(() => this.runInner(feeds));
  }

  private runInner(feeds: Record<string, Tensor>): Record<string, Tensor> {
    const op = `OnnxModel.run (${this.source})`;
    if (typeof feeds !== 'object' || feeds === null) throw new ArgumentError(op, 'feeds', 'an object of input name → Tensor', feeds);
    const values = new Map<string, Tensor>(this.initializers);
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name) && !this.initializers.has(name)) {
        throw new ArgumentError(op, `feeds['${name}']`, `one of the model's inputs (${this.inputs.map((i) => i.name).join(', ')})`, name);
      }
    }
    for (const info of this.inputs) {
      const t = feeds[info.name];
      if (!(t instanceof Tensor)) throw new ArgumentError(op, `feeds['${info.name}']`, 'a Tensor', t);
      if (info.dtype === 'int32' && t.dtype !== 'int32') throw new ArgumentError(op, `feeds['${info.name}']`, 'an int32 tensor (the model declares an integer input)', `a ${t.dtype} tensor`);
      if ((info.dtype === 'float32' || info.dtype === 'float64') && t.dtype === 'int32') {
        throw new ArgumentError(op, `feeds['${info.name}']`, `a ${info.dtype} tensor`, 'an int32 tensor');
      }
      if (info.shape) {
        const ok = info.shape.length === t.ndim && info.shape.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
        if (!ok) throw new ArgumentError(op, `feeds['${info.name}']`, `shape [${info.shape.map((d) => d ?? '?').join(', ')}]`, `shape [${t.shape.join(', ')}]`);
      }
      values.set(info.name, t);
    }
    for (const f of Object.keys(feeds)) if (this.initializers.has(f)) values.set(f, feeds[f] as Tensor);
    const graph = this.model.graph as GraphProto;
    for (const node of graph.node ?? []) {
      const ins = (node.input ?? []).map((n) => (n === '' ? undefined : values.get(n)));
      const ctx = new OpContext(node, ins, this.opset, this.source);
      const outs = (OPS[node.opType as string] as (typeof OPS)[string]).run(ctx);
      (node.output ?? []).forEach((name, i) => {
        const t = outs[i];
        if (name && t) values.set(name, t);
        else if (name && !t) throw new SerializationError(this.source, `${ctx.where}: output ${i} ('${name}') is not produced`);
      });
    }
    const result: Record<string, Tensor> = {};
    for (const o of this.outputs) result[o.name] = values.get(o.name) as Tensor;
    return result;
  }
}

/** Loads (and fully validates) an ONNX model from its bytes. */
export function loadOnnx(bytes: Uint8Array, options: LoadOnnxOptions = {}): OnnxModel {
  const source = options.source ?? 'onnx';
  return new OnnxModel(decodeModel(bytes, source), source);
}
