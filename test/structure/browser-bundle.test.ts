// The core must work in a browser bundle: bundle src/index.ts for the browser with
// esbuild (as a user's bundler would), check that nothing Node-only is pulled in, and run
// the bundle in a fresh JavaScript context that has only browser-like globals (no
// process, no require, no Node modules): the WebAssembly backend must load there and
// compute the same LSTM output as the sources do in Node.
import { build } from 'esbuild';
import { createContext, runInContext } from 'node:vm';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Generator, LSTM, getBackend, randn, setBackend } from '../../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('browser bundle', () => {
  it('bundles without Node modules and runs an LSTM on the wasm backend in a browser-like context', async () => {
    const result = await build({
      entryPoints: [join(root, 'src', 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'recurrent',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((p) => p.startsWith('node:') || p.includes('/node/'))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    const out: string[] = [];
    const context = createContext({
      WebAssembly, atob, TextEncoder, TextDecoder, performance, console: { log: (s: string) => out.push(s) },
    });
    runInContext(
      `${code}
      const r = recurrent;
      const lstm = new r.LSTM({ inputSize: 3, hiddenSize: 5, generator: new r.Generator(7) });
      const x = r.randn([4, 2, 3], { generator: new r.Generator(8) });
      const [y] = lstm.forward(x);
      console.log(JSON.stringify({ backend: r.describeBackend(), y: Array.from(y.data) }));`,
      context,
    );
    const got = JSON.parse(out[0] as string) as { backend: string; y: number[] };
    expect(got.backend).toMatch(/^wasm: .*single thread/);
    // The same computation in Node on the wasm backend gives the same bits (on the native
    // backend, which Node uses by default, it differs by float32 rounding only).
    const before = getBackend();
    setBackend('wasm');
    try {
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, generator: new Generator(7) });
      const [y] = lstm.forward(randn([4, 2, 3], { generator: new Generator(8) }));
      expect(got.y).toEqual(Array.from(y.data));
    } finally {
      setBackend(before);
    }
  });
});
