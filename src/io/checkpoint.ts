// Checkpoints: everything needed to resume training exactly — model weights, optimizer
// and schedule state, RNG state, step — in ONE safetensors file, so any safetensors
// reader (PyTorch's included) can open the weights. Tensors live under "model.<name>"
// and, for typed arrays found in optimizer/schedule state, under "state.<path>"; the
// rest is JSON in metadata["recurrent.checkpoint"], with a format tag and a version.
// Pure functions over bytes (browser-safe); atomic file writes live in src/node/.

import { SerializationError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'recurrent-checkpoint';
export const CHECKPOINT_VERSION = 1;
const META_KEY = 'recurrent.checkpoint';

/** What a checkpoint holds besides the model weights. Every field is optional. */
export interface CheckpointState {
  /** Training step (number of optimizer updates done). */
  step?: number;
  /** Anything JSON-like (with typed arrays allowed): optimizer.stateDict(), scheduler.stateDict(), … */
  optimizer?: unknown;
  scheduler?: unknown;
  /** Generator.getState() of every generator to restore. */
  rng?: unknown;
  /** The model's configuration, to rebuild it before loading. */
  config?: unknown;
  /** Free-form user data (vocabulary, metrics, …). */
  extra?: unknown;
}

export interface DecodedCheckpoint extends CheckpointState {
  /** Model weights by state-dict name. */
  model: Map<string, Tensor>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Replaces typed arrays in a value tree by {"$tensor": key} references, collecting them. */
function extractArrays(value: unknown, path: string, out: Map<string, Tensor>): Json {
  if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array) {
    const key = `state.${path}`;
    out.set(key, new Tensor(value.slice(), [value.length]));
    return { $tensor: key };
  }
  if (value instanceof Tensor) {
    const key = `state.${path}`;
    out.set(key, value.clone());
    return { $tensor: key, shape: [...value.shape] };
  }
  if (Array.isArray(value)) return value.map((v, i) => extractArrays(v, `${path}.${i}`, out));
  if (value !== null && typeof value === 'object') {
    const o: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) o[k] = extractArrays(v, path ? `${path}.${k}` : k, out);
    return o;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  if (value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  throw new SerializationError('encodeCheckpoint', `cannot store a value of type ${typeof value} at '${path}'`);
}

function restoreArrays(value: Json, tensors: Map<string, Tensor>, source: string): unknown {
  if (Array.isArray(value)) return value.map((v) => restoreArrays(v, tensors, source));
  if (value !== null && typeof value === 'object') {
    if (typeof value.$tensor === 'string') {
      const t = tensors.get(value.$tensor);
      if (!t) throw new SerializationError(source, `the checkpoint refers to a missing tensor '${value.$tensor}'`);
      return Array.isArray(value.shape) ? new Tensor(t.data, value.shape as number[]) : t.data;
    }
    if (typeof value.$number === 'string') return Number(value.$number);
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) o[k] = restoreArrays(v, tensors, source);
    return o;
  }
  return value;
}

/** Encodes a checkpoint of `model` plus training state as safetensors bytes. */
export function encodeCheckpoint(model: Module, state: CheckpointState = {}): Uint8Array {
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of Object.entries(model.stateDict())) tensors.set(`model.${name}`, t);
  const meta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step: state.step ?? 0,
    optimizer: extractArrays(state.optimizer ?? null, 'optimizer', tensors),
    scheduler: extractArrays(state.scheduler ?? null, 'scheduler', tensors),
    rng: extractArrays(state.rng ?? null, 'rng', tensors),
    config: extractArrays(state.config ?? null, 'config', tensors),
    extra: extractArrays(state.extra ?? null, 'extra', tensors),
  };
  return serializeSafetensors(tensors, { [META_KEY]: JSON.stringify(meta) });
}

/** Decodes and validates checkpoint bytes (untrusted). */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): DecodedCheckpoint {
  const parsed = parseSafetensors(bytes, { source, floatDType: 'keep' });
  const raw = parsed.metadata[META_KEY];
  if (raw === undefined) {
    throw new SerializationError(source, `not a recurrent checkpoint (no '${META_KEY}' metadata); to load plain weights use parseSafetensors`);
  }
  let meta: Record<string, Json>;
  try {
    meta = JSON.parse(raw) as Record<string, Json>;
  } catch {
    throw new SerializationError(source, 'checkpoint metadata is not valid JSON');
  }
  if (typeof meta !== 'object' || meta === null || meta.format !== CHECKPOINT_FORMAT) {
    throw new SerializationError(source, `unknown checkpoint format ${JSON.stringify((meta as { format?: unknown })?.format)}`);
  }
  if (meta.version !== CHECKPOINT_VERSION) {
    throw new SerializationError(source, `checkpoint version ${JSON.stringify(meta.version)} is not supported (this library reads version ${CHECKPOINT_VERSION})`);
  }
  const step = meta.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw new SerializationError(source, `invalid step ${JSON.stringify(step)}`);
  const all = new Map([...parsed.tensors].map(([k, v]) => [k, v.tensor]));
  const model = new Map<string, Tensor>();
  for (const [k, t] of all) if (k.startsWith('model.')) model.set(k.slice('model.'.length), t);
  return {
    model,
    step,
    optimizer: restoreArrays(meta.optimizer ?? null, all, source),
    scheduler: restoreArrays(meta.scheduler ?? null, all, source),
    rng: restoreArrays(meta.rng ?? null, all, source),
    config: restoreArrays(meta.config ?? null, all, source),
    extra: restoreArrays(meta.extra ?? null, all, source),
  };
}

/**
 * Loads a decoded checkpoint's weights into `model` (strict: names and shapes must
 * match; a mismatch names the key and both shapes, and leaves the model unchanged).
 */
export function loadCheckpointWeights(model: Module, ckpt: DecodedCheckpoint, source = 'checkpoint'): void {
  try {
    model.loadStateDict(ckpt.model);
  } catch (e) {
    throw new SerializationError(source, `the checkpoint does not fit this model: ${(e as Error).message}`);
  }
}
