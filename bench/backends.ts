// Which of our backends to measure. The registry (src/backend/registry.ts) holds the
// reference backend ('ref', plain TypeScript, float64-capable, slow) and, where the
// engine has WebAssembly SIMD, the 'wasm' backend (the default). Both are measured:
// wasm everywhere, ref under the projected-time cap of bench/measure.ts.
// `--backends wasm` (or RECURRENT_BENCH_BACKENDS=wasm) narrows the list.

import { describeBackend, getBackend, listBackends, setBackend, wasmBackend } from '../src/index.js';
import type { OursBackend } from './ours.js';

export interface OursSelection {
  /** Backends to measure, wasm first (the reference row for the ratios). */
  names: OursBackend[];
  /** describeBackend() of each selected backend. */
  descriptions: Partial<Record<OursBackend, string>>;
  notes: string[];
}

export async function selectOursBackends(requested: readonly string[] = []): Promise<OursSelection> {
  const notes: string[] = [];
  const env = process.env.RECURRENT_BENCH_BACKENDS;
  const want = requested.length > 0 ? [...requested] : env ? env.split(',').map((s) => s.trim()).filter(Boolean) : ['wasm', 'ref'];
  const unknown = want.filter((n) => n !== 'wasm' && n !== 'ref');
  if (unknown.length > 0) notes.push(`unknown backend(s) ignored: ${unknown.join(', ')} (known: wasm, ref)`);
  const names: OursBackend[] = [];
  const descriptions: Partial<Record<OursBackend, string>> = {};
  const previous = getBackend().name;
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
