// A character language model on the page's Moby-Dick excerpt, trained by truncated BPTT
// over consecutive chunks (StreamBatches), as the library's CLI does.
//
// Seed s: vocabulary Vocab.fromText(corpus) (characters, sorted); weights from
// new Generator(s); chunk i of the stream at update i (the state carried across chunks and
// reset at the start of each pass); Adam; gradient-norm clipping at 5;
// loss = crossEntropy over the (T·B, V) logits.

import {
  Adam, CharLM, Generator, StreamBatches, Vocab, clipGradNorm, crossEntropy, detachState, reshape, type CellType, type LMState,
} from '../../../src/index.js';

export interface LMSetup {
  corpus: string;
  cell: CellType;
  embed: number;
  hidden: number;
  layers: number;
  lr: number;
  seqLen: number;
  batch: number;
  seed: number;
}

export class LMTrainer {
  readonly vocab: Vocab;
  readonly batches: StreamBatches;
  model: CharLM;
  opt: Adam;
  step = 0;
  readonly losses: number[] = [];
  private state: LMState | null = null;
  private readonly lr: number;

  constructor(s: LMSetup) {
    this.vocab = Vocab.fromText(s.corpus);
    const ids = this.vocab.encode(s.corpus);
    this.batches = new StreamBatches(ids, s.batch, s.seqLen);
    this.model = new CharLM(this.vocab.size, { embed: s.embed, hidden: s.hidden, layers: s.layers, cell: s.cell, generator: new Generator(s.seed) });
    this.lr = s.lr;
    this.opt = new Adam(this.model.parameters(), { lr: s.lr });
  }

  /** Replaces the model (loaded weights); a fresh optimizer, the state reset. */
  replaceModel(model: CharLM): void {
    this.model = model;
    this.opt = new Adam(model.parameters(), { lr: this.lr });
    this.state = null;
  }

  trainStep(): number {
    const i = this.step % this.batches.length;
    if (i === 0) this.state = null;
    const { input, target } = this.batches.get(i);
    this.model.train();
    const { logits, state } = this.model.forward(input, this.state);
    const loss = crossEntropy(reshape(logits, [-1, this.vocab.size]), reshape(target, [-1]));
    this.opt.zeroGrad();
    loss.backward();
    clipGradNorm(this.model.parameters(), 5);
    this.opt.step();
    this.state = detachState(state);
    this.step++;
    const v = loss.item();
    this.losses.push(v);
    return v;
  }
}
