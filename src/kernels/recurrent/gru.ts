// GRU over a whole sequence (PyTorch variant), one layer and one direction: forward and
// hand-written BPTT backward over the backend's gemm and fused gate kernels.
// Legend: T = time, B = batch, I = input, H = hidden, G = 3H. Gate order r, z, n (util/gates.ts).
//   gx_t = x_t W_ihᵀ + b_ih,  gh_t = h_{t−1} W_hhᵀ + b_hh              (B, G)
//   r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n)
//   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
// Inactive rows (t ≥ lengths[b]) carry h unchanged, so hState[T−1] is the final state.
// Rows of x past a row's length must be finite (see lstm.ts); the op zeroes them.

import type { Backend } from '../../backend/backend.js';
import type { FloatArray } from '../../util/arrays.js';
import { GRU_GATES } from '../../util/gates.js';
import { addActiveRows, addBiasRows, carryInactive, colSumAcc, copyActiveRows, fillRowsWithVector, runMirrored, workspace } from './common.js';

export function gruForward(
  k: Backend,
  hState: FloatArray,        // (T, B, H) out: h after each step (carried)
  gates: FloatArray,         // (T, B, G) saved: activations r, z, n (gx on inactive rows)
  ghn: FloatArray,           // (T, B, H) saved: gh_n = W_hn h_{t−1} + b_hn
  x: FloatArray,             // (T, B, I)
  h0: FloatArray,            // (B, H)
  wIH: FloatArray,           // (G, I)
  wHH: FloatArray,           // (G, H)
  bIH: FloatArray | null,    // (G)
  bHH: FloatArray | null,    // (G)
  lengths: Int32Array | null, // (B) or null
  T: number, B: number, I: number, H: number,
): void {
  // A backend with a fused whole-sequence kernel (native) runs the loop in one call.
  if (k.sequence && x instanceof Float32Array) {
    k.sequence.gruForward(hState, gates, ghn, x, h0, wIH, wHH, bIH, bHH, lengths, T, B, I, H);
    return;
  }
  // On a backend with its own memory (wasm) the whole loop runs there; outputs copied back.
  if (runMirrored(k, Array.from(arguments), [1, 2, 3], gruForward)) return;
  const G = GRU_GATES.length * H;
  if (T === 0 || B === 0) return;
  // gates first holds gx = X · W_ihᵀ + b_ih for every step (one gemm over T·B rows);
  // the gate kernel overwrites each step's rows with the activations in place.
  k.gemm(false, true, T * B, G, I, 1, x, 0, I, wIH, 0, I, 0, gates, 0, G);
  addBiasRows(gates, T * B, G, bIH, null);
  const gh = workspace(k, x, B * G); // (B, G) workspace: hidden side of one step
  for (let t = 0; t < T; t++) {
    const hPrev = t === 0 ? h0 : hState;
    const hOff = t === 0 ? 0 : (t - 1) * B * H;
    if (bHH) fillRowsWithVector(gh, 0, B, bHH);
    k.gemm(false, true, B, G, H, 1, hPrev, hOff, H, wHH, 0, H, bHH ? 1 : 0, gh, 0, G); // gh = h_{t−1} W_hhᵀ + b_hh
    k.gruGatesForward(gates, t * B * G, ghn, t * B * H, hState, t * B * H, gates, t * B * G, gh, hPrev, hOff, lengths, t, B, H);
    carryInactive(hState, t * B * H, hPrev, hOff, lengths, t, B, H);
  }
}

/** Accumulates (+=) the gradients of every input of gruForward (see lstmBackward). */
export function gruBackward(
  k: Backend,
  dx: FloatArray,            // (T, B, I) +=
  dh0: FloatArray,           // (B, H) +=
  dwIH: FloatArray,          // (G, I) +=
  dwHH: FloatArray,          // (G, H) +=
  dbIH: FloatArray | null,   // (G) +=
  dbHH: FloatArray | null,   // (G) +=
  dhSteps: FloatArray | null, // (T, B, H) out: ∂L/∂h_t, 0 past each row's length
  dhOut: FloatArray | null,  // (T, B, H) ∂L/∂output, or null
  dhN: FloatArray | null,    // (B, H) ∂L/∂hN, or null
  hState: FloatArray,        // (T, B, H) saved by gruForward
  gates: FloatArray,         // (T, B, G) saved
  ghn: FloatArray,           // (T, B, H) saved
  x: FloatArray,             // (T, B, I)
  h0: FloatArray,            // (B, H)
  wIH: FloatArray,           // (G, I)
  wHH: FloatArray,           // (G, H)
  lengths: Int32Array | null, // (B)
  T: number, B: number, I: number, H: number,
): void {
  // A backend with a fused whole-sequence kernel (native) runs the loop in one call.
  if (k.sequence && x instanceof Float32Array) {
    k.sequence.gruBackward(dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, dhOut, dhN, hState, gates, ghn, x, h0, wIH, wHH, lengths, T, B, I, H);
    return;
  }
  // On a backend with its own memory (wasm) the whole loop runs there; outputs copied back.
  if (runMirrored(k, Array.from(arguments), [1, 2, 3, 4, 5, 6, 7], gruBackward)) return;
  const G = GRU_GATES.length * H;
  const dh = workspace(k, x, B * H); // (B, H) ∂L/∂h_t, running backwards (dhNext)
  if (dhN) dh.set(dhN.subarray(0, B * H));
  if (T > 0 && B > 0) {
    const dGx = workspace(k, x, T * B * G);  // (T, B, G) input-side pre-activation gradients
    const dGh = workspace(k, x, T * B * G);  // (T, B, G) hidden-side pre-activation gradients
    const dhDirect = workspace(k, x, B * H); // (B, H) ∂L/∂h_{t−1} through z ⊙ h_{t−1}
    const dhPrev = workspace(k, x, B * H);   // (B, H) ∂L/∂h_{t−1} through gh
    for (let t = T - 1; t >= 0; t--) {
      if (dhOut) addActiveRows(dh, dhOut, t * B * H, lengths, t, B, H);
      if (dhSteps) copyActiveRows(dhSteps, t * B * H, dh, lengths, t, B, H);
      const hPrev = t === 0 ? h0 : hState;
      const hOff = t === 0 ? 0 : (t - 1) * B * H;
      k.gruGatesBackward(dGx, t * B * G, dGh, t * B * G, dhDirect, dh, gates, t * B * G, ghn, t * B * H, hPrev, hOff, lengths, t, B, H);
      // ∂L/∂h_{t−1} = dh ⊙ z + dGh_t · W_hh   (inactive rows: dGh = 0 and dhDirect = dh)
      k.gemm(false, false, B, H, G, 1, dGh, t * B * G, G, wHH, 0, H, 0, dhPrev, 0, H);
      for (let i = 0; i < B * H; i++) dh[i] = (dhDirect[i] as number) + (dhPrev[i] as number);
    }
    // Weight gradients, batched over all T·B rows.
    k.gemm(true, false, G, I, T * B, 1, dGx, 0, G, x, 0, I, 1, dwIH, 0, I);        // dW_ih += dGxᵀ · X
    k.gemm(true, false, G, H, B, 1, dGh, 0, G, h0, 0, H, 1, dwHH, 0, H);           // dW_hh += dGh_0ᵀ · h0
    if (T > 1) k.gemm(true, false, G, H, (T - 1) * B, 1, dGh, B * G, G, hState, 0, H, 1, dwHH, 0, H); // + Σ_t≥1 dGh_tᵀ · h_{t−1}
    if (dbIH) colSumAcc(dbIH, dGx, T * B, G);                                       // db_ih += Σ dGx
    if (dbHH) colSumAcc(dbHH, dGh, T * B, G);                                       // db_hh += Σ dGh
    k.gemm(false, false, T * B, I, G, 1, dGx, 0, G, wIH, 0, I, 1, dx, 0, I);       // dX += dGx · W_ih
  }
  for (let i = 0; i < B * H; i++) dh0[i] = (dh0[i] as number) + (dh[i] as number); // dh0 += ∂L/∂h_{−1}
}
