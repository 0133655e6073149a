// The unrolled computation: a small one-layer cell learns the adding problem of length T
// (the same task as the gradient view, short enough to draw every step); after every few
// updates the page gets one fixed example stepped through the cell (trace.ts) with every
// gate, state and the prediction.
//
// Seed s: weights from new Generator(s) (layer, then head), training batches of 32 from
// new Generator(s + 1), the displayed example from new Generator(s + 2); Adam, clipping at 1.

import { Adam, GRU, Generator, LSTM, Linear, RNN, addingProblem, clipGradNorm, lastStep, mseLoss, noGrad } from '../../../src/index.js';
import { layerOutput, type Layer } from './trace.js';
import type { Reply, UnrolledParams } from '../protocol.js';
import { trainLoop, type LoopControl } from './runtime.js';
import { traceCell } from './trace.js';

export async function runUnrolled(p: UnrolledParams, control: LoopControl, post: (r: Reply) => void): Promise<number> {
  const g = new Generator(p.seed);
  const o = { inputSize: 2, hiddenSize: p.hidden, generator: g };
  const layer: Layer = p.cell === 'rnn' ? new RNN(o) : p.cell === 'lstm' ? new LSTM(o) : new GRU(o);
  const head = new Linear(p.hidden, 1, { generator: g });
  const params = [...layer.parameters(), ...head.parameters()];
  const opt = new Adam(params, { lr: p.lr });
  const data = new Generator(p.seed + 1);
  const example = addingProblem(p.T, 1, new Generator(p.seed + 2));
  const xRows: number[][] = [];
  for (let t = 0; t < p.T; t++) xRows.push([example.x.data[t * 2] as number, example.x.data[t * 2 + 1] as number]);
  const losses: number[] = [];
  let sent = 0;
  let step = 0;
  const emit = (): void => {
    const trace = traceCell(layer, example.x);
    const yHat = noGrad(() => {
      const out = layerOutput(layer, example.x);
      return head.forward(lastStep(out)).item();
    });
    post({ type: 'unrolled', step, losses: losses.slice(sent), x: xRows, y: example.y.item(), yHat, trace: { ...trace, tokens: xRows.map((_, t) => `t=${t}`) } });
    sent = losses.length;
  };
  emit();
  return trainLoop(control, () => {
    const batch = addingProblem(p.T, 32, data);
    opt.zeroGrad();
    const out = layerOutput(layer, batch.x);
    const loss = mseLoss(head.forward(lastStep(out)), batch.y);
    loss.backward();
    clipGradNorm(params, 1);
    opt.step();
    losses.push(loss.item());
    step++;
  }, emit, { maxSteps: p.maxSteps, interval: 100 });
}
