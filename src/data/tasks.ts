// The classic long-range benchmarks of the recurrent literature, as seeded generators of
// time-major batches (T, B, features):
//   addingProblem     Hochreiter & Schmidhuber (1997), in the form of Le, Jaitly & Hinton
//                     (2015): two channels, random values in [0, 1] and a marker channel
//                     with exactly two 1s, one in each half of the sequence; the target is
//                     the sum of the two marked values. Predicting 1 always gives MSE 1/6
//                     (≈ 0.167), the baseline a model must beat.
//   copyMemory        Hochreiter & Schmidhuber (1997), as Arjovsky, Shah & Bengio (2016):
//                     `length` symbols from 1..symbols, then T blanks (0) — the last one is
//                     the delimiter (symbols + 1) — then `length` blanks during which the
//                     symbols must be reproduced. Chance: a cross-entropy of
//                     length·ln(symbols)/(T + 2·length) per step for a model that outputs
//                     blanks where it can and guesses the symbols.
//   sequenceGeneration  Koutník et al. (2014), section 4.1: from no input, produce one
//                     fixed waveform. The paper used 320 samples of music; here the target is
//                     a seeded synthetic waveform of the same length (harmonics with their
//                     own envelopes, normalised to [−1, 1]).
import { ArgumentError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../util/rng.js';

function positiveInt(op: string, name: string, v: unknown, min = 1): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new ArgumentError(op, name, `an integer ≥ ${min}`, v);
  return v as number;
}

export interface AddingBatch {
  /** (T, B, 2): value channel, marker channel. */
  x: Tensor;
  /** (B, 1): the sum of the two marked values. */
  y: Tensor;
}

/** One batch of the adding problem of length T. */
export function addingProblem(T: number, batch: number, generator: Generator, dtype: 'float32' | 'float64' = 'float32'): AddingBatch {
  positiveInt('addingProblem', 'T', T, 2);
  positiveInt('addingProblem', 'batch', batch);
  const x = new Tensor(dtype === 'float32' ? new Float32Array(T * batch * 2) : new Float64Array(T * batch * 2), [T, batch, 2]);
  const y = new Tensor(dtype === 'float32' ? new Float32Array(batch) : new Float64Array(batch), [batch, 1]);
  const half = Math.floor(T / 2);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < T; t++) x.data[(t * batch + b) * 2] = generator.uniform();
    const i = generator.int(half);
    const j = half + generator.int(T - half);
    x.data[(i * batch + b) * 2 + 1] = 1;
    x.data[(j * batch + b) * 2 + 1] = 1;
    y.data[b] = (x.data[(i * batch + b) * 2] as number) + (x.data[(j * batch + b) * 2] as number);
  }
  return { x, y };
}

export interface CopyBatch {
  /** (T + 2·length, B) int32 symbols: 0 blank, 1..symbols data, symbols + 1 delimiter. */
  x: Tensor;
  /** (T + 2·length, B) int32 targets: blanks, then the data symbols in the last `length` steps. */
  y: Tensor;
}

/** One batch of the copy-memory task with a delay of T steps. */
export function copyMemory(T: number, batch: number, generator: Generator, options: { symbols?: number; length?: number } = {}): CopyBatch {
  positiveInt('copyMemory', 'T', T);
  positiveInt('copyMemory', 'batch', batch);
  const K = positiveInt('copyMemory', 'symbols', options.symbols ?? 8);
  const L = positiveInt('copyMemory', 'length', options.length ?? 10);
  const total = T + 2 * L;
  const x = new Tensor(new Int32Array(total * batch), [total, batch]);
  const y = new Tensor(new Int32Array(total * batch), [total, batch]);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < L; t++) {
      const s = 1 + generator.int(K);
      x.data[t * batch + b] = s;
      y.data[(T + L + t) * batch + b] = s;
    }
    x.data[(L + T - 1) * batch + b] = K + 1;
  }
  return { x, y };
}

/** The fixed target waveform of the sequence-generation task: `length` samples in [−1, 1]. */
export function generationTarget(length = 320, seed = 4): Float64Array {
  positiveInt('generationTarget', 'length', length, 2);
  const g = new Generator(seed);
  const out = new Float64Array(length);
  const parts = Array.from({ length: 5 }, (_, k) => ({
    period: [160, 64, 37, 16, 9][k] as number, phase: g.uniform() * 2 * Math.PI, amp: 1 / (k + 1), center: g.uniform() * length, width: length * (0.2 + 0.6 * g.uniform()),
  }));
  for (let t = 0; t < length; t++) {
    let v = 0;
    for (const p of parts) v += p.amp * Math.exp(-(((t - p.center) / p.width) ** 2)) * Math.sin((2 * Math.PI * t) / p.period + p.phase);
    out[t] = v;
  }
  const m = Math.max(...Array.from(out, Math.abs));
  for (let t = 0; t < length; t++) out[t] = (out[t] as number) / m;
  return out;
}
