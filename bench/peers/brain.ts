// brain.js as a peer, in this process: its recurrent.LSTMTimeStep / GRUTimeStep /
// RNNTimeStep (plain JavaScript, one sequence at a time: no batch dimension). One
// iteration trains one sequence of T steps (I inputs, H hidden units, I outputs) for one
// iteration of its own training loop, with learningRate = LR (as ours and PyTorch; at its
// default 0.01 the same sequence trained over and over makes RNNTimeStep, ReLU by default,
// diverge to NaN within two iterations); items per iteration are T, not B·T, so that
// items/s compare fairly with the batched contenders. Inference: net.run on one sequence.
// It has no embedding layer and no softmax head, so char-LM and gemm rows are skipped.

import { createRequire } from 'node:module';
import type { Contender, Session } from '../measure.js';
import { inProcessSession } from '../measure.js';
import type { Workload } from '../workloads.js';
import { LR } from '../ours.js';

interface BrainNet {
  train(data: number[][][], o: Record<string, unknown>): unknown;
  run(seq: number[][]): unknown;
}

interface BrainModule {
  recurrent: Record<string, new (o: Record<string, unknown>) => BrainNet>;
}

export interface Brain {
  brain: BrainModule;
  version: string;
}

export function loadBrain(): Brain {
  const require = createRequire(import.meta.url);
  const brain = require('brain.js') as BrainModule;
  const version = (require('brain.js/package.json') as { version: string }).version;
  return { brain, version };
}

const CLASSES: Record<string, string> = { lstm: 'LSTMTimeStep', gru: 'GRUTimeStep', rnn: 'RNNTimeStep' };

export function brainContender(b: Brain): Contender {
  return {
    id: 'brain',
    ours: false,
    label: () => `brain.js ${b.version} (1 sequence/iteration)`,
    supports: (w) => (w.kind in CLASSES && w.layers === 1 ? true : 'no embedding/softmax head or matrix product API'),
    async open(w: Workload): Promise<Session> {
      const Net = b.brain.recurrent[CLASSES[w.kind] as string] as new (o: Record<string, unknown>) => BrainNet;
      const net = new Net({ inputSize: w.I, hiddenLayers: [w.H], outputSize: w.I });
      const seq = Array.from({ length: w.T }, (_, t) => Array.from({ length: w.I }, (_, i) => Math.sin(t * 0.37 + i * 0.11) * 0.5));
      const trainOpts = { iterations: 1, errorThresh: 0, log: false, learningRate: LR };
      if (w.mode === 'infer') net.train([seq], trainOpts); // run needs an initialised model
      const s = inProcessSession(w.mode === 'train' ? () => net.train([seq], trainOpts) : () => net.run(seq));
      return { ...s, itemsPerIteration: w.T };
    },
  };
}
