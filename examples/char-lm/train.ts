// Trains the Moby-Dick character LM and writes its validation curve; the PyTorch twin is
// tools/char_lm_torch.py. Usage (see README.md next to this file):
//   node --import tsx examples/char-lm/train.ts [--steps 1000] [--eval-every 100]
//        [--eval-chunks 8] [--init init.safetensors] [--out dir] [--seed 0]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Generator, describeBackend } from '../../src/index.js';
import { mobyDick, saveCheckpoint } from '../../src/node/index.js';
import { DEFAULT_TRAIN, prepareText, sample, train } from './char-lm.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: String(DEFAULT_TRAIN.steps) },
    'eval-every': { type: 'string', default: String(DEFAULT_TRAIN.evalEvery) },
    'eval-chunks': { type: 'string', default: String(DEFAULT_TRAIN.evalChunks) },
    init: { type: 'string' },
    out: { type: 'string', default: 'runs/char-lm' },
    seed: { type: 'string', default: '0' },
  },
});

function int(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
}

const out = values.out as string;
mkdirSync(out, { recursive: true });
const data = prepareText(mobyDick());
console.log(`${describeBackend()}\nvocabulary ${data.vocab.size} characters; train ${data.train.length}, validation ${data.val.length}, test ${data.test.length}`);
const csv = ['step,train_loss,val_loss,val_bpc,seconds'];
const { model, curve } = train(data, {
  ...DEFAULT_TRAIN,
  steps: int('steps', values.steps),
  evalEvery: Math.max(1, int('eval-every', values['eval-every'])),
  evalChunks: Math.max(1, int('eval-chunks', values['eval-chunks'])),
  seed: int('seed', values.seed),
  ...(values.init ? { init: new Uint8Array(readFileSync(values.init)) } : {}),
  onEval: (r) => {
    console.log(`step ${r.step}  train ${r.trainLoss.toFixed(4)}  val ${r.valLoss.toFixed(4)} (${r.valBpc.toFixed(3)} bits/char)  ${r.seconds.toFixed(1)} s`);
    csv.push([r.step, r.trainLoss, r.valLoss, r.valBpc, r.seconds].map((v) => (Number.isNaN(v) ? '' : String(v))).join(','));
    writeFileSync(join(out, 'curve-ours.csv'), csv.join('\n') + '\n');
  },
});
saveCheckpoint(join(out, 'char-lm.ckpt'), model, { step: curve[curve.length - 1]?.step ?? 0, config: { vocab: data.vocab.toJSON(), model: model.config } });
const g = new Generator(1);
for (const prompt of ['The ', 'Whale', 'Ahab']) console.log(`--- sample (temperature 0.8): ${JSON.stringify(sample(model, data.vocab, prompt, 200, 0.8, g))}`);
