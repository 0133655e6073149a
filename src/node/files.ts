// Node-only file helpers: atomic writes and checkpoint files. Kept out of the core so
// the library bundles for browsers; imported as 'recurrent/node'.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { SerializationError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { decodeModule, encodeWeights, type EncodeWeightsOptions } from '../io/weights.js';
import { hasModuleConfig, moduleConfig } from '../io/module-config.js';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointState, type DecodedCheckpoint } from '../io/checkpoint.js';

/**
 * Writes `bytes` to `path` atomically: a temporary file in the same directory is
 * written and flushed to disk, then renamed over `path`. A crash or a failed write never
 * leaves a truncated file at `path`, and the previous file stays intact until the rename.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'w', 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file may not exist
    }
    throw e;
  }
  try {
    // Persist the rename itself (the directory entry).
    const dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // Not every platform allows fsync on a directory; the data itself is already flushed.
  }
}

/** Reads a whole file after checking its size against `maxBytes`. */
export function readFileBounded(path: string, maxBytes: number): Uint8Array {
  const size = statSync(path).size;
  if (size > maxBytes) throw new SerializationError(path, `file is ${size} bytes, above the limit of ${maxBytes} bytes`);
  return new Uint8Array(readFileSync(path));
}

/** Saves a checkpoint atomically (see encodeCheckpoint for the content). */
export function saveCheckpoint(path: string, model: Module, state: CheckpointState = {}): void {
  writeFileAtomic(path, encodeCheckpoint(model, state));
}

/** Reads and validates a checkpoint file (at most `maxBytes`, default 8 GiB). */
export function loadCheckpoint(path: string, options: { maxBytes?: number } = {}): DecodedCheckpoint {
  return decodeCheckpoint(readFileBounded(path, options.maxBytes ?? 8 * 2 ** 30), path);
}

/** The path of the JSON config written next to a weights file: model.safetensors → model.json. */
export function configPathFor(weightsPath: string): string {
  return weightsPath.replace(/\.safetensors$/i, '') + '.json';
}

/**
 * Saves a module as `path` (safetensors, PyTorch's names, config in the metadata) and,
 * when its type is registered, its config as JSON next to it (configPathFor(path)).
 * Both files are written atomically.
 */
export function saveModule(path: string, module: Module, options: EncodeWeightsOptions = {}): void {
  writeFileAtomic(path, encodeWeights(module, options));
  if (hasModuleConfig(module)) {
    writeFileAtomic(configPathFor(path), new TextEncoder().encode(`${JSON.stringify(moduleConfig(module), null, 2)}\n`));
  }
}

/**
 * Rebuilds a module saved by saveModule (or any safetensors file with a config: from
 * the JSON file next to it when present, else from the file's metadata).
 */
export function loadModule(path: string, options: { maxBytes?: number; configPath?: string } = {}): Module {
  const bytes = readFileBounded(path, options.maxBytes ?? 8 * 2 ** 30);
  const cfgPath = options.configPath ?? configPathFor(path);
  let config: unknown;
  if (options.configPath !== undefined || existsSync(cfgPath)) {
    const text = new TextDecoder().decode(readFileBounded(cfgPath, 16 * 2 ** 20));
    try {
      config = JSON.parse(text);
    } catch (e) {
      throw new SerializationError(cfgPath, `not valid JSON (${(e as Error).message})`);
    }
  }
  return decodeModule(bytes, { source: path, ...(config !== undefined ? { config } : {}) });
}
