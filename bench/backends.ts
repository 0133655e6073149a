// Which of our backends to measure. The registry (src/backend/registry.ts) holds the
// reference backend ('ref', plain TypeScript, float64-capable, slow), where the engine
// has WebAssembly SIMD the 'wasm' backend, and on Node where npm install built the addon
// the 'native' backend (the default there). All are measured: native and wasm
// everywhere, ref under the projected-time cap of bench/measure.ts.
// `--backends native,wasm` (or RECURRENT_BENCH_BACKENDS=…) narrows the list.

import { describeBackend, getBackend, listBackends, nativeBackend, nativeUnavailableReason, setBackend, wasmBackend } from '../src/index.js';
import type { OursBackend } from './ours.js';

export interface OursSelection {
  /** Backends to measure: native, wasm, ref (native and wasm are the reference rows of the ratios). */
  names: OursBackend[];
  /** describeBackend() of each selected backend. */
  descriptions: Partial<Record<OursBackend, string>>;
  notes: string[];
}

export async function selectOursBackends(requested: readonly string[] = []): Promise<OursSelection> {
  const notes: string[] = [];
  const env = process.env.RECURRENT_BENCH_BACKENDS;
  const want = requested.length > 0 ? [...requested] : env ? env.split(',').map((s) => s.trim()).filter(Boolean) : ['native', 'wasm', 'ref'];
  const unknown = want.filter((n) => n !== 'native' && n !== 'wasm' && n !== 'ref');
  if (unknown.length > 0) notes.push(`unknown backend(s) ignored: ${unknown.join(', ')} (known: native, wasm, ref)`);
  const names: OursBackend[] = [];
  const descriptions: Partial<Record<OursBackend, string>> = {};
  const previous = getBackend().name;
  if (want.includes('native')) {
    if (nativeBackend()) names.push('native');
    else notes.push(`our native backend is not available here: ${nativeUnavailableReason()}`);
  }
  if (want.includes('wasm')) {
    const wasm = wasmBackend();
    if (wasm) {
      await wasm.whenReady();
      names.push('wasm');
    } else {
      notes.push(`our wasm backend is not available here: ${describeBackend()}`);
    }
  }
  if (want.includes('ref')) names.push('ref');
  for (const n of names) {
    if (!listBackends().includes(n)) continue;
    setBackend(n);
    descriptions[n] = describeBackend();
  }
  setBackend(previous);
  return { names, descriptions, notes };
}
