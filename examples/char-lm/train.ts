// Trains the Moby-Dick character LM (model.ts, data pipeline in data.ts) by truncated BPTT
// and writes its validation curve; tools/char_lm_torch.py is the PyTorch twin (same data
// order, model, Adam, clipping and evaluation). See README.md next to this file.
//
//   node --import tsx examples/char-lm/train.ts [--steps 1000] [--eval-every 100]
//        [--eval-chunks 8] [--init init.safetensors] [--out runs/char-lm] [--seed 0]
//
// Every option can also come from the environment: CHAR_LM_STEPS, CHAR_LM_EVAL_EVERY,
// CHAR_LM_EVAL_CHUNKS, CHAR_LM_INIT, CHAR_LM_OUT, CHAR_LM_SEED (argv wins).
// `train(config)` is exported for tests and other scripts.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  Adam, Generator, bitsPerChar, clipGradNorm, crossEntropy, describeBackend, noGrad, parseSafetensors, reshape, type Tensor,
} from '../../src/index.js';
import { mobyDick, saveCheckpoint } from '../../src/node/index.js';
import { chunkForStep, evalBatches, lmStream, prepareData, resetsStateAt, type CharData } from './data.js';
import { CharLM, detachState, sample, type LMState } from './model.js';

export interface TrainConfig {
  /** Training text (default: the whole of Moby-Dick). */
  text?: string;
  /** Optimizer updates (default 1000). */
  steps?: number;
  /** Evaluate every K updates, and after the last one (default 100). */
  evalEvery?: number;
  /** Validation chunks per evaluation (default 8). */
  evalChunks?: number;
  /** Streams per batch (default 32). */
  batch?: number;
  /** Characters per chunk (default 64). */
  bptt?: number;
  /** Adam learning rate (default 2e-3; other Adam settings are PyTorch's defaults). */
  lr?: number;
  /** Global gradient-norm clip (default 5). */
  clip?: number;
  embed?: number;
  hidden?: number;
  layers?: number;
  /** Seed of the initial weights when no `init` is given (default 0). */
  seed?: number;
  /** Initial weights: a safetensors file path or its bytes (strict: every name, no extra). */
  init?: string | Uint8Array;
  /** Directory for curve-ours.csv (rewritten after every evaluation); none: no file. */
  out?: string;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

export interface CurvePoint {
  /** Updates done (0 = the initial weights). */
  step: number;
  /** Mean training loss of the updates since the previous evaluation (NaN at step 0). */
  trainLoss: number;
  /** Mean validation cross-entropy, nats per character. */
  valLoss: number;
  valBitsPerChar: number;
  /** Wall-clock seconds since training started (evaluations included). */
  seconds: number;
}

export interface TrainResult {
  model: CharLM;
  data: CharData;
  optimizer: Adam;
  curve: CurvePoint[];
}

/** Mean cross-entropy of logits (T, B, V) against target ids (T, B). */
export function lmLoss(logits: Tensor, target: Tensor): Tensor {
  const [T, B, V] = logits.shape as [number, number, number];
  return crossEntropy(reshape(logits, [T * B, V]), reshape(target, [T * B]));
}

/** Mean cross-entropy (nats) over every token of the chunks, the state carried from chunk to chunk. */
export function evaluate(model: CharLM, batches: readonly { input: Tensor; target: Tensor }[]): number {
  return noGrad(() => {
    let state: LMState | null = null;
    let total = 0;
    let count = 0;
    for (const { input, target } of batches) {
      const r = model.forward(input, state);
      state = r.state;
      total += lmLoss(r.logits, target).item() * target.size;
      count += target.size;
    }
    return total / count;
  });
}

/** Loads initial weights from a safetensors file (path or bytes), strictly. */
export function loadInit(model: CharLM, init: string | Uint8Array): void {
  const bytes = typeof init === 'string' ? new Uint8Array(readFileSync(init)) : init;
  const parsed = parseSafetensors(bytes, { source: typeof init === 'string' ? init : 'init' });
  model.loadStateDict(new Map([...parsed.tensors].map(([k, v]) => [k, v.tensor])), { strict: true });
}

function csvNumber(v: number): string {
  return Number.isNaN(v) ? 'nan' : String(v);
}

/** Trains a CharLM; the curve starts with step 0 (the initial weights). */
export function train(config: TrainConfig = {}): TrainResult {
  const steps = config.steps ?? 1000;
  const evalEvery = config.evalEvery ?? 100;
  const evalChunks = config.evalChunks ?? 8;
  const batch = config.batch ?? 32;
  const bptt = config.bptt ?? 64;
  const clip = config.clip ?? 5;
  const log = config.log ?? ((line: string) => console.log(line));
  for (const [name, v, min] of [['steps', steps, 0], ['evalEvery', evalEvery, 1], ['evalChunks', evalChunks, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`train: ${name} must be an integer ≥ ${min}, got ${v}`);
  }

  const data = prepareData(config.text ?? mobyDick());
  const model = new CharLM(data.vocab.size, {
    embed: config.embed ?? 64, hidden: config.hidden ?? 256, layers: config.layers ?? 2, generator: new Generator(config.seed ?? 0),
  });
  if (config.init !== undefined) loadInit(model, config.init);
  const params = model.parameters();
  const optimizer = new Adam(params, { lr: config.lr ?? 2e-3 });
  const trainStream = lmStream(data.train, batch, bptt);
  const valBatches = evalBatches(data.val, batch, bptt, evalChunks);
  log(`vocabulary ${data.vocab.size} characters; train ${data.train.length}, validation ${data.val.length}, test ${data.test.length}; `
    + `${trainStream.length} chunks of ${batch}×${bptt}; ${model.numParameters()} parameters`
    + `${typeof config.init === 'string' ? `; initial weights from ${config.init}` : config.init ? '; initial weights given' : `; initial weights from seed ${config.seed ?? 0}`}`);

  const curve: CurvePoint[] = [];
  const csv = ['step,train_loss,val_loss,seconds'];
  if (config.out !== undefined) mkdirSync(config.out, { recursive: true });
  const t0 = performance.now();
  let sinceEval = 0;
  let sinceEvalN = 0;
  const record = (step: number): void => {
    const valLoss = evaluate(model, valBatches);
    const p: CurvePoint = {
      step, trainLoss: sinceEvalN > 0 ? sinceEval / sinceEvalN : Number.NaN, valLoss,
      valBitsPerChar: Number.isNaN(valLoss) ? Number.NaN : bitsPerChar(valLoss), seconds: (performance.now() - t0) / 1000,
    };
    curve.push(p);
    log(`step ${p.step}  train ${Number.isNaN(p.trainLoss) ? 'nan' : p.trainLoss.toFixed(4)}  val ${p.valLoss.toFixed(5)}  (${p.valBitsPerChar.toFixed(3)} bits/char)  ${p.seconds.toFixed(1)} s`);
    if (config.out !== undefined) {
      csv.push([p.step, p.trainLoss, p.valLoss, p.seconds].map(csvNumber).join(','));
      writeFileSync(join(config.out, 'curve-ours.csv'), csv.join('\n') + '\n');
    }
    sinceEval = 0;
    sinceEvalN = 0;
  };

  record(0);
  let state: LMState | null = null;
  for (let s = 0; s < steps; s++) {
    if (resetsStateAt(s, trainStream.length)) state = null;
    const { input, target } = trainStream.get(chunkForStep(s, trainStream.length));
    optimizer.zeroGrad();
    const r = model.forward(input, state);
    const loss = lmLoss(r.logits, target);
    loss.backward();
    clipGradNorm(params, clip);
    optimizer.step();
    state = detachState(r.state);
    sinceEval += loss.item();
    sinceEvalN++;
    const done = s + 1;
    if (done % evalEvery === 0 || done === steps) record(done);
  }
  return { model, data, optimizer, curve };
}

function options(argv: string[], env: NodeJS.ProcessEnv): Required<Pick<TrainConfig, 'steps' | 'evalEvery' | 'evalChunks' | 'seed' | 'out'>> & { init?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      steps: { type: 'string' }, 'eval-every': { type: 'string' }, 'eval-chunks': { type: 'string' },
      init: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' },
    },
  });
  const int = (flag: string, v: string | undefined, dflt: number, min: number): number => {
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new RangeError(`--${flag} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
  const init = values.init ?? env.CHAR_LM_INIT;
  return {
    steps: int('steps', values.steps ?? env.CHAR_LM_STEPS, 1000, 0),
    evalEvery: int('eval-every', values['eval-every'] ?? env.CHAR_LM_EVAL_EVERY, 100, 1),
    evalChunks: int('eval-chunks', values['eval-chunks'] ?? env.CHAR_LM_EVAL_CHUNKS, 8, 1),
    seed: int('seed', values.seed ?? env.CHAR_LM_SEED, 0, 0),
    out: values.out ?? env.CHAR_LM_OUT ?? 'runs/char-lm',
    ...(init ? { init } : {}),
  };
}

function main(): void {
  const o = options(process.argv.slice(2), process.env);
  console.log(describeBackend());
  const { model, data, optimizer, curve } = train(o);
  const g = new Generator(1);
  for (const prompt of ['The ', 'Whale', 'Ahab']) {
    console.log(`--- sample (temperature 0.8) ---\n${sample(model, data.vocab, prompt, 200, 0.8, g)}`);
  }
  const ckpt = join(o.out, 'char-lm.ckpt');
  saveCheckpoint(ckpt, model, {
    step: curve[curve.length - 1]?.step ?? 0,
    optimizer: optimizer.stateDict(),
    config: { ...model.config, vocab: data.vocab.toJSON() },
  });
  console.log(`wrote ${join(o.out, 'curve-ours.csv')} and ${ckpt}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
