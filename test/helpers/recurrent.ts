// Shared pieces of the recurrent tests: seeded parameters in PyTorch layout, the fused
// sequence op behind one signature, and a composed reference that steps the cell
// functions (src/rnn/cell-functions.ts) over each sequence on its own — no masking
// tricks, so it is an independent statement of the semantics.
import { randn, zeros } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Generator } from '../../src/util/rng.js';
import { cat, reshape, slice, stack } from '../../src/ops/index.js';
import { gruSequence, lstmSequence, rnnSequence, type SequenceOptions } from '../../src/ops/recurrent.js';
import { gruCell, lstmCell, rnnCell } from '../../src/rnn/cell-functions.js';

export type Kind = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

export interface Case {
  T: number;
  B: number;
  I: number;
  H: number;
  /** LSTM projection size (0 < P < H), or undefined for none. */
  P?: number;
  bias?: boolean;
  lengths?: number[];
  reverse?: boolean;
}

export interface Params {
  x: Tensor;
  h0: Tensor;
  c0: Tensor | null;
  wIH: Tensor;
  wHH: Tensor;
  bIH: Tensor | null;
  bHH: Tensor | null;
  wHR: Tensor | null;
}

export const gatesOf = (kind: Kind): number => (kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1);

/**
 * Seeded parameters, requiring grad. Weights and states are N(0, 0.5²) so that gates are
 * not saturated; x is N(0, 1).
 */
export function makeParams(kind: Kind, c: Case, seed = 1, dtype: 'float32' | 'float64' = 'float64'): Params {
  const g = new Generator(seed);
  const r = (shape: number[], std = 0.5): Tensor => randn(shape, { dtype, generator: g, std, requiresGrad: true });
  const G = gatesOf(kind) * c.H;
  const P = kind === 'lstm' && c.P ? c.P : c.H;
  const bias = c.bias ?? true;
  return {
    x: r([c.T, c.B, c.I], 1),
    h0: r([c.B, P]),
    c0: kind === 'lstm' ? r([c.B, c.H]) : null,
    wIH: r([G, c.I]),
    wHH: r([G, P]),
    bIH: bias ? r([G]) : null,
    bHH: bias ? r([G]) : null,
    wHR: kind === 'lstm' && c.P ? r([c.P, c.H]) : null,
  };
}

/** The parameters that are tensors, with their names (the inputs of a gradcheck). */
export function listParams(p: Params): { names: string[]; tensors: Tensor[] } {
  const names: string[] = [];
  const tensors: Tensor[] = [];
  for (const [k, v] of Object.entries(p) as [string, Tensor | null][]) {
    if (v) {
      names.push(k);
      tensors.push(v);
    }
  }
  return { names, tensors };
}

/** Rebuilds Params from a list produced by listParams (gradcheck passes its inputs back). */
export function fromList(names: readonly string[], tensors: readonly Tensor[]): Params {
  const p: Params = { x: null as unknown as Tensor, h0: null as unknown as Tensor, c0: null, wIH: null as unknown as Tensor, wHH: null as unknown as Tensor, bIH: null, bHH: null, wHR: null };
  names.forEach((n, i) => ((p as unknown as Record<string, Tensor>)[n] = tensors[i] as Tensor));
  return p;
}

export interface SeqResult {
  output: Tensor;
  hN: Tensor;
  cN: Tensor | null;
}

/** The fused op of `kind`. */
export function fused(kind: Kind, p: Params, options: SequenceOptions = {}): SeqResult {
  if (kind === 'lstm') return lstmSequence(p.x, p.h0, p.c0 as Tensor, p.wIH, p.wHH, p.bIH, p.bHH, p.wHR, options);
  if (kind === 'gru') return { ...gruSequence(p.x, p.h0, p.wIH, p.wHH, p.bIH, p.bHH, options), cN: null };
  return { ...rnnSequence(p.x, p.h0, p.wIH, p.wHH, p.bIH, p.bHH, kind === 'rnn_relu' ? 'relu' : 'tanh', options), cN: null };
}

/**
 * The composed reference: every sequence b is stepped on its own over its L_b elements
 * (backwards if `reverse`) with the cell functions; outputs past L_b are 0. Returns the
 * results and, per (t, b) with t < L_b, the cell output h (B = 1 row) at input time t,
 * with retainGrad set so that .grad is ∂L/∂h_t after backward.
 */
export function composed(
  kind: Kind, p: Params, lengths: readonly number[] | null = null, reverse = false,
): SeqResult & { steps: (Tensor | null)[][] } {
  const [T, B] = p.x.shape as [number, number, number];
  const P = p.h0.shape[1] as number;
  const zero = zeros([1, P], { dtype: p.x.dtype });
  const outRows: Tensor[][] = Array.from({ length: T }, () => []);
  const steps: (Tensor | null)[][] = Array.from({ length: T }, () => new Array<Tensor | null>(B).fill(null));
  const hNs: Tensor[] = [];
  const cNs: Tensor[] = [];
  for (let b = 0; b < B; b++) {
    const L = lengths ? (lengths[b] as number) : T;
    let h = slice(p.h0, 0, b, b + 1);
    let c = p.c0 ? slice(p.c0, 0, b, b + 1) : null;
    const hs: Tensor[] = new Array<Tensor>(T).fill(zero);
    for (let k = 0; k < L; k++) {
      const t = reverse ? L - 1 - k : k;
      const xt = reshape(slice(slice(p.x, 0, t, t + 1), 1, b, b + 1), [1, p.x.shape[2] as number]);
      if (kind === 'lstm') {
        const s = lstmCell(xt, h, c as Tensor, p.wIH, p.wHH, p.bIH, p.bHH, p.wHR);
        h = s.h;
        c = s.c;
      } else if (kind === 'gru') {
        h = gruCell(xt, h, p.wIH, p.wHH, p.bIH, p.bHH);
      } else {
        h = rnnCell(xt, h, p.wIH, p.wHH, p.bIH, p.bHH, kind === 'rnn_relu' ? 'relu' : 'tanh');
      }
      if (h.requiresGrad) h.retainGrad();
      steps[t]![b] = h;
      hs[t] = h;
    }
    hs.forEach((ht, t) => outRows[t]!.push(ht));
    hNs.push(h);
    if (c) cNs.push(c);
  }
  const output = T === 0 ? zeros([0, B, P], { dtype: p.x.dtype }) : stack(outRows.map((rows) => cat(rows, 0)), 0);
  return {
    output,
    hN: cat(hNs, 0),
    cN: p.c0 ? cat(cNs, 0) : null,
    steps,
  };
}
