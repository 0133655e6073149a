// LSTM over a whole sequence, one layer and one direction: forward and hand-written
// BPTT backward, built from the backend's gemm and its fused per-step gate kernels, so
// a faster backend speeds it up without changes here.
// Legend: T = time, B = batch, I = input, H = hidden (cell), P = size of h (the
// projection size, or H without projection), G = 4H. Gate order i, f, g, o (util/gates.ts).
//   gates_t = x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh      (B, G)
//   c_t = f ⊙ c_{t−1} + i ⊙ g,  m_t = o ⊙ tanh(c_t),  h_t = m_t (or m_t W_hrᵀ, W_hr (P, H))
// A row b is active at step t iff t < lengths[b]; inactive rows carry h and c unchanged,
// so hState[T−1] and cState[T−1] are every sequence's final state. Rows of x past a
// row's length are never read by the recurrence but must be finite (they meet zero
// gradients in the batched dW_ih gemm, and 0·NaN = NaN); the op zeroes them.

import type { Backend } from '../../backend/backend.js';
import type { FloatArray } from '../../util/arrays.js';
import { LSTM_GATES } from '../../util/gates.js';
import { addActiveRows, addBiasRows, carryInactive, colSumAcc, copyActiveRows, setActiveRows, runMirrored, workspace } from './common.js';

export function lstmForward(
  k: Backend,
  hState: FloatArray,        // (T, B, P) out: h after each step (carried past a row's length)
  cState: FloatArray,        // (T, B, H) out: c after each step (carried)
  gates: FloatArray,         // (T, B, G) saved: activations i, f, g, o (pre-activations on inactive rows)
  x: FloatArray,             // (T, B, I)
  h0: FloatArray,            // (B, P)
  c0: FloatArray,            // (B, H)
  wIH: FloatArray,           // (G, I)
  wHH: FloatArray,           // (G, P)
  bIH: FloatArray | null,    // (G)
  bHH: FloatArray | null,    // (G)
  wHR: FloatArray | null,    // (P, H) projection, or null (then P = H)
  lengths: Int32Array | null, // (B) or null: every row has length T
  T: number, B: number, I: number, H: number, P: number,
  saveGates = true,           // false: nobody reads `gates` afterwards (inference); a backend may leave it unwritten
): void {
  // A backend with a fused whole-sequence kernel (native) runs the loop in one call.
  if (k.sequence && x instanceof Float32Array && wHR === null) {
    k.sequence.lstmForward(hState, cState, gates, x, h0, c0, wIH, wHH, bIH, bHH, wHR, lengths, T, B, I, H, P, saveGates);
    return;
  }
  // On a backend with its own memory (wasm) the whole loop runs there; outputs copied back.
  if (runMirrored(k, Array.from(arguments), [1, 2, 3], lstmForward)) return;
  const G = LSTM_GATES.length * H;
  if (T === 0 || B === 0) return;
  // Input projection of every step at once: gates = X · W_ihᵀ + b_ih + b_hh  (T·B rows).
  k.gemm(false, true, T * B, G, I, 1, x, 0, I, wIH, 0, I, 0, gates, 0, G);
  addBiasRows(gates, T * B, G, bIH, bHH);
  const m = wHR ? workspace(k, x, B * H) : null; // (B, H) workspace: o ⊙ tanh(c) before projection
  for (let t = 0; t < T; t++) {
    const hPrev = t === 0 ? h0 : hState;
    const hOff = t === 0 ? 0 : (t - 1) * B * P;
    const cPrev = t === 0 ? c0 : cState;
    const cOff = t === 0 ? 0 : (t - 1) * B * H;
    // Recurrence: gates_t += h_{t−1} · W_hhᵀ
    k.gemm(false, true, B, G, P, 1, hPrev, hOff, P, wHH, 0, P, 1, gates, t * B * G, G);
    if (m) {
      k.lstmGatesForward(gates, t * B * G, cState, t * B * H, m, 0, cPrev, cOff, lengths, t, B, H);
      k.gemm(false, true, B, P, H, 1, m, 0, H, wHR as FloatArray, 0, H, 0, hState, t * B * P, P); // h_t = m_t · W_hrᵀ
    } else {
      k.lstmGatesForward(gates, t * B * G, cState, t * B * H, hState, t * B * P, cPrev, cOff, lengths, t, B, H);
    }
    carryInactive(hState, t * B * P, hPrev, hOff, lengths, t, B, P);
    carryInactive(cState, t * B * H, cPrev, cOff, lengths, t, B, H);
  }
}

/**
 * Accumulates (+=) the gradients of every input of lstmForward, given the gradients of
 * the per-step outputs (dhOut; only active rows count, the output is 0 elsewhere) and
 * of the final states. dhSteps, if given, receives ∂L/∂h_t (the total: from the output
 * at t and from every later step), 0 on rows past their length.
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
  dhOut: FloatArray | null,  // (T, B, P) ∂L/∂output, or null (none)
  dhN: FloatArray | null,    // (B, P) ∂L/∂hN, or null
  dcN: FloatArray | null,    // (B, H) ∂L/∂cN, or null
  hState: FloatArray,        // (T, B, P) saved by lstmForward
  cState: FloatArray,        // (T, B, H) saved
  gates: FloatArray,         // (T, B, G) saved
  x: FloatArray,             // (T, B, I)
  h0: FloatArray,            // (B, P)
  c0: FloatArray,            // (B, H)
  wIH: FloatArray,           // (G, I)
  wHH: FloatArray,           // (G, P)
  wHR: FloatArray | null,    // (P, H)
  lengths: Int32Array | null, // (B)
  T: number, B: number, I: number, H: number, P: number,
): void {
  // A backend with a fused whole-sequence kernel (native) runs the loop in one call.
  if (k.sequence && x instanceof Float32Array && wHR === null) {
    k.sequence.lstmBackward(dx, dh0, dc0, dwIH, dwHH, dbIH, dbHH, dwHR, dhSteps, dhOut, dhN, dcN, hState, cState, gates, x, h0, c0, wIH, wHH, wHR, lengths, T, B, I, H, P);
    return;
  }
  // On a backend with its own memory (wasm) the whole loop runs there; outputs copied back.
  if (runMirrored(k, Array.from(arguments), [1, 2, 3, 4, 5, 6, 7, 8, 9], lstmBackward)) return;
  const G = LSTM_GATES.length * H;
  const dh = workspace(k, x, B * P); // (B, P) ∂L/∂h_t, running backwards (dhNext)
  const dc = workspace(k, x, B * H); // (B, H) ∂L/∂c_t from step t+1 (dcNext)
  if (dhN) dh.set(dhN.subarray(0, B * P));
  if (dcN) dc.set(dcN.subarray(0, B * H));
  if (T > 0 && B > 0) {
    const dG = workspace(k, x, T * B * G);                   // (T, B, G) pre-activation gradients of every step
    const dm = wHR ? workspace(k, x, B * H) : dh;            // (B, H) ∂L/∂m_t (m = h without projection)
    const dhAll = wHR ? workspace(k, x, T * B * P) : null;   // (T, B, P) ∂L/∂h_t on active rows, for dW_hr
    const dhPrev = workspace(k, x, B * P);                   // (B, P) workspace
    for (let t = T - 1; t >= 0; t--) {
      if (dhOut) addActiveRows(dh, dhOut, t * B * P, lengths, t, B, P);
      if (dhSteps) copyActiveRows(dhSteps, t * B * P, dh, lengths, t, B, P);
      if (wHR) {
        k.gemm(false, false, B, H, P, 1, dh, 0, P, wHR, 0, H, 0, dm, 0, H); // dm = dh · W_hr
        copyActiveRows(dhAll as FloatArray, t * B * P, dh, lengths, t, B, P);
      }
      const cPrev = t === 0 ? c0 : cState;
      const cOff = t === 0 ? 0 : (t - 1) * B * H;
      k.lstmGatesBackward(dG, t * B * G, dc, dm, gates, t * B * G, cState, t * B * H, cPrev, cOff, lengths, t, B, H);
      // ∂L/∂h_{t−1} = dG_t · W_hh on active rows; inactive rows carry dh.
      k.gemm(false, false, B, P, G, 1, dG, t * B * G, G, wHH, 0, P, 0, dhPrev, 0, P);
      setActiveRows(dh, dhPrev, lengths, t, B, P);
    }
    // Weight gradients, batched over all T·B rows (inactive rows have dG = 0).
    k.gemm(true, false, G, I, T * B, 1, dG, 0, G, x, 0, I, 1, dwIH, 0, I);         // dW_ih += dGᵀ · X
    k.gemm(true, false, G, P, B, 1, dG, 0, G, h0, 0, P, 1, dwHH, 0, P);             // dW_hh += dG_0ᵀ · h0
    if (T > 1) k.gemm(true, false, G, P, (T - 1) * B, 1, dG, B * G, G, hState, 0, P, 1, dwHH, 0, P); // + Σ_t≥1 dG_tᵀ · h_{t−1}
    if (dbIH) colSumAcc(dbIH, dG, T * B, G);                                        // db_ih += Σ dG
    if (dbHH) colSumAcc(dbHH, dG, T * B, G);                                        // db_hh += Σ dG
    k.gemm(false, false, T * B, I, G, 1, dG, 0, G, wIH, 0, I, 1, dx, 0, I);         // dX += dG · W_ih
    if (wHR && dwHR) {
      // dW_hr += Σ_t dh_tᵀ · m_t, with m_t = o_t ⊙ tanh(c_t) recomputed from the saved values
      // on active rows (dh_t is 0 on the others).
      const mAll = workspace(k, x, T * B * H); // (T, B, H)
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          if (lengths !== null && t >= (lengths[b] as number)) continue;
          const r = t * B + b;
          for (let j = 0; j < H; j++) mAll[r * H + j] = (gates[r * G + 3 * H + j] as number) * Math.tanh(cState[r * H + j] as number);
        }
      }
      k.gemm(true, false, P, H, T * B, 1, dhAll as FloatArray, 0, P, mAll, 0, H, 1, dwHR, 0, H);
    }
  }
  for (let i = 0; i < B * P; i++) dh0[i] = (dh0[i] as number) + (dh[i] as number); // dh0 += ∂L/∂h_{−1}
  for (let i = 0; i < B * H; i++) dc0[i] = (dc0[i] as number) + (dc[i] as number); // dc0 += ∂L/∂c_{−1}
}
