// The char-LM view: trains a CharLM on the Moby-Dick excerpt (lm.ts) and samples text from
// it every couple of seconds; saves its weights (encodeWeights, the vocabulary in the
// metadata) and loads weights saved that way.

import { CharLM, Generator, Vocab, decodeModule, encodeWeights, parseSafetensors, sampleText } from '../../../src/index.js';
import type { CharLMParams, Reply } from '../protocol.js';
import { LMTrainer } from './lm.js';
import { trainLoop, type LoopControl } from './runtime.js';

export const VOCAB_KEY = 'charlm.vocab';

export class CharLMTask {
  trainer: LMTrainer | null = null;
  private params: CharLMParams | null = null;

  async run(p: CharLMParams, control: LoopControl, post: (r: Reply) => void): Promise<number> {
    this.params = p;
    const t = new LMTrainer({ corpus: p.corpus, cell: p.cell, embed: 32, hidden: p.hidden, layers: p.layers, lr: p.lr, seqLen: p.seqLen, batch: p.batch, seed: p.seed });
    this.trainer = t;
    return this.train(control, post);
  }

  async train(control: LoopControl, post: (r: Reply) => void): Promise<number> {
    const t = this.trainer!;
    const p = this.params!;
    let sent = t.losses.length;
    let lastSample = -Infinity;
    const nParams = t.model.parameters().reduce((s, q) => s + q.size, 0);
    const emit = (): void => {
      let sample: string | null = null;
      const now = performance.now();
      if (now - lastSample > 2000 || (p.maxSteps > 0 && t.step >= p.maxSteps)) {
        sample = this.sample(p.temperature, p.seed + t.step);
        lastSample = performance.now();
      }
      post({ type: 'charlm', step: t.step, losses: t.losses.slice(sent), sample, vocabSize: t.vocab.size, params: nParams });
      sent = t.losses.length;
    };
    return trainLoop(control, () => void t.trainStep(), emit, { maxSteps: p.maxSteps, startStep: t.step, interval: 150 });
  }

  sample(temperature: number, seed: number): string {
    const t = this.trainer!;
    t.model.eval();
    const text = sampleText(t.model, t.vocab, 'The ', 240, temperature, new Generator(seed));
    t.model.train();
    return text;
  }

  save(): Uint8Array {
    const t = this.trainer;
    if (!t) throw new Error('nothing to save yet: start training first');
    return encodeWeights(t.model, { metadata: { [VOCAB_KEY]: JSON.stringify(t.vocab.toJSON()) } });
  }

  /** Loads weights saved by save(); throws with a readable message for anything else. */
  load(bytes: Uint8Array, name: string): string {
    const t = this.trainer;
    if (!t) throw new Error('start training once first (the loaded model continues on the same text)');
    const meta = parseSafetensors(bytes, { source: name }).metadata;
    let module;
    try {
      module = decodeModule(bytes, { source: name });
    } catch (e) {
      throw new Error(`${name} is not a model file of this library: ${(e as Error).message}`);
    }
    if (!(module instanceof CharLM)) throw new Error(`${name} holds a ${module.typeName}, not a character language model (CharLM)`);
    const raw = meta[VOCAB_KEY];
    if (raw === undefined) throw new Error(`${name} has no '${VOCAB_KEY}' metadata: save it from this page`);
    const vocab = Vocab.fromJSON(JSON.parse(raw), name);
    if (vocab.tokens.join('\u0000') !== t.vocab.tokens.join('\u0000')) {
      throw new Error(`${name} was trained on another alphabet (${vocab.size} characters, this text has ${t.vocab.size})`);
    }
    t.replaceModel(module);
    const c = module.config;
    return `${c.cell ?? 'lstm'}, ${c.layers} layer(s) of ${c.hidden}, embedding ${c.embed}`;
  }
}
