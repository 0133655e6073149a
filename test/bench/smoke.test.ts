// Smoke test of the benchmark harness (npm run bench): our implementation of every
// workload, at a tiny size, through the same code path as bench/run.ts (oursContender →
// measureWorkload), on each of our backends. Checks that each workload runs, is timed,
// and that training steps change the loss (the SGD step is applied). No peers.
import { describe, expect, it } from 'vitest';
import { nativeBackend, setBackend, wasmBackend } from '../../src/index.js';
import { measureWorkload, type MeasureOptions } from '../../bench/measure.js';
import { createOurs, oursContender, type OursBackend } from '../../bench/ours.js';
import { WORKLOADS, tinyWorkload } from '../../bench/workloads.js';

const opts: MeasureOptions = { targetMs: 1, rounds: 2, warmupMs: 0, slowIterMs: 10_000, capMs: 10_000, log: () => {} };

describe('bench harness (tiny workloads)', () => {
  const backends: OursBackend[] = [...(nativeBackend() ? ['native' as const] : []), ...(wasmBackend() ? ['wasm' as const] : []), 'ref'];
  for (const backend of backends) {
    it(`measures every workload on ${backend}`, async () => {
      await wasmBackend()?.whenReady();
      const contender = oursContender(backend);
      for (const w of WORKLOADS.map(tinyWorkload)) {
        if (contender.supports(w) !== true) {
          // Only the wasm backend declines, and only the rows with their own thread count.
          expect([backend, w.threads], w.name).toEqual(['wasm', 1]);
          continue;
        }
        const [m] = await measureWorkload(w, [contender], opts, () => null);
        expect(m?.skipped, w.name).toBeNull();
        expect(m?.samples.length, w.name).toBeGreaterThanOrEqual(2);
        expect(m?.samples.every((t) => Number.isFinite(t) && t >= 0), w.name).toBe(true);
      }
    });
  }

  it('training steps apply the SGD update', () => {
    setBackend('ref');
    for (const w of WORKLOADS.filter((x) => x.mode === 'train' && !x.kind.startsWith('esn')).map((x) => ({ ...tinyWorkload(x), name: x.name }))) {
      const r = createOurs(w);
      const first = r.step();
      let last = first;
      for (let i = 0; i < 3; i++) last = r.step();
      expect(Number.isFinite(first), w.name).toBe(true);
      expect(last, w.name).not.toBe(first);
    }
  });
});
