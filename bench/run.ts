// `npm run bench`: measures `recurrent` and its peers on the same workloads in one run,
// interleaved (bench/measure.ts), prints a table per workload and a summary of the
// ratios, and writes docs/benchmarks.md with the machine description.
//
//   npm run bench                          everything (about 8 minutes on 2 cores); rewrites docs/benchmarks.md
//   npm run bench -- --quick               small shapes, short timing: a smoke run (docs untouched)
//   npm run bench -- --only lstm-train-b32,gemm
//   npm run bench -- --backends native     only our native backend (default: native, wasm and ref)
//   npm run bench -- --write-docs          rewrite docs/benchmarks.md even for --quick / --only
//   npm run bench -- --no-docs             never rewrite docs/benchmarks.md
//   npm run bench -- --target-ms 2000      timed milliseconds per contender and workload
//
// Contenders: ours on the native backend (Node addon, all hardware threads), on the wasm
// backend (all hardware threads) and on the reference
// backend (capped: it is slow), PyTorch with OpenBLAS and with Debian's reference BLAS
// (tools/bench_torch.py, one process each, the BLAS chosen for that process only; numpy
// for the gemm rows), TensorFlow.js with its wasm backend, brain.js, and
// onnxruntime-node for inference. A peer that is missing is skipped with the reason,
// never fails the run; a contender whose projected time per iteration is over the cap
// is skipped with its projection. Ratios: the peer's time per item divided by ours, on
// the native backend (the Node default) and on the wasm backend (what browsers run) —
// above 1, we are faster.

import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setBackend } from '../src/index.js';
import { selectOursBackends } from './backends.js';
import { oursContender } from './ours.js';
import { errorText, measureWorkload, median, quantile, type Contender, type Measurement, type MeasureOptions } from './measure.js';
import { WORKLOADS, describeWorkload, flopsPerIteration, quickWorkload, selectWorkloads, type Workload } from './workloads.js';
import { PythonPeer, blasUnavailable, torchContender } from './peers/torch.js';
import { loadTfjs, tfjsContender } from './peers/tfjs.js';
import { brainContender, loadBrain } from './peers/brain.js';
import { loadOnnx, onnxContender, type Onnx } from './peers/onnx.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run bench -- [--quick] [--only name,...] [--backends native,wasm,ref] [--write-docs | --no-docs] [--target-ms N]
workloads: gemm (all sizes), ${WORKLOADS.map((w) => w.name).join(', ')}`;

let values: {
  only: string; quick: boolean; 'write-docs': boolean; 'no-docs': boolean; backends: string; help: boolean; 'target-ms'?: string | undefined;
};
let workloads: Workload[];
try {
  values = parseArgs({
    options: {
      only: { type: 'string', default: '' },
      quick: { type: 'boolean', default: false },
      'write-docs': { type: 'boolean', default: false },
      'no-docs': { type: 'boolean', default: false },
      backends: { type: 'string', default: '' },
      'target-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values as typeof values;
  workloads = selectWorkloads(values.only.split(',').map((s) => s.trim()).filter(Boolean));
} catch (e) {
  console.error(`${errorText(e)}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = values.quick;
if (quick) workloads = workloads.map(quickWorkload);
const fullRun = !quick && values.only === '';
const writeDocs = values['write-docs'] || (fullRun && !values['no-docs']);

const log = (s: string): void => void process.stderr.write(`${s}\n`);
const opts: MeasureOptions = {
  targetMs: Number(values['target-ms'] ?? (quick ? 300 : 4000)),
  rounds: quick ? 1 : 4,
  warmupMs: quick ? 50 : 600,
  slowIterMs: 8000,
  capMs: quick ? 5000 : 30_000,
  log,
};
const threads = availableParallelism();
const GEMM_NOTE = 'In the gemm rows the torch columns are numpy (np.matmul) in the same Python process, on the same BLAS; items/s is GFLOP/s there. In the esn rows they are SciPy (CSR matrix) and NumPy in float64 with the same reservoir and readout; items are reservoir steps.';
const DETAIL_HEADER = ['contender', 'ms/iteration', 'throughput', 'time ÷ ours native', 'time ÷ ours wasm', 'notes'];
const started = new Date();

// ---- contenders ---------------------------------------------------------------------------
const notes: string[] = [];
const contenders: Contender[] = [];

const ours = await selectOursBackends(values.backends.split(',').map((s) => s.trim()).filter(Boolean));
notes.push(...ours.notes);
for (const b of ours.names) contenders.push(oursContender(b));
setBackend(ours.names[0] ?? 'ref');

const peers: PythonPeer[] = [];
for (const blas of ['openblas', 'reference'] as const) {
  const why = blasUnavailable(blas);
  if (why) {
    notes.push(`PyTorch with ${blas} BLAS skipped: ${why}`);
    log(`PyTorch with ${blas} BLAS skipped: ${why}`);
    continue;
  }
  // One process per thread count: the machine's threads, and 1 for the single-thread rows (OpenBLAS only).
  const counts = [threads, ...(blas === 'openblas' && threads > 1 && workloads.some((w) => w.threads === 1) ? [1] : [])];
  for (const n of counts) {
    const peer = new PythonPeer(blas, n);
    try {
      await peer.start();
      peers.push(peer);
      contenders.push(torchContender(peer, threads));
    } catch (e) {
      notes.push(`PyTorch (${blas} BLAS, ${n} threads) skipped: ${errorText(e)}`);
      log(`PyTorch (${blas} BLAS, ${n} threads) skipped: ${errorText(e)}`);
      await peer.stop();
    }
  }
}
let tfjsInfo = '';
try {
  const t = await loadTfjs();
  tfjsInfo = `@tensorflow/tfjs ${t.info.version} with @tensorflow/tfjs-backend-wasm (backend ${t.info.backend}, ${t.info.threads} thread${t.info.threads === 1 ? '' : 's'}, SIMD ${t.info.simd}, multithread support ${t.info.multithread})`;
  contenders.push(tfjsContender(t));
} catch (e) {
  notes.push(`TensorFlow.js skipped: ${errorText(e)}`);
  log(`TensorFlow.js skipped: ${errorText(e)}`);
}
let brainInfo = '';
try {
  const b = loadBrain();
  brainInfo = `brain.js ${b.version} (plain JavaScript, one sequence per iteration)`;
  contenders.push(brainContender(b));
} catch (e) {
  notes.push(`brain.js skipped: ${errorText(e)}`);
  log(`brain.js skipped: ${errorText(e)}`);
}
let onnx: Onnx | null = null;
try {
  onnx = await loadOnnx(peers[0] ?? null);
  contenders.push(onnxContender(onnx, threads));
} catch (e) {
  notes.push(`onnxruntime-node skipped: ${errorText(e)}`);
  log(`onnxruntime-node skipped: ${errorText(e)}`);
}

// ---- measurement ----------------------------------------------------------------------------
// Projection of a contender's time on a workload from its (worst) ms per flop on earlier ones.
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
  console.log(`\n${w.name} — ${describeWorkload(w)}`);
  console.log(textTable(DETAIL_HEADER, detailRows(w, ms)));
}
for (const p of peers) await p.stop();
onnx?.cleanup();
const minutes = (Date.now() - t0) / 60000;

// ---- report ---------------------------------------------------------------------------------
function fmtMs(ms: number): string {
  return ms < 1 ? ms.toPrecision(2) : ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** Our measurement on one backend (the reference row of a ratio column), if it ran. */
function reference(ms: readonly Measurement[], id: RefId): Measurement | undefined {
  return ms.find((m) => m.contender.id === id && m.samples.length > 0);
}

type RefId = 'ours:native' | 'ours:wasm';

/** Peer time per item ÷ ours time per item; null when either is missing. */
function ratio(m: Measurement, ref: Measurement | undefined): number | null {
  if (!ref || m.samples.length === 0) return null;
  return median(m.samples) / m.itemsPerIteration / (median(ref.samples) / ref.itemsPerIteration);
}

function throughput(w: Workload, m: Measurement): string {
  const perSecond = (m.itemsPerIteration / median(m.samples)) * 1000;
  return w.kind === 'gemm' ? `${(perSecond / 1e9).toFixed(1)} GFLOP/s` : `${Math.round(perSecond).toLocaleString('en-US')} items/s`;
}

function detailRows(w: Workload, ms: readonly Measurement[]): string[][] {
  const refs = (['ours:native', 'ours:wasm'] as const).map((id) => reference(ms, id));
  return ms.map((m) => {
    if (m.samples.length === 0) return [m.label, '—', '—', '—', '—', m.skipped ?? 'no samples'];
    const med = median(m.samples);
    const spread = m.samples.length > 2 ? ` ±${(((quantile(m.samples, 0.75) - quantile(m.samples, 0.25)) / 2 / med) * 100).toFixed(0)}%` : '';
    const rTexts = refs.map((ref) => {
      const r = ratio(m, ref);
      return m === ref ? '1 (reference row)' : r === null ? '—' : `${r.toFixed(2)}×`;
    });
    const perIter = m.itemsPerIteration !== (w.kind === 'gemm' ? 2 * w.n ** 3 : w.B * w.T) ? `; ${m.itemsPerIteration} items/iteration` : '';
    return [m.label, `${fmtMs(med)}${spread}`, throughput(w, m), ...rTexts, `${m.samples.length} iterations${m.cold ? ' (one cold run)' : ''}${perIter}`];
  });
}

/** Short column names for the summary. */
function shortName(c: Contender): string {
  if (c.id === 'ours:wasm') return 'recurrent wasm';
  if (c.id === 'ours:native') return 'recurrent native';
  if (c.id === 'ours:ref') return 'recurrent ref';
  if (c.id === 'torch:openblas:1' && threads > 1) return 'numpy OpenBLAS 1t';
  if (c.id.startsWith('torch:openblas')) return 'torch OpenBLAS';
  if (c.id.startsWith('torch:reference')) return 'torch ref-BLAS';
  if (c.id.startsWith('tfjs')) return 'tfjs-wasm';
  if (c.id === 'brain') return 'brain.js';
  if (c.id.startsWith('ort')) return 'onnxruntime';
  return c.id;
}

function cellFor(m: Measurement | undefined, ref: Measurement | undefined): string {
  if (!m) return '';
  const r = ratio(m, ref);
  if (r !== null) return m === ref ? '1' : `${r.toFixed(2)}×`;
  if (m.skipped?.startsWith('skipped: projected')) return `capped (${/projected (\d+ s)/.exec(m.skipped)?.[1] ?? '?'}/iter)`;
  if (m.skipped?.startsWith('fail')) return 'failed';
  return 'n/a';
}

/** One row per workload: ours (on backend `id`) ms and items/s, then each other contender's ratio; null without that backend. */
function summary(id: RefId): { header: string[]; rows: string[][] } | null {
  const ref = contenders.find((c) => c.id === id);
  if (!ref) return null;
  const others = contenders.filter((c) => c !== ref && all.some((ms) => ms.some((m) => m.contender === c && m.samples.length > 0)));
  const header = ['workload', `${shortName(ref)} ms/iter`, 'items/s (GFLOP/s)', ...others.map((c) => `${shortName(c)} ÷ ours`)];
  const rows = all.map((ms, i) => {
    const w = workloads[i] as Workload;
    const r = reference(ms, id);
    const first = r ? [fmtMs(median(r.samples)), throughput(w, r).replace(/ (items\/s|GFLOP\/s)$/, '')] : ['—', '—'];
    return [w.name, ...first, ...others.map((c) => cellFor(ms.find((m) => m.contender === c), r))];
  });
  return { header, rows };
}

/** sgemm GFLOP/s per size, one column per contender that ran it. */
function gemmTable(): { header: string[]; rows: string[][] } | null {
  const idx = workloads.map((w, i) => (w.kind === 'gemm' ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return null;
  const cols = contenders.filter((c) => idx.some((i) => (all[i] as Measurement[]).some((m) => m.contender === c && m.samples.length > 0)));
  const header = ['n', ...cols.map((c) => `${shortName(c)} GFLOP/s`)];
  const rows = idx.map((i) => {
    const w = workloads[i] as Workload;
    return [`${w.n}${w.threads ? ` (${w.threads} thread${w.threads > 1 ? 's' : ''})` : ''}`, ...cols.map((c) => {
      const m = (all[i] as Measurement[]).find((x) => x.contender === c);
      return m && m.samples.length > 0 ? ((m.itemsPerIteration / median(m.samples)) / 1e6).toFixed(1) : '—';
    })];
  });
  return { header, rows };
}

function textTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}

function mdTable(header: string[], body: string[][]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function tryRun(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function machine(): string[] {
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const flags = /^flags\s*:\s*(.*)$/m.exec(info)?.[1]?.split(' ') ?? [];
    const simd = ['avx512f', 'avx2', 'fma', 'avx'].filter((f) => flags.includes(f));
    if (simd.length > 0) cpu += ` (${simd.join(', ')})`;
  } catch {
    // not Linux
  }
  let systemBlas = 'unknown';
  try {
    systemBlas = realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3');
  } catch {
    // no system BLAS
  }
  const debTorch = tryRun('dpkg-query', ['-W', '-f=${Version}', 'python3-torch']);
  const lines = [
    `CPU: ${cpu}; ${threads} hardware threads; ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `OS: ${tryRun('uname', ['-sr']) ?? process.platform}`,
    `Node ${process.versions.node} (V8 ${process.versions.v8})`,
    ...ours.names.map((n) => `recurrent ${n} backend — ${ours.descriptions[n] ?? n}`),
    ...peers.map((p) => `PyTorch ${p.info?.torch}${debTorch ? ` (Debian python3-torch ${debTorch})` : ''}, numpy ${p.info?.numpy}, Python ${p.info?.python}: ${p.describeBlas()} (${(p.info?.blas_libs ?? []).join(', ') || 'no BLAS library mapped'}), ${p.info?.threads} threads, torch.mm 512³ probe ${p.info?.probe_sgemm512_gflops.toFixed(1)} GFLOP/s`),
    ...(peers.length > 0 ? [`BLAS selection: per Python process, by LD_LIBRARY_PATH (OpenBLAS: /usr/lib/x86_64-linux-gnu/openblas-pthread; reference: …/blas), with OMP_WAIT_POLICY=PASSIVE and OMP/OPENBLAS_NUM_THREADS=${threads}; the system-wide libblas.so.3 alternative is left as it is (now ${systemBlas})`] : []),
    ...(tfjsInfo ? [tfjsInfo] : []),
    ...(brainInfo ? [brainInfo] : []),
    ...(onnx ? [`onnxruntime-node ${onnx.version}, CPU execution provider, ${threads} intra-op threads (models exported by torch.onnx.export)`] : []),
  ];
  return lines;
}

const SUMMARIES: { id: RefId; title: string }[] = [
  { id: 'ours:native', title: 'Summary: the native backend (the default on Node)' },
  { id: 'ours:wasm', title: 'Summary: the wasm backend (browsers, and Node without the addon)' },
];

function markdown(): string {
  const g = gemmTable();
  const out: string[] = [
    '# Benchmarks',
    '',
    `<!-- Generated by bench/run.ts (npm run bench${quick ? ' -- --quick' : ''}); do not edit by hand: rerun it. -->`,
    '',
    `Generated by \`npm run bench\`${quick ? ' --quick (small shapes: a smoke run, not a result)' : ''}${values.only ? ` --only ${values.only}` : ''} on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${minutes.toFixed(1)} minutes.`,
    'Every contender is measured in the same run, on the same workloads (bench/workloads.ts), interleaved in rounds so that',
    'the noise of a shared machine falls on all alike; the figure is the median iteration. Items are batch × steps',
    '(brain.js has no batch: one sequence of T steps per iteration). "÷ ours" is the peer\'s time per item divided by',
    'ours — on the native backend in the first summary, on the wasm backend in the second: above 1, `recurrent` is faster;',
    'below 1, the peer is. A contender whose projected time per',
    `iteration (from its speed on an earlier workload) is over ${(opts.capMs / 1000).toFixed(0)} s is not run ("capped"); an iteration slower than`,
    `${(opts.slowIterMs / 1000).toFixed(0)} s is run once, cold.`,
    '',
    '## Machine',
    '',
    ...machine().map((l) => `- ${l}`),
    ...notes.map((n) => `- note: ${n}`),
    '',
  ];
  for (const { id, title } of SUMMARIES) {
    const s = summary(id);
    if (s) out.push(`## ${title}`, '', mdTable(s.header, s.rows), '');
  }
  out.push(GEMM_NOTE, '');
  if (g) out.push('## sgemm', '', 'C = A·B, n × n float32, single call; ours through `getBackend().gemm(...)`, numpy through `np.matmul(out=)`.', '', mdTable(g.header, g.rows), '');
  out.push('## Workloads', '');
  all.forEach((ms, i) => {
    const w = workloads[i] as Workload;
    out.push(`### ${w.name}`, '', describeWorkload(w), '', mdTable(DETAIL_HEADER, detailRows(w, ms)), '');
  });
  return out.join('\n');
}

for (const { id, title } of SUMMARIES) {
  const s = summary(id);
  if (!s) continue;
  console.log(`\n${title} — peer time per item ÷ ours: above 1, recurrent is faster`);
  console.log(textTable(s.header, s.rows));
}
if (workloads.some((w) => w.kind === 'gemm')) console.log(GEMM_NOTE);
const g = gemmTable();
if (g) {
  console.log('\nsgemm GFLOP/s');
  console.log(textTable(g.header, g.rows));
}
console.log('');
for (const l of machine()) console.log(l);
for (const n of notes) console.log(`note: ${n}`);
console.log(`done in ${minutes.toFixed(1)} min`);
if (writeDocs) {
  const path = join(root, 'docs', 'benchmarks.md');
  writeFileSync(path, `${markdown()}\n`);
  log(`wrote ${path}`);
} else {
  log(`docs/benchmarks.md not rewritten (${values['no-docs'] ? '--no-docs' : quick ? '--quick' : '--only'}; --write-docs forces it)`);
}
// tfjs's and our worker threads keep the event loop alive.
process.exit(0);
