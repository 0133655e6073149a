// Small builders for ONNX protobuf messages (nodes, attributes, value infos, models),
// used by the exporter and by anyone who wants to write an ONNX graph by hand.

import { onnx, AttributeType, DataType, tensorToProto, type ITensorProto, type IAttributeProto, type INodeProto } from './proto.js';
import type { Tensor } from '../tensor/tensor.js';

export type AttributeValue = number | string | number[] | string[] | Tensor | { float: number } | { floats: number[] };

/** An attribute: integers → INT/INTS, strings → STRING/STRINGS, {float}/{floats} → FLOAT/FLOATS, Tensor → TENSOR. */
export function attribute(name: string, value: AttributeValue): IAttributeProto {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { name, type: AttributeType.FLOAT, f: value };
    return { name, type: AttributeType.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return { name, type: AttributeType.STRINGS, strings: (value as string[]).map((v) => new TextEncoder().encode(v)) };
    return { name, type: AttributeType.INTS, ints: value as number[] };
  }
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.TENSOR, t: tensorToProto('', value) };
}

export function makeNode(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttributeValue | undefined> = {}, name?: string): INodeProto {
  const attribute_ = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => attribute(k, v as AttributeValue));
  return { opType, input: inputs, output: outputs, attribute: attribute_, ...(name ? { name } : {}) };
}

export type ElemType = 'float32' | 'float64' | 'int64' | 'int32';
const ELEM: Record<ElemType, number> = { float32: DataType.FLOAT, float64: DataType.DOUBLE, int64: DataType.INT64, int32: DataType.INT32 };

export interface ValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape?: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

/**
 * A graph input/output description; string dimensions are symbolic (dim_param), and
 * `dims = null` leaves the shape (even the rank) unspecified.
 */
export function makeValueInfo(name: string, elemType: ElemType, dims: (number | string)[] | null): ValueInfo {
  const tensorType: ValueInfo['type']['tensorType'] = { elemType: ELEM[elemType] };
  if (dims) tensorType.shape = { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType } };
}

export function makeInitializer(name: string, t: Tensor, intType: 'INT64' | 'INT32' = 'INT64'): ITensorProto {
  return tensorToProto(name, t, intType);
}

export interface MakeModelOptions {
  nodes: INodeProto[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers?: ITensorProto[];
  opset?: number;
  graphName?: string;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Key → value strings stored in the model's metadata_props. */
  metadata?: Record<string, string>;
}

/** IR version paired with each opset (onnx/helper.py's table): ORT refuses a too-new IR. */
function irVersionFor(opset: number): number {
  if (opset <= 8) return 3;
  if (opset <= 9) return 4;
  if (opset <= 10) return 5;
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  return 9;
}

/** Encodes a model as .onnx bytes. */
export function makeModel(o: MakeModelOptions): Uint8Array {
  const opset = o.opset ?? 14;
  const model = onnx.ModelProto.create({
    irVersion: irVersionFor(opset),
    producerName: o.producerName ?? 'recurrent',
    producerVersion: o.producerVersion ?? '',
    opsetImport: [{ domain: '', version: opset }],
    metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: o.graphName ?? 'graph',
      node: o.nodes,
      input: o.inputs,
      output: o.outputs,
      initializer: o.initializers ?? [],
      ...(o.docString ? { docString: o.docString } : {}),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
