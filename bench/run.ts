// `npm run bench`: measures `recurrent` and its peers on the same workloads in one run,
// interleaved (bench/measure.ts), prints a table per workload and writes
// docs/benchmarks.md with the machine description.
//
//   npm run bench                       everything (about 10–15 minutes on 2 cores)
//   npm run bench -- --quick            small shapes, short timing: a smoke run (writes no docs)
//   npm run bench -- --only lstm-train-b32,gemm
//   npm run bench -- --no-docs          do not rewrite docs/benchmarks.md
//
// Contenders: ours on the wasm backend (all hardware threads) and on the reference
// backend (capped: it is slow), PyTorch with OpenBLAS and with Debian's reference BLAS
// (tools/bench_torch.py; numpy for the gemm rows), TensorFlow.js with its wasm backend,
// brain.js, and onnxruntime-node for inference. A peer that is missing is skipped with
// the reason, never fails the run. Ratios: the peer's time per item divided by ours
// (wasm) — above 1, we are faster.

import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeBackend, setBackend, wasmBackend } from '../src/index.js';
import { createOurs } from './ours.js';
import { errorText, inProcessSession, measureWorkload, median, quantile, type Contender, type Measurement, type MeasureOptions } from './measure.js';
import { describeWorkload, flopsPerIteration, quickWorkload, selectWorkloads, type Workload } from './workloads.js';
import { PythonPeer, blasUnavailable, torchContender } from './peers/torch.js';
import { loadTfjs, tfjsContender } from './peers/tfjs.js';
import { brainContender, loadBrain } from './peers/brain.js';
import { loadOnnx, onnxContender } from './peers/onnx.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: '' },
    quick: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    'target-ms': { type: 'string' },
  },
});
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const quick = values.quick as boolean;
const workloads = selectWorkloads((values.only as string).split(',').map((s) => s.trim()).filter(Boolean)).map((w) => (quick ? quickWorkload(w) : w));
const opts: MeasureOptions = {
  targetMs: Number(values['target-ms'] ?? (quick ? 300 : 4000)),
  rounds: quick ? 1 : 4,
  warmupMs: quick ? 50 : 600,
  slowIterMs: 8000,
  capMs: quick ? 5000 : 30_000,
  log,
};
const threads = availableParallelism();

// ---- contenders ---------------------------------------------------------------------------
const notes: string[] = [];
const contenders: Contender[] = [];

function oursContender(backend: 'wasm' | 'ref'): Contender {
  return {
    id: `ours:${backend}`,
    ours: true,
    label: () => (backend === 'wasm' ? `recurrent wasm ${wasmBackend()?.threads ?? 1}t` : 'recurrent ref (plain TS) 1t'),
    supports: () => true,
    async open(w: Workload) {
      setBackend(backend);
      const runner = createOurs(w);
      return inProcessSession(() => runner.step(), () => {}, () => setBackend(backend));
    },
  };
}

const wasm = wasmBackend();
if (wasm) {
  await wasm.whenReady();
  contenders.push(oursContender('wasm'));
} else {
  notes.push('our wasm backend is not available on this engine');
}
contenders.push(oursContender('ref'));
setBackend(wasm ? 'wasm' : 'ref');
const oursDescription = describeBackend();

const peers: PythonPeer[] = [];
for (const blas of ['openblas', 'reference'] as const) {
  const why = blasUnavailable(blas);
  if (why) {
    notes.push(`PyTorch with ${blas} BLAS skipped: ${why}`);
    continue;
  }
  const peer = new PythonPeer(blas, threads);
  try {
    await peer.start();
    peers.push(peer);
    contenders.push(torchContender(peer));
  } catch (e) {
    notes.push(`PyTorch (${blas}) skipped: ${errorText(e)}`);
    await peer.stop();
  }
}
let tfjsInfo = '';
try {
  const t = await loadTfjs();
  tfjsInfo = `@tensorflow/tfjs ${t.info.version}, backend ${t.info.backend}, threads ${t.info.threads}, SIMD ${t.info.simd}`;
  contenders.push(tfjsContender(t));
} catch (e) {
  notes.push(`TensorFlow.js skipped: ${errorText(e)}`);
}
try {
  contenders.push(brainContender(loadBrain()));
} catch (e) {
  notes.push(`brain.js skipped: ${errorText(e)}`);
}
try {
  const o = await loadOnnx(peers[0] ?? null);
  contenders.push(onnxContender(o, threads));
} catch (e) {
  notes.push(`onnxruntime-node skipped: ${errorText(e)}`);
}

// ---- measurement ----------------------------------------------------------------------------
// Projection of a contender's time on a workload from its ms per flop on earlier ones.
const msPerFlop = new Map<string, number>();
const project = (w: Workload) => (c: Contender): number | null => {
  const r = msPerFlop.get(c.id);
  return r === undefined ? null : r * flopsPerIteration(w);
};

const all: Measurement[][] = [];
const t0 = Date.now();
for (const w of workloads) {
  log(`${w.name}: ${describeWorkload(w)}`);
  const ms = await measureWorkload(w, contenders, opts, project(w));
  for (const m of ms) {
    if (m.samples.length > 0) msPerFlop.set(m.contender.id, Math.max(msPerFlop.get(m.contender.id) ?? 0, median(m.samples) / flopsPerIteration(w)));
  }
  all.push(ms);
  printTable(w, ms);
}
for (const p of peers) await p.stop();
log(`done in ${((Date.now() - t0) / 60000).toFixed(1)} min`);

// ---- report ---------------------------------------------------------------------------------
function rows(w: Workload, ms: Measurement[]): string[][] {
  const ours = ms.find((m) => m.contender.id === 'ours:wasm' && m.samples.length > 0) ?? ms.find((m) => m.contender.ours && m.samples.length > 0);
  const oursPerItem = ours ? median(ours.samples) / ours.itemsPerIteration : null;
  return ms.map((m) => {
    if (m.samples.length === 0) return [m.label, '—', '—', '—', m.skipped ?? 'no samples'];
    const med = median(m.samples);
    const perItem = med / m.itemsPerIteration;
    const rate = w.kind === 'gemm' ? `${((m.itemsPerIteration / med) / 1e6).toFixed(1)} GFLOP/s` : `${Math.round((m.itemsPerIteration / med) * 1000).toLocaleString('en-US')} items/s`;
    const spread = m.samples.length > 2 ? `±${(((quantile(m.samples, 0.75) - quantile(m.samples, 0.25)) / 2 / med) * 100).toFixed(0)}%` : '';
    const ratio = oursPerItem === null || m === ours ? (m === ours ? '1 (reference row)' : '—') : `${(perItem / oursPerItem).toFixed(2)}×`;
    return [m.label, `${med < 10 ? med.toFixed(2) : med.toFixed(0)} ${spread}`.trim(), rate, ratio, `${m.samples.length} iterations${m.cold ? ' (one cold run)' : ''}`];
  });
}

function printTable(w: Workload, ms: Measurement[]): void {
  const header = ['contender', 'ms/iteration', 'throughput', 'peer time ÷ ours', 'notes'];
  const body = rows(w, ms);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] as string).length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  console.log(`\n${w.name} — ${describeWorkload(w)}`);
  console.log(line(header));
  for (const r of body) console.log(line(r));
}

function markdown(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const torch = peers.map((p) => `PyTorch ${p.info?.torch} (numpy ${p.info?.numpy}) with ${p.describeBlas()}, ${p.info?.threads} threads, probe sgemm 512: ${p.info?.probe_sgemm512_gflops.toFixed(1)} GFLOP/s`);
  const out: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\`${quick ? ' --quick (small shapes: a smoke run, not a result)' : ''} on ${new Date().toISOString().slice(0, 10)}. Every contender is measured in the same run,`,
    'interleaved in rounds, on the same workloads; the figure is the median iteration. "peer time ÷ ours" is the peer\'s',
    'time per item (batch × steps; brain.js: one sequence of T steps) divided by ours on the wasm backend: above 1, we are faster.',
    '',
    '## Machine',
    '',
    `- CPU: ${cpu}, ${threads} hardware threads, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- Node ${process.versions.node} (V8 ${process.versions.v8})`,
    `- recurrent: ${oursDescription}`,
    ...torch.map((t) => `- ${t}`),
    ...(tfjsInfo ? [`- ${tfjsInfo}`] : []),
    ...notes.map((n) => `- note: ${n}`),
    '',
  ];
  all.forEach((ms, i) => {
    const w = workloads[i] as Workload;
    out.push(`## ${w.name}`, '', describeWorkload(w), '', '| contender | ms/iteration | throughput | peer time ÷ ours | notes |', '| --- | --- | --- | --- | --- |');
    for (const r of rows(w, ms)) out.push(`| ${r.join(' | ')} |`);
    out.push('');
  });
  return out.join('\n');
}

if (!values['no-docs'] && !quick) {
  const path = join(root, 'docs', 'benchmarks.md');
  writeFileSync(path, markdown());
  log(`wrote ${path}`);
}
for (const n of notes) log(`note: ${n}`);
process.exit(0);
