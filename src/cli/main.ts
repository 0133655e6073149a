// The `recurrent` command line: demo, train, sample, eval, info, bench.
// Exit codes: 0 success, 1 runtime failure (bad file, bad data), 2 usage error (unknown
// option, bad value), 130 interrupted (Ctrl-C; a checkpoint was saved first).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { RnnError } from '../errors.js';
import { Generator } from '../util/rng.js';
import { Vocab } from '../data/vocab.js';
import { describeBackend } from '../backend/registry.js';
import { loadCheckpointWeights } from '../io/checkpoint.js';
import { loadCheckpoint, readFileBounded, saveCheckpoint, saveModule, writeFileAtomic } from '../node/files.js';
import { exportOnnx } from '../onnx/export.js';
import { mobyDick, usBirthsCsvPath } from '../node/datasets.js';
import { CharLM, sample } from '../models/char-lm.js';
import { SeriesModel } from '../models/series.js';
import { MAX_CSV_BYTES, evaluateSeries, prepareSeries, readCsvColumn, trainSeries } from './series-training.js';
import { CELL_TYPES, type CellType } from '../models/recurrent-factory.js';
import {
  DEFAULT_LM_TRAIN, OPTIMIZERS, SCHEDULES, countParameters, evaluateText, prepareText, trainLM,
  type EvalReport, type OptimizerName, type ScheduleName, type LMTrainConfig, type Reporter, type TrainResult,
} from './lm-training.js';

const CHECKPOINT_KIND = 'char-lm';
/** The demo's learning rate: after 343 updates (its 2.5 minutes here) validation loss is 1.75 nats/char at 4e-3 against 1.89 at 2e-3. */
const DEMO_LR = 4e-3;
/** Defaults of a time-series run: a one-layer LSTM of 64 units, windows of 64 values. */
const DEFAULT_SERIES_TRAIN: LMTrainConfig = {
  ...DEFAULT_LM_TRAIN, model: { embed: 0, hidden: 64, layers: 1 }, batch: 32, bptt: 64, lr: 3e-3, clip: 1, steps: 2000, seconds: 0, evalEvery: 100, sampleEvery: 0,
};
const MAX_CHECKPOINT_BYTES = 2 ** 31;

/** A failure to report in one line (exit 1), or a usage error (exit 2). */
class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** Where progress and results go: a progress bar and text, JSON lines, or only results. */
class Output {
  private bars: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  constructor(readonly o: OutputOptions) {}

  /** A result line (stdout; in JSON mode an object). */
  result(text: string, obj: Record<string, unknown>): void {
    if (this.o.json) process.stdout.write(`${JSON.stringify(obj)}\n`);
    else this.log(text);
  }

  /** A progress message (stderr; nothing when quiet, an event in JSON mode). */
  info(text: string, obj?: Record<string, unknown>): void {
    if (this.o.json) {
      if (obj) process.stdout.write(`${JSON.stringify(obj)}\n`);
    } else if (!this.o.quiet) {
      this.log(text, process.stderr);
    }
  }

  private log(text: string, stream: NodeJS.WriteStream = process.stdout): void {
    if (this.bars) this.bars.log(`${text}\n`);
    else stream.write(`${text}\n`);
  }

  startBar(): void {
    if (this.o.json || this.o.quiet || !process.stderr.isTTY) return;
    this.bars = new cliProgress.MultiBar({
      format: ' {bar} {percentage}% | step {step} | loss {loss} | {tps} tokens/s | {elapsed}s, ~{remaining}s left',
      barsize: 24, hideCursor: true, clearOnComplete: false, stream: process.stderr,
    }, cliProgress.Presets.shades_classic);
    this.bar = this.bars.create(1000, 0, { step: 0, loss: '—', tps: '—', elapsed: 0, remaining: '?' });
  }

  updateBar(progress: number, payload: Record<string, unknown>): void {
    this.bar?.update(Math.round(progress * 1000), payload);
  }

  stopBar(): void {
    this.bars?.stop();
    this.bars = null;
    this.bar = null;
  }
}

// ---- argument parsing helpers ---------------------------------------------------------------

function intArg(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got '${v}'`);
    return n;
  };
}

function numArg(name: string, positive = true) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || (positive ? n <= 0 : n < 0)) throw new InvalidArgumentError(`${name} must be a ${positive ? 'positive' : 'non-negative'} number, got '${v}'`);
    return n;
  };
}

function outputOptions(cmd: Command): Command {
  return cmd
    .option('-q, --quiet', 'only results, no progress')
    .option('--json', 'JSON lines on stdout (events and results), for scripts')
    .option('--verbose', 'stack traces on errors');
}

// ---- checkpoints --------------------------------------------------------------------------------

interface LMCheckpoint {
  model: CharLM;
  vocab: Vocab;
  step: number;
  optimizer: unknown;
  scheduler: unknown;
  config: LMTrainConfig;
}

function saveLM(path: string, r: TrainResult, vocab: Vocab, config: LMTrainConfig): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  saveCheckpoint(path, r.model, {
    step: r.steps,
    optimizer: r.optimizer.stateDict(),
    ...(r.schedule ? { scheduler: r.schedule.stateDict() } : {}),
    config: { kind: CHECKPOINT_KIND, vocab: vocab.toJSON(), train: config as unknown as Record<string, unknown> },
  });
}

function loadLM(path: string): LMCheckpoint {
  if (!existsSync(path)) throw new CliError(`${path}: no such file`);
  let ck;
  try {
    ck = loadCheckpoint(path, { maxBytes: MAX_CHECKPOINT_BYTES });
  } catch (e) {
    throw new CliError(`${path}: not a readable recurrent checkpoint: ${(e as Error).message}`);
  }
  const cfg = ck.config as { kind?: unknown; vocab?: unknown; train?: LMTrainConfig } | null;
  if (!cfg || cfg.kind !== CHECKPOINT_KIND || !cfg.train) throw new CliError(`${path}: not a character language-model checkpoint (written by 'recurrent train' or 'recurrent demo')`);
  const vocab = Vocab.fromJSON(cfg.vocab, path);
  const model = new CharLM(vocab.size, cfg.train.model);
  loadCheckpointWeights(model, ck, path);
  return { model, vocab, step: ck.step ?? 0, optimizer: ck.optimizer, scheduler: ck.scheduler, config: cfg.train };
}

// ---- training with progress -----------------------------------------------------------------

async function runTraining(out: Output, text: string, config: LMTrainConfig, dir: string, resumeFrom?: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const ckptPath = join(dir, 'model.ckpt');
  let resume: LMCheckpoint | null = null;
  if (resumeFrom) {
    resume = loadLM(resumeFrom);
    const m = resume.config.model;
    if (m.embed !== config.model.embed || m.hidden !== config.model.hidden || m.layers !== config.model.layers || (m.cell ?? 'lstm') !== (config.model.cell ?? 'lstm')) {
      throw new CliError(`--resume: the checkpoint's model (${m.cell ?? 'lstm'}, embed ${m.embed}, hidden ${m.hidden}, layers ${m.layers}) differs from the requested one`);
    }
  }
  const data = prepareText(text, resume?.vocab);
  const params = countParameters((resume?.model ?? new CharLM(data.vocab.size, config.model)).parameters());
  out.info(`${describeBackend()}`, { event: 'start', backend: describeBackend(), vocabulary: data.vocab.size, characters: data.train.length + data.val.length, parameters: params });
  out.info(`training a ${config.model.layers}-layer ${config.model.cell ?? 'lstm'} (embedding ${config.model.embed}, hidden ${config.model.hidden}, ${params.toLocaleString('en-US')} parameters) on ${(data.train.length + data.val.length).toLocaleString('en-US')} characters (${data.vocab.size} distinct)${resume ? `, resuming at step ${resume.step}` : ''}`);
  const csv = ['step,val_loss,val_bits_per_char,seconds'];
  let stop = false;
  const onSigint = (): void => {
    stop = true;
  };
  process.on('SIGINT', onSigint);
  out.startBar();
  let lastJson = 0;
  const trainLoss: [number, number][] = [];
  const valLoss: [number, number][] = [];
  const drawCurve = async (): Promise<void> => {
    // Training loss averaged over windows (at most ~300 points), validation loss as measured.
    const w = Math.max(1, Math.ceil(trainLoss.length / 300));
    const smooth: [number, number][] = [];
    for (let i = 0; i < trainLoss.length; i += w) {
      const win = trainLoss.slice(i, i + w);
      smooth.push([(win[win.length - 1] as [number, number])[0], win.reduce((a, p) => a + p[1], 0) / win.length]);
    }
    const { lineChartSVG } = await import('../node/plot.js'); // loaded only when a chart is drawn
    const svg = await lineChartSVG([{ name: 'training loss', points: smooth }, { name: 'validation loss', points: valLoss }], {
      title: 'character language model', xLabel: 'step', yLabel: 'loss (nats per character)',
    });
    writeFileAtomic(join(dir, 'curve.svg'), new TextEncoder().encode(svg));
  };
  const reporter: Reporter = {
    step: (r) => {
      trainLoss.push([r.step, r.loss]);
      const remaining = r.progress > 0 ? Math.max(0, Math.round(r.seconds / r.progress - r.seconds)) : '?';
      out.updateBar(r.progress, { step: r.step, loss: r.loss.toFixed(3), tps: Math.round(r.tokensPerSecond).toLocaleString('en-US'), elapsed: Math.round(r.seconds), remaining });
      if (out.o.json && r.seconds - lastJson >= 1) {
        lastJson = r.seconds;
        process.stdout.write(`${JSON.stringify({ event: 'step', ...r })}\n`);
      }
    },
    eval: (r: EvalReport) => {
      csv.push(`${r.step},${r.valLoss},${r.valBitsPerChar},${r.seconds}`);
      writeFileSync(join(dir, 'curve.csv'), `${csv.join('\n')}\n`);
      valLoss.push([r.step, r.valLoss]);
      out.info(`step ${r.step}: validation loss ${r.valLoss.toFixed(4)} (${r.valBitsPerChar.toFixed(3)} bits/char)`, { event: 'eval', ...r });
    },
    sample: (step, s) => out.info(`--- sample at step ${step}:\n${s}\n---`, { event: 'sample', step, text: s }),
  };
  let result: TrainResult;
  try {
    result = await trainLM({
      config, data, reporter, shouldStop: () => stop,
      ...(resume ? { model: resume.model, optimizerState: resume.optimizer, scheduleState: resume.scheduler ?? undefined, startStep: resume.step } : {}),
    });
  } finally {
    out.stopBar();
    process.off('SIGINT', onSigint);
  }
  saveLM(ckptPath, result, data.vocab, config);
  await drawCurve();
  const last = result.curve[result.curve.length - 1] as EvalReport;
  const final = sample(result.model, data.vocab, 'The ', 300, 0.8, new Generator(config.seed + 2));
  out.info(`\n--- sample after ${result.steps} steps (temperature 0.8):\n${final}\n---`, { event: 'sample', step: result.steps, text: final });
  out.result(
    `${result.interrupted ? 'interrupted; ' : ''}saved ${ckptPath} after ${result.steps} steps in ${result.seconds.toFixed(0)} s: validation ${last.valLoss.toFixed(4)} nats/char (${last.valBitsPerChar.toFixed(3)} bits/char); curve in ${join(dir, 'curve.csv')} and ${join(dir, 'curve.svg')}\n` +
      `sample from it:  npx recurrent sample ${ckptPath} --prompt "The whale" --length 400`,
    { event: 'done', checkpoint: ckptPath, steps: result.steps, seconds: result.seconds, valLoss: last.valLoss, valBitsPerChar: last.valBitsPerChar, interrupted: result.interrupted },
  );
  if (result.interrupted) process.exitCode = 130;
}

// ---- time series ----------------------------------------------------------------------------

const SERIES_KIND = 'series';

interface SeriesCheckpoint {
  model: SeriesModel;
  step: number;
  optimizer: unknown;
  scheduler: unknown;
  config: LMTrainConfig;
  norm: { column: string; mean: number; std: number };
  /** The CSV path trained on, or 'us-births'. */
  source: string;
}

/** The kind of a checkpoint written by this CLI ('char-lm' or 'series'), validated. */
function checkpointKind(path: string): string {
  if (!existsSync(path)) throw new CliError(`${path}: no such file`);
  let ck;
  try {
    ck = loadCheckpoint(path, { maxBytes: MAX_CHECKPOINT_BYTES });
  } catch (e) {
    throw new CliError(`${path}: not a readable recurrent checkpoint: ${(e as Error).message}`);
  }
  const kind = (ck.config as { kind?: unknown } | null)?.kind;
  if (kind !== CHECKPOINT_KIND && kind !== SERIES_KIND) throw new CliError(`${path}: not a checkpoint written by 'recurrent train' or 'recurrent demo'`);
  return kind;
}

function loadSeries(path: string): SeriesCheckpoint {
  const ck = loadCheckpoint(path, { maxBytes: MAX_CHECKPOINT_BYTES });
  const cfg = ck.config as { kind?: unknown; train?: LMTrainConfig; norm?: SeriesCheckpoint['norm']; source?: string } | null;
  if (!cfg || cfg.kind !== SERIES_KIND || !cfg.train || !cfg.norm) throw new CliError(`${path}: not a time-series checkpoint`);
  const m = cfg.train.model;
  const model = new SeriesModel({ cell: m.cell ?? 'lstm', hidden: m.hidden, layers: m.layers });
  loadCheckpointWeights(model, ck, path);
  return { model, step: ck.step ?? 0, optimizer: ck.optimizer, scheduler: ck.scheduler, config: cfg.train, norm: cfg.norm, source: cfg.source ?? 'us-births' };
}

function readSeries(o: { csv?: string; column?: string; dataset?: string }): { column: string; values: Float64Array; source: string } {
  const path = o.csv ?? usBirthsCsvPath();
  const column = o.column ?? (o.csv ? undefined : 'births');
  if (!column) throw new CliError('--column is required with --csv (a header name or a 0-based index)', 2);
  if (!existsSync(path)) throw new CliError(`--csv ${path}: no such file`);
  const text = new TextDecoder().decode(readFileBounded(path, MAX_CSV_BYTES));
  try {
    return { ...readCsvColumn(text, column, path), source: o.csv ? path : 'us-births' };
  } catch (e) {
    throw new CliError((e as Error).message, e instanceof RnnError && /--column/.test((e as Error).message) ? 2 : 1);
  }
}

/** The series a series command reads: --csv/--column, else the one the model was trained on. */
function seriesFor(ck: SeriesCheckpoint, o: Record<string, unknown>): { column: string; values: Float64Array; source: string } {
  if (o.csv !== undefined) return readSeries({ csv: o.csv as string, column: (o.column as string | undefined) ?? ck.norm.column });
  if (ck.source === 'us-births') return readSeries({ column: ck.norm.column });
  return readSeries({ csv: ck.source, column: ck.norm.column });
}

async function runSeriesTraining(out: Output, series: { column: string; values: Float64Array; source: string }, config: LMTrainConfig, dir: string, resumeFrom?: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const ckptPath = join(dir, 'model.ckpt');
  const resume = resumeFrom ? (checkpointKind(resumeFrom) === SERIES_KIND ? loadSeries(resumeFrom) : (() => { throw new CliError(`--resume ${resumeFrom}: not a time-series checkpoint`); })()) : null;
  const data = prepareSeries(series.column, series.values, 10 * (config.bptt + 1));
  if (resume) Object.assign(data, { mean: resume.norm.mean, std: resume.norm.std });
  const m = config.model;
  out.info(`training a ${m.layers}-layer ${m.cell ?? 'lstm'} (hidden ${m.hidden}) to predict the next value of ${JSON.stringify(series.column)} (${series.source}, ${series.values.length.toLocaleString('en-US')} values; the last 10 % validate)${resume ? `, resuming at step ${resume.step}` : ''}`);
  const csv = ['step,val_mse_normalised,val_rmse,seconds'];
  let stop = false;
  const onSigint = (): void => {
    stop = true;
  };
  process.on('SIGINT', onSigint);
  out.startBar();
  const trainLoss: [number, number][] = [];
  const valLoss: [number, number][] = [];
  let lastJson = 0;
  const reporter: Reporter = {
    step: (r) => {
      trainLoss.push([r.step, r.loss]);
      const remaining = r.progress > 0 ? Math.max(0, Math.round(r.seconds / r.progress - r.seconds)) : '?';
      out.updateBar(r.progress, { step: r.step, loss: r.loss.toFixed(4), tps: Math.round(r.tokensPerSecond).toLocaleString('en-US'), elapsed: Math.round(r.seconds), remaining });
      if (out.o.json && r.seconds - lastJson >= 1) {
        lastJson = r.seconds;
        process.stdout.write(`${JSON.stringify({ event: 'step', ...r })}\n`);
      }
    },
    eval: (r) => {
      csv.push(`${r.step},${r.valLoss},${r.valBitsPerChar},${r.seconds}`);
      writeFileSync(join(dir, 'curve.csv'), `${csv.join('\n')}\n`);
      valLoss.push([r.step, r.valLoss]);
      out.info(`step ${r.step}: validation RMSE ${r.valBitsPerChar.toPrecision(5)} (normalised MSE ${r.valLoss.toFixed(4)})`, { event: 'eval', step: r.step, valMse: r.valLoss, valRmse: r.valBitsPerChar, seconds: r.seconds });
    },
  };
  let result;
  try {
    result = await trainSeries({
      config, data, reporter, shouldStop: () => stop,
      ...(resume ? { model: resume.model, optimizerState: resume.optimizer, scheduleState: resume.scheduler ?? undefined, startStep: resume.step } : {}),
    });
  } finally {
    out.stopBar();
    process.off('SIGINT', onSigint);
  }
  saveCheckpoint(ckptPath, result.model, {
    step: result.steps,
    optimizer: result.optimizer.stateDict(),
    ...(result.schedule ? { scheduler: result.schedule.stateDict() } : {}),
    config: { kind: SERIES_KIND, train: config as unknown as Record<string, unknown>, norm: { column: series.column, mean: data.mean, std: data.std }, source: series.source },
  });
  const { lineChartSVG } = await import('../node/plot.js');
  writeFileAtomic(join(dir, 'curve.svg'), new TextEncoder().encode(await lineChartSVG(
    [{ name: 'training loss', points: trainLoss.filter((_, i) => i % Math.max(1, Math.ceil(trainLoss.length / 300)) === 0) }, { name: 'validation loss', points: valLoss }],
    { title: `next-value prediction: ${series.column}`, xLabel: 'step', yLabel: 'MSE (normalised units)', logY: true },
  )));
  const ev = evaluateSeries(result.model, data, data.split);
  out.result(
    `${result.interrupted ? 'interrupted; ' : ''}saved ${ckptPath} after ${result.steps} steps in ${result.seconds.toFixed(0)} s: validation RMSE ${ev.rmse.toPrecision(5)}, MAE ${ev.mae.toPrecision(5)} (persistence baseline RMSE ${ev.persistenceRmse.toPrecision(5)}); curve in ${join(dir, 'curve.csv')} and ${join(dir, 'curve.svg')}\n` +
      `forecast with it:  npx recurrent sample ${ckptPath} --length 30`,
    { event: 'done', checkpoint: ckptPath, steps: result.steps, seconds: result.seconds, valRmse: ev.rmse, valMae: ev.mae, persistenceRmse: ev.persistenceRmse, interrupted: result.interrupted },
  );
  if (result.interrupted) process.exitCode = 130;
}

function trainConfigFrom(o: Record<string, unknown>, base: LMTrainConfig): LMTrainConfig {
  const c: LMTrainConfig = structuredClone(base);
  if (o.embed !== undefined) c.model.embed = o.embed as number;
  if (o.hidden !== undefined) c.model.hidden = o.hidden as number;
  if (o.layers !== undefined) c.model.layers = o.layers as number;
  if (o.cell !== undefined) c.model.cell = o.cell as CellType;
  if (o.optimizer !== undefined) c.optimizer = o.optimizer as OptimizerName;
  if (o.schedule !== undefined) c.schedule = o.schedule as ScheduleName;
  if (o.weightDecay !== undefined) c.weightDecay = o.weightDecay as number;
  for (const k of ['batch', 'bptt', 'lr', 'clip', 'steps', 'evalEvery', 'evalChunks', 'seed'] as const) if (o[k] !== undefined) (c[k] as number) = o[k] as number;
  if (o.minutes !== undefined) c.seconds = (o.minutes as number) * 60;
  if (o.steps !== undefined && o.minutes === undefined) c.seconds = 0;
  if (o.sampleEvery !== undefined) c.sampleEvery = o.sampleEvery as number;
  return c;
}

/**
 * Reads and checks a config file for `train`: JSON, or YAML for a .yaml/.yml file (every
 * key named, with its type and, for names, its allowed values).
 */
async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) throw new CliError(`--config ${path}: no such file`);
  const yamlFile = /\.ya?ml$/i.test(path);
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    raw = yamlFile ? (await import('yaml')).parse(text) : JSON.parse(text);
  } catch (e) {
    throw new CliError(`--config ${path}: not valid ${yamlFile ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`, 2);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CliError(`--config ${path}: expected ${yamlFile ? 'a YAML mapping' : 'a JSON object'} of options`, 2);
  const schema: Record<string, 'number' | 'string' | readonly string[]> = {
    text: 'string', dataset: 'string', cell: CELL_TYPES, embed: 'number', hidden: 'number', layers: 'number', batch: 'number', bptt: 'number',
    optimizer: OPTIMIZERS, lr: 'number', weightDecay: 'number', schedule: SCHEDULES, clip: 'number', steps: 'number', minutes: 'number',
    evalEvery: 'number', evalChunks: 'number', sampleEvery: 'number', seed: 'number', out: 'string',
  };
  for (const [k, v] of Object.entries(raw)) {
    const want = schema[k];
    if (!want) throw new CliError(`--config ${path}: unknown key '${k}' (known: ${Object.keys(schema).join(', ')})`, 2);
    if (Array.isArray(want)) {
      if (!want.includes(v as string)) throw new CliError(`--config ${path}: '${k}' must be one of ${want.join(', ')}, got ${JSON.stringify(v)}`, 2);
    } else if (typeof v !== want) {
      throw new CliError(`--config ${path}: '${k}' must be a ${want}, got ${JSON.stringify(v)}`, 2);
    }
  }
  return raw as Record<string, unknown>;
}

function readText(o: { text?: string; dataset?: string }): string {
  if (o.text) {
    if (!existsSync(o.text)) throw new CliError(`--text ${o.text}: no such file`);
    return readFileSync(o.text, 'utf8');
  }
  const ds = o.dataset ?? 'moby-dick';
  if (ds !== 'moby-dick') throw new CliError(`--dataset: unknown data set '${ds}' (built in: moby-dick, us-births)`, 2);
  return mobyDick();
}

// ---- commands -----------------------------------------------------------------------------------

export function buildProgram(): Command {
  const program = new Command('recurrent')
    .description('Recurrent neural networks for TypeScript: train, sample from and inspect models.')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  outputOptions(program.command('demo'))
    .description('train a character-level LSTM on Moby-Dick for a few minutes, with live progress and samples')
    .option('--minutes <m>', `training time (default ${DEFAULT_LM_TRAIN.seconds / 60})`, numArg('--minutes'))
    .option('--steps <n>', 'stop after n updates instead of a time budget', intArg('--steps', 1))
    .option('--hidden <n>', 'LSTM hidden size', intArg('--hidden', 1, 4096), DEFAULT_LM_TRAIN.model.hidden)
    .option('--lr <x>', 'Adam learning rate (higher than train\'s default: the demo is short)', numArg('--lr'), DEMO_LR)
    .option('--out <dir>', 'where the model and its training curve go', 'recurrent-demo')
    .addHelpText('after', '\nExamples:\n  npx recurrent demo\n  npx recurrent demo --minutes 1\n  npx recurrent demo --minutes 10 --out my-model')
    .action(async (o: Record<string, unknown> & OutputOptions) => {
      const out = new Output(o);
      const config = trainConfigFrom(o, DEFAULT_LM_TRAIN);
      await runTraining(out, mobyDick(), config, o.out as string);
    });

  outputOptions(program.command('train'))
    .description('train a character-level LSTM language model on a text file or a built-in data set')
    .option('--config <file>', 'options in a JSON or YAML file (same names as the flags, camelCase; flags override it)')
    .option('--text <file>', 'training text (UTF-8)')
    .option('--dataset <name>', 'built-in data set: moby-dick (text) or us-births (daily US births 1969–1988, a time series)')
    .option('--csv <file>', 'a time series: train a next-value forecaster on one column of a CSV file')
    .option('--column <name>', 'the CSV column (header name or 0-based index)')
    .addOption(new Option('--cell <type>', 'recurrent layer type (default lstm)').choices(CELL_TYPES))
    .option('--embed <n>', 'embedding width', intArg('--embed', 1, 4096))
    .option('--hidden <n>', 'hidden size', intArg('--hidden', 1, 4096))
    .option('--layers <n>', 'stacked recurrent layers', intArg('--layers', 1, 16))
    .option('--batch <n>', 'streams per batch', intArg('--batch', 1, 4096))
    .option('--bptt <n>', 'characters per chunk (truncated BPTT length)', intArg('--bptt', 1, 4096))
    .addOption(new Option('--optimizer <name>', 'optimizer (default adam)').choices(OPTIMIZERS))
    .option('--lr <x>', 'learning rate', numArg('--lr'))
    .option('--weight-decay <x>', 'weight decay (decoupled for adamw)', numArg('--weight-decay', false))
    .addOption(new Option('--schedule <name>', 'learning-rate schedule (default constant; cosine needs --steps)').choices(SCHEDULES))
    .option('--clip <x>', 'gradient clipping (global norm)', numArg('--clip'))
    .option('--steps <n>', 'updates', intArg('--steps', 1))
    .option('--minutes <m>', 'time budget', numArg('--minutes'))
    .option('--eval-every <n>', 'validate every n updates', intArg('--eval-every', 1))
    .option('--eval-chunks <n>', 'validation chunks', intArg('--eval-chunks', 1))
    .option('--sample-every <s>', 'print a sample every s seconds (0: never)', numArg('--sample-every', false))
    .option('--seed <n>', 'seed of the initial weights', intArg('--seed', 0))
    .option('--out <dir>', 'checkpoint directory (default recurrent-model)')
    .option('--resume <checkpoint>', 'continue training from a checkpoint (same model sizes)')
    .addHelpText('after', '\nExamples:\n  npx recurrent train --text shakespeare.txt --hidden 512 --minutes 30 --out shakespeare\n  npx recurrent train --config train.json\n  npx recurrent train --text notes.txt --resume notes/model.ckpt --steps 1000')
    .action(async (flags: Record<string, unknown> & OutputOptions) => {
      const fromFile = flags.config ? await readConfigFile(flags.config as string) : {};
      const o = { ...fromFile, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
      const out = new Output(flags);
      const config = trainConfigFrom(o, { ...DEFAULT_LM_TRAIN, seconds: 0, steps: 2000, sampleEvery: 60 });
      if (config.steps === 0 && config.seconds === 0) config.steps = 2000;
      if (o.csv !== undefined || o.dataset === 'us-births') {
        if (o.text !== undefined) throw new CliError('--text and --csv (or a time-series data set) cannot be combined', 2);
        const sc = trainConfigFrom(o, { ...DEFAULT_SERIES_TRAIN });
        if (sc.steps === 0 && sc.seconds === 0) sc.steps = 2000;
        await runSeriesTraining(out, readSeries(o as { csv?: string; column?: string }), sc, (o.out as string) ?? 'recurrent-model', o.resume as string | undefined);
        return;
      }
      await runTraining(out, readText(o as { text?: string; dataset?: string }), config, (o.out as string) ?? 'recurrent-model', o.resume as string | undefined);
    });

  outputOptions(program.command('sample'))
    .description('generate text from a trained character model')
    .argument('<checkpoint>', 'a model saved by demo or train')
    .option('--prompt <text>', 'text to continue', 'The ')
    .option('--length <n>', 'characters to generate', intArg('--length', 0, 1_000_000), 400)
    .option('--temperature <t>', 'sampling temperature (lower: more conservative)', numArg('--temperature'), 0.8)
    .option('--top-k <k>', 'sample among the k most likely characters only (0: all)', intArg('--top-k', 0), 0)
    .option('--seed <n>', 'random seed', intArg('--seed', 0), 1)
    .addHelpText('after', '\nExamples:\n  npx recurrent sample recurrent-demo/model.ckpt\n  npx recurrent sample recurrent-demo/model.ckpt --prompt "Call me" --temperature 0.5 --top-k 10')
    .option('--csv <file>', 'time-series models: the history to continue (default: the series trained on)')
    .option('--column <name>', 'time-series models: the CSV column')
    .action((path: string, o: Record<string, unknown> & OutputOptions) => {
      const out = new Output(o);
      if (checkpointKind(path) === SERIES_KIND) {
        const ck = loadSeries(path);
        const series = seriesFor(ck, o);
        const { mean, std } = ck.norm;
        const steps = o.length === 400 ? 30 : (o.length as number); // 400 is the text default
        const f = Array.from(ck.model.forecast(Array.from(series.values, (v) => (v - mean) / std), steps), (v) => v * std + mean);
        out.result(`forecast of ${JSON.stringify(series.column)} for the ${steps} steps after the ${series.values.length} values of ${series.source}:\n${f.map((v) => v.toPrecision(6)).join('\n')}`, { event: 'forecast', column: series.column, after: series.values.length, values: f });
        return;
      }
      const lm = loadLM(path);
      const text = sample(lm.model, lm.vocab, o.prompt as string, o.length as number, o.temperature as number, new Generator(o.seed as number), o.topK as number);
      out.result(text, { event: 'sample', text });
    });

  outputOptions(program.command('eval'))
    .description('loss, bits per character and perplexity of a character model on a text file')
    .argument('<checkpoint>', 'a model saved by demo or train')
    .option('--text <file>', 'character models: text to evaluate on (UTF-8)')
    .option('--csv <file>', 'time-series models: a CSV series (default: the series trained on)')
    .option('--column <name>', 'time-series models: the CSV column')
    .addHelpText('after', '\nExample:\n  npx recurrent eval recurrent-demo/model.ckpt --text chapter.txt')
    .action((path: string, o: Record<string, unknown> & OutputOptions) => {
      const out = new Output(o);
      if (checkpointKind(path) === SERIES_KIND) {
        const ck = loadSeries(path);
        const series = seriesFor(ck, o);
        const r = evaluateSeries(ck.model, { values: series.values, mean: ck.norm.mean, std: ck.norm.std }, 1);
        out.result(`${r.count} one-step predictions of ${JSON.stringify(series.column)}: RMSE ${r.rmse.toPrecision(5)}, MAE ${r.mae.toPrecision(5)} (persistence baseline RMSE ${r.persistenceRmse.toPrecision(5)})`, { event: 'eval', ...r });
        return;
      }
      if (o.text === undefined) throw new CliError("required option '--text <file>' not specified (character models)", 2);
      const lm = loadLM(path);
      const r = evaluateText(lm.model, lm.vocab, readText({ text: o.text as string }));
      out.result(`${r.characters} characters: loss ${r.loss.toFixed(4)} nats/char, ${r.bitsPerChar.toFixed(3)} bits/char, perplexity ${r.perplexity.toFixed(2)}`, { event: 'eval', ...r });
    });

  outputOptions(program.command('info'))
    .description("a model's layers, parameter counts and shapes")
    .argument('<checkpoint>', 'a checkpoint')
    .addHelpText('after', '\nExample:\n  npx recurrent info recurrent-demo/model.ckpt')
    .action((path: string, o: OutputOptions) => {
      const out = new Output(o);
      if (checkpointKind(path) === SERIES_KIND) {
        const ck = loadSeries(path);
        const params = ck.model.namedParameters();
        const total = params.reduce((a, [, p]) => a + p.size, 0);
        const lines = [`${path}: time-series forecaster (${ck.model.cell}) of ${JSON.stringify(ck.norm.column)} (${ck.source}), trained ${ck.step} steps`, ck.model.toString(), 'parameters:'];
        for (const [name, p] of params) lines.push(`  ${name.padEnd(24)} [${p.shape.join(', ')}]  ${p.size.toLocaleString('en-US')}`);
        lines.push(`total: ${total.toLocaleString('en-US')} parameters`);
        out.result(lines.join('\n'), { event: 'info', kind: SERIES_KIND, step: ck.step, parameters: Object.fromEntries(params.map(([n, p]) => [n, p.shape])), total });
        return;
      }
      const lm = loadLM(path);
      const params = lm.model.namedParameters();
      const total = params.reduce((a, [, p]) => a + p.size, 0);
      const lines = [`${path}: character language model (${lm.model.cell}), trained ${lm.step} steps`, `vocabulary: ${lm.vocab.size} characters`, lm.model.toString(), 'parameters:'];
      for (const [name, p] of params) lines.push(`  ${name.padEnd(24)} [${p.shape.join(', ')}]  ${p.size.toLocaleString('en-US')}`);
      lines.push(`total: ${total.toLocaleString('en-US')} parameters`);
      out.result(lines.join('\n'), { event: 'info', step: lm.step, vocabulary: lm.vocab.size, parameters: Object.fromEntries(params.map(([n, p]) => [n, p.shape])), total });
    });

  outputOptions(program.command('export'))
    .description('write a trained model as safetensors (PyTorch names, with its config) or ONNX')
    .argument('<checkpoint>', 'a model saved by demo or train')
    .requiredOption('--out <file>', 'the file to write (.safetensors or .onnx)')
    .option('--format <format>', 'safetensors or onnx (default: from the --out extension)')
    .option('--dtype <dtype>', 'safetensors storage type of the weights: F32, F16 or BF16', 'F32')
    .addHelpText('after', [
      '', 'Examples:',
      '  npx recurrent export recurrent-demo/model.ckpt --out lm.safetensors',
      '  npx recurrent export recurrent-demo/model.ckpt --out lm.safetensors --dtype BF16',
      '  npx recurrent export recurrent-demo/model.ckpt --out lm.onnx',
      '', 'The safetensors file loads in PyTorch (the same Embedding, LSTM and Linear names);',
      'a .json with the model config is written next to it. The ONNX model takes int64 ids',
      '(T, B) and optional h0/c0 and returns logits, h_n and c_n. Both carry the vocabulary',
      "as JSON in their metadata ('recurrent.vocab').",
    ].join('\n'))
    .action((path: string, o: Record<string, unknown> & OutputOptions) => {
      const out = new Output(o);
      const target = o.out as string;
      const format = ((o.format as string | undefined) ?? (/\.onnx$/i.test(target) ? 'onnx' : /\.safetensors$/i.test(target) ? 'safetensors' : '')).toLowerCase();
      if (format !== 'onnx' && format !== 'safetensors') {
        throw new CliError(`--format: expected 'safetensors' or 'onnx' (or an --out ending in .safetensors or .onnx), got '${(o.format as string | undefined) ?? target}'`, 2);
      }
      const dtype = String(o.dtype).toUpperCase();
      if (!['F32', 'F16', 'BF16'].includes(dtype)) throw new CliError(`--dtype: expected F32, F16 or BF16, got '${String(o.dtype)}'`, 2);
      const series = checkpointKind(path) === SERIES_KIND ? loadSeries(path) : null;
      const lm = series ? null : loadLM(path);
      const model = series ? series.model : (lm as LMCheckpoint).model;
      // What a user needs besides the weights: the vocabulary, or the normalisation of the series.
      const metadata = series ? { 'recurrent.normalisation': JSON.stringify(series.norm) } : { 'recurrent.vocab': JSON.stringify((lm as LMCheckpoint).vocab.toJSON()) };
      mkdirSync(dirname(resolve(target)), { recursive: true });
      if (format === 'onnx') {
        writeFileAtomic(target, exportOnnx(model, { initialState: true, metadata }));
      } else {
        saveModule(target, model, { floatDType: dtype as 'F32' | 'F16' | 'BF16', metadata });
      }
      out.result(`wrote ${target} (${format}${format === 'safetensors' ? `, ${dtype}` : ''})`, { event: 'export', path: target, format });
    });

  outputOptions(program.command('bench'))
    .description('run the benchmark suite against the peers (from a source checkout: npm run bench)')
    .allowUnknownOption()
    .action((o: OutputOptions, cmd: Command) => {
      const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
      const script = join(root, 'bench', 'run.ts');
      if (!existsSync(script)) throw new CliError('the benchmark suite ships with the source repository: clone it and run npm run bench');
      const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...cmd.args], { stdio: 'inherit', cwd: root });
      if (o.verbose && r.error) throw r.error;
      process.exitCode = r.status ?? 1;
    });

  return program;
}

/** Runs the command line on `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version print and exit 0; usage errors were printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    const code = e instanceof CliError ? e.exitCode : 1;
    const msg = e instanceof CliError || e instanceof RnnError ? (e as Error).message : `${(e as Error).name}: ${(e as Error).message}`;
    process.stderr.write(`recurrent: ${msg}\n`);
    if (verbose) process.stderr.write(`${(e as Error).stack}\n`);
    return code;
  }
}
