// Elman RNN over a whole sequence, one layer and one direction: forward and BPTT
// backward over the backend's gemm and per-step activation kernels.
// Legend: T = time, B = batch, I = input, H = hidden.
//   h_t = φ(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh),  φ = tanh or relu
// Inactive rows (t ≥ lengths[b]) carry h unchanged, so hState[T−1] is the final state.
// Rows of x past a row's length must be finite (see lstm.ts); the op zeroes them.

import type { Backend } from '../../backend/backend.js';
import type { FloatArray } from '../../util/arrays.js';
import type { RnnNonlinearity } from '../../util/gates.js';
import { addActiveRows, addBiasRows, carryInactive, colSumAcc, copyActiveRows, setActiveRows, runMirrored, workspace } from './common.js';

export function rnnForward(
  k: Backend,
  hState: FloatArray,        // (T, B, H) out: h after each step (carried); also saved for backward
  x: FloatArray,             // (T, B, I)
  h0: FloatArray,            // (B, H)
  wIH: FloatArray,           // (H, I)
  wHH: FloatArray,           // (H, H)
  bIH: FloatArray | null,    // (H)
  bHH: FloatArray | null,    // (H)
  nonlinearity: RnnNonlinearity,
  lengths: Int32Array | null, // (B) or null
  T: number, B: number, I: number, H: number,
): void {
  // A backend with a fused whole-sequence kernel (native) runs the loop in one call.
  if (k.sequence && x instanceof Float32Array) {
    k.sequence.rnnForward(hState, x, h0, wIH, wHH, bIH, bHH, nonlinearity, lengths, T, B, I, H);
    return;
  }
  // On a backend with its own memory (wasm) the whole loop runs there; outputs copied back.
  if (runMirrored(k, Array.from(arguments), [1], rnnForward)) return;
  if (T === 0 || B === 0) return;
  const pre = workspace(k, x, T * B * H); // (T, B, H) workspace: pre-activations
  k.gemm(false, true, T * B, H, I, 1, x, 0, I, wIH, 0, I, 0, pre, 0, H); // pre = X · W_ihᵀ (all steps)
  addBiasRows(pre, T * B, H, bIH, bHH);
  for (let t = 0; t < T; t++) {
    const hPrev = t === 0 ? h0 : hState;
    const hOff = t === 0 ? 0 : (t - 1) * B * H;
    k.gemm(false, true, B, H, H, 1, hPrev, hOff, H, wHH, 0, H, 1, pre, t * B * H, H); // pre_t += h_{t−1} · W_hhᵀ
    k.rnnActForward(hState, t * B * H, pre, t * B * H, nonlinearity, lengths, t, B, H);
    carryInactive(hState, t * B * H, hPrev, hOff, lengths, t, B, H);
  }
}

/** Accumulates (+=) the gradients of every input of rnnForward (see lstmBackward). */
export function rnnBackward(
  k: Backend,
  dx: FloatArray,            // (T, B, I) +=
  dh0: FloatArray,           // (B, H) +=
  dwIH: FloatArray,          // (H, I) +=
  dwHH: FloatArray,          // (H, H) +=
  dbIH: FloatArray | null,   // (H) +=
  dbHH: FloatArray | null,   // (H) +=
  dhSteps: FloatArray | null, // (T, B, H) out: ∂L/∂h_t, 0 past each row's length
  dhOut: FloatArray | null,  // (T, B, H) ∂L/∂output, or null
  dhN: FloatArray | null,    // (B, H) ∂L/∂hN, or null
  hState: FloatArray,        // (T, B, H) saved by rnnForward
  x: FloatArray,             // (T, B, I)
  h0: FloatArray,            // (B, H)
  wIH: FloatArray,           // (H, I)
  wHH: FloatArray,           // (H, H)
  nonlinearity: RnnNonlinearity,
  lengths: Int32Array | null, // (B)
  T: number, B: number, I: number, H: number,
): void {
  // A backend with a fused whole-sequence kernel (native) runs the loop in one call.
  if (k.sequence && x instanceof Float32Array) {
    k.sequence.rnnBackward(dx, dh0, dwIH, dwHH, dbIH, dbHH, dhSteps, dhOut, dhN, hState, x, h0, wIH, wHH, nonlinearity, lengths, T, B, I, H);
    return;
  }
  // On a backend with its own memory (wasm) the whole loop runs there; outputs copied back.
  if (runMirrored(k, Array.from(arguments), [1, 2, 3, 4, 5, 6, 7], rnnBackward)) return;
  const dh = workspace(k, x, B * H); // (B, H) ∂L/∂h_t, running backwards (dhNext)
  if (dhN) dh.set(dhN.subarray(0, B * H));
  if (T > 0 && B > 0) {
    const dPre = workspace(k, x, T * B * H); // (T, B, H) pre-activation gradients of every step
    const dhPrev = workspace(k, x, B * H);   // (B, H) workspace
    for (let t = T - 1; t >= 0; t--) {
      if (dhOut) addActiveRows(dh, dhOut, t * B * H, lengths, t, B, H);
      if (dhSteps) copyActiveRows(dhSteps, t * B * H, dh, lengths, t, B, H);
      k.rnnActBackward(dPre, t * B * H, dh, hState, t * B * H, nonlinearity, lengths, t, B, H);
      k.gemm(false, false, B, H, H, 1, dPre, t * B * H, H, wHH, 0, H, 0, dhPrev, 0, H); // ∂L/∂h_{t−1} = dPre_t · W_hh
      setActiveRows(dh, dhPrev, lengths, t, B, H);                                      // inactive rows carry dh
    }
    k.gemm(true, false, H, I, T * B, 1, dPre, 0, H, x, 0, I, 1, dwIH, 0, I);           // dW_ih += dPreᵀ · X
    k.gemm(true, false, H, H, B, 1, dPre, 0, H, h0, 0, H, 1, dwHH, 0, H);              // dW_hh += dPre_0ᵀ · h0
    if (T > 1) k.gemm(true, false, H, H, (T - 1) * B, 1, dPre, B * H, H, hState, 0, H, 1, dwHH, 0, H); // + Σ_t≥1 dPre_tᵀ · h_{t−1}
    if (dbIH) colSumAcc(dbIH, dPre, T * B, H);                                         // db_ih += Σ dPre
    if (dbHH) colSumAcc(dbHH, dPre, T * B, H);                                         // db_hh += Σ dPre
    k.gemm(false, false, T * B, I, H, 1, dPre, 0, H, wIH, 0, I, 1, dx, 0, I);          // dX += dPre · W_ih
  }
  for (let i = 0; i < B * H; i++) dh0[i] = (dh0[i] as number) + (dh[i] as number);     // dh0 += ∂L/∂h_{−1}
}
