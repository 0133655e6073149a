// Elman RNN over a whole sequence, one layer and one direction: forward and BPTT
// backward over the backend's gemm and per-step activation kernels.
// Legend: T = time, B = batch, I = input, H = hidden.
//   h_t = φ(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh), φ = tanh or relu

import type { Backend } from '../../backend/backend.js';
import type { FloatArray } from '../../util/arrays.js';
import { addBiasRows, addActiveRows, carryInactive, colSumAcc, setActiveRows, zerosLike } from './common.js';

export function rnnForward(
  k: Backend,
  hState: FloatArray,        // (T, B, H) out: h after each step (carried)
  x: FloatArray,             // (T, B, I)
  h0: FloatArray,            // (B, H)
  wIH: FloatArray,           // (H, I)
  wHH: FloatArray,           // (H, H)
  bIH: FloatArray | null, bHH: FloatArray | null, // (H)
  relu: boolean, lengths: Int32Array | null,
  T: number, B: number, I: number, H: number,
): void {
  if (T === 0 || B === 0) return;
  const pre = zerosLike(x, T * B * H);
  k.gemm(false, true, T * B, H, I, 1, x, 0, I, wIH, 0, I, 0, pre, 0, H);
  addBiasRows(pre, T * B, H, bIH, bHH);
  for (let t = 0; t < T; t++) {
    const hPrev = t === 0 ? h0 : hState;
    const hOff = t === 0 ? 0 : (t - 1) * B * H;
    k.gemm(false, true, B, H, H, 1, hPrev, hOff, H, wHH, 0, H, 1, pre, t * B * H, H);
    k.rnnCellForward(hState, t * B * H, pre, t * B * H, relu, lengths, t, B, H);
    carryInactive(hState, t * B * H, hPrev, hOff, lengths, t, B, H);
  }
}

/** Accumulates (+=) the gradients of every input of rnnForward (see lstmBackward). */
export function rnnBackward(
  k: Backend,
  dx: FloatArray, dh0: FloatArray, dwIH: FloatArray, dwHH: FloatArray,
  dbIH: FloatArray | null, dbHH: FloatArray | null,
  dhSteps: FloatArray | null, // (T, B, H) out
  dhOut: FloatArray | null, dhN: FloatArray | null,
  hState: FloatArray, x: FloatArray, h0: FloatArray, wIH: FloatArray, wHH: FloatArray,
  relu: boolean, lengths: Int32Array | null,
  T: number, B: number, I: number, H: number,
): void {
  const dh = zerosLike(x, B * H);
  if (dhN) dh.set(dhN.subarray(0, B * H));
  if (T > 0 && B > 0) {
    const dPre = zerosLike(x, T * B * H);
    const tmp = zerosLike(x, B * H);
    for (let t = T - 1; t >= 0; t--) {
      if (dhOut) addActiveRows(dh, dhOut, t * B * H, lengths, t, B, H);
      if (dhSteps) dhSteps.set(dh, t * B * H);
      k.rnnCellBackward(dPre, t * B * H, dh, hState, t * B * H, relu, lengths, t, B, H);
      k.gemm(false, false, B, H, H, 1, dPre, t * B * H, H, wHH, 0, H, 0, tmp, 0, H); // ∂L/∂h_{t−1}
      setActiveRows(dh, tmp, lengths, t, B, H);
    }
    k.gemm(true, false, H, I, T * B, 1, dPre, 0, H, x, 0, I, 1, dwIH, 0, I);
    k.gemm(true, false, H, H, B, 1, dPre, 0, H, h0, 0, H, 1, dwHH, 0, H);
    if (T > 1) k.gemm(true, false, H, H, (T - 1) * B, 1, dPre, B * H, H, hState, 0, H, 1, dwHH, 0, H);
    if (dbIH) colSumAcc(dbIH, dPre, T * B, H);
    if (dbHH) colSumAcc(dbHH, dPre, T * B, H);
    k.gemm(false, false, T * B, I, H, 1, dPre, 0, H, wIH, 0, I, 1, dx, 0, I);
  }
  for (let i = 0; i < B * H; i++) dh0[i] = (dh0[i] as number) + (dh[i] as number);
}
