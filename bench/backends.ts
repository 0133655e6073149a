// Which of our backends to measure: every backend in the registry (`listBackends()`),
// after giving new backends a chance to register themselves, so that a backend added
// to src/ later (wasm, native, …) is measured without editing the harness.
//
// Discovery: every module under src/backend/ (and the public entry points src/index.ts
// and src/node/index.ts) is imported; any export that looks like a Backend (a `name`
// string, `describe` and `gemm` functions) is registered, and any zero-argument export
// named like `loadWasmBackend` / `initBackend` / `createNativeBackend` is called
// (awaited) and its result registered when it is a Backend. Failures are reported, not
// fatal. RECURRENT_BENCH_BACKENDS=ref,wasm (or --backends) narrows the list.

import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listBackends, registerBackend, type Backend } from '../src/index.js';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const LOADER_NAME = /^(load|init|create|make)\w*Backend$/i;

function isBackend(v: unknown): v is Backend {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.name === 'string' && typeof o.describe === 'function' && typeof o.gemm === 'function';
}

function moduleFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return moduleFiles(p);
    return /\.(ts|js|mjs)$/.test(f) && !/\.(test|spec|d)\.(ts|js|mjs)$/.test(f) ? [p] : [];
  });
}

export interface Discovery {
  /** Backend names to measure, in registry order. */
  names: string[];
  /** What happened on the way (loaders called, modules that failed to import). */
  notes: string[];
}

export async function discoverBackends(only: readonly string[] = []): Promise<Discovery> {
  const notes: string[] = [];
  const files = [join(srcDir, 'index.ts'), join(srcDir, 'node', 'index.ts'), ...moduleFiles(join(srcDir, 'backend'))];
  const called = new Set<unknown>();
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      if (statExists(file)) notes.push(`could not import ${file.slice(srcDir.length - 3)}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      continue;
    }
    for (const [name, value] of Object.entries(mod)) {
      if (isBackend(value)) {
        if (!listBackends().includes(value.name)) registerBackend(value);
      } else if (typeof value === 'function' && LOADER_NAME.test(name) && value.length === 0 && !called.has(value)) {
        called.add(value);
        try {
          const b: unknown = await (value as () => unknown)();
          if (isBackend(b)) {
            if (!listBackends().includes(b.name)) registerBackend(b);
            notes.push(`${name}() → backend '${b.name}'`);
          }
        } catch (e) {
          notes.push(`${name}() failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        }
      }
    }
  }
  const env = process.env.RECURRENT_BENCH_BACKENDS;
  const want = only.length > 0 ? only : env ? env.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const all = listBackends();
  const missing = want.filter((w) => !all.includes(w));
  if (missing.length > 0) notes.push(`requested backend(s) not registered: ${missing.join(', ')} (registered: ${all.join(', ')})`);
  return { names: want.length > 0 ? all.filter((n) => want.includes(n)) : all, notes };
}

function statExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
