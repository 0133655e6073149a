// PyTorch (Debian's, /usr/bin/python3) as a peer, and numpy for the sgemm rows: one
// long-lived tools/bench_torch.py process per (BLAS, threads) configuration, so that its
// iterations interleave with ours in the same run.
//
// BLAS: Debian's torch calls sgemm through libblas.so.3. The reference BLAS (Debian's
// default alternative) is slow; OpenBLAS (apt-get install -y libopenblas0-pthread) is
// selected for the Python process only, by putting its directory first on
// LD_LIBRARY_PATH; the reference configuration likewise points at Debian's
// reference BLAS directory explicitly, so neither depends on how the system-wide
// alternative is set. The process reports which libraries are actually mapped.
// Threads: OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / torch.set_num_threads, and
// OMP_WAIT_POLICY=PASSIVE so that idle OpenMP workers sleep instead of spinning.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Contender, Session } from '../measure.js';
import type { Workload } from '../workloads.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PYTHON = process.env.RECURRENT_BENCH_PYTHON ?? '/usr/bin/python3';
const LIBDIR = '/usr/lib/x86_64-linux-gnu';

export type BlasChoice = 'reference' | 'openblas';

export interface TorchInfo {
  torch: string;
  numpy: string;
  python: string;
  threads: number;
  blas_libs: string[];
  probe_sgemm512_gflops: number;
  blas_info: string;
}

const BLAS_DIRS: Record<BlasChoice, string[]> = {
  reference: [`${LIBDIR}/blas`, `${LIBDIR}/lapack`],
  openblas: [`${LIBDIR}/openblas-pthread`],
};

/** Why a BLAS configuration cannot run here, or null when it can. */
export function blasUnavailable(blas: BlasChoice): string | null {
  const dir = BLAS_DIRS[blas][0] as string;
  if (existsSync(join(dir, 'libblas.so.3'))) return null;
  return blas === 'openblas'
    ? `OpenBLAS not installed (${dir}/libblas.so.3 missing): apt-get install -y libopenblas0-pthread`
    : `Debian's reference BLAS not found at ${dir}/libblas.so.3`;
}

/** One Python process speaking JSON lines. */
export class PythonPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: ((line: string) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private exited: string | null = null;
  private stderr = '';
  info: TorchInfo | null = null;

  constructor(readonly blas: BlasChoice, readonly threads: number) {
    const env = {
      ...process.env,
      LD_LIBRARY_PATH: [...BLAS_DIRS[blas], process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      OMP_NUM_THREADS: String(threads),
      OPENBLAS_NUM_THREADS: String(threads),
      MKL_NUM_THREADS: String(threads),
      OMP_WAIT_POLICY: 'PASSIVE',
      PYTHONWARNINGS: 'ignore',
    };
    this.child = spawn(PYTHON, [join(root, 'tools', 'bench_torch.py'), '--threads', String(threads)], { env, stdio: 'pipe' });
    const rl = createInterface({ input: this.child.stdout });
    rl.on('line', (line) => this.pending.shift()?.(line));
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    this.child.on('error', (e) => this.died(`could not start ${PYTHON}: ${e.message}`));
    this.child.on('exit', (code, signal) => this.died(`python exited (${signal ?? code}): ${this.stderr.trim().split('\n').slice(-1)[0] ?? ''}`));
  }

  private died(why: string): void {
    if (this.exited !== null) return;
    this.exited = why;
    for (const p of this.pending.splice(0)) p(JSON.stringify({ error: why }));
  }

  /** Sends one command; commands are answered strictly in order. */
  request<T>(cmd: Record<string, unknown>): Promise<T> {
    const next = this.queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          if (this.exited !== null) {
            reject(new Error(this.exited));
            return;
          }
          this.pending.push((line) => {
            let msg: Record<string, unknown>;
            try {
              msg = JSON.parse(line) as Record<string, unknown>;
            } catch {
              reject(new Error(`bad reply from python: ${line.slice(0, 200)}`));
              return;
            }
            if (typeof msg.error === 'string') reject(new Error(msg.error));
            else resolve(msg as T);
          });
          this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  async start(): Promise<TorchInfo> {
    this.info = await this.request<TorchInfo>({ cmd: 'info' });
    return this.info;
  }

  async stop(): Promise<void> {
    if (this.exited === null) {
      try {
        await this.request({ cmd: 'quit' });
      } catch {
        // already gone
      }
    }
    this.child.kill();
  }

  describeBlas(): string {
    const libs = this.info?.blas_libs ?? [];
    if (libs.some((l) => l.includes('openblas'))) {
      const v = libs.map((l) => /libopenblas\w*-r(\d+\.\d+\.\d+)/.exec(l)?.[1]).find(Boolean);
      return `OpenBLAS${v ? ` ${v}` : ''}`;
    }
    if (libs.some((l) => l.includes('/blas/'))) return 'reference BLAS';
    return libs.length ? libs.join(', ') : 'BLAS unknown';
  }
}

let nextId = 0;

/** The Python peer as a contender: PyTorch rows, and numpy rows for gemm. */
export function torchContender(peer: PythonPeer, defaultThreads: number): Contender {
  const blas = (): string => peer.describeBlas();
  const t = `${peer.threads}t`;
  return {
    id: `torch:${peer.blas}:${peer.threads}`,
    ours: false,
    label: (w) => (w.kind === 'gemm' ? `numpy ${peer.info?.numpy ?? ''} ${blas()} ${t}` : `PyTorch ${peer.info?.torch ?? ''} ${blas()} ${t}`).replace(/\s+/g, ' '),
    // A process runs at one thread count: the workloads of that count (undefined = the default).
    supports: (w) => ((w.threads ?? defaultThreads) === peer.threads ? true : `runs ${peer.threads} thread${peer.threads > 1 ? 's' : ''} only`),
    async open(w: Workload): Promise<Session> {
      const id = `w${nextId++}`;
      await peer.request({ cmd: 'setup', id, workload: w });
      return {
        run: async (o) => (await peer.request<{ times: number[] }>({ cmd: 'run', id, target_ms: o.targetMs, min_iters: o.minIters, max_iters: o.maxIters })).times,
        close: async () => {
          await peer.request({ cmd: 'close', id });
        },
      };
    },
  };
}
