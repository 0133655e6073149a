// Reference pointwise kernels of one recurrent time step, over the B rows of that step.
// The sequence loops (kernels/recurrent/*) call them between gemms; a faster backend
// replaces them one by one. Generic over Float32Array | Float64Array.
// Legend: B = batch, H = hidden (cell) size, G = gates·H (LSTM 4H, GRU 3H, RNN H).
// Gate orders (util/gates.ts): LSTM i, f, g, o; GRU r, z, n.
// Masking: row b is active at step t iff t < lengths[b] (lengths null: always). Forward
// kernels leave inactive rows of their outputs untouched (the loop carries the state);
// backward kernels write zero pre-activation gradients for them and pass the state
// gradient through unchanged.
// Offsets (xOff) locate the step's rows inside a (T, B, ·) buffer; buffers without an
// offset argument are (B, ·) workspaces starting at 0.

import type { FloatArray } from '../../util/arrays.js';
import { GRU_GATES, LSTM_GATES, type RnnNonlinearity } from '../../util/gates.js';
import { sigmoid } from './elementwise.js';

const LSTM_G = LSTM_GATES.length;
const GRU_G = GRU_GATES.length;

function active(lengths: Int32Array | null, b: number, t: number): boolean {
  return lengths === null || t < (lengths[b] as number);
}

/**
 * LSTM step, forward. On entry `gates` holds the pre-activations
 * x W_ihᵀ + b_ih + h W_hhᵀ + b_hh; on exit, for active rows, the activations:
 *   i = σ(·), f = σ(·), g = tanh(·), o = σ(·)
 *   c = f ⊙ cPrev + i ⊙ g;   m = o ⊙ tanh(c)   (m is h before the optional projection)
 */
export function lstmGatesForward(
  gates: FloatArray, gOff: number,   // (B, G) in: pre-activations, out: activations i, f, g, o
  c: FloatArray, cOff: number,       // (B, H) out: c_t
  m: FloatArray, mOff: number,       // (B, H) out: o ⊙ tanh(c_t)
  cPrev: FloatArray, pOff: number,   // (B, H) c_{t−1}
  lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const G = LSTM_G * H;
  for (let b = 0; b < B; b++) {
    if (!active(lengths, b, t)) continue;
    const gb = gOff + b * G;
    const hb = b * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[gb + j] as number);
      const f = sigmoid(gates[gb + H + j] as number);
      const g = Math.tanh(gates[gb + 2 * H + j] as number);
      const o = sigmoid(gates[gb + 3 * H + j] as number);
      gates[gb + j] = i;
      gates[gb + H + j] = f;
      gates[gb + 2 * H + j] = g;
      gates[gb + 3 * H + j] = o;
      const ct = f * (cPrev[pOff + hb + j] as number) + i * g;
      c[cOff + hb + j] = ct;
      m[mOff + hb + j] = o * Math.tanh(ct);
    }
  }
}

/**
 * LSTM step, backward. Given dm = ∂L/∂m_t and dc = ∂L/∂c_t as it arrives from step t+1,
 * writes the pre-activation gradients dgates and replaces dc by ∂L/∂c_{t−1}.
 * Inactive rows: dgates = 0 and dc is kept (c is carried unchanged).
 */
export function lstmGatesBackward(
  dgates: FloatArray, dgOff: number, // (B, G) out: ∂L/∂(pre-activations)
  dc: FloatArray,                    // (B, H) in: ∂L/∂c_t from step t+1, out: ∂L/∂c_{t−1}
  dm: FloatArray,                    // (B, H) ∂L/∂m_t
  gates: FloatArray, gOff: number,   // (B, G) saved activations i, f, g, o
  c: FloatArray, cOff: number,       // (B, H) saved c_t
  cPrev: FloatArray, pOff: number,   // (B, H) saved c_{t−1}
  lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const G = LSTM_G * H;
  for (let b = 0; b < B; b++) {
    const db = dgOff + b * G;
    if (!active(lengths, b, t)) {
      dgates.fill(0, db, db + G);
      continue;
    }
    const gb = gOff + b * G;
    const hb = b * H;
    for (let j = 0; j < H; j++) {
      const i = gates[gb + j] as number;
      const f = gates[gb + H + j] as number;
      const g = gates[gb + 2 * H + j] as number;
      const o = gates[gb + 3 * H + j] as number;
      const tc = Math.tanh(c[cOff + hb + j] as number);
      const dmj = dm[hb + j] as number;
      const dct = (dc[hb + j] as number) + dmj * o * (1 - tc * tc); // + through m = o ⊙ tanh(c), tanh' = 1 − tanh²
      const di = dct * g;                                           // c = … + i ⊙ g
      const df = dct * (cPrev[pOff + hb + j] as number);            // c = f ⊙ cPrev + …
      const dg = dct * i;                                           // c = … + i ⊙ g
      const dO = dmj * tc;                                          // m = o ⊙ tanh(c)
      dgates[db + j] = di * i * (1 - i);                            // σ' = σ(1 − σ)
      dgates[db + H + j] = df * f * (1 - f);                        // σ'
      dgates[db + 2 * H + j] = dg * (1 - g * g);                    // tanh'
      dgates[db + 3 * H + j] = dO * o * (1 - o);                    // σ'
      dc[hb + j] = dct * f;                                         // ∂L/∂c_{t−1} through f ⊙ cPrev
    }
  }
}

/**
 * GRU step, forward (PyTorch variant: the reset gate multiplies W_hn h + b_hn).
 *   gx = x W_ihᵀ + b_ih, gh = h W_hhᵀ + b_hh   (both (B, G), gate order r, z, n)
 *   r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n)
 *   h = (1 − z) ⊙ n + z ⊙ hPrev
 * `gates` may alias `gx` at the same offset (the activations overwrite gx in place).
 */
export function gruGatesForward(
  gates: FloatArray, gOff: number,   // (B, G) out: activations r, z, n
  ghn: FloatArray, nOff: number,     // (B, H) out: gh_n = W_hn h_{t−1} + b_hn (saved for backward)
  h: FloatArray, hOff: number,       // (B, H) out: h_t
  gx: FloatArray, xOff: number,      // (B, G) input side x W_ihᵀ + b_ih
  gh: FloatArray,                    // (B, G) hidden side h W_hhᵀ + b_hh
  hPrev: FloatArray, pOff: number,   // (B, H) h_{t−1}
  lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const G = GRU_G * H;
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
 * GRU step, backward. From dh = ∂L/∂h_t writes the pre-activation gradients of the input
 * side dgx and of the hidden side dgh (equal except for the n gate, where the hidden side
 * is scaled by r) and dhDirect = ∂L/∂h_{t−1} through z ⊙ hPrev (the part that bypasses
 * the recurrent gemm). Inactive rows: dgx = dgh = 0 and dhDirect = dh (h is carried).
 */
export function gruGatesBackward(
  dgx: FloatArray, dxOff: number,    // (B, G) out: ∂L/∂gx
  dgh: FloatArray, dhOff: number,    // (B, G) out: ∂L/∂gh
  dhDirect: FloatArray,              // (B, H) out
  dh: FloatArray,                    // (B, H) ∂L/∂h_t
  gates: FloatArray, gOff: number,   // (B, G) saved activations r, z, n
  ghn: FloatArray, nOff: number,     // (B, H) saved gh_n
  hPrev: FloatArray, pOff: number,   // (B, H) saved h_{t−1}
  lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const G = GRU_G * H;
  for (let b = 0; b < B; b++) {
    const xb = dxOff + b * G;
    const hb = dhOff + b * G;
    if (!active(lengths, b, t)) {
      dgx.fill(0, xb, xb + G);
      dgh.fill(0, hb, hb + G);
      for (let j = 0; j < H; j++) dhDirect[b * H + j] = dh[b * H + j] as number;
      continue;
    }
    const gb = gOff + b * G;
    for (let j = 0; j < H; j++) {
      const r = gates[gb + j] as number;
      const z = gates[gb + H + j] as number;
      const n = gates[gb + 2 * H + j] as number;
      const d = dh[b * H + j] as number;
      const dn = d * (1 - z);                                      // h = (1 − z) ⊙ n + …
      const dz = d * ((hPrev[pOff + b * H + j] as number) - n);    // h = n + z ⊙ (hPrev − n)
      const dnPre = dn * (1 - n * n);                              // tanh'
      const dr = dnPre * (ghn[nOff + b * H + j] as number);        // n = tanh(gx_n + r ⊙ gh_n)
      const dzPre = dz * z * (1 - z);                              // σ'
      const drPre = dr * r * (1 - r);                              // σ'
      dgx[xb + j] = drPre;
      dgx[xb + H + j] = dzPre;
      dgx[xb + 2 * H + j] = dnPre;
      dgh[hb + j] = drPre;
      dgh[hb + H + j] = dzPre;
      dgh[hb + 2 * H + j] = dnPre * r;                             // gh_n enters scaled by r
      dhDirect[b * H + j] = d * z;                                 // h = … + z ⊙ hPrev
    }
  }
}

/** Elman step, forward: h = φ(pre) for active rows, φ = tanh or relu. */
export function rnnActForward(
  h: FloatArray, hOff: number,       // (B, H) out: h_t
  pre: FloatArray, pOff: number,     // (B, H) pre-activations x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
  nonlinearity: RnnNonlinearity, lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const relu = nonlinearity === 'relu';
  for (let b = 0; b < B; b++) {
    if (!active(lengths, b, t)) continue;
    for (let j = 0; j < H; j++) {
      const v = pre[pOff + b * H + j] as number;
      h[hOff + b * H + j] = relu ? (v > 0 ? v : 0 * v) : Math.tanh(v); // 0·v keeps NaN as NaN
    }
  }
}

/** Elman step, backward: dpre = dh ⊙ φ'(pre), written from the saved output h; 0 for inactive rows. */
export function rnnActBackward(
  dpre: FloatArray, dOff: number,    // (B, H) out: ∂L/∂pre
  dh: FloatArray,                    // (B, H) ∂L/∂h_t
  h: FloatArray, hOff: number,       // (B, H) saved h_t
  nonlinearity: RnnNonlinearity, lengths: Int32Array | null, t: number, B: number, H: number,
): void {
  const relu = nonlinearity === 'relu';
  for (let b = 0; b < B; b++) {
    const on = active(lengths, b, t);
    for (let j = 0; j < H; j++) {
      const hv = h[hOff + b * H + j] as number;
      const dphi = relu ? (hv > 0 ? 1 : 0) : 1 - hv * hv; // relu' = [pre > 0] = [h > 0]; tanh' = 1 − h²
      dpre[dOff + b * H + j] = on ? (dh[b * H + j] as number) * dphi : 0;
    }
  }
}
