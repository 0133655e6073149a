// Messages between a view (main thread) and its Web Worker. Each view owns one worker;
// the worker runs one task at a time and posts progress at most every ~100 ms.

import type { CellKind } from './tasks/trace.js';

/** The three networks of the gradient view, in order. */
export const GRADIENT_CELLS = ['rnn', 'lstm', 'gru'] as const;

export interface GradientsParams { T: number; hidden: number; lr: number; batch: number; seed: number; maxSteps: number }
export interface UnrolledParams { cell: CellKind; hidden: number; T: number; lr: number; seed: number; maxSteps: number }
export interface GatesParams { cell: 'lstm' | 'gru'; hidden: number; lr: number; seqLen: number; batch: number; seed: number; maxSteps: number; text: string; corpus: string }
export interface CharLMParams { cell: 'lstm' | 'gru' | 'rnn'; hidden: number; layers: number; lr: number; seqLen: number; batch: number; seed: number; maxSteps: number; temperature: number; corpus: string }
export interface ESNParams { size: number; spectralRadius: number; leakRate: number; ridge: number; seed: number; train: number; washout: number; horizon: number }

/** Requests that start a task carry the view's run number; the task's replies echo it. */
export type Request = (
  | { type: 'gradients'; params: GradientsParams }
  | { type: 'unrolled'; params: UnrolledParams }
  | { type: 'gates'; params: GatesParams }
  | { type: 'gates-text'; text: string }
  | { type: 'charlm'; params: CharLMParams }
  | { type: 'charlm-save' }
  | { type: 'charlm-load'; bytes: Uint8Array; name: string }
  | { type: 'esn'; params: ESNParams }
  | { type: 'g2p-load'; bytes: Uint8Array; name: string }
  | { type: 'g2p-decode'; word: string; beam: number }
  | { type: 'stop' }
) & { run?: number };

/** A trace of one sequence through a one-layer cell: per step, per unit. */
export interface TracePayload {
  cell: CellKind;
  tokens: string[];
  /** name → (T × H) row-major: i, f, g, o, c, h for LSTM; r, z, n, h for GRU; h for RNN. */
  series: Record<string, number[][]>;
  /** Largest |h(stepped with the library's gate kernels) − h(layer.forward)|. */
  maxDiff: number;
}

export type Reply = (
  | { type: 'ready'; backend: string }
  | { type: 'error'; message: string }
  | { type: 'done'; step: number; reason: string }
  | { type: 'gradients'; step: number; losses: Record<string, number[]>; norms: Record<string, number[]>; normsStep: number; initNorms: Record<string, number[]> | null }
  | { type: 'unrolled'; step: number; losses: number[]; x: number[][]; y: number; yHat: number; trace: TracePayload }
  | { type: 'gates'; step: number; losses: number[]; trace: TracePayload | null; textError: string | null }
  | { type: 'charlm'; step: number; losses: number[]; sample: string | null; vocabSize: number; params: number }
  | { type: 'charlm-weights'; bytes: Uint8Array }
  | { type: 'charlm-loaded'; name: string; config: string }
  | { type: 'esn'; phase: string; states: number[][] | null; stateOffset: number; truth: number[]; prediction: number[]; trainNrmse: number | null; ridge: number | null; predictionStart: number }
  | { type: 'g2p-loaded'; name: string; letters: string[]; params: number; info: string }
  | { type: 'g2p-decoded'; word: string; letters: string[]; greedy: { phonemes: string[]; attention: number[][]; logProb: number }; beam: { phonemes: string[]; attention: number[][]; logProb: number }[] }
  | { type: 'g2p-error'; message: string }
) & { run?: number };
