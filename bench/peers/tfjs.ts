// TensorFlow.js with its WebAssembly backend (@tensorflow/tfjs + @tensorflow/tfjs-backend-wasm)
// as a peer, in this process. The .wasm binaries are loaded from the package's own dist/
// directory (setWasmPaths), never downloaded. In Node the wasm backend runs on one
// thread: its multithreaded build needs WASM_HAS_MULTITHREAD_SUPPORT, which tfjs
// reports as false under Node; the table's label says what was used.
//
// Mapping: tf.layers.lstm / gru / simpleRNN (tanh) with returnSequences, input
// (batch, seq, features) — tfjs-layers is batch-major; training is
// optimizer.minimize(sum(outputs)) with tf.train.sgd (the same plain SGD step);
// inference is layer.apply inside tf.tidy plus dataSync() so the work is done.
// tfjs's GRU supports only reset-before (resetAfter: false), i.e. not PyTorch's GRU.
// charrnn: embedding → lstm → lstm → dense → tf.losses.softmaxCrossEntropy. The
// embedding is a one-hot input times a bias-free dense layer (the same function and
// gradient): tfjs's embedding layer needs UnsortedSegmentSum for its gradient, which the
// wasm backend does not register.
// gemm: tf.matMul + dataSync (includes copying the result out of wasm memory).

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import type { Contender, Session } from '../measure.js';
import { inProcessSession } from '../measure.js';
import type { Workload } from '../workloads.js';
import { LR } from '../ours.js';

export interface TfjsInfo {
  version: string;
  backend: string;
  threads: number;
  simd: boolean;
  multithread: boolean;
}

export interface Tfjs {
  tf: typeof TF;
  info: TfjsInfo;
}

/** Loads tfjs with the wasm backend, or explains why not. */
export async function loadTfjs(): Promise<Tfjs> {
  const require = createRequire(import.meta.url);
  const tfName = '@tensorflow/tfjs';
  const wasmName = '@tensorflow/tfjs-backend-wasm';
  const tf = (await import(tfName)) as typeof TF;
  const wasm = (await import(wasmName)) as { setWasmPaths(p: string): void; getThreadsCount(): number };
  const dir = join(dirname(require.resolve(`${wasmName}/package.json`)), 'dist');
  wasm.setWasmPaths(`${dir}/`);
  // tfjs-core prints a hint to install tfjs-node (it needs a download): silence it.
  const warn = console.warn;
  const logFn = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('tf.setBackend("wasm") returned false');
    await tf.ready();
  } finally {
    console.warn = warn;
    console.log = logFn;
  }
  const info: TfjsInfo = {
    version: tf.version.tfjs,
    backend: tf.getBackend(),
    threads: wasm.getThreadsCount(),
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    multithread: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
  };
  return { tf, info };
}

type Layer = TF.layers.Layer;

function recurrentLayer(tf: typeof TF, kind: 'lstm' | 'gru' | 'rnn', units: number): Layer {
  // Glorot instead of the default orthogonal recurrent initializer, which tfjs warns is
  // slow for large matrices; initialisation is not part of the measurement anyway.
  const args = { units, returnSequences: true, recurrentInitializer: 'glorotUniform' as const };
  if (kind === 'lstm') return tf.layers.lstm(args);
  if (kind === 'gru') return tf.layers.gru(args);
  return tf.layers.simpleRNN({ ...args, activation: 'tanh' });
}

function open(tf: typeof TF, w: Workload): Session {
  const disposables: { dispose(): void }[] = [];
  const keep = <T extends { dispose(): void }>(t: T): T => {
    disposables.push(t);
    return t;
  };
  const close = () => {
    for (const d of disposables) d.dispose();
  };
  if (w.kind === 'gemm') {
    const a = keep(tf.randomNormal([w.n, w.n], 0, 1, 'float32', 1));
    const b = keep(tf.randomNormal([w.n, w.n], 0, 1, 'float32', 2));
    return inProcessSession(() => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    }, close);
  }
  const opt = tf.train.sgd(LR);
  disposables.push(opt);
  if (w.kind === 'charrnn') {
    const emb = tf.layers.dense({ units: w.embed, useBias: false });
    const layers: Layer[] = [emb];
    for (let l = 0; l < w.layers; l++) layers.push(recurrentLayer(tf, 'lstm', w.H));
    layers.push(tf.layers.dense({ units: w.vocab }));
    disposables.push(...layers);
    const tokens = keep(tf.oneHot(tf.randomUniform([w.B, w.T], 0, w.vocab, 'int32', 1), w.vocab).toFloat());
    const targets = keep(tf.oneHot(tf.randomUniform([w.B * w.T], 0, w.vocab, 'int32', 2), w.vocab));
    const forward = (): TF.Scalar => {
      let h = tokens as TF.Tensor;
      for (const layer of layers) h = layer.apply(h) as TF.Tensor;
      return tf.losses.softmaxCrossEntropy(targets, h.reshape([w.B * w.T, w.vocab])) as TF.Scalar;
    };
    tf.tidy(() => {
      forward();
    }); // builds the layers' weights
    return inProcessSession(() => {
      const loss = opt.minimize(forward, true);
      loss?.dataSync();
      loss?.dispose();
    }, close);
  }
  const layer = keep(recurrentLayer(tf, w.kind as 'lstm' | 'gru' | 'rnn', w.H));
  const x = keep(tf.randomNormal([w.B, w.T, w.I], 0, 1, 'float32', 1));
  tf.tidy(() => {
    layer.apply(x);
  }); // builds the weights
  if (w.mode === 'infer') {
    return inProcessSession(() => {
      const y = tf.tidy(() => layer.apply(x) as TF.Tensor);
      y.dataSync();
      y.dispose();
    }, close);
  }
  return inProcessSession(() => {
    const loss = opt.minimize(() => tf.sum(layer.apply(x) as TF.Tensor) as TF.Scalar, true);
    loss?.dataSync();
    loss?.dispose();
  }, close);
}

export function tfjsContender(t: Tfjs): Contender {
  const label = `tfjs ${t.info.version} wasm${t.info.simd ? '+simd' : ''} ${t.info.threads}t`;
  return {
    id: 'tfjs:wasm',
    ours: false,
    label: () => label,
    supports: (w) => (w.kind.startsWith('esn') ? 'no sparse matrices or ridge solver' : w.kind === 'seq2seq' ? 'no attention encoder–decoder written for it' : true),
    open: async (w) => open(t.tf, w),
  };
}
