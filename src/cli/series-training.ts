// Time-series training for the command line: one numeric column of a CSV file (csv-parse),
// normalised with the training part's mean and standard deviation, split 90/10 in time;
// a SeriesModel learns to predict the next value at every step of windows of `bptt`
// values (mean squared error, the chosen optimizer and schedule, gradient clipping).
// Evaluation reports RMSE and MAE in the data's units next to the persistence baseline
// (tomorrow = today), which a useful model must beat. Nothing here prints.

import { parse } from 'csv-parse/sync';
import { ArgumentError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../util/rng.js';
import { noGrad } from '../autograd/engine.js';
import { mseLoss } from '../ops/loss.js';
import { clipGradNorm } from '../optim/clip.js';
import { ReduceLROnPlateau } from '../optim/schedule.js';
import { SeriesModel } from '../models/series.js';
import type { CellType } from '../models/recurrent-factory.js';
import { makeOptimizer, makeSchedule, type LMTrainConfig, type Reporter, type EvalReport } from './lm-training.js';

export interface SeriesData {
  column: string;
  values: Float64Array;
  /** Normalisation from the training part. */
  mean: number;
  std: number;
  /** Index where validation starts (90 % of the series). */
  split: number;
}

/** Largest CSV accepted (bytes): the series is held in memory. */
export const MAX_CSV_BYTES = 256 * 2 ** 20;

/**
 * The numeric values of `column` (a header name, or a 0-based index when the file has no
 * header row that names it). Errors name the file, the row and the column.
 */
export function readCsvColumn(text: string, column: string, source: string): { column: string; values: Float64Array } {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new ArgumentError('train', '--csv', `a CSV file (${source}: ${(e as Error).message})`, source);
  }
  if (rows.length === 0) throw new ArgumentError('train', '--csv', 'a CSV file with rows', `${source}: no rows`);
  const header = rows[0] as string[];
  let idx = header.indexOf(column);
  let start = 1;
  let name = column;
  if (idx < 0) {
    const n = Number(column);
    if (!Number.isInteger(n) || n < 0 || n >= header.length) {
      throw new ArgumentError('train', '--column', `a column of ${source} (${header.map((h) => JSON.stringify(h)).join(', ')}) or a 0-based index`, column);
    }
    idx = n;
    // A first row that is not numeric in that column is a header.
    start = Number.isFinite(Number(header[n])) && header[n] !== '' ? 0 : 1;
    name = start === 1 ? (header[n] as string) : `column ${n}`;
  }
  const values = new Float64Array(rows.length - start);
  for (let r = start; r < rows.length; r++) {
    const cell = (rows[r] as string[])[idx] ?? '';
    const v = Number(cell);
    if (cell === '' || !Number.isFinite(v)) throw new ArgumentError('train', '--csv', `numbers in column ${JSON.stringify(name)}`, `${source} row ${r + 1}: ${JSON.stringify(cell)}`);
    values[r - start] = v;
  }
  return { column: name, values };
}

/** Normalisation statistics from the first 90 % and the split point. */
export function prepareSeries(column: string, values: Float64Array, minLength: number): SeriesData {
  if (values.length < minLength) throw new ArgumentError('train', '--csv', `at least ${minLength} values (10 windows of --bptt + 1)`, values.length);
  const split = Math.floor(values.length * 0.9);
  let mean = 0;
  for (let i = 0; i < split; i++) mean += values[i] as number;
  mean /= split;
  let v = 0;
  for (let i = 0; i < split; i++) v += ((values[i] as number) - mean) ** 2;
  const std = Math.sqrt(v / split) || 1;
  return { column, values, mean, std, split };
}

export interface SeriesTrainResult {
  model: SeriesModel;
  optimizer: { stateDict(): unknown };
  schedule: { stateDict(): unknown } | null;
  steps: number;
  seconds: number;
  curve: EvalReport[];
  interrupted: boolean;
}

export interface SeriesTrainOptions {
  config: LMTrainConfig;
  data: SeriesData;
  model?: SeriesModel;
  optimizerState?: unknown;
  scheduleState?: unknown;
  startStep?: number;
  reporter?: Reporter;
  shouldStop?: () => boolean;
}

/** RMSE and MAE (data units) of one-step predictions on values[from..], with the persistence baseline. */
export function evaluateSeries(model: SeriesModel, data: Pick<SeriesData, 'values' | 'mean' | 'std'>, from: number): { rmse: number; mae: number; persistenceRmse: number; count: number } {
  return noGrad(() => {
    const { values, mean, std } = data;
    const n = values.length;
    const x = new Tensor(Float32Array.from(values, (v) => (v - mean) / std), [n, 1, 1]);
    const p = model.forward(x).prediction.data; // p[t] predicts values[t + 1]
    let se = 0;
    let ae = 0;
    let pe = 0;
    let count = 0;
    for (let t = Math.max(from, 1); t < n; t++) {
      const pred = (p[t - 1] as number) * std + mean;
      const e = pred - (values[t] as number);
      se += e * e;
      ae += Math.abs(e);
      pe += ((values[t - 1] as number) - (values[t] as number)) ** 2;
      count++;
    }
    return { rmse: Math.sqrt(se / count), mae: ae / count, persistenceRmse: Math.sqrt(pe / count), count };
  });
}

/** Trains on random windows of the training part (asynchronous like trainLM). */
export async function trainSeries(o: SeriesTrainOptions): Promise<SeriesTrainResult> {
  const c = o.config;
  const { values, mean, std, split } = o.data;
  const model = o.model ?? new SeriesModel({ cell: (c.model.cell ?? 'lstm') as CellType, hidden: c.model.hidden, layers: c.model.layers, generator: new Generator(c.seed) });
  const params = model.parameters();
  const optimizer = makeOptimizer(c, params);
  if (o.optimizerState) optimizer.loadStateDict(o.optimizerState as never);
  const schedule = makeSchedule(c, optimizer, (o.startStep ?? 0) + c.steps);
  if (o.scheduleState && schedule) schedule.loadStateDict(o.scheduleState as never);
  const z = Float32Array.from(values, (v) => (v - mean) / std);
  const W = c.bptt;
  const B = c.batch;
  const lastStart = split - W - 1;
  if (lastStart < 0) throw new ArgumentError('train', '--bptt', `less than the training part (${split} values)`, W);
  const g = new Generator(c.seed + 1);
  const curve: EvalReport[] = [];
  const t0 = performance.now();
  const seconds = (): number => (performance.now() - t0) / 1000;
  let step = o.startStep ?? 0;
  const first = step;
  let interrupted = false;
  const done = (): boolean => (c.steps > 0 && step - first >= c.steps) || (c.seconds > 0 && seconds() >= c.seconds);
  const record = (): void => {
    // Validation: one-step predictions over the last 10 %, the model having read everything before.
    const r = evaluateSeries(model, o.data, split);
    const valLoss = (r.rmse / std) ** 2; // MSE in normalised units, comparable with the training loss
    if (schedule instanceof ReduceLROnPlateau) schedule.step(valLoss);
    const e = { step, valLoss, valBitsPerChar: r.rmse, seconds: seconds() };
    curve.push(e);
    o.reporter?.eval?.(e);
  };
  const x = new Tensor(new Float32Array(W * B), [W, B, 1]);
  const y = new Tensor(new Float32Array(W * B), [W, B, 1]);
  while (!done()) {
    await new Promise<void>((r) => setImmediate(r));
    if (o.shouldStop?.()) {
      interrupted = true;
      break;
    }
    for (let b = 0; b < B; b++) {
      const s = g.int(lastStart + 1);
      for (let t = 0; t < W; t++) {
        x.data[t * B + b] = z[s + t] as number;
        y.data[t * B + b] = z[s + t + 1] as number;
      }
    }
    optimizer.zeroGrad();
    const loss = mseLoss(model.forward(x).prediction, y);
    loss.backward();
    clipGradNorm(params, c.clip);
    optimizer.step();
    if (schedule && !(schedule instanceof ReduceLROnPlateau)) schedule.step();
    step++;
    const s = seconds();
    const progress = Math.min(1, Math.max(c.steps > 0 ? (step - first) / c.steps : 0, c.seconds > 0 ? s / c.seconds : 0));
    o.reporter?.step?.({ step, loss: loss.item(), tokensPerSecond: ((step - first) * W * B) / Math.max(s, 1e-9), seconds: s, progress });
    if (step % c.evalEvery === 0) record();
  }
  if (curve.length === 0 || (curve[curve.length - 1] as EvalReport).step !== step) record();
  return { model, optimizer, schedule, steps: step, seconds: seconds(), curve, interrupted };
}
