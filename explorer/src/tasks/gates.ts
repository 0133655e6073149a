// The gates view: a one-layer LSTM or GRU character model (embedding 16) trains on the
// Moby-Dick excerpt (lm.ts); every second the text the user typed is embedded and traced
// through the cell (trace.ts): i, f, g, o and c, h (LSTM) or r, z, n and h (GRU) per
// character and unit.

import { Tensor } from '../../../src/index.js';
import type { GatesParams, Reply, TracePayload } from '../protocol.js';
import { LMTrainer } from './lm.js';
import { trainLoop, type LoopControl } from './runtime.js';
import { traceCell } from './trace.js';
import type { Layer } from './trace.js';

export class GatesTask {
  private trainer: LMTrainer | null = null;
  text = '';

  traceText(): { trace: TracePayload | null; textError: string | null } {
    const t = this.trainer;
    if (!t) return { trace: null, textError: null };
    if (this.text.length === 0) return { trace: null, textError: 'Type some text to trace through the cell.' };
    const unknown = [...new Set([...this.text].filter((ch) => !t.vocab.has(ch)))];
    if (unknown.length > 0) {
      return { trace: null, textError: `The model has never seen ${unknown.map((c) => JSON.stringify(c)).join(', ')} (it knows the ${t.vocab.size} characters of the excerpt); remove ${unknown.length === 1 ? 'it' : 'them'}.` };
    }
    const ids = t.vocab.encode(this.text);
    const model = t.model;
    model.eval();
    const x = model.embed.forward(new Tensor(ids, [ids.length, 1])).detach(); // (T, 1, E)
    const trace = traceCell(model.rnn as Layer, x);
    model.train();
    return { trace: { ...trace, tokens: [...this.text] }, textError: null };
  }

  async run(p: GatesParams, control: LoopControl, post: (r: Reply) => void): Promise<number> {
    this.text = p.text;
    const t = new LMTrainer({ corpus: p.corpus, cell: p.cell, embed: 16, hidden: p.hidden, layers: 1, lr: p.lr, seqLen: p.seqLen, batch: p.batch, seed: p.seed });
    this.trainer = t;
    let sent = 0;
    let lastTrace = -Infinity;
    const emit = (): void => {
      const now = performance.now();
      const payload = now - lastTrace > 1000 || (p.maxSteps > 0 && t.step >= p.maxSteps) ? this.traceText() : { trace: null, textError: null };
      if (payload.trace || payload.textError) lastTrace = performance.now();
      post({ type: 'gates', step: t.step, losses: t.losses.slice(sent), ...payload });
      sent = t.losses.length;
    };
    emit();
    return trainLoop(control, () => void t.trainStep(), emit, { maxSteps: p.maxSteps, interval: 150 });
  }
}
