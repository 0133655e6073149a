// The Echo State Network view: a reservoir driven by the Mackey–Glass series
// (mackeyGlass, src/data/chaos.ts), its readout fitted by ridge regression (fit), then run
// free (generate: each output is the next input), posted in chunks as it goes.
//
// Input u(t) = x(t), target x(t + 1) for t < train; reservoir density min(1, 10 / N),
// bias scaling 0.5, the page's seed. Prediction k is the network's guess of x(train + 1 + k).

import { EchoStateNetwork, mackeyGlass } from '../../../src/index.js';
import type { ESNParams, Reply } from '../protocol.js';
import { yieldToEvents, type LoopControl } from './runtime.js';

export const ESN_SHOWN_UNITS = 40;
export const ESN_SHOWN_STEPS = 300;

export async function runESN(p: ESNParams, control: LoopControl, post: (r: Reply) => void): Promise<number> {
  const series = mackeyGlass(p.train + p.horizon + 1);
  const esn = new EchoStateNetwork({
    size: p.size, inputSize: 1, outputSize: 1, density: Math.min(1, 10 / p.size), spectralRadius: p.spectralRadius, leakRate: p.leakRate, biasScaling: 0.5, seed: p.seed,
  });
  const truth = Array.from(series);
  const predictionStart = p.train + 1;
  // The teacher-forced states (what the readout is fitted on): the first units, the last steps.
  const { states } = esn.reservoir.run(series.subarray(0, p.train), p.train);
  const units = Math.min(ESN_SHOWN_UNITS, p.size);
  const from = Math.max(0, p.train - ESN_SHOWN_STEPS);
  const shown: number[][] = [];
  for (let t = from; t < p.train; t++) shown.push(Array.from(states.subarray(t * p.size, t * p.size + units)));
  post({ type: 'esn', phase: 'reservoir driven by the series', states: shown, stateOffset: from, truth, prediction: [], trainNrmse: null, ridge: null, predictionStart });
  await yieldToEvents();
  if (control.stopped) return 0;
  const fit = esn.fit(series.subarray(0, p.train), series.subarray(1, p.train + 1), { washout: p.washout, ridge: p.ridge });
  const prediction: number[] = [];
  // Free run in chunks of 5 steps, each posted and followed by a short pause, so the
  // prediction is seen growing even when the reservoir is small and fast.
  const chunk = 5;
  while (prediction.length < p.horizon && !control.stopped) {
    prediction.push(...esn.generate(Math.min(chunk, p.horizon - prediction.length)));
    post({ type: 'esn', phase: prediction.length >= p.horizon ? 'done' : 'running free', states: null, stateOffset: from, truth: [], prediction: prediction.slice(), trainNrmse: fit.nrmse, ridge: fit.ridge, predictionStart });
    await new Promise((r) => setTimeout(r, 25));
  }
  return prediction.length;
}
