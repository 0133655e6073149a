// A pool of worker threads that run the WebAssembly kernels on the same shared memory as
// the calling thread: worker_threads in Node, Web Workers in cross-origin-isolated
// browsers. Workers are started once and wait on a futex (Atomics.wait) between jobs;
// a job is a kernel call whose arguments are written into a small shared control block.
// The calling thread runs its own share of a job, then waits for the others.
//
// No Node import: Node's Worker comes from process.getBuiltinModule, so this file is safe
// in a browser bundle. Workers report ready asynchronously; until they all have, callers
// run single-threaded (results do not depend on the split, see assembly/gemm.ts).

const SLOT_I32 = 64;       // control ints per worker: [seq, done, ready, op], then f64 args
const ARG_F64 = 2;         // args start at byte 16 of the slot (f64 index slot·32 + 2)
export const MAX_ARGS = 28;
const OP_EXIT = 0;
export const OP_SGEMM = 1;

/** The worker's program (plain JavaScript, the same in Node and browsers). */
const WORKER_SOURCE = `
'use strict';
function start(data) {
  const { module, memory, ctrl, index } = data;
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const i32 = new Int32Array(ctrl);
  const f64 = new Float64Array(ctrl);
  const s = index * ${SLOT_I32};
  const a = s / 2 + ${ARG_F64};
  Atomics.store(i32, s + 2, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(i32, s, seen);
    const seq = Atomics.load(i32, s);
    if (seq === seen) continue;
    seen = seq;
    const op = i32[s + 3];
    if (op === ${OP_EXIT}) break;
    if (op === ${OP_SGEMM}) {
      k.sgemm(f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7],
        f64[a + 8], f64[a + 9], f64[a + 10], f64[a + 11], f64[a + 12], f64[a + 13], f64[a + 14]);
    }
    Atomics.store(i32, s + 1, seq);
    Atomics.notify(i32, s + 1);
  }
}
if (typeof require === 'function') require('worker_threads').parentPort.once('message', start);
else self.onmessage = (e) => start(e.data);
`;

interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): unknown;
  unref?(): void;
}

type WorkerFactory = () => WorkerLike;

function workerFactory(): WorkerFactory | null {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } };
    Worker?: new (url: string) => WorkerLike;
    Blob?: new (parts: string[], o: { type: string }) => unknown;
    URL?: { createObjectURL(b: unknown): string };
    crossOriginIsolated?: boolean;
  };
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return null;
  const getBuiltin = g.process?.getBuiltinModule;
  if (g.process?.versions?.node) {
    if (typeof getBuiltin !== 'function') return null; // Node < 20.16: single thread
    const wt = getBuiltin('worker_threads') as { Worker: new (src: string, o: { eval: boolean }) => WorkerLike };
    return () => new wt.Worker(WORKER_SOURCE, { eval: true });
  }
  if (g.Worker && g.Blob && g.URL && g.crossOriginIsolated) {
    const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const W = g.Worker;
    return () => new W(url);
  }
  return null;
}

/** Hardware threads of this machine (1 when unknown). */
export function hardwareThreads(): number {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
    navigator?: { hardwareConcurrency?: number };
  };
  const os = g.process?.getBuiltinModule?.('os') as { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined;
  const n = os?.availableParallelism?.() ?? os?.cpus?.().length ?? g.navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.floor(n));
}

/** Whether this engine can run a pool (shared memory and workers). */
export function threadsSupported(): boolean {
  return workerFactory() !== null;
}

export class ThreadPool {
  /** Helper workers; the calling thread is one more. */
  readonly workers: number;
  private readonly handles: WorkerLike[] = [];
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly canWait: boolean;
  private allReady = false;

  /** Starts threads − 1 workers on the shared memory; throws when the engine cannot. */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number) {
    const make = workerFactory();
    if (!make) throw new Error('worker threads with shared memory are not available');
    this.workers = Math.max(0, threads - 1);
    const ctrl = new SharedArrayBuffer(Math.max(1, this.workers) * SLOT_I32 * 4);
    this.i32 = new Int32Array(ctrl);
    this.f64 = new Float64Array(ctrl);
    let canWait = true;
    try {
      Atomics.wait(this.i32, 0, 1, 0); // "not-equal" where waiting is allowed; throws on a browser main thread
    } catch {
      canWait = false;
    }
    this.canWait = canWait;
    for (let w = 0; w < this.workers; w++) {
      const h = make();
      h.unref?.(); // an idle pool does not keep Node alive
      h.postMessage({ module, memory, ctrl, index: w });
      this.handles.push(h);
    }
  }

  /** True once every worker has started. */
  ready(): boolean {
    if (this.allReady) return true;
    for (let w = 0; w < this.workers; w++) if (Atomics.load(this.i32, w * SLOT_I32 + 2) !== 1) return false;
    this.allReady = true;
    return true;
  }

  /**
   * Runs `op` with args[w] on worker w (w < args.length ≤ workers) while `own` runs here,
   * and returns when all have finished.
   */
  run(op: number, args: readonly (readonly number[])[], own: () => void): void {
    const n = args.length;
    for (let w = 0; w < n; w++) {
      const s = w * SLOT_I32;
      const a = s / 2 + ARG_F64;
      const list = args[w] as readonly number[];
      for (let i = 0; i < list.length; i++) this.f64[a + i] = list[i] as number;
      this.i32[s + 3] = op;
      Atomics.add(this.i32, s, 1);
      Atomics.notify(this.i32, s);
    }
    try {
      own();
    } finally {
      for (let w = 0; w < n; w++) {
        const s = w * SLOT_I32;
        const seq = Atomics.load(this.i32, s);
        for (;;) {
          const done = Atomics.load(this.i32, s + 1);
          if (done === seq) break;
          if (this.canWait) Atomics.wait(this.i32, s + 1, done, 1000);
        }
      }
    }
  }

  /** Stops the workers. */
  dispose(): void {
    for (let w = 0; w < this.handles.length; w++) {
      const s = w * SLOT_I32;
      this.i32[s + 3] = OP_EXIT;
      Atomics.add(this.i32, s, 1);
      Atomics.notify(this.i32, s);
      void this.handles[w]?.terminate();
    }
    this.handles.length = 0;
  }
}
