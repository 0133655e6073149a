// Which backend runs the kernels. Selection is explicit and observable: a typed
// registry, no import side effects. `describe()` says what is running.
// Default: on Node, the native backend when its addon is built (npm install builds it);
// else the WebAssembly SIMD backend, created on first use when the engine supports it;
// else the reference backend. The environment variable RECURRENT_BACKEND (Node) names
// another backend as the default ('native', 'wasm', 'ref').

import { BackendError } from '../errors.js';
import type { Backend } from './backend.js';
import { refBackend } from './ref.js';
import { WasmBackend } from '../kernels/wasm/wasm-backend.js';
import { NativeBackend, nativeUnavailableReason } from '../kernels/native/native-backend.js';

const registry = new Map<string, Backend>([[refBackend.name, refBackend]]);
let current: Backend | null = null;
let wasmFailure: string | null = null;

/** The WebAssembly backend, created (and registered) on first request; null without SIMD. */
export function wasmBackend(): WasmBackend | null {
  const have = registry.get('wasm');
  if (have) return have as WasmBackend;
  if (wasmFailure !== null) return null;
  try {
    const w = WasmBackend.create();
    registry.set(w.name, w);
    return w;
  } catch (e) {
    wasmFailure = (e as Error).message;
    return null;
  }
}

/** The native backend (Node, addon built), created (and registered) on first request; else null. */
export function nativeBackend(): NativeBackend | null {
  const have = registry.get('native');
  if (have) return have as NativeBackend;
  if (nativeUnavailableReason() !== '') return null;
  const n = NativeBackend.create();
  registry.set(n.name, n);
  return n;
}

/**
 * Sets how many threads the WebAssembly and native backends use (the calling one included) by
 * replacing it with a new instance; 1 = single-threaded. The default is the machine's
 * hardware threads (at most 8) or the environment variable RECURRENT_THREADS.
 */
export function setNumThreads(threads: number): void {
  const old = registry.get('wasm') as WasmBackend | undefined;
  const next = WasmBackend.create({ threads });
  registry.set('wasm', next);
  if (old !== undefined && current === old) current = next;
  old?.dispose();
  nativeBackend()?.setThreads(threads);
}

/**
 * Flushes subnormal numbers to zero in the native backend's kernels (as
 * torch.set_flush_denormal): much faster when values underflow (late in training), at the
 * cost of IEEE subnormals (below 1.2e-38 in float32). Off by default. Returns true when the
 * mode is now as requested: the native backend is available and the CPU supports it (x86),
 * or `enabled` is false. The reference and WebAssembly kernels always keep IEEE subnormals.
 *
 * @example
 * ```ts
 * import { setFlushDenormal } from 'recurrent';
 * const on = setFlushDenormal(true); // true with the native backend on x86
 * setFlushDenormal(false);
 * ```
 */
export function setFlushDenormal(enabled: boolean): boolean {
  if (typeof enabled !== 'boolean') throw new BackendError(`setFlushDenormal: argument 'enabled' must be a boolean, got ${typeof enabled}`);
  const n = nativeBackend();
  if (!n) return !enabled;
  return n.setFlushDenormal(enabled) || !enabled;
}

function defaultBackend(): Backend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RECURRENT_BACKEND;
  if (env) {
    if (env === 'wasm' && !wasmBackend()) throw new BackendError(`RECURRENT_BACKEND=wasm, but ${wasmFailure}`);
    if (env === 'native' && !nativeBackend()) throw new BackendError(`RECURRENT_BACKEND=native, but ${nativeUnavailableReason()}`);
    const b = registry.get(env);
    if (!b) throw new BackendError(`RECURRENT_BACKEND='${env}' is not a backend; available: ${[...registry.keys(), 'wasm', 'native'].map((k) => `'${k}'`).join(', ')}`);
    return b;
  }
  return nativeBackend() ?? wasmBackend() ?? refBackend;
}

/** Makes a backend available to `setBackend` under its name. */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
}

/** Selects the backend used by every subsequent op. */
export function setBackend(backend: string | Backend): void {
  if (typeof backend !== 'string') {
    registerBackend(backend);
    current = backend;
    return;
  }
  const b = backend === 'wasm' ? wasmBackend() : backend === 'native' ? nativeBackend() : registry.get(backend);
  if (!b) {
    if (backend === 'wasm') throw new BackendError(`setBackend: the wasm backend is not available here: ${wasmFailure}`);
    if (backend === 'native') throw new BackendError(`setBackend: the native backend is not available here: ${nativeUnavailableReason()}`);
    throw new BackendError(
      `setBackend: unknown backend '${backend}'; available: ${[...registry.keys()].map((k) => `'${k}'`).join(', ')}`,
    );
  }
  current = b;
}

/** The backend in use. */
export function getBackend(): Backend {
  current ??= defaultBackend();
  return current;
}

/** The backend that runs kernels on arrays of the given precision. */
export function backendFor(dtype: 'float32' | 'float64' | 'int32'): Backend {
  const b = getBackend();
  return dtype === 'float64' && !b.supportsFloat64 ? refBackend : b;
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  wasmBackend();
  nativeBackend();
  return [...registry.keys()];
}

/** One line describing the backend in use. */
export function describeBackend(): string {
  const b = getBackend();
  if (b === refBackend && wasmFailure !== null) return `${b.describe()} (wasm unavailable: ${wasmFailure})`;
  // On Node, say why the native backend is not the one running (not built, failed to load).
  const why = b.name === 'wasm' ? nativeUnavailableReason() : '';
  if (why !== '' && why !== 'not running on Node.js') return `${b.describe()} (native unavailable: ${why})`;
  return b.describe();
}
