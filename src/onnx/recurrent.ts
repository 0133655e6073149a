// ONNX's LSTM, GRU and RNN operators (inference), with every attribute and input of the
// spec: direction, hidden_size, activations with activation_alpha/beta, clip,
// input_forget, layout, linear_before_reset, sequence_lens, initial_h, initial_c, P.
//
// Two paths compute the same thing:
//  - the fast path, for the attributes PyTorch's layers have (default activations, no
//    clip, no peepholes, no input_forget, GRU with linear_before_reset = 1): the weights
//    are reordered once into PyTorch's gate order (LSTM iofc → ifgo, GRU zrh → rzn) and
//    each direction runs as this library's fused sequence kernel;
//  - the general path, straight from the spec's equations, for everything else.
// ONNX gate layouts: LSTM W [D, 4H, I] in i, o, f, c order, B [D, 8H] = [Wb, Rb],
// P [D, 3H] in i, o, f order; GRU W [D, 3H, I] in z, r, h order; RNN W [D, H, I].

import { ArgumentError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { noGrad } from '../autograd/engine.js';
import { matmul, permute, reshape, stack } from '../ops/index.js';
import { gruSequence, lstmSequence, rnnSequence } from '../ops/recurrent.js';

export type RecurrentKind = 'LSTM' | 'GRU' | 'RNN';

export interface Activation {
  name: string;
  alpha: number;
  beta: number;
}

export interface RecurrentAttributes {
  hiddenSize: number;
  direction: 'forward' | 'reverse' | 'bidirectional';
  /** Per direction: [f, g, h] (LSTM), [f, g] (GRU), [f] (RNN). */
  activations: Activation[][];
  clip: number | null;
  inputForget: boolean;
  layout: 0 | 1;
  linearBeforeReset: boolean;
}

const GATES: Record<RecurrentKind, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const DEFAULT_ACTIVATIONS: Record<RecurrentKind, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };

// alpha/beta counts and defaults of the activations that take them (ONNX operators' defaults).
const PARAMS: Record<string, { alpha?: number; beta?: number }> = {
  affine: { alpha: 1, beta: 0 }, leakyrelu: { alpha: 0.01 }, thresholdedrelu: { alpha: 1 }, scaledtanh: { alpha: 1, beta: 1 },
  hardsigmoid: { alpha: 0.2, beta: 0.5 }, elu: { alpha: 1 },
};
const KNOWN = new Set(['relu', 'tanh', 'sigmoid', 'affine', 'leakyrelu', 'thresholdedrelu', 'scaledtanh', 'hardsigmoid', 'elu', 'softsign', 'softplus']);

/** Builds the activation list from the node's attributes (names are case-insensitive). */
export function parseActivations(
  op: string, kind: RecurrentKind, numDirections: number,
  names: string[] | null, alphas: number[], betas: number[],
): Activation[][] {
  const per = DEFAULT_ACTIVATIONS[kind].length;
  const list = names ?? Array.from({ length: numDirections }, () => DEFAULT_ACTIVATIONS[kind]).flat();
  if (list.length !== per * numDirections) {
    throw new ArgumentError(op, 'activations', `${per * numDirections} names (${per} per direction)`, list);
  }
  let ai = 0;
  let bi = 0;
  const acts: Activation[] = list.map((n) => {
    const name = n.toLowerCase();
    if (!KNOWN.has(name)) throw new ArgumentError(op, 'activations', `one of ${[...KNOWN].join(', ')}`, n);
    const p = PARAMS[name] ?? {};
    const alpha = p.alpha !== undefined ? (ai < alphas.length ? (alphas[ai++] as number) : p.alpha) : 0;
    const beta = p.beta !== undefined ? (bi < betas.length ? (betas[bi++] as number) : p.beta) : 0;
    return { name, alpha, beta };
  });
  return Array.from({ length: numDirections }, (_, d) => acts.slice(d * per, (d + 1) * per));
}

function activate(a: Activation, x: number): number {
  switch (a.name) {
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    case 'relu': return x > 0 ? x : 0;
    case 'affine': return a.alpha * x + a.beta;
    case 'leakyrelu': return x >= 0 ? x : a.alpha * x;
    case 'thresholdedrelu': return x > a.alpha ? x : 0;
    case 'scaledtanh': return a.alpha * Math.tanh(a.beta * x);
    case 'hardsigmoid': return Math.min(Math.max(a.alpha * x + a.beta, 0), 1);
    case 'elu': return x >= 0 ? x : a.alpha * (Math.exp(x) - 1);
    case 'softsign': return x / (1 + Math.abs(x));
    default: return Math.log1p(Math.exp(x)); // softplus
  }
}

function isDefault(kind: RecurrentKind, attrs: RecurrentAttributes): boolean {
  if (attrs.clip !== null || attrs.inputForget) return false;
  if (kind === 'GRU' && !attrs.linearBeforeReset) return false;
  const dflt = DEFAULT_ACTIVATIONS[kind].map((s) => s.toLowerCase());
  return attrs.activations.every((dir) => dir.every((a, i) => a.name === dflt[i]));
}

export interface RecurrentInputs {
  X: Tensor;
  W: Tensor;
  R: Tensor;
  B?: Tensor | undefined;
  sequenceLens?: Tensor | undefined;
  initialH?: Tensor | undefined;
  initialC?: Tensor | undefined;
  P?: Tensor | undefined;
}

export interface RecurrentOutputs {
  Y: Tensor;
  Yh: Tensor;
  Yc: Tensor | null;
}

function expectShape(op: string, name: string, t: Tensor, shape: number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(op, name, `shape [${shape.join(', ')}]`, t.shape);
  }
}

/**
 * The fast path's PyTorch-ordered weights, cached per (W, R, B) tensors (initializers are
 * the same objects on every run, so the reordering is done once per model).
 */
interface Prepared {
  R: Tensor;
  B: Tensor | undefined;
  dtype: string;
  perDirection: Tensor[][];
}
const prepared = new WeakMap<Tensor, Prepared>();

/** Rows of `src` (D, G·H, …) for direction d, with the gate blocks taken in `order`. */
function gateRows(src: Tensor, d: number, order: readonly number[], H: number, dtype: 'float32' | 'float64'): Tensor {
  const G = order.length;
  const cols = src.shape.length === 3 ? (src.shape[2] as number) : 1;
  const rowsPerDir = (src.shape[1] as number);
  const out = zeros(src.shape.length === 3 ? [G * H, cols] : [G * H], { dtype });
  const base = d * rowsPerDir * cols;
  for (let g = 0; g < G; g++) {
    const from = base + (order[g] as number) * H * cols;
    for (let k = 0; k < H * cols; k++) out.data[g * H * cols + k] = src.data[from + k] as number;
  }
  return out;
}

/** Runs an ONNX LSTM, GRU or RNN node. */
export function runRecurrent(op: string, kind: RecurrentKind, attrs: RecurrentAttributes, inputs: RecurrentInputs): RecurrentOutputs {
  return noGrad(() => runRecurrentInner(op, kind, attrs, inputs));
}

function runRecurrentInner(op: string, kind: RecurrentKind, attrs: RecurrentAttributes, inputs: RecurrentInputs): RecurrentOutputs {
  const { X: x0, W, R } = inputs;
  if (x0.dtype === 'int32') throw new ArgumentError(op, 'X', 'a float tensor', 'an int tensor');
  const dtype = x0.dtype;
  if (x0.ndim !== 3) throw new ShapeError(op, 'X', 'rank 3', x0.shape);
  const X = attrs.layout === 1 ? permute(x0, [1, 0, 2]) : x0;
  const [T, Bn, I] = X.shape as [number, number, number];
  const H = attrs.hiddenSize;
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  const G = GATES[kind];
  const cast = (t: Tensor): Tensor => (t.dtype === dtype ? t : new Tensor(dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data), t.shape));
  expectShape(op, 'W', W, [D, G * H, I]);
  expectShape(op, 'R', R, [D, G * H, H]);
  if (inputs.B) expectShape(op, 'B', inputs.B, [D, 2 * G * H]);
  if (inputs.P) {
    if (kind !== 'LSTM') throw new ArgumentError(op, 'P', 'absent (peepholes are an LSTM input)', 'a tensor');
    expectShape(op, 'P', inputs.P, [D, 3 * H]);
  }
  const stateShape = attrs.layout === 1 ? [Bn, D, H] : [D, Bn, H];
  const toDBH = (t: Tensor | undefined, name: string): Tensor | null => {
    if (!t) return null;
    expectShape(op, name, t, stateShape);
    return cast(attrs.layout === 1 ? permute(t, [1, 0, 2]) : t);
  };
  const h0All = toDBH(inputs.initialH, 'initial_h');
  const c0All = kind === 'LSTM' ? toDBH(inputs.initialC, 'initial_c') : null;
  let lengths: Int32Array | null = null;
  if (inputs.sequenceLens) {
    const sl = inputs.sequenceLens;
    expectShape(op, 'sequence_lens', sl, [Bn]);
    lengths = Int32Array.from(sl.data, (v) => v);
    lengths.forEach((v, i) => {
      if (!(v >= 0 && v <= T)) throw new ArgumentError(op, `sequence_lens[${i}]`, `a length in [0, ${T}]`, v);
    });
  }
  const Wc = cast(W);
  const Rc = cast(R);
  const Bc = inputs.B ? cast(inputs.B) : null;
  const fast = isDefault(kind, attrs) && !inputs.P;

  const ys: Tensor[] = [];
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let d = 0; d < D; d++) {
    const reverse = attrs.direction === 'reverse' || d === 1;
    const h0 = h0All ? sliceDir(h0All, d) : zeros([Bn, H], { dtype });
    const c0 = kind === 'LSTM' ? (c0All ? sliceDir(c0All, d) : zeros([Bn, H], { dtype })) : null;
    const r = fast
      ? fastDirection(kind, X, preparedWeights(kind, Wc, Rc, Bc, D, H, W, R, inputs.B)[d] as Tensor[], h0, c0, lengths, reverse)
      : generalDirection(kind, attrs, X, Wc, Rc, Bc, inputs.P ? cast(inputs.P) : null, d, H, h0, c0, lengths, reverse);
    ys.push(r.y);
    hs.push(r.h);
    if (r.c) cs.push(r.c);
  }
  let Y = stack(ys, 1); // (T, D, B, H)
  let Yh = stack(hs, 0); // (D, B, H)
  let Yc = kind === 'LSTM' ? stack(cs, 0) : null;
  if (attrs.layout === 1) {
    Y = permute(Y, [2, 0, 1, 3]);
    Yh = permute(Yh, [1, 0, 2]);
    if (Yc) Yc = permute(Yc, [1, 0, 2]);
  }
  return { Y, Yh, Yc };
}

function sliceDir(t: Tensor, d: number): Tensor {
  const n = (t.shape[1] as number) * (t.shape[2] as number);
  return new Tensor(t.data.slice(d * n, (d + 1) * n), [t.shape[1] as number, t.shape[2] as number]);
}

const TORCH_ORDER: Record<RecurrentKind, readonly number[]> = { LSTM: [0, 2, 3, 1], GRU: [1, 0, 2], RNN: [0] };

function preparedWeights(
  kind: RecurrentKind, W: Tensor, R: Tensor, B: Tensor | null, D: number, H: number,
  keyW: Tensor, keyR: Tensor, keyB: Tensor | undefined,
): Tensor[][] {
  const hit = prepared.get(keyW);
  if (hit && hit.R === keyR && hit.B === keyB && hit.dtype === W.dtype) return hit.perDirection;
  const order = TORCH_ORDER[kind];
  const G = order.length;
  const dtype = W.dtype as 'float32' | 'float64';
  const perDirection: Tensor[][] = [];
  for (let d = 0; d < D; d++) {
    const w = [gateRows(W, d, order, H, dtype), gateRows(R, d, order, H, dtype)];
    if (B) {
      // B[d] = [Wb (G·H), Rb (G·H)]: its blocks of H are Wb's gates, then Rb's from block G.
      w.push(gateRows(B, d, order, H, dtype), gateRows(B, d, order.map((o) => o + G), H, dtype));
    }
    perDirection.push(w);
  }
  prepared.set(keyW, { R: keyR, B: keyB, dtype: W.dtype, perDirection });
  return perDirection;
}

function fastDirection(
  kind: RecurrentKind, X: Tensor, w: Tensor[], h0: Tensor, c0: Tensor | null, lengths: Int32Array | null, reverse: boolean,
): { y: Tensor; h: Tensor; c: Tensor | null } {
  const [wIH, wHH, bIH, bHH] = w as [Tensor, Tensor, Tensor | undefined, Tensor | undefined];
  const opts = { lengths, reverse };
  if (kind === 'LSTM') {
    const r = lstmSequence(X, h0, c0 as Tensor, wIH, wHH, bIH ?? null, bHH ?? null, null, opts);
    return { y: r.output, h: r.hN, c: r.cN };
  }
  if (kind === 'GRU') {
    const r = gruSequence(X, h0, wIH, wHH, bIH ?? null, bHH ?? null, opts);
    return { y: r.output, h: r.hN, c: null };
  }
  const r = rnnSequence(X, h0, wIH, wHH, bIH ?? null, bHH ?? null, 'tanh', opts);
  return { y: r.output, h: r.hN, c: null };
}

function generalDirection(
  kind: RecurrentKind, attrs: RecurrentAttributes, X: Tensor, W: Tensor, R: Tensor, B: Tensor | null, P: Tensor | null,
  d: number, H: number, h0: Tensor, c0: Tensor | null, lengths: Int32Array | null, reverse: boolean,
): { y: Tensor; h: Tensor; c: Tensor | null } {
  const [T, Bn, I] = X.shape as [number, number, number];
  const G = GATES[kind];
  const GH = G * H;
  const dtype = X.dtype as 'float32' | 'float64';
  const Wd = new Tensor(W.data.slice(d * GH * I, (d + 1) * GH * I), [GH, I]);
  const Rd = new Tensor(R.data.slice(d * GH * H, (d + 1) * GH * H), [GH, H]);
  const RdT = permute(Rd, [1, 0]);
  // x·Wᵀ for every step at once: (T·B, G·H).
  const xw = matmul(reshape(X, [T * Bn, I]), permute(Wd, [1, 0])).data;
  const wb = (j: number): number => (B ? (B.data[d * 2 * GH + j] as number) : 0);
  const rb = (j: number): number => (B ? (B.data[d * 2 * GH + GH + j] as number) : 0);
  const p = (g: number, j: number): number => (P ? (P.data[d * 3 * H + g * H + j] as number) : 0);
  const [fAct, gAct, hAct] = attrs.activations[d] as Activation[];
  const clip = attrs.clip;
  const cl = (v: number): number => (clip === null ? v : v > clip ? clip : v < -clip ? -clip : v);
  const f = (v: number): number => activate(fAct as Activation, cl(v));
  const g = (v: number): number => activate(gAct as Activation, cl(v));
  const hF = (v: number): number => activate(hAct as Activation, cl(v));

  const h = Float64Array.from(h0.data);
  const c = c0 ? Float64Array.from(c0.data) : null;
  const y = zeros([T, Bn, H], { dtype });
  const len = (b: number): number => (lengths ? (lengths[b] as number) : T);
  const rowZ = new Float64Array(H);
  for (let s = 0; s < T; s++) {
    // h·Rᵀ for the whole batch (rows of finished sequences are computed and ignored).
    const hr = matmul(new Tensor(dtype === 'float64' ? Float64Array.from(h) : Float32Array.from(h), [Bn, H]), RdT).data;
    for (let b = 0; b < Bn; b++) {
      const L = len(b);
      if (s >= L) continue;
      const t = reverse ? L - 1 - s : s;
      const xo = (t * Bn + b) * GH;
      const ho = b * GH;
      const hb = b * H;
      if (kind === 'RNN') {
        for (let j = 0; j < H; j++) rowZ[j] = f((xw[xo + j] as number) + (hr[ho + j] as number) + wb(j) + rb(j));
        for (let j = 0; j < H; j++) h[hb + j] = rowZ[j] as number;
      } else if (kind === 'GRU') {
        // Gates z, r, h. linear_before_reset = 0 needs (r ⊙ h)·Rhᵀ: computed here per row.
        const hNew = new Float64Array(H);
        const r = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          rowZ[j] = f((xw[xo + j] as number) + (hr[ho + j] as number) + wb(j) + rb(j));
          r[j] = f((xw[xo + H + j] as number) + (hr[ho + H + j] as number) + wb(H + j) + rb(H + j));
        }
        for (let j = 0; j < H; j++) {
          let rec: number;
          if (attrs.linearBeforeReset) {
            rec = (r[j] as number) * ((hr[ho + 2 * H + j] as number) + rb(2 * H + j));
          } else {
            let acc = 0;
            const row = (2 * H + j) * H;
            for (let k = 0; k < H; k++) acc += (r[k] as number) * (h[hb + k] as number) * (Rd.data[row + k] as number);
            rec = acc + rb(2 * H + j);
          }
          hNew[j] = g((xw[xo + 2 * H + j] as number) + wb(2 * H + j) + rec);
        }
        for (let j = 0; j < H; j++) {
          const z = rowZ[j] as number;
          h[hb + j] = (1 - z) * (hNew[j] as number) + z * (h[hb + j] as number);
        }
      } else {
        // LSTM, gates i, o, f, c; peepholes P in i, o, f order.
        const cc = c as Float64Array;
        for (let j = 0; j < H; j++) {
          const pre = (k: number): number => (xw[xo + k * H + j] as number) + (hr[ho + k * H + j] as number) + wb(k * H + j) + rb(k * H + j);
          const cPrev = cc[hb + j] as number;
          const i = f(pre(0) + p(0, j) * cPrev);
          const fg = attrs.inputForget ? 1 - i : f(pre(2) + p(2, j) * cPrev);
          const cand = g(pre(3));
          const cNew = fg * cPrev + i * cand;
          const o = f(pre(1) + p(1, j) * cNew);
          rowZ[j] = o * hF(cNew);
          cc[hb + j] = cNew;
        }
        for (let j = 0; j < H; j++) h[hb + j] = rowZ[j] as number;
      }
      const yo = (t * Bn + b) * H;
      for (let j = 0; j < H; j++) y.data[yo + j] = h[hb + j] as number;
    }
  }
  const hT = new Tensor(dtype === 'float64' ? h : Float32Array.from(h), [Bn, H]);
  const cT = c ? new Tensor(dtype === 'float64' ? c : Float32Array.from(c), [Bn, H]) : null;
  return { y, h: hT, c: cT };
}
