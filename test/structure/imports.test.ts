// The dependency rules of docs/CONTRIBUTING.md, checked mechanically: the core never
// imports Node built-ins (it must bundle for browsers), kernels never see tensors or
// autograd, and lower layers never import higher ones.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1] as string);
}

const folder = (file: string): string => (relative(src, file).split('/')[0] as string).replace(/\.js$/, '.ts');
const nodeOnly = new Set(['node', 'cli']);
// Which top-level folders each folder may import from (itself always allowed).
const allowed: Record<string, string[]> = {
  'errors.ts': [], util: ['errors.ts'],
  tensor: ['util', 'errors.ts', 'autograd'],
  autograd: ['tensor', 'util', 'errors.ts'],
  kernels: ['util', 'errors.ts', 'backend'],
  backend: ['kernels', 'util', 'errors.ts'],
  ops: ['autograd', 'backend', 'kernels', 'tensor', 'util', 'errors.ts'],
  nn: ['ops', 'autograd', 'tensor', 'util', 'errors.ts', 'backend'],
  data: ['tensor', 'util', 'errors.ts'],
  io: ['seq2seq', 'models', 'esn', 'rnn', 'nn', 'tensor', 'util', 'errors.ts'],
  esn: ['nn', 'tensor', 'util', 'errors.ts'],
  onnx: ['io', 'rnn', 'nn', 'ops', 'autograd', 'tensor', 'util', 'errors.ts'],
  rnn: ['nn', 'ops', 'autograd', 'tensor', 'util', 'errors.ts'],
  train: ['nn', 'ops', 'autograd', 'tensor', 'io', 'optim', 'rnn', 'data', 'util', 'errors.ts'],
  optim: ['nn', 'ops', 'autograd', 'tensor', 'backend', 'util', 'errors.ts'],
  seq2seq: ['models', 'nn', 'rnn', 'ops', 'autograd', 'tensor', 'data', 'util', 'errors.ts'],
  models: ['nn', 'rnn', 'ops', 'autograd', 'tensor', 'data', 'util', 'errors.ts'],
};

describe('dependency rules', () => {
  const all = files(src);
  it('the core imports no Node built-ins (browser bundles)', () => {
    const offenders = all.filter((f) => !nodeOnly.has(folder(f)) && imports(f).some((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads'].includes(s)));
    expect(offenders.map((f) => relative(src, f))).toEqual([]);
  });
  it('each layer imports only from the layers below it', () => {
    const bad: string[] = [];
    for (const f of all) {
      const from = folder(f);
      const rule = allowed[from];
      if (!rule) continue;
      for (const spec of imports(f)) {
        if (!spec.startsWith('.')) continue;
        const target = folder(resolve(dirname(f), spec));
        if (target !== from && !rule.includes(target)) bad.push(`${relative(src, f)} → ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
