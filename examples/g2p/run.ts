// Grapheme-to-phoneme conversion on CMUdict (npm run g2p): a bidirectional-LSTM encoder
// over the letters and an LSTM decoder with attention over the phonemes, trained with
// teacher forcing, decoded greedily and by beam search. Reports the phoneme error rate
// (edit distance / reference length) and word error rate (words with any error) on the
// test split, writes docs/g2p.md, docs/g2p/results.json and attention heat maps.
//
//   npm run g2p                         # the one-hour recipe: 59 minutes of training, then the test evaluation
//   npm run g2p -- --minutes 5          # shorter
//   npm run g2p -- --resume --minutes 30  # continue from runs/g2p/checkpoint.safetensors
//   npm run g2p -- --quick              # a few steps, to check it runs
//
// Data: see examples/g2p/data.ts (letters only, primary pronunciation, no stress, seeded
// 90/5/5 split by word).

import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { Command } from 'commander';
import {
  moduleConfig,
  Seq2Seq, Adam, ReduceLROnPlateau, CosineAnnealingLR, Generator, clipGradNorm, crossEntropy, reshape, padSequences, bucketBatches,
  greedyDecode, beamSearch, sequenceErrorRates, describeBackend, manualSeed, buildModule, Seq2SeqEnsemble, setFlushDenormal, setNumThreads, getBackend, AveragedModel,
  type Hypothesis, type StateDict, type StepDecoder, type EncodedLike,
} from '../../src/index.js';
import { cmudict, saveCheckpoint, loadCheckpoint, heatmapSVG, lineChartSVG } from '../../src/node/index.js';
import { writeReport } from './report.js';
import { pairsFromDict, splitG2P, encodeWord, encodePhones, BOS, EOS, type G2PPair } from './data.js';

const program = new Command()
  .name('g2p')
  .option('--minutes <n>', 'training time budget', '59')
  .option('--embed <n>', 'embedding width', '64')
  .option('--hidden <n>', 'encoder hidden size per direction (decoder: twice this)', '128')
  .option('--batch <n>', 'batch size', '64')
  .option('--lr <x>', 'Adam learning rate', '0.003')
  .option('--schedule <kind>', 'learning rate: "plateau" (halved when the dev WER stops improving) or "cosine" (annealed from lr to lr/100 over the time budget of this session; a resumed session restarts from lr)', 'cosine')
  .option('--dropout <p>', 'dropout on embeddings and the attentional vector', '0.2')
  .option('--label-smoothing <eps>', 'label smoothing of the training loss (as torch.nn.CrossEntropyLoss(label_smoothing=eps)); 0 = plain cross-entropy', '0.1')
  .option('--attention <kind>', 'additive, dot or general', 'general')
  .option('--beam <k>', 'beam width for the beam-search evaluation', '5')
  .option('--alpha <a>', 'length normalisation exponent of beam search', '1')
  .option('--eval-every <steps>', 'dev evaluation interval (updates)', '1500')
  .option('--dev-words <n>', 'dev words scored at each evaluation (the dev split has 5825)', '5825')
  .option('--seed <n>', 'initialisation and batch-order seed', '1')
  .option('--swa <fraction>', 'stochastic weight averaging: from this fraction of the time budget on, the equal average of the weights every 100 updates is kept too; each dev evaluation then scores it as well, and the best of both (by dev WER) goes to the test (default: off)')
  .option('--no-flush-denormal', 'keep IEEE subnormal numbers in the native kernels (by default they are flushed to zero: late in training, tiny gradients make float32 arithmetic on subnormals up to 100x slower, ~1.5x the whole update)')
  .option('--threads <n>', 'kernel threads (default: RECURRENT_THREADS, else 1: this model\'s many small operations gain nothing from a second thread on this 2-vCPU machine)')
  .option('--resume', 'continue from the checkpoint in --ckpt-dir')
  .option('--ckpt-dir <dir>', 'checkpoint directory', 'runs/g2p')
  .option('--out <dir>', 'where the report goes', 'docs')
  .option('--tag <name>', 'suffix of the report files (results-<tag>.json); "main" writes docs/g2p.md', 'main')
  .option('--quick', 'a few steps and a small evaluation (smoke test)')
  .option('--report', 'only rewrite docs/g2p.md from the results files present')
  .option('--ensemble <checkpoints>', 'only score an ensemble of trained models (comma-separated checkpoints, e.g. runs/g2p-a/best.safetensors,runs/g2p-b/best.safetensors; each holds its own config) on the whole dev and test splits, greedy and beam; writes docs/g2p/ensemble-<tag>.json')
  .option('--evaluate <checkpoint>', 'only score the weights of a checkpoint of this model (e.g. runs/g2p/checkpoint.safetensors) on the whole dev and test splits, greedy')
  .parse();
const o = program.opts<Record<string, string | boolean | undefined>>();
if (o.report) {
  writeReport(String(o.out));
  process.stdout.write(`wrote ${String(o.out)}/g2p.md\n`);
  process.exit(0);
}
const num = (k: string): number => Number(o[k]);
/** A bad flag value: says which flag, what it takes and what it got, and exits with 2. */
function badFlag(flag: string, expected: string, got: unknown): never {
  process.stderr.write(`g2p: ${flag} must be ${expected}, got "${String(got)}"\n`);
  process.exit(2);
}
if (o.schedule !== 'plateau' && o.schedule !== 'cosine') badFlag('--schedule', '"plateau" or "cosine"', o.schedule);
const quick = Boolean(o.quick);
const swaFrom = o.swa === undefined ? null : Number(o.swa);
if (swaFrom !== null && !(swaFrom >= 0 && swaFrom < 1)) badFlag('--swa', 'a fraction in [0, 1)', o.swa);
const labelSmoothing = num('labelSmoothing');
if (!(labelSmoothing >= 0 && labelSmoothing < 1)) badFlag('--label-smoothing', 'a number in [0, 1)', o.labelSmoothing);
const threadsArg = o.threads ?? process.env.RECURRENT_THREADS ?? '1';
const threads = Number(threadsArg);
if (!Number.isInteger(threads) || threads < 1) badFlag('--threads', 'a positive integer', threadsArg);
setNumThreads(threads);
// Recorded only when the kernels in use honour it (RECURRENT_BACKEND=wasm/ref keep IEEE subnormals).
const flushDenormal = o.flushDenormal !== false && setFlushDenormal(true) && getBackend().name === 'native';

const dict = cmudict();
const data = splitG2P(pairsFromDict(dict));
const { letters, phonemes } = data;
process.stdout.write(`${describeBackend()}${flushDenormal ? ', subnormals flushed to zero' : ''}\n`);
process.stdout.write(`CMUdict: ${data.train.length} train, ${data.dev.length} dev, ${data.test.length} test words; ${letters.size} letter ids, ${phonemes.size} phoneme ids\n`);

manualSeed(num('seed'));
const gen = new Generator(num('seed'));
const hidden = num('hidden');
const model = new Seq2Seq({
  srcVocab: letters.size, tgtVocab: phonemes.size, embed: num('embed'), hidden, decoderHidden: 2 * hidden,
  bidirectional: true, attention: o.attention as 'general', dropout: num('dropout'), generator: gen,
});
model.checkVocabularies(letters, phonemes);
const optimizer = new Adam(model.parameters(), { lr: num('lr') });
const plateau = new ReduceLROnPlateau(optimizer, { mode: 'min', factor: 0.5, patience: 1, threshold: 0.005 });
const ckptDir = String(o.ckptDir);
const ckptPath = `${ckptDir}/checkpoint.safetensors`;
mkdirSync(ckptDir, { recursive: true });

interface Curve { step: number; seconds: number; trainLoss: number; devPER: number; devWER: number; lr: number; swaDevWER?: number; swaModels?: number }
let step = 0;
let seconds = 0;
let curve: Curve[] = [];
let best: { wer: number; step: number; weights: StateDict | null; averaged?: boolean } = { wer: Infinity, step: 0, weights: null };
if (o.resume) {
  if (!existsSync(ckptPath)) throw new Error(`--resume: no checkpoint at ${ckptPath}`);
  const ck = loadCheckpoint(ckptPath);
  model.loadStateDict(ck.model);
  optimizer.loadStateDict(ck.optimizer as Parameters<typeof optimizer.loadStateDict>[0]);
  plateau.loadStateDict(ck.scheduler as Record<string, number>);
  gen.setState(ck.rng as Parameters<typeof gen.setState>[0]);
  const extra = ck.extra as { curve: Curve[]; seconds: number; bestWer: number; bestStep: number };
  step = ck.step ?? 0;
  seconds = extra.seconds;
  curve = extra.curve;
  best = { wer: extra.bestWer, step: extra.bestStep, weights: null };
  process.stdout.write(`resumed at step ${step} (${(seconds / 60).toFixed(1)} min trained, best dev WER ${(best.wer * 100).toFixed(2)} % at step ${best.step})\n`);
}

function makeBatch(pairs: readonly G2PPair[]): { src: ReturnType<typeof padSequences>; tgtIn: ReturnType<typeof padSequences>['tokens']; tgtOut: ReturnType<typeof padSequences>['tokens'] } {
  const src = padSequences(pairs.map((p) => encodeWord(letters, p.word)));
  const ph = pairs.map((p) => encodePhones(phonemes, p.phones));
  const tgtIn = padSequences(ph.map((s) => [BOS, ...s])).tokens;
  const tgtOut = padSequences(ph.map((s) => [...s, EOS]), { padValue: -100 }).tokens;
  return { src, tgtIn, tgtOut };
}

/** Decodes pairs in length-sorted batches (by the model, or another decoder such as an ensemble); returns hypotheses in the input order. */
function decodeAll<E extends EncodedLike, S>(pairs: readonly G2PPair[], beam: number, decoder: StepDecoder<E, S> = model as never): Hypothesis[] {
  model.eval();
  const order = pairs.map((_, i) => i).sort((a, b) => (pairs[a] as G2PPair).word.length - (pairs[b] as G2PPair).word.length);
  const out: Hypothesis[] = new Array(pairs.length);
  const B = beam > 1 ? 64 : 256;
  for (let i = 0; i < order.length; i += B) {
    const idx = order.slice(i, i + B);
    const src = padSequences(idx.map((k) => encodeWord(letters, (pairs[k] as G2PPair).word)));
    const maxLength = Math.max(...src.lengths) + 8;
    const hyps = beam > 1
      ? beamSearch(decoder, src.tokens, src.lengths, { bos: BOS, eos: EOS, beamWidth: beam, lengthPenalty: num('alpha'), maxLength }).map((h) => h[0] as Hypothesis)
      : greedyDecode(decoder, src.tokens, src.lengths, { bos: BOS, eos: EOS, maxLength });
    idx.forEach((k, j) => (out[k] = hyps[j] as Hypothesis));
  }
  model.train();
  return out;
}

function score(pairs: readonly G2PPair[], hyps: readonly Hypothesis[]): { per: number; wer: number } {
  const r = sequenceErrorRates(hyps.map((h) => h.tokens), pairs.map((p) => encodePhones(phonemes, p.phones)));
  return { per: r.tokenErrorRate, wer: r.sequenceErrorRate };
}

if (o.evaluate) {
  const ck = loadCheckpoint(String(o.evaluate));
  model.loadStateDict(ck.model);
  for (const [name, pairs] of [['dev', data.dev], ['test', data.test]] as const) {
    const r = score(pairs, decodeAll(pairs, 1));
    process.stdout.write(`${String(o.evaluate)} (update ${ck.step ?? '?'}): ${name} (${pairs.length} words) greedy PER ${(r.per * 100).toFixed(2)} % WER ${(r.wer * 100).toFixed(2)} %\n`);
  }
  process.exit(0);
}

if (o.ensemble) {
  // Members trained by separate runs (their training times add up), decoded as one model.
  const paths = String(o.ensemble).split(',').filter((x) => x.length > 0);
  const members = paths.map((path) => {
    const ck = loadCheckpoint(path);
    const m = buildModule(ck.config, path);
    if (!(m instanceof Seq2Seq)) throw new Error(`--ensemble: ${path} does not hold a Seq2Seq model`);
    m.loadStateDict(ck.model);
    m.checkVocabularies(letters, phonemes);
    process.stdout.write(`member ${path}: update ${ck.step ?? '?'}, hidden ${m.hiddenSize}, ${m.numParameters().toLocaleString('en-US')} parameters\n`);
    return m;
  });
  const ensemble = new Seq2SeqEnsemble(members).eval();
  const beamK = num('beam');
  const scores: Record<string, { per: number; wer: number; seconds: number }> = {};
  const [dev, test] = quick ? [data.dev.slice(0, 200), data.test.slice(0, 200)] : [data.dev, data.test];
  for (const [name, pairs, beam] of [['dev', dev, 1], ['test', test, 1], ['testBeam', test, beamK]] as const) {
    const t = performance.now();
    const r = score(pairs, decodeAll(pairs, beam, ensemble));
    scores[name] = { ...r, seconds: (performance.now() - t) / 1000 };
    process.stdout.write(`ensemble of ${members.length}: ${name} (${pairs.length} words, ${beam > 1 ? `beam ${beam}` : 'greedy'}) PER ${(r.per * 100).toFixed(2)} % WER ${(r.wer * 100).toFixed(2)} %\n`);
  }
  if (quick) process.exit(0);
  mkdirSync(`${String(o.out)}/g2p`, { recursive: true });
  writeFileSync(`${String(o.out)}/g2p/ensemble-${String(o.tag)}.json`, JSON.stringify({
    date: new Date().toISOString(), backend: describeBackend(), members: paths,
    parameters: members.map((m) => m.numParameters()),
    dev: scores.dev, test: { greedy: scores.test, beam: { width: beamK, alpha: num('alpha'), ...scores.testBeam } },
  }, null, 1) + '\n');
  writeReport(String(o.out));
  process.exit(0);
}

// ---- training -------------------------------------------------------------------------------
const budget = (quick ? 0.3 : num('minutes')) * 60;
const evalEvery = quick ? 20 : num('evalEvery');
const devWords = data.dev.slice(0, quick ? 200 : num('devWords'));
const batchSize = num('batch');
const runStart = performance.now();
const COSINE_STEPS = 10000;
// A cosine schedule spans one session's budget: a resumed session restarts it from --lr (a warm
// restart, as SGDR), not from the annealed rate the checkpoint ended at.
if (o.schedule === 'cosine') for (const group of optimizer.paramGroups) group.lr = num('lr');
const cosine = o.schedule === 'cosine' ? new CosineAnnealingLR(optimizer, COSINE_STEPS, num('lr') / 100) : null;
// Stochastic weight averaging (Izmailov et al. 2018; AveragedModel): the equal average of the
// weights sampled every SWA_EVERY updates from swaFrom × budget on (this session only: not saved
// in checkpoints).
const SWA_EVERY = quick ? 10 : 100;
const swa = swaFrom === null ? null : new AveragedModel(model);
let swaModelsScored = 0;
/** Scores the average on the dev words; keeps it as the best weights if it beats them. */
function evaluateAverage(): number {
  const averaged = swa as AveragedModel;
  swaModelsScored = averaged.nAveraged;
  return averaged.withAveraged(() => {
    const { wer } = score(devWords, decodeAll(devWords, 1));
    if (wer < best.wer) {
      best = { wer, step, weights: cloneState(model.stateDict()), averaged: true };
      saveCheckpoint(`${ckptDir}/best.safetensors`, model, { step, config: moduleConfig(model), extra: { letters: letters.toJSON(), phonemes: phonemes.toJSON(), swaModels: averaged.nAveraged } });
    }
    return wer;
  });
}
let lossSum = 0;
let lossCount = 0;
let epoch = 0;
const elapsed = (): number => seconds + (performance.now() - runStart) / 1000;
const sessionSeconds = (): number => (performance.now() - runStart) / 1000;
model.train();
outer: for (;;) {
  const batches = bucketBatches(data.train.map((p) => p.word.length), batchSize, { generator: gen });
  for (const bi of batches) {
    if (sessionSeconds() >= budget) break outer;
    const { src, tgtIn, tgtOut } = makeBatch(bi.map((i) => data.train[i] as G2PPair));
    const { logits } = model.forward(src.tokens, src.lengths, tgtIn);
    const loss = crossEntropy(reshape(logits, [-1, phonemes.size]), reshape(tgtOut, [-1]), { labelSmoothing });
    // A wall-clock budget: the cosine advances by the fraction of it used (in COSINE_STEPS
    // steps), so the run ends at a low rate wherever it stands.
    const due = Math.min(COSINE_STEPS, Math.floor((sessionSeconds() / budget) * COSINE_STEPS));
    while (cosine && cosine.lastEpoch < due) cosine.step();
    optimizer.zeroGrad();
    loss.backward();
    clipGradNorm(model.parameters(), 5);
    optimizer.step();
    step++;
    if (swa && step % SWA_EVERY === 0 && sessionSeconds() >= (swaFrom as number) * budget) swa.updateParameters();
    lossSum += loss.item();
    lossCount++;
    if (step % evalEvery === 0) {
      const { per, wer } = score(devWords, decodeAll(devWords, 1));
      const trainLoss = lossSum / lossCount;
      lossSum = 0;
      lossCount = 0;
      const point: Curve = { step, seconds: elapsed(), trainLoss, devPER: per, devWER: wer, lr: optimizer.paramGroups[0]?.lr as number };
      curve.push(point);
      if (wer < best.wer) {
        best = { wer, step, weights: cloneState(model.stateDict()) };
        // Written when found, while the model holds these weights (not at every evaluation).
        saveCheckpoint(`${ckptDir}/best.safetensors`, model, { step, config: moduleConfig(model), extra: { letters: letters.toJSON(), phonemes: phonemes.toJSON() } });
      }
      if (swa && swa.nAveraged > 0) {
        point.swaDevWER = evaluateAverage();
        point.swaModels = swa.nAveraged;
      }
      if (o.schedule !== 'cosine') plateau.step(wer);
      process.stdout.write(`step ${step} (epoch ${epoch}, ${(elapsed() / 60).toFixed(1)} min): train loss ${trainLoss.toFixed(4)}, dev PER ${(per * 100).toFixed(2)} % WER ${(wer * 100).toFixed(2)} %, lr ${optimizer.paramGroups[0]?.lr}${point.swaModels ? `; average of ${point.swaModels}: dev WER ${((point.swaDevWER as number) * 100).toFixed(2)} %` : ''}\n`);
      saveCheckpoint(ckptPath, model, {
        step, optimizer: optimizer.stateDict(), scheduler: plateau.stateDict(), rng: gen.getState(), config: moduleConfig(model),
        extra: { curve, seconds: elapsed(), bestWer: best.wer, bestStep: best.step, letters: letters.toJSON(), phonemes: phonemes.toJSON() },
      });
    }
  }
  epoch++;
}
const trainedSeconds = elapsed();
// The average at the end of training (samples since the last evaluation), scored too.
let finalSwaDevWER: number | null = null;
if (swa && swa.nAveraged !== swaModelsScored) {
  finalSwaDevWER = evaluateAverage();
  process.stdout.write(`average of ${swa.nAveraged} at the end (update ${step}): dev WER ${(finalSwaDevWER * 100).toFixed(2)} %\n`);
}
// The state at the end of training, so that --resume continues from here (not from the last evaluation).
saveCheckpoint(ckptPath, model, {
  step, optimizer: optimizer.stateDict(), scheduler: plateau.stateDict(), rng: gen.getState(), config: moduleConfig(model),
  extra: { curve, seconds: trainedSeconds, bestWer: best.wer, bestStep: best.step, letters: letters.toJSON(), phonemes: phonemes.toJSON() },
});
process.stdout.write(`trained ${step} updates in ${(trainedSeconds / 60).toFixed(1)} min (this session ${(sessionSeconds() / 60).toFixed(1)} min)\n`);

function cloneState(sd: StateDict): StateDict {
  return Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.clone()]));
}

// ---- evaluation on the test split ---------------------------------------------------------------
// The weights with the best dev WER (or, on resume without an evaluation yet, the saved best).
if (best.weights) model.loadStateDict(best.weights);
else if (existsSync(`${ckptDir}/best.safetensors`)) model.loadStateDict(loadCheckpoint(`${ckptDir}/best.safetensors`).model);
const test = quick ? data.test.slice(0, 200) : data.test;
const t0 = performance.now();
const greedy = decodeAll(test, 1);
const greedySeconds = (performance.now() - t0) / 1000;
const g = score(test, greedy);
const t1 = performance.now();
const beamK = num('beam');
const beamHyps = decodeAll(test, beamK);
const beamSeconds = (performance.now() - t1) / 1000;
const b = score(test, beamHyps);
process.stdout.write(`test (${test.length} words): greedy PER ${(g.per * 100).toFixed(2)} % WER ${(g.wer * 100).toFixed(2)} %; beam ${beamK} PER ${(b.per * 100).toFixed(2)} % WER ${(b.wer * 100).toFixed(2)} %\n`);

// ---- report ---------------------------------------------------------------------------------------
const tag = String(o.tag);
const outDir = String(o.out);
mkdirSync(`${outDir}/g2p`, { recursive: true });
const examples = ['PHONEME', 'ATTENTION', 'KNIGHT', 'XYLOPHONE'];
const showWords = [...examples.filter((w) => test.some((p) => p.word === w)), ...test.filter((p) => p.word.length >= 6 && p.word.length <= 9).slice(0, 4).map((p) => p.word)].slice(0, 4);
const shown = showWords.map((w) => test.find((p) => p.word === w) as G2PPair);
const shownHyps = decodeAll(shown, 1);
const panels = shown.map((p, i) => {
  const h = shownHyps[i] as Hypothesis;
  const values = h.attention ?? [];
  const rows = [...h.tokens.map((t) => phonemes.tokens[t] as string), '</s>'].slice(0, values.length);
  return { title: `${p.word} → ${h.tokens.map((t) => phonemes.tokens[t]).join(' ')}`, rows, cols: [...p.word], values };
});
if (!quick) writeFileSync(`${outDir}/g2p/attention${tag === 'main' ? '' : `-${tag}`}.svg`, await heatmapSVG(panels, { title: 'Attention weights (rows: output phonemes, columns: input letters), greedy decoding of test words' }));
if (!quick && curve.length > 1) {
  writeFileSync(`${outDir}/g2p/curve${tag === 'main' ? '' : `-${tag}`}.svg`, await lineChartSVG([
    { name: 'dev WER (greedy)', points: curve.map((c) => [c.seconds / 60, c.devWER]) },
    { name: 'dev PER (greedy)', points: curve.map((c) => [c.seconds / 60, c.devPER]) },
    ...(curve.some((c) => c.swaDevWER !== undefined)
      ? [{ name: 'dev WER of the weight average (greedy)', points: curve.filter((c) => c.swaDevWER !== undefined).map((c) => [c.seconds / 60, c.swaDevWER as number] as [number, number]) }]
      : []),
  ], { title: 'G2P on CMUdict: dev error rates during training', xLabel: 'training time (min)', yLabel: 'error rate', logY: true }));
}
const results = {
  date: new Date().toISOString(), backend: describeBackend(), flushDenormal, options: { ...o }, parameters: model.numParameters(),
  words: { train: data.train.length, dev: data.dev.length, test: data.test.length },
  updates: step, trainedMinutes: trainedSeconds / 60, bestDevStep: best.step, bestDevWER: best.wer, bestDevAveraged: best.averaged === true,
  ...(swa ? { swa: { from: swaFrom, every: SWA_EVERY, models: swa.nAveraged, finalDevWER: finalSwaDevWER } } : {}),
  test: { greedy: { ...g, seconds: greedySeconds }, beam: { width: beamK, alpha: num('alpha'), ...b, seconds: beamSeconds } },
  curve,
  samples: shown.map((p, i) => ({ word: p.word, reference: p.phones.join(' '), greedy: (shownHyps[i] as Hypothesis).tokens.map((t) => phonemes.tokens[t]).join(' ') })),
};
if (!quick) {
  writeFileSync(`${outDir}/g2p/results-${tag}.json`, JSON.stringify(results, null, 1) + '\n');
  writeReport(outDir);
}
process.stdout.write(`${JSON.stringify({ updates: step, minutes: trainedSeconds / 60, test: results.test })}\n`);
