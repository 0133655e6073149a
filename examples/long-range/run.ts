// The long-range benchmarks that tell recurrent architectures apart (npm run tasks):
// the adding problem at T = 50, 100, 200, 400, the copy-memory task and the Clockwork RNN
// paper's sequence generation, each trained with the vanilla RNN, LSTM, GRU, Clockwork
// RNN, IndRNN and minGRU under the same budget; plus the per-step gradient norm
// ‖∂L/∂h_t‖ at initialisation (the vanishing-gradient picture) and the Clockwork RNN's
// cost per step against a full RNN of the same size.
// Writes docs/long-range.md, docs/long-range/results.json and the figures.
//
//   npm run tasks                       # everything (about an hour on 2 cores)
//   npm run tasks -- --quick            # a few steps of each, to check it runs
//   npm run tasks -- --only adding --lengths 200 --models lstm,gru,rnn
//   Two processes in parallel (one thread each), then one report from both:
//   RECURRENT_THREADS=1 npm run tasks -- --models lstm,gru --tag a &
//   RECURRENT_THREADS=1 npm run tasks -- --models rnn,clockwork,indrnn,mingru --tag b --skip-extras &
//   wait; npm run tasks -- --report

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  RNN, LSTM, GRU, ClockworkRNN, IndRNN, MinGRU, Linear, Adam, Generator, Tensor, clipGradNorm, crossEntropy, lastStep, mseLoss, noGrad,
  reshape, addingProblem, copyMemory, generationTarget, describeBackend, manualSeed, type Module,
} from '../../src/index.js';
import { lineChartSVG } from '../../src/node/plot.js';

const program = new Command()
  .option('--quick', 'a handful of steps per run (smoke test)')
  .option('--only <task>', 'adding, copy, generation, gradients or cost')
  .option('--lengths <list>', 'adding-problem lengths', '50,100,200,400')
  .option('--models <list>', 'models to train', 'rnn,lstm,gru,clockwork,indrnn,mingru')
  .option('--seconds <n>', 'time budget per run (default: by task and length, see BUDGET)')
  .option('--out <dir>', 'where results go', 'docs')
  .option('--tag <name>', 'results file suffix (results-<tag>.json), for runs split across processes', 'main')
  .option('--skip-extras', 'skip the gradient-norm figure and the cost measurement')
  .option('--report', 'only write docs/long-range.md and the figures from the results files present')
  .parse();
const opts = program.opts<{ quick?: boolean; only?: string; lengths: string; models: string; seconds?: string; out: string; tag: string; skipExtras?: boolean; report?: boolean }>();
const quick = Boolean(opts.quick);
/** Seconds per run: enough for the LSTM and GRU to get off the adding problem's plateau at T = 200. */
function budget(task: string, T: number): number {
  if (quick) return 5;
  if (opts.seconds) return Number(opts.seconds);
  if (task === 'adding') return T <= 100 ? 600 : T <= 200 ? 900 : 600;
  return task === 'copy' ? 300 : 240;
}
/** Updates per run, the same for every model: the budget that matters for learning. */
function maxSteps(task: string, T: number): number {
  if (quick) return 10;
  if (task === 'adding') return T <= 200 ? 6000 : 3000;
  return task === 'copy' ? 4000 : 3000;
}
const modelNames = opts.models.split(',');
const H = 64;
const outDir = opts.out;
mkdirSync(`${outDir}/long-range`, { recursive: true });

type Recurrent = Module & { forward(x: Tensor): [Tensor, unknown] };
interface Net {
  rnn: Recurrent;
  head: Linear;
  params: Tensor[];
  /** Called after each optimizer step (IndRNN's recurrent-weight bound). */
  after?: () => void;
}

function makeNet(name: string, inputSize: number, outputs: number, T: number, g: Generator): Net {
  const common = { inputSize, hiddenSize: H, generator: g };
  let rnn: Recurrent;
  let after: (() => void) | undefined;
  switch (name) {
    case 'rnn': rnn = new RNN(common) as unknown as Recurrent; break;
    case 'lstm': rnn = new LSTM(common) as unknown as Recurrent; break;
    case 'gru': rnn = new GRU(common) as unknown as Recurrent; break;
    case 'clockwork': rnn = new ClockworkRNN({ ...common, periods: [1, 2, 4, 8, 16, 32, 64, 128] }) as unknown as Recurrent; break;
    case 'indrnn': {
      // The paper's setting for the adding problem: relu, |u| ≤ 2^(1/T).
      const m = new IndRNN({ ...common, recurrentInit: [0, 1], recurrentMax: 2 ** (1 / T) });
      m.constrainRecurrent_();
      after = () => m.constrainRecurrent_();
      rnn = m as unknown as Recurrent;
      break;
    }
    case 'mingru': rnn = new MinGRU(common) as unknown as Recurrent; break;
    default: throw new Error(`unknown model ${name}`);
  }
  const head = new Linear(H, outputs, { generator: g });
  return { rnn, head, params: [...rnn.parameters(), ...head.parameters()], ...(after ? { after } : {}) };
}

const LABEL: Record<string, string> = { rnn: 'vanilla RNN', lstm: 'LSTM', gru: 'GRU', clockwork: 'Clockwork RNN', indrnn: 'IndRNN', mingru: 'minGRU' };

interface RunResult {
  task: string;
  model: string;
  T: number;
  steps: number;
  seconds: number;
  /** Final validation metric: MSE (adding), accuracy on the copied symbols (copy), NMSE (generation). */
  metric: number;
  /** Loss at the end (validation MSE or cross-entropy). */
  loss: number;
  /** Step at which the task counted as solved, or null. */
  solvedAt: number | null;
  /** The run's time budget (s). */
  budget: number;
  curve: [number, number][];
}

function train(
  task: string, model: string, T: number, net: Net, lr: number,
  batch: () => { loss: Tensor },
  evaluate: () => { loss: number; metric: number; solved: boolean },
  maxSteps: number, evalEvery: number,
): RunResult {
  const opt = new Adam(net.params, { lr });
  const budgetSeconds = budget(task, T);
  const t0 = performance.now();
  const curve: [number, number][] = [];
  let solvedAt: number | null = null;
  let last = evaluate();
  curve.push([0, last.loss]);
  let step = 0;
  while (step < maxSteps && (performance.now() - t0) / 1000 < budgetSeconds) {
    const { loss } = batch();
    opt.zeroGrad();
    loss.backward();
    clipGradNorm(net.params, 1);
    opt.step();
    net.after?.();
    step++;
    if (step % evalEvery === 0) {
      last = evaluate();
      curve.push([step, last.loss]);
      process.stdout.write(`  ${task} T=${T} ${model} step ${step}: loss ${last.loss.toFixed(4)} metric ${last.metric.toFixed(4)}\n`);
      if (last.solved) {
        solvedAt = step;
        break;
      }
      if (!Number.isFinite(last.loss)) break;
    }
  }
  if (step % evalEvery !== 0) {
    last = evaluate();
    curve.push([step, last.loss]);
  }
  const r = { task, model, T, steps: step, seconds: (performance.now() - t0) / 1000, budget: budgetSeconds, metric: last.metric, loss: last.loss, solvedAt, curve };
  saveResult(r);
  return r;
}

const resultsFile = `${outDir}/long-range/results-${opts.tag}.json`;
const saved: { results: RunResult[]; gradientNorms: unknown; clockworkCost: unknown } = { results: [], gradientNorms: null, clockworkCost: null };
function saveResult(r: RunResult): void {
  saved.results.push(r);
  writeFileSync(resultsFile, `${JSON.stringify({ date: new Date().toISOString(), backend: describeBackend(), hidden: H, ...saved })}\n`);
}

function addingRun(model: string, T: number): RunResult {
  const g = new Generator(1000 + T);
  const data = new Generator(2000 + T);
  const net = makeNet(model, 2, 1, T, g);
  const val = addingProblem(T, 512, new Generator(3000 + T));
  const predict = (x: Tensor): Tensor => net.head.forward(lastStep(net.rnn.forward(x)[0]));
  return train('adding', model, T, net, 2e-3,
    () => {
      const b = addingProblem(T, 32, data);
      return { loss: mseLoss(predict(b.x), b.y) };
    },
    () => noGrad(() => {
      const mse = mseLoss(predict(val.x), val.y).item();
      return { loss: mse, metric: mse, solved: mse < 0.01 };
    }),
    maxSteps('adding', T), quick ? 5 : 100);
}

function oneHot(ids: Tensor, classes: number): Tensor {
  const [T, B] = ids.shape as [number, number];
  const x = new Tensor(new Float32Array(T * B * classes), [T, B, classes]);
  for (let i = 0; i < T * B; i++) x.data[i * classes + (ids.data[i] as number)] = 1;
  return x;
}

function copyRun(model: string, T: number): RunResult {
  const K = 8;
  const L = 10;
  const g = new Generator(4000 + T);
  const data = new Generator(5000 + T);
  const net = makeNet(model, K + 2, K + 1, T + 2 * L, g);
  const val = copyMemory(T, 256, new Generator(6000 + T), { symbols: K, length: L });
  const logits = (ids: Tensor): Tensor => {
    const y = net.head.forward(net.rnn.forward(oneHot(ids, K + 2))[0]);
    return reshape(y, [-1, K + 1]);
  };
  return train('copy', model, T, net, 2e-3,
    () => {
      const b = copyMemory(T, 32, data, { symbols: K, length: L });
      return { loss: crossEntropy(logits(b.x), reshape(b.y, [-1])) };
    },
    () => noGrad(() => {
      const lg = logits(val.x);
      const loss = crossEntropy(lg, reshape(val.y, [-1])).item();
      // Accuracy on the copied symbols (the last L steps).
      const total = T + 2 * L;
      const B = 256;
      let right = 0;
      for (let t = T + L; t < total; t++) {
        for (let b = 0; b < B; b++) {
          const row = (t * B + b) * (K + 1);
          let best = 0;
          for (let c = 1; c <= K; c++) if ((lg.data[row + c] as number) > (lg.data[row + best] as number)) best = c;
          if (best === val.y.data[t * B + b]) right++;
        }
      }
      const acc = right / (L * B);
      return { loss, metric: acc, solved: acc > 0.99 };
    }),
    maxSteps('copy', T), quick ? 5 : 100);
}

function generationRun(model: string): RunResult {
  const target = generationTarget(320);
  const T = target.length;
  const g = new Generator(7000);
  const net = makeNet(model, 1, 1, T, g);
  const x = new Tensor(new Float32Array(T), [T, 1, 1]); // no input
  const y = new Tensor(Float32Array.from(target), [T, 1, 1]);
  const variance = target.reduce((a, v) => a + v * v, 0) / T - (target.reduce((a, v) => a + v, 0) / T) ** 2;
  const predict = (): Tensor => net.head.forward(net.rnn.forward(x)[0]);
  return train('generation', model, T, net, 3e-3,
    () => ({ loss: mseLoss(predict(), y) }),
    () => noGrad(() => {
      const mse = mseLoss(predict(), y).item();
      return { loss: mse, metric: mse / variance, solved: false };
    }),
    maxSteps('generation', T), quick ? 5 : 100);
}

async function gradientNorms(): Promise<{ T: number; series: Record<string, number[]> }> {
  const T = 200;
  const batch = addingProblem(T, 64, new Generator(9));
  const series: Record<string, number[]> = {};
  for (const [name, make] of [
    ['vanilla RNN', (g: Generator) => new RNN({ inputSize: 2, hiddenSize: H, generator: g })],
    ['LSTM', (g: Generator) => new LSTM({ inputSize: 2, hiddenSize: H, generator: g })],
    ['GRU', (g: Generator) => new GRU({ inputSize: 2, hiddenSize: H, generator: g })],
  ] as const) {
    const g = new Generator(10);
    const rnn = make(g);
    const head = new Linear(H, 1, { generator: g });
    rnn.recordStepGrads = true;
    const [out] = rnn.forward(batch.x) as [Tensor, unknown];
    mseLoss(head.forward(lastStep(out)), batch.y).backward();
    series[name] = Array.from((rnn.stepGradNorms[0] as { norms: Float64Array }).norms);
  }
  const svg = await lineChartSVG(Object.entries(series).map(([name, n]) => ({ name, points: n.map((v, t) => [t, v] as [number, number]) })), {
    title: `‖∂L/∂h_t‖ at initialisation, adding problem T = ${T} (loss on the last step)`, xLabel: 'time step t', yLabel: '‖∂L/∂h_t‖ (log scale)', logY: true,
  });
  writeFileSync(`${outDir}/long-range/grad-norms.svg`, svg);
  return { T, series };
}

function clockworkCost(): { full: number; clockwork: number; ratio: number } {
  const T = 200;
  const x = addingProblem(T, 32, new Generator(11)).x;
  const time = (m: Recurrent): number => {
    const runs: number[] = [];
    for (let i = 0; i < (quick ? 2 : 12); i++) {
      const t0 = performance.now();
      const [y] = m.forward(x) as [Tensor, unknown];
      mseLoss(y, new Tensor(new Float32Array(y.size), y.shape)).backward();
      runs.push(performance.now() - t0);
    }
    runs.sort((a, b) => a - b);
    return runs[Math.floor(runs.length / 2)] as number;
  };
  // Same code path, same size: one group of period 1 updates all 64 units at every step.
  const full = new ClockworkRNN({ inputSize: 2, hiddenSize: H, periods: [1], generator: new Generator(12) }) as unknown as Recurrent;
  const cw = new ClockworkRNN({ inputSize: 2, hiddenSize: H, periods: [1, 2, 4, 8, 16, 32, 64, 128], generator: new Generator(12) }) as unknown as Recurrent;
  time(full);
  time(cw);
  const a = time(full);
  const b = time(cw);
  return { full: a, clockwork: b, ratio: a / b };
}

async function main(): Promise<void> {
  manualSeed(1);
  const started = Date.now();
  const only = opts.only;
  if (!opts.report) {
    if (!opts.skipExtras && (!only || only === 'gradients')) saved.gradientNorms = await gradientNorms();
    if (!opts.skipExtras && (!only || only === 'cost')) saved.clockworkCost = clockworkCost();
    if (!only || only === 'adding') {
      const lengths = opts.lengths.split(',').map(Number);
      // T = 200 first: it is the length the comparison hinges on.
      for (const T of [...lengths.filter((t) => t === 200), ...lengths.filter((t) => t !== 200)]) for (const m of modelNames) addingRun(m, T);
    }
    if (!only || only === 'copy') for (const m of modelNames) copyRun(m, 50);
    if (!only || only === 'generation') for (const m of modelNames) generationRun(m);
    process.stdout.write(`runs done in ${((Date.now() - started) / 60000).toFixed(1)} min\n`);
  }
  if (quick) return;
  // The report: every results file of the directory (runs may have been split across processes).
  const files = readdirSync(`${outDir}/long-range`).filter((f) => /^results-.*\.json$/.test(f));
  const all = files.map((f) => JSON.parse(readFileSync(`${outDir}/long-range/${f}`, 'utf8')) as typeof saved & { date: string; backend: string });
  const results = all.flatMap((a) => a.results);
  const grads = (all.find((a) => a.gradientNorms)?.gradientNorms ?? null) as Awaited<ReturnType<typeof gradientNorms>> | null;
  const cost = (all.find((a) => a.clockworkCost)?.clockworkCost ?? null) as ReturnType<typeof clockworkCost> | null;
  const t200 = results.filter((r) => r.task === 'adding' && r.T === 200);
  if (t200.length) {
    writeFileSync(`${outDir}/long-range/adding-200.svg`, await lineChartSVG(t200.map((r) => ({ name: LABEL[r.model] ?? r.model, points: r.curve })), {
      title: 'adding problem, T = 200: validation MSE', xLabel: 'training step (batch of 32)', yLabel: 'MSE (log scale)', logY: true,
    }));
  }
  const gen = results.filter((r) => r.task === 'generation');
  if (gen.length) {
    writeFileSync(`${outDir}/long-range/generation.svg`, await lineChartSVG(gen.map((r) => ({ name: LABEL[r.model] ?? r.model, points: r.curve })), {
      title: 'sequence generation (320 samples, no input): MSE', xLabel: 'training step', yLabel: 'MSE (log scale)', logY: true,
    }));
  }
  const minutes = results.reduce((a, r) => a + r.seconds, 0) / 60;
  writeFileSync(`${outDir}/long-range.md`, report(results, grads, cost, minutes, all.map((a) => a.backend)[0] ?? describeBackend()));
  process.stdout.write(`wrote ${outDir}/long-range.md from ${files.join(', ')}\n`);
}

function report(results: RunResult[], grads: Awaited<ReturnType<typeof gradientNorms>> | null, cost: ReturnType<typeof clockworkCost> | null, minutes: number, backend: string): string {
  const models = [...new Set(results.map((r) => r.model))].sort((a, b) => Object.keys(LABEL).indexOf(a) - Object.keys(LABEL).indexOf(b));
  const lines: string[] = [
    '# Long-range tasks', '',
    '<!-- Generated by examples/long-range/run.ts (npm run tasks); do not edit by hand. -->', '',
    `Generated on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC from ${minutes.toFixed(0)} minutes of training (${backend.split(',')[0]}).`,
    `Every model has ${H} hidden units (Clockwork RNN: 8 groups of 8, periods 1, 2, 4, …, 128; IndRNN: relu, |u| ≤ 2^(1/T)), a linear head, Adam (learning rate 0.002; 0.003 for generation),`,
    'gradient-norm clipping at 1, batches of 32, and for each task and length the same number of updates for every model (6000 for the adding problem up to T = 200, 3000 at T = 400, 4000 for copy memory, 3000 for generation; a time limit guards each run).',
    'A run stops as soon as it counts as solved. One seed per run: these are single runs, not averages.', '',
  ];
  const adding = results.filter((r) => r.task === 'adding');
  if (adding.length) {
    const Ts = [...new Set(adding.map((r) => r.T))].sort((a, b) => a - b);
    lines.push('## Adding problem', '',
      'Validation MSE on 512 fixed sequences at the end of the run (baseline: always predicting 1 gives 0.167); solved = MSE < 0.01, with the step at which it got there.',
      'Each cell: final validation MSE, then the step at which it was solved or the steps run, then the wall-clock time of the run (single thread; two or three runs shared the two cores, so times compare only roughly). A time limit per run (600–900 s) stops some slow layers before their update budget.', '',
      `| model | ${Ts.map((T) => `T = ${T}`).join(' | ')} |`, `| --- | ${Ts.map(() => '---').join(' | ')} |`);
    for (const m of models) {
      lines.push(`| ${LABEL[m]} | ${Ts.map((T) => {
        const r = adding.find((x) => x.model === m && x.T === T);
        if (!r) return '—';
        return `${r.metric.toFixed(4)} ${r.solvedAt !== null ? `**solved at step ${r.solvedAt}**` : `(not solved in ${r.steps} steps)`}, ${r.seconds.toFixed(0)} s`;
      }).join(' | ')} |`);
    }
    lines.push('', '![validation MSE at T = 200](long-range/adding-200.svg)', '');
  }
  const copy = results.filter((r) => r.task === 'copy');
  if (copy.length) {
    const T = copy[0]?.T as number;
    lines.push('## Copy memory', '', `Delay T = ${T}, 10 symbols out of 8 to reproduce after the delimiter. Accuracy on the copied symbols (chance: 12.5 %) and cross-entropy per step (chance level: ${((10 * Math.log(8)) / (T + 20)).toFixed(3)}).`, '',
      '| model | accuracy | cross-entropy | steps | time |', '| --- | --- | --- | --- | --- |');
    for (const r of copy) lines.push(`| ${LABEL[r.model]} | ${(100 * r.metric).toFixed(1)} % | ${r.loss.toFixed(4)} | ${r.steps}${r.solvedAt !== null ? ' (solved)' : ''} | ${r.seconds.toFixed(0)} s |`);
    lines.push('');
  }
  const gen = results.filter((r) => r.task === 'generation');
  if (gen.length) {
    lines.push('## Sequence generation', '', `One waveform of 320 samples (src/data/tasks.ts: generationTarget) produced from no input; normalised MSE (MSE / variance of the target) at the end.`, '',
      '| model | NMSE | steps | time |', '| --- | --- | --- | --- |');
    for (const r of gen) lines.push(`| ${LABEL[r.model]} | ${r.metric < 1e-3 ? r.metric.toExponential(2) : r.metric.toFixed(4)} | ${r.steps} | ${r.seconds.toFixed(0)} s |`);
    lines.push('', '![generation MSE](long-range/generation.svg)', '');
  }
  if (grads) {
    const at = (name: string, t: number): string => (grads.series[name]?.[t] ?? NaN).toExponential(2);
    lines.push('## Vanishing gradients, measured', '',
      `‖∂L/∂h_t‖ at initialisation on a batch of the adding problem (T = ${grads.T}, loss on the last step only), for every step t:`, '',
      '| model | t = 0 | t = 50 | t = 100 | t = 150 | t = 199 |', '| --- | --- | --- | --- | --- | --- |',
      ...Object.keys(grads.series).map((n) => `| ${n} | ${[0, 50, 100, 150, 199].map((t) => at(n, t)).join(' | ')} |`), '',
      '![gradient norms](long-range/grad-norms.svg)', '');
  }
  if (cost) {
    lines.push('## Clockwork RNN: cost per step', '',
      `Forward + backward over T = 200, batch 32, 64 units, same code path: all units every step (periods [1]) ${cost.full.toFixed(1)} ms, 8 groups with periods 1 … 128 ${cost.clockwork.toFixed(1)} ms: ${cost.ratio.toFixed(2)}× cheaper.`, '');
  }
  return `${lines.join('\n')}\n`;
}

await main();
