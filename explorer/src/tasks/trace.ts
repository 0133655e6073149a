// Gate activations of a one-layer RNN / LSTM / GRU over one sequence.
//
// The fused layers (RNN, LSTM, GRU) keep their gate activations inside the sequence op
// and do not return them. To show them, the trace steps the layer's own parameters
// through the library's per-step kernels — the same functions the fused loop calls
// between its matrix products (Backend.lstmGatesForward, gruGatesForward, rnnActForward,
// src/kernels/ref/recurrent-gates.ts) — with the affine maps done by the library's ops
// (matmul, add). No gate math is written here. The h it produces is compared with
// layer.forward on the same input (maxDiff, shown on the page; 0 up to float rounding).

import { GRU, LSTM, RNN, Tensor, add, getBackend, matmul, noGrad, transpose, type RNNBase } from '../../../src/index.js';

/** The three fused layers whose gates the page shows. */
export type Layer = RNN | LSTM | GRU;

/** Runs the layer over x (T, B, I) and returns its output (T, B, H). */
export function layerOutput(layer: Layer, x: Tensor): Tensor {
  return (layer.forward(x) as [Tensor, unknown])[0];
}

export type CellKind = 'rnn' | 'lstm' | 'gru';

export function cellKind(layer: RNNBase): CellKind {
  if (layer instanceof LSTM) return 'lstm';
  if (layer instanceof GRU) return 'gru';
  if (layer instanceof RNN) return 'rnn';
  throw new Error(`trace: a one-layer RNN, LSTM or GRU, not ${layer.typeName}`);
}

export interface Trace {
  cell: CellKind;
  series: Record<string, number[][]>;
  maxDiff: number;
}

function param(layer: RNNBase, name: string): Tensor {
  const p = layer.getParameter(name);
  if (!p) throw new Error(`trace: the layer has no parameter ${name}`);
  return p;
}

/** x: (T, 1, inputSize) float32; layer: one layer, one direction, no projection. */
export function traceCell(layer: Layer, x: Tensor): Trace {
  const cell = cellKind(layer);
  return noGrad(() => {
    const T = x.shape[0] as number;
    const H = layer.hiddenSize;
    const k = getBackend();
    const wIH = param(layer, 'weight_ih_l0');
    const wHH = param(layer, 'weight_hh_l0');
    const bIH = layer.getParameter('bias_ih_l0') ?? null;
    const bHH = layer.getParameter('bias_hh_l0') ?? null;
    const G = wIH.shape[0] as number;
    const x2 = new Tensor(x.data, [T, x.shape[2] as number]);
    let gx = matmul(x2, transpose(wIH, 0, 1)); // (T, G) input side of every step
    if (bIH) gx = add(gx, bIH);
    const gxData = Float32Array.from(gx.data as ArrayLike<number>);
    const names = cell === 'lstm' ? ['i', 'f', 'g', 'o', 'c', 'h'] : cell === 'gru' ? ['r', 'z', 'n', 'h'] : ['h'];
    const series: Record<string, number[][]> = Object.fromEntries(names.map((n) => [n, [] as number[][]]));
    let h = new Float32Array(H);
    let c = new Float32Array(H);
    for (let t = 0; t < T; t++) {
      let gh = matmul(new Tensor(h, [1, H]), transpose(wHH, 0, 1)); // (1, G) hidden side
      if (bHH) gh = add(gh, bHH);
      const ghData = Float32Array.from(gh.data as ArrayLike<number>);
      const hNext = new Float32Array(H);
      if (cell === 'lstm') {
        const gates = new Float32Array(G);
        for (let j = 0; j < G; j++) gates[j] = (gxData[t * G + j] as number) + (ghData[j] as number); // pre-activations
        const cNext = new Float32Array(H);
        k.lstmGatesForward(gates, 0, cNext, 0, hNext, 0, c, 0, null, 0, 1, H);
        ['i', 'f', 'g', 'o'].forEach((n, q) => series[n]!.push(Array.from(gates.subarray(q * H, (q + 1) * H))));
        series.c!.push(Array.from(cNext));
        c = cNext;
      } else if (cell === 'gru') {
        const gates = new Float32Array(G);
        const ghn = new Float32Array(H);
        k.gruGatesForward(gates, 0, ghn, 0, hNext, 0, gxData, t * G, ghData, h, 0, null, 0, 1, H);
        ['r', 'z', 'n'].forEach((n, q) => series[n]!.push(Array.from(gates.subarray(q * H, (q + 1) * H))));
      } else {
        const pre = new Float32Array(H);
        for (let j = 0; j < H; j++) pre[j] = (gxData[t * H + j] as number) + (ghData[j] as number);
        k.rnnActForward(hNext, 0, pre, 0, (layer as RNN).nonlinearity, null, 0, 1, H);
      }
      series.h!.push(Array.from(hNext));
      h = hNext;
    }
    const out = layerOutput(layer, x);
    let maxDiff = 0;
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < H; j++) maxDiff = Math.max(maxDiff, Math.abs((out.data[t * H + j] as number) - (series.h![t]![j] as number)));
    }
    return { cell, series, maxDiff };
  });
}
