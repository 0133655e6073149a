// The vanishing-gradient picture: a vanilla RNN, an LSTM and a GRU of the same width
// train side by side on the adding problem (src/data/tasks.ts), one update each in turn,
// every one recording ‖∂L/∂h_t‖ for every step t (layer.recordStepGrads).
//
// Per model, with the page's seed s: weights from new Generator(s) (layer, then head),
// batches from new Generator(s + 1), Adam, the loss on the last step only
// (mseLoss(head(lastStep(output)), y)), gradient-norm clipping at 1.

import { Adam, GRU, Generator, LSTM, Linear, RNN, addingProblem, clipGradNorm, lastStep, mseLoss } from '../../../src/index.js';
import { layerOutput, type Layer } from './trace.js';
import { GRADIENT_CELLS, type GradientsParams, type Reply } from '../protocol.js';
import { trainLoop, type LoopControl } from './runtime.js';


export async function runGradients(p: GradientsParams, control: LoopControl, post: (r: Reply) => void): Promise<number> {
  const models = GRADIENT_CELLS.map((cell) => {
    const g = new Generator(p.seed);
    const o = { inputSize: 2, hiddenSize: p.hidden, generator: g };
    const layer: Layer = cell === 'rnn' ? new RNN(o) : cell === 'lstm' ? new LSTM(o) : new GRU(o);
    const head = new Linear(p.hidden, 1, { generator: g });
    const params = [...layer.parameters(), ...head.parameters()];
    layer.recordStepGrads = true;
    return { cell, layer, head, params, opt: new Adam(params, { lr: p.lr }), data: new Generator(p.seed + 1), losses: [] as number[], norms: [] as number[] };
  });
  let step = 0;
  let sent = 0;
  let initNorms: Record<string, number[]> | null = null;
  const emit = (): void => {
    const losses: Record<string, number[]> = {};
    const norms: Record<string, number[]> = {};
    for (const m of models) {
      losses[m.cell] = m.losses.slice(sent);
      norms[m.cell] = m.norms;
    }
    sent = step;
    post({ type: 'gradients', step, losses, norms, normsStep: step, initNorms });
    initNorms = null;
  };
  return trainLoop(control, () => {
    for (const m of models) {
      const batch = addingProblem(p.T, p.batch, m.data);
      m.opt.zeroGrad();
      const out = layerOutput(m.layer, batch.x);
      const loss = mseLoss(m.head.forward(lastStep(out)), batch.y);
      loss.backward();
      clipGradNorm(m.params, 1);
      m.opt.step();
      m.losses.push(loss.item());
      m.norms = Array.from(m.layer.stepGradNorms[0]!.norms);
    }
    step++;
    if (step === 1) initNorms = Object.fromEntries(models.map((m) => [m.cell, m.norms]));
  }, emit, { maxSteps: p.maxSteps });
}
