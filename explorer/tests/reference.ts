// The library's numbers computed in Node, in the test process, for the same seeds and
// inputs as the page: written here directly against the library's public API (not by
// importing the page's task code), so the browser tests compare the page with an
// independent run of the library.

import { readFileSync } from 'node:fs';
import {
  Adam, CharLM, EchoStateNetwork, GRU, Generator, LSTM, Linear, RNN, Seq2Seq, StreamBatches, Tensor, Vocab, WasmBackend,
  add, addingProblem, beamSearch, chunk, clipGradNorm, crossEntropy, decodeModule, detachState, greedyDecode, lastStep,
  lstmCell, gruCell, mackeyGlass, matmul, mseLoss, noGrad, parseSafetensors, reshape, setBackend, sigmoid, tanh, transpose, type LMState,
} from '../../src/index.js';

/** The page's workers use the wasm backend on one thread without relaxed SIMD: the same here. */
export async function useBackend(): Promise<void> {
  setBackend(await WasmBackend.createAsync({ threads: 1, relaxed: false }));
}

type Layer = RNN | LSTM | GRU;
const makeLayer = (cell: string, o: { inputSize: number; hiddenSize: number; generator: Generator }): Layer =>
  cell === 'rnn' ? new RNN(o) : cell === 'lstm' ? new LSTM(o) : new GRU(o);
const output = (layer: Layer, x: Tensor): Tensor => (layer.forward(x) as [Tensor, unknown])[0];

/** The gradient view: losses per update and ‖∂L/∂h_t‖ after the first and the last update. */
export function gradientsReference(p: { T: number; hidden: number; lr: number; seed: number; steps: number }): Record<string, { losses: number[]; first: number[]; last: number[] }> {
  const out: Record<string, { losses: number[]; first: number[]; last: number[] }> = {};
  for (const cell of ['rnn', 'lstm', 'gru']) {
    const g = new Generator(p.seed);
    const layer = makeLayer(cell, { inputSize: 2, hiddenSize: p.hidden, generator: g });
    const head = new Linear(p.hidden, 1, { generator: g });
    const params = [...layer.parameters(), ...head.parameters()];
    const opt = new Adam(params, { lr: p.lr });
    const data = new Generator(p.seed + 1);
    layer.recordStepGrads = true;
    const r = { losses: [] as number[], first: [] as number[], last: [] as number[] };
    for (let s = 0; s < p.steps; s++) {
      const b = addingProblem(p.T, 32, data);
      opt.zeroGrad();
      const loss = mseLoss(head.forward(lastStep(output(layer, b.x))), b.y);
      loss.backward();
      clipGradNorm(params, 1);
      opt.step();
      r.losses.push(loss.item());
      r.last = Array.from(layer.stepGradNorms[0]!.norms);
      if (s === 0) r.first = r.last;
    }
    out[cell] = r;
  }
  return out;
}

/** The unrolled view: losses, and h over the displayed example and ŷ after the last update. */
export function unrolledReference(p: { cell: string; hidden: number; T: number; lr: number; seed: number; steps: number }): { losses: number[]; h: number[][]; c: number[][] | null; yHat: number; y: number } {
  const g = new Generator(p.seed);
  const layer = makeLayer(p.cell, { inputSize: 2, hiddenSize: p.hidden, generator: g });
  const head = new Linear(p.hidden, 1, { generator: g });
  const params = [...layer.parameters(), ...head.parameters()];
  const opt = new Adam(params, { lr: p.lr });
  const data = new Generator(p.seed + 1);
  const example = addingProblem(p.T, 1, new Generator(p.seed + 2));
  const losses: number[] = [];
  for (let s = 0; s < p.steps; s++) {
    const b = addingProblem(p.T, 32, data);
    opt.zeroGrad();
    const loss = mseLoss(head.forward(lastStep(output(layer, b.x))), b.y);
    loss.backward();
    clipGradNorm(params, 1);
    opt.step();
    losses.push(loss.item());
  }
  return noGrad(() => {
    const out = output(layer, example.x);
    const h = Array.from({ length: p.T }, (_, t) => Array.from(out.data.subarray(t * p.hidden, (t + 1) * p.hidden) as ArrayLike<number>));
    let c: number[][] | null = null;
    if (layer instanceof LSTM) {
      // c_t by stepping the library's reference cell function (cell-functions.ts) with the layer's weights.
      const w = (n: string): Tensor => layer.getParameter(n)!;
      let hs = new Tensor(new Float32Array(p.hidden), [1, p.hidden]);
      let cs = new Tensor(new Float32Array(p.hidden), [1, p.hidden]);
      c = [];
      for (let t = 0; t < p.T; t++) {
        const xt = new Tensor(example.x.data.slice(t * 2, t * 2 + 2), [1, 2]);
        const r = lstmCell(xt, hs, cs, w('weight_ih_l0'), w('weight_hh_l0'), w('bias_ih_l0'), w('bias_hh_l0'));
        hs = r.h;
        cs = r.c;
        c.push(Array.from(r.c.data as ArrayLike<number>));
      }
    }
    return { losses, h, c, yHat: head.forward(lastStep(out)).item(), y: example.y.item() };
  });
}

export const corpus = (): string => readFileSync(new URL('../public/data/moby-dick.txt', import.meta.url), 'utf8');

/** A CharLM trained as the page trains it (gates view: embed 16, 1 layer, batch 16). */
export function lmReference(p: { cell: 'lstm' | 'gru' | 'rnn'; embed: number; hidden: number; layers: number; lr: number; seqLen: number; batch: number; seed: number; steps: number }): { model: CharLM; vocab: Vocab; losses: number[] } {
  const text = corpus();
  const vocab = Vocab.fromText(text);
  const batches = new StreamBatches(vocab.encode(text), p.batch, p.seqLen);
  const model = new CharLM(vocab.size, { embed: p.embed, hidden: p.hidden, layers: p.layers, cell: p.cell, generator: new Generator(p.seed) });
  const opt = new Adam(model.parameters(), { lr: p.lr });
  let state: LMState | null = null;
  const losses: number[] = [];
  for (let s = 0; s < p.steps; s++) {
    const i = s % batches.length;
    if (i === 0) state = null;
    const { input, target } = batches.get(i);
    const r = model.forward(input, state);
    const loss = crossEntropy(reshape(r.logits, [-1, vocab.size]), reshape(target, [-1]));
    opt.zeroGrad();
    loss.backward();
    clipGradNorm(model.parameters(), 5);
    opt.step();
    state = detachState(r.state);
    losses.push(loss.item());
  }
  return { model, vocab, losses };
}

/**
 * Gates of a one-layer LSTM / GRU over a text, from the library's reference cell
 * functions (lstmCell / gruCell for the states) and its ops (for the gate values).
 */
export function gatesReference(model: CharLM, vocab: Vocab, text: string): Record<string, number[][]> {
  return noGrad(() => {
    model.eval();
    const ids = vocab.encode(text);
    const x = model.embed.forward(new Tensor(ids, [ids.length, 1]));
    const layer = model.rnn as LSTM | GRU;
    const H = layer.hiddenSize;
    const E = x.shape[2] as number;
    const w = (n: string): Tensor => layer.getParameter(n)!;
    const series: Record<string, number[][]> = {};
    const push = (k: string, t: Tensor): void => void (series[k] ??= []).push(Array.from(t.data as ArrayLike<number>));
    let h = new Tensor(new Float32Array(H), [1, H]);
    let c = new Tensor(new Float32Array(H), [1, H]);
    for (let t = 0; t < ids.length; t++) {
      const xt = new Tensor(x.data.slice(t * E, (t + 1) * E), [1, E]);
      const gx = add(matmul(xt, transpose(w('weight_ih_l0'), 0, 1)), w('bias_ih_l0'));
      const gh = add(matmul(h, transpose(w('weight_hh_l0'), 0, 1)), w('bias_hh_l0'));
      if (layer instanceof LSTM) {
        const [i, f, g, o] = chunk(add(gx, gh), 4, 1) as [Tensor, Tensor, Tensor, Tensor];
        push('i', sigmoid(i));
        push('f', sigmoid(f));
        push('g', tanh(g));
        push('o', sigmoid(o));
        const r = lstmCell(xt, h, c, w('weight_ih_l0'), w('weight_hh_l0'), w('bias_ih_l0'), w('bias_hh_l0'));
        h = r.h;
        c = r.c;
        push('c', c);
      } else {
        const [xr, xz] = chunk(gx, 3, 1) as [Tensor, Tensor, Tensor];
        const [hr, hz] = chunk(gh, 3, 1) as [Tensor, Tensor, Tensor];
        push('r', sigmoid(add(xr, hr)));
        push('z', sigmoid(add(xz, hz)));
        h = gruCell(xt, h, w('weight_ih_l0'), w('weight_hh_l0'), w('bias_ih_l0'), w('bias_hh_l0'));
      }
      push('h', h);
    }
    return series;
  });
}

/** The ESN view: training NRMSE and the free-running prediction. */
export function esnReference(p: { size: number; spectralRadius: number; leakRate: number; ridge: number; seed: number; train: number; washout: number; horizon: number }): { nrmse: number; prediction: number[] } {
  const series = mackeyGlass(p.train + p.horizon + 1);
  const esn = new EchoStateNetwork({ size: p.size, inputSize: 1, outputSize: 1, density: Math.min(1, 10 / p.size), spectralRadius: p.spectralRadius, leakRate: p.leakRate, biasScaling: 0.5, seed: p.seed });
  const fit = esn.fit(series.subarray(0, p.train), series.subarray(1, p.train + 1), { washout: p.washout, ridge: p.ridge });
  return { nrmse: fit.nrmse, prediction: Array.from(esn.generate(p.horizon)) };
}

/** The attention view: greedy and beam decoding of a word with the committed model file. */
export function g2pReference(word: string, beamWidth: number): { phonemes: string[]; attention: number[][]; logProb: number; beam: string[][] } {
  const bytes = new Uint8Array(readFileSync(new URL('../public/models/g2p.safetensors', import.meta.url)));
  const meta = parseSafetensors(bytes).metadata;
  const letters = Vocab.fromJSON(JSON.parse(meta['g2p.letters']!));
  const phonemes = Vocab.fromJSON(JSON.parse(meta['g2p.phonemes']!));
  const model = decodeModule(bytes) as Seq2Seq;
  model.eval();
  const ids = [...word].map((ch) => letters.id(ch));
  const src = new Tensor(Int32Array.from(ids), [ids.length, 1]);
  const o = { bos: 1, eos: 2, maxLength: ids.length + 8 };
  const h = greedyDecode(model, src, [ids.length], o)[0]!;
  const b = beamSearch(model, src, [ids.length], { ...o, beamWidth, lengthPenalty: 1, nBest: Math.min(3, beamWidth) })[0]!;
  const names = (t: number[]): string[] => t.map((id) => phonemes.tokens[id]!);
  return { phonemes: names(h.tokens), attention: h.attention!, logProb: h.logProb, beam: b.map((x) => names(x.tokens)) };
}
