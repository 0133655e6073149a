// Which backend runs the kernels. Selection is explicit and observable: a typed
// registry, no import side effects. `describe()` says what is running.

import { BackendError } from '../errors.js';
import type { Backend } from './backend.js';
import { refBackend } from './ref.js';

const registry = new Map<string, Backend>([[refBackend.name, refBackend]]);
let current: Backend = refBackend;

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
  const b = registry.get(backend);
  if (!b) {
    throw new BackendError(
      `setBackend: unknown backend '${backend}'; available: ${[...registry.keys()].map((k) => `'${k}'`).join(', ')}`,
    );
  }
  current = b;
}

/** The backend in use. */
export function getBackend(): Backend {
  return current;
}

/** The backend that runs kernels on arrays of the given precision. */
export function backendFor(dtype: 'float32' | 'float64' | 'int32'): Backend {
  return dtype === 'float64' && !current.supportsFloat64 ? refBackend : current;
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...registry.keys()];
}

/** One line describing the backend in use. */
export function describeBackend(): string {
  return current.describe();
}
