// Module weights as safetensors, the way the PyTorch ecosystem stores them: tensor names
// are the module's state-dict names (PyTorch's own for RNN/LSTM/GRU/Linear/Embedding), so
// `torch.nn.LSTM(...).load_state_dict(safetensors.torch.load_file(path))` reads our files
// and we read theirs. The module's config (module-config.ts) travels in the header's
// metadata under "recurrent.config", so a file can rebuild its module; "format": "pt" is
// set as Hugging Face's tools expect. Browser-safe: bytes in, bytes out.

import { SerializationError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LoadStateDictResult, Module } from '../nn/module.js';
import { parseSafetensors, serializeSafetensors, type SerializeOptions } from './safetensors.js';
import { buildModule, hasModuleConfig, moduleConfig, type ModuleConfig } from './module-config.js';

export const CONFIG_METADATA_KEY = 'recurrent.config';

export interface EncodeWeightsOptions {
  /** Storage type of the float tensors (default 'keep': F32 for float32, F64 for float64). */
  floatDType?: SerializeOptions['floatDType'];
  /** Extra string metadata to store in the header. */
  metadata?: Record<string, string>;
  /** Store the module's config in the metadata (default: when the module type is registered). */
  includeConfig?: boolean;
}

/** Encodes a module's state dict (with PyTorch's names) as safetensors bytes. */
export function encodeWeights(module: Module, options: EncodeWeightsOptions = {}): Uint8Array {
  const metadata: Record<string, string> = { format: 'pt', ...options.metadata };
  const withConfig = options.includeConfig ?? hasModuleConfig(module);
  if (withConfig) metadata[CONFIG_METADATA_KEY] = JSON.stringify(moduleConfig(module));
  const floatDType = options.floatDType ?? 'keep';
  return serializeSafetensors(module.stateDict(), metadata, { floatDType });
}

export interface LoadWeightsOptions {
  /** Missing or unexpected names are errors (default true); otherwise they are returned. */
  strict?: boolean;
  /** Name of the file, for error messages. */
  source?: string;
}

/**
 * Loads safetensors weights (F32, F64, F16 or BF16; from this library or from PyTorch's
 * state_dict) into an existing module. Names and shapes are checked before anything is
 * written: on error the module is unchanged and the message names the tensor.
 */
export function loadWeights(module: Module, bytes: Uint8Array, options: LoadWeightsOptions = {}): LoadStateDictResult {
  const source = options.source ?? 'weights';
  const parsed = parseSafetensors(bytes, { source, floatDType: 'keep' });
  const state = new Map<string, Tensor>([...parsed.tensors].map(([k, v]) => [k, v.tensor]));
  try {
    return module.loadStateDict(state, { strict: options.strict ?? true });
  } catch (e) {
    throw new SerializationError(source, `the weights do not fit this ${module.typeName}: ${(e as Error).message}`);
  }
}

/** The config stored in a weights file, or null when it has none. */
export function readWeightsConfig(bytes: Uint8Array, source = 'weights'): ModuleConfig | null {
  const parsed = parseSafetensors(bytes, { source, floatDType: 'keep' });
  const raw = parsed.metadata[CONFIG_METADATA_KEY];
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw) as ModuleConfig;
  } catch {
    throw new SerializationError(source, `metadata '${CONFIG_METADATA_KEY}' is not valid JSON`);
  }
}

/**
 * Rebuilds a module from a weights file: from `config` when given (a JSON config, as
 * written next to the file by saveModule), else from the config in the file's metadata.
 */
export function decodeModule(bytes: Uint8Array, options: { config?: unknown; source?: string } = {}): Module {
  const source = options.source ?? 'weights';
  const config = options.config ?? readWeightsConfig(bytes, source);
  if (config === null || config === undefined) {
    throw new SerializationError(source, `no module config: the file has no '${CONFIG_METADATA_KEY}' metadata and no config was given`);
  }
  const module = buildModule(config, source);
  loadWeights(module, bytes, { source });
  return module;
}
