// Reference pointwise kernels of one recurrent time step, over B rows. The sequence
// loops (kernels/recurrent/*) call them between gemms. A row b is active at step t iff
// t < lengths[b] (lengths null: always); inactive rows are left untouched here and
// carried by the loop.
// Legend: B = batch, H = hidden (cell) size, G = gates·H.
// Gate orders: LSTM i, f, g, o; GRU r, z, n (util/gates.ts).

import type { FloatArray } from '../../util/arrays.js';
import { sigmoid } from './elementwise.js';

function active(lengths: Int32Array | null, b: number, t: number): boolean {
  return lengths === null || t < (lengths[b] as number);
}

/**
 * LSTM step, forward. On entry gates holds pre-activations (x W_ihᵀ + h W_hhᵀ + biases);
 * on exit the activations i, f, g, o.
 *   c = f ⊙ cPrev + i ⊙ g;   m = o ⊙ tanh(c)   (m is h before any projection)
 */
export function lstmCellForward(
  gates: FloatArray, gOff: number,   // (B, 4H) in: pre-activations, out: activations
  c: FloatArray, cOff: number,       // (B, H) out
  m: FloatArray, mOff: number,       // (B, H) out
  cPrev: FloatArray, pOff: number,   // (B, H)
  lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    if (!active(lengths, b, t)) continue;
    const gb = gOff + b * G;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[gb + j] as number);
      const f = sigmoid(gates[gb + H + j] as number);
      const g = Math.tanh(gates[gb + 2 * H + j] as number);
      const o = sigmoid(gates[gb + 3 * H + j] as number);
      gates[gb + j] = i;
      gates[gb + H + j] = f;
      gates[gb + 2 * H + j] = g;
      gates[gb + 3 * H + j] = o;
      const cj = f * (cPrev[pOff + b * H + j] as number) + i * g;
      c[cOff + b * H + j] = cj;
      m[mOff + b * H + j] = o * Math.tanh(cj);
    }
  }
}

/**
 * LSTM step, backward. Given dm = ∂L/∂m_t and dc = ∂L/∂c_t (the part arriving from
 * step t+1), writes the pre-activation gradients dGates (B, 4H) and replaces dc by
 * ∂L/∂c_{t−1} for active rows. Inactive rows get dGates = 0 and keep dc.
 */
export function lstmCellBackward(
  dGates: FloatArray, dgOff: number, // (B, 4H) out
  dc: FloatArray,                    // (B, H) in: ∂L/∂c_t, out: ∂L/∂c_{t−1}
  dm: FloatArray,                    // (B, H)
  gates: FloatArray, gOff: number,   // (B, 4H) activations i, f, g, o
  c: FloatArray, cOff: number,       // (B, H) c_t
  cPrev: FloatArray, pOff: number,   // (B, H) c_{t−1}
  lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const gb = gOff + b * G;
    const db = dgOff + b * G;
    if (!active(lengths, b, t)) {
      for (let j = 0; j < G; j++) dGates[db + j] = 0;
      continue;
    }
    for (let j = 0; j < H; j++) {
      const i = gates[gb + j] as number;
      const f = gates[gb + H + j] as number;
      const g = gates[gb + 2 * H + j] as number;
      const o = gates[gb + 3 * H + j] as number;
      const tc = Math.tanh(c[cOff + b * H + j] as number);
      const dmj = dm[b * H + j] as number;
      const dcj = (dc[b * H + j] as number) + dmj * o * (1 - tc * tc); // through m = o·tanh(c)
      dGates[db + j] = dcj * g * i * (1 - i);                   // di · σ'
      dGates[db + H + j] = dcj * (cPrev[pOff + b * H + j] as number) * f * (1 - f); // df · σ'
      dGates[db + 2 * H + j] = dcj * i * (1 - g * g);           // dg · tanh'
      dGates[db + 3 * H + j] = dmj * tc * o * (1 - o);          // do · σ'
      dc[b * H + j] = dcj * f;                                  // ∂L/∂c_{t−1}
    }
  }
}

/**
 * GRU step, forward (PyTorch variant: reset applied after the recurrent matmul).
 *   gx = x W_ihᵀ + b_ih, gh = h W_hhᵀ + b_hh  (both (B, 3H), gate order r, z, n)
 *   r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n), h = (1 − z) ⊙ n + z ⊙ hPrev
 */
export function gruCellForward(
  gates: FloatArray, gOff: number,   // (B, 3H) out: r, z, n
  ghn: FloatArray, nOff: number,     // (B, H) out: gh_n (saved for backward)
  h: FloatArray, hOff: number,       // (B, H) out
  gx: FloatArray, xOff: number,      // (B, 3H)
  gh: FloatArray,                    // (B, 3H)
  hPrev: FloatArray, pOff: number,   // (B, H)
  lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    if (!active(lengths, b, t)) continue;
    const xb = xOff + b * G;
    const hb = b * G;
    const gb = gOff + b * G;
    for (let j = 0; j < H; j++) {
      const r = sigmoid((gx[xb + j] as number) + (gh[hb + j] as number));
      const z = sigmoid((gx[xb + H + j] as number) + (gh[hb + H + j] as number));
      const hn = gh[hb + 2 * H + j] as number;
      const n = Math.tanh((gx[xb + 2 * H + j] as number) + r * hn);
      gates[gb + j] = r;
      gates[gb + H + j] = z;
      gates[gb + 2 * H + j] = n;
      ghn[nOff + b * H + j] = hn;
      h[hOff + b * H + j] = (1 - z) * n + z * (hPrev[pOff + b * H + j] as number);
    }
  }
}

/**
 * GRU step, backward. From dh = ∂L/∂h_t writes the pre-activation gradients of the
 * input side dGx and of the hidden side dGh (they differ in the n gate, where the
 * hidden side is scaled by r), and dhDirect = dh ⊙ z (the part of ∂L/∂h_{t−1} that
 * bypasses the matmul). Inactive rows: dGx = dGh = 0 and dhDirect = dh (carried).
 */
export function gruCellBackward(
  dGx: FloatArray, dxOff: number,    // (B, 3H) out
  dGh: FloatArray, dhOff: number,    // (B, 3H) out
  dhDirect: FloatArray,              // (B, H) out
  dh: FloatArray,                    // (B, H)
  gates: FloatArray, gOff: number,   // (B, 3H) r, z, n
  ghn: FloatArray, nOff: number,     // (B, H)
  hPrev: FloatArray, pOff: number,   // (B, H)
  lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const xb = dxOff + b * G;
    const hb = dhOff + b * G;
    if (!active(lengths, b, t)) {
      for (let j = 0; j < G; j++) {
        dGx[xb + j] = 0;
        dGh[hb + j] = 0;
      }
      for (let j = 0; j < H; j++) dhDirect[b * H + j] = dh[b * H + j] as number;
      continue;
    }
    const gb = gOff + b * G;
    for (let j = 0; j < H; j++) {
      const r = gates[gb + j] as number;
      const z = gates[gb + H + j] as number;
      const n = gates[gb + 2 * H + j] as number;
      const d = dh[b * H + j] as number;
      const dn = d * (1 - z) * (1 - n * n);                                  // through h = (1−z)n, tanh'
      const dz = d * ((hPrev[pOff + b * H + j] as number) - n) * z * (1 - z); // through z(hPrev − n), σ'
      const dr = dn * (ghn[nOff + b * H + j] as number) * r * (1 - r);      // through r ⊙ gh_n, σ'
      dGx[xb + j] = dr;
      dGx[xb + H + j] = dz;
      dGx[xb + 2 * H + j] = dn;
      dGh[hb + j] = dr;
      dGh[hb + H + j] = dz;
      dGh[hb + 2 * H + j] = dn * r;                                         // gh_n enters scaled by r
      dhDirect[b * H + j] = d * z;
    }
  }
}

/** Elman step, forward: h = φ(pre) with φ = tanh or relu, in place of pre's row into h. */
export function rnnCellForward(
  h: FloatArray, hOff: number,       // (B, H) out
  pre: FloatArray, pOff: number,     // (B, H) pre-activations
  relu: boolean, lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  for (let b = 0; b < B; b++) {
    if (!active(lengths, b, t)) continue;
    for (let j = 0; j < H; j++) {
      const v = pre[pOff + b * H + j] as number;
      h[hOff + b * H + j] = relu ? (v > 0 ? v : 0 * v) : Math.tanh(v);
    }
  }
}

/** Elman step, backward: dPre = dh ⊙ φ'(h) for active rows (from the output h), 0 otherwise. */
export function rnnCellBackward(
  dPre: FloatArray, dOff: number,    // (B, H) out
  dh: FloatArray,                    // (B, H)
  h: FloatArray, hOff: number,       // (B, H) h_t
  relu: boolean, lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  for (let b = 0; b < B; b++) {
    const on = active(lengths, b, t);
    for (let j = 0; j < H; j++) {
      const hv = h[hOff + b * H + j] as number;
      const d = relu ? (hv > 0 ? 1 : 0) : 1 - hv * hv; // relu' from h > 0; tanh' = 1 − h²
      dPre[dOff + b * H + j] = on ? (dh[b * H + j] as number) * d : 0;
    }
  }
}
