// LSTM over a whole sequence, one layer and one direction: forward and hand-written
// BPTT backward, built from the backend's gemm and its fused per-step gate kernels, so
// a faster backend speeds it up without changes here.
// Legend: T = time, B = batch, I = input, H = hidden (cell), P = size of h (the
// projection size, or H without projection), G = 4H. Gate order i, f, g, o (util/gates.ts).
// A row b is active at step t iff t < lengths[b]; inactive rows carry h and c unchanged,
// so hState[T−1] and cState[T−1] are every sequence's final state.

import type { Backend } from '../../backend/backend.js';
import type { FloatArray } from '../../util/arrays.js';
import { addBiasRows, addActiveRows, carryInactive, colSumAcc, setActiveRows, zerosLike } from './common.js';

export function lstmForward(
  k: Backend,
  hState: FloatArray,        // (T, B, P) out: h after each step (carried past a row's length)
  cState: FloatArray,        // (T, B, H) out: c after each step (carried)
  gates: FloatArray,         // (T, B, G) saved: activations i, f, g, o
  x: FloatArray,             // (T, B, I)
  h0: FloatArray,            // (B, P)
  c0: FloatArray,            // (B, H)
  wIH: FloatArray,           // (G, I)
  wHH: FloatArray,           // (G, P)
  bIH: FloatArray | null,    // (G)
  bHH: FloatArray | null,    // (G)
  wHR: FloatArray | null,    // (P, H) projection, or null
  lengths: Int32Array | null,
  T: number, B: number, I: number, H: number, P: number,
): void {
  const G = 4 * H;
  if (T === 0 || B === 0) return;
  // Input projection of every step at once: gates = X · W_ihᵀ + b_ih + b_hh.
  k.gemm(false, true, T * B, G, I, 1, x, 0, I, wIH, 0, I, 0, gates, 0, G);
  addBiasRows(gates, T * B, G, bIH, bHH);
  const m = wHR ? zerosLike(x, B * H) : null; // o ⊙ tanh(c) before projection
  for (let t = 0; t < T; t++) {
    const hPrev = t === 0 ? h0 : hState;
    const hOff = t === 0 ? 0 : (t - 1) * B * P;
    const cPrev = t === 0 ? c0 : cState;
    const cOff = t === 0 ? 0 : (t - 1) * B * H;
    // Recurrence: gates_t += h_{t−1} · W_hhᵀ
    k.gemm(false, true, B, G, P, 1, hPrev, hOff, P, wHH, 0, P, 1, gates, t * B * G, G);
    if (m) {
      k.lstmCellForward(gates, t * B * G, cState, t * B * H, m, 0, cPrev, cOff, lengths, t, B, H);
      k.gemm(false, true, B, P, H, 1, m, 0, H, wHR as FloatArray, 0, H, 0, hState, t * B * P, P); // h = m · W_hrᵀ
    } else {
      k.lstmCellForward(gates, t * B * G, cState, t * B * H, hState, t * B * P, cPrev, cOff, lengths, t, B, H);
    }
    carryInactive(hState, t * B * P, hPrev, hOff, lengths, t, B, P);
    carryInactive(cState, t * B * H, cPrev, cOff, lengths, t, B, H);
  }
}

/**
 * Accumulates (+=) the gradients of every input of lstmForward, given the gradients of
 * the per-step outputs (dhOut, only active rows count) and of the final states.
 * dhSteps, if given, receives ∂L/∂h_t (total, including what flows from later steps).
 */
export function lstmBackward(
  k: Backend,
  dx: FloatArray,            // (T, B, I) +=
  dh0: FloatArray,           // (B, P) +=
  dc0: FloatArray,           // (B, H) +=
  dwIH: FloatArray,          // (G, I) +=
  dwHH: FloatArray,          // (G, P) +=
  dbIH: FloatArray | null,   // (G) +=
  dbHH: FloatArray | null,   // (G) +=
  dwHR: FloatArray | null,   // (P, H) +=
  dhSteps: FloatArray | null, // (T, B, P) out
  dhOut: FloatArray | null,  // (T, B, P)
  dhN: FloatArray | null,    // (B, P)
  dcN: FloatArray | null,    // (B, H)
  hState: FloatArray, cState: FloatArray, gates: FloatArray, // saved by lstmForward
  x: FloatArray, h0: FloatArray, c0: FloatArray,
  wIH: FloatArray, wHH: FloatArray, wHR: FloatArray | null,
  lengths: Int32Array | null,
  T: number, B: number, I: number, H: number, P: number,
): void {
  const G = 4 * H;
  const dh = zerosLike(x, B * P); // ∂L/∂h_t, running backwards
  const dc = zerosLike(x, B * H); // ∂L/∂c_t from step t+1
  if (dhN) dh.set(dhN.subarray(0, B * P));
  if (dcN) dc.set(dcN.subarray(0, B * H));
  if (T > 0 && B > 0) {
    const dG = zerosLike(x, T * B * G);          // pre-activation gradients of every step
    const dm = wHR ? zerosLike(x, B * H) : dh;    // ∂L/∂m_t (m = h without projection)
    const dhProj = wHR ? zerosLike(x, T * B * P) : null; // active dh_t rows, for dW_hr
    const tmp = zerosLike(x, B * P);
    for (let t = T - 1; t >= 0; t--) {
      if (dhOut) addActiveRows(dh, dhOut, t * B * P, lengths, t, B, P);
      if (dhSteps) dhSteps.set(dh, t * B * P);
      if (wHR) {
        k.gemm(false, false, B, H, P, 1, dh, 0, P, wHR, 0, H, 0, dm, 0, H); // dm = dh · W_hr
        for (let b = 0; b < B; b++) {
          if (lengths !== null && t >= (lengths[b] as number)) continue;
          for (let j = 0; j < P; j++) (dhProj as FloatArray)[(t * B + b) * P + j] = dh[b * P + j] as number;
        }
      }
      const cPrev = t === 0 ? c0 : cState;
      const cOff = t === 0 ? 0 : (t - 1) * B * H;
      k.lstmCellBackward(dG, t * B * G, dc, dm, gates, t * B * G, cState, t * B * H, cPrev, cOff, lengths, t, B, H);
      // ∂L/∂h_{t−1} = dG_t · W_hh for active rows; inactive rows carry dh.
      k.gemm(false, false, B, P, G, 1, dG, t * B * G, G, wHH, 0, P, 0, tmp, 0, P);
      setActiveRows(dh, tmp, lengths, t, B, P);
    }
    // Weight gradients, batched over all steps.
    k.gemm(true, false, G, I, T * B, 1, dG, 0, G, x, 0, I, 1, dwIH, 0, I);         // dW_ih += dGᵀ · X
    k.gemm(true, false, G, P, B, 1, dG, 0, G, h0, 0, P, 1, dwHH, 0, P);             // dW_hh += dG_0ᵀ · h0
    if (T > 1) k.gemm(true, false, G, P, (T - 1) * B, 1, dG, B * G, G, hState, 0, P, 1, dwHH, 0, P); // + Σ dG_tᵀ h_{t−1}
    if (dbIH) colSumAcc(dbIH, dG, T * B, G);
    if (dbHH) colSumAcc(dbHH, dG, T * B, G);
    k.gemm(false, false, T * B, I, G, 1, dG, 0, G, wIH, 0, I, 1, dx, 0, I);         // dX += dG · W_ih
    if (wHR && dwHR) {
      // dW_hr += Σ_t dh_tᵀ · m_t with m_t = o_t ⊙ tanh(c_t) recomputed from saved values.
      const mAll = zerosLike(x, T * B * H);
      for (let r = 0; r < T * B; r++) {
        for (let j = 0; j < H; j++) {
          mAll[r * H + j] = (gates[r * G + 3 * H + j] as number) * Math.tanh(cState[r * H + j] as number);
        }
      }
      k.gemm(true, false, P, H, T * B, 1, dhProj as FloatArray, 0, P, mAll, 0, H, 1, dwHR, 0, H);
    }
  }
  for (let i = 0; i < B * P; i++) dh0[i] = (dh0[i] as number) + (dh[i] as number);
  for (let i = 0; i < B * H; i++) dc0[i] = (dc0[i] as number) + (dc[i] as number);
}
