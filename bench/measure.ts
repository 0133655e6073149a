// Timing: what a contender (our backend or a peer) must provide, and the interleaved
// measurement loop shared by all of them.
//
// Method, per workload: every contender builds its model; each runs warm-up iterations;
// then `rounds` rounds in which every contender in turn (the starting one rotating)
// runs iterations for targetMs / rounds. The median of all timed iterations is the
// result. Interleaving spreads the noise of a shared machine over everyone alike.
// An iteration slower than `slowIterMs` is not repeated: its first (cold) run is the
// one sample, flagged in the table. A contender whose projected time per iteration
// (from its speed on an earlier workload) exceeds `capMs` is skipped with that reason.

import { itemsPerIteration, type Workload } from './workloads.js';

export interface ChunkOptions {
  /** Keep iterating until this much time has passed… */
  targetMs: number;
  /** …but run at least this many… */
  minIters: number;
  /** …and at most this many. */
  maxIters: number;
}

/** A contender's instance of one workload. */
export interface Session {
  /** Times iterations; returns each one's milliseconds. */
  run(opts: ChunkOptions): Promise<number[]>;
  close(): Promise<void>;
  /** Items one iteration processes, when not the workload's B·T (brain.js: one sequence). */
  itemsPerIteration?: number;
}

export interface Contender {
  /** Stable identifier, e.g. `ours:ref`, `torch:openblas:2`. */
  id: string;
  /** Row label for a workload (numpy, not PyTorch, does the gemm rows of the Python peer). */
  label(w: Workload): string;
  ours: boolean;
  /** true, or why this contender does not run the workload (printed in the table). */
  supports(w: Workload): true | string;
  open(w: Workload): Promise<Session>;
}

/** Session over a synchronous or asynchronous step function, timed in this process. */
export function inProcessSession(
  step: () => unknown,
  close: () => Promise<void> | void = () => {},
  before: () => void = () => {},
): Session {
  return {
    async run(opts) {
      before();
      const times: number[] = [];
      const start = performance.now();
      for (;;) {
        const t0 = performance.now();
        const r = step();
        if (r instanceof Promise) await r;
        const t1 = performance.now();
        times.push(t1 - t0);
        if (times.length >= opts.maxIters) break;
        if (times.length >= opts.minIters && t1 - start >= opts.targetMs) break;
      }
      return times;
    },
    async close() {
      await close();
    },
  };
}

export interface MeasureOptions {
  targetMs: number;
  rounds: number;
  warmupMs: number;
  slowIterMs: number;
  capMs: number;
  /** Progress lines go here (stderr). */
  log: (line: string) => void;
}

export interface Measurement {
  workload: Workload;
  contender: Contender;
  label: string;
  /** Per-iteration milliseconds (timed iterations only). */
  samples: number[];
  /** Items per iteration of this contender's session. */
  itemsPerIteration: number;
  /** The single sample is a cold first iteration (too slow to repeat). */
  cold: boolean;
  /** Set when nothing was measured: why. */
  skipped: string | null;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

/** Measures one workload on every contender, interleaved. */
export async function measureWorkload(
  w: Workload,
  contenders: readonly Contender[],
  opts: MeasureOptions,
  projectMs: (c: Contender) => number | null,
): Promise<Measurement[]> {
  const results: Measurement[] = [];
  const live: { m: Measurement; s: Session }[] = [];
  for (const c of contenders) {
    const m: Measurement = { workload: w, contender: c, label: c.label(w), samples: [], itemsPerIteration: itemsPerIteration(w), cold: false, skipped: null };
    results.push(m);
    const ok = c.supports(w);
    if (ok !== true) {
      m.skipped = ok;
      continue;
    }
    const projected = projectMs(c);
    if (projected !== null && projected > opts.capMs) {
      m.skipped = `skipped: projected ${(projected / 1000).toFixed(0)} s/iter from its speed on an earlier workload (cap ${(opts.capMs / 1000).toFixed(0)} s)`;
      opts.log(`  ${w.name}: ${m.label}: ${m.skipped}`);
      continue;
    }
    try {
      const s = await c.open(w);
      if (s.itemsPerIteration !== undefined) m.itemsPerIteration = s.itemsPerIteration;
      live.push({ m, s });
    } catch (e) {
      m.skipped = `failed to set up: ${errorText(e)}`;
    }
  }
  const fail = (entry: { m: Measurement; s: Session }, e: unknown) => {
    entry.m.skipped = `failed: ${errorText(e)}`;
    entry.m.samples = [];
  };
  // Warm-up, in the same order; a too-slow first iteration becomes the only sample.
  for (const entry of live) {
    try {
      const first = await entry.s.run({ targetMs: 0, minIters: 1, maxIters: 1 });
      if ((first[0] as number) > opts.slowIterMs) {
        entry.m.samples = first;
        entry.m.cold = true;
      } else if ((first[0] as number) < opts.warmupMs) {
        await entry.s.run({ targetMs: opts.warmupMs, minIters: 1, maxIters: 1e9 });
      }
    } catch (e) {
      fail(entry, e);
    }
    opts.log(`  ${w.name}: ${entry.m.label}: ${entry.m.skipped ?? (entry.m.cold ? `one cold run (${(entry.m.samples[0] as number).toFixed(0)} ms > ${opts.slowIterMs} ms), not repeated` : 'warmed up')}`);
  }
  const timed = live.filter((e) => !e.m.cold && e.m.skipped === null);
  for (let r = 0; r < opts.rounds; r++) {
    for (let k = 0; k < timed.length; k++) {
      const entry = timed[(k + r) % timed.length] as (typeof timed)[number];
      if (entry.m.skipped !== null) continue;
      try {
        const t = await entry.s.run({ targetMs: opts.targetMs / opts.rounds, minIters: 1, maxIters: 1e9 });
        entry.m.samples.push(...t);
      } catch (e) {
        fail(entry, e);
      }
    }
  }
  for (const entry of live) {
    try {
      await entry.s.close();
    } catch {
      // closing is best effort
    }
  }
  return results;
}

export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 160);
}
