// Small helpers shared by the recurrent sequence loops. All sizes are in elements.

import type { Backend } from '../../backend/backend.js';
import type { FloatArray, TypedArray } from '../../util/arrays.js';

/** out[r, :] += b1 + b2 for every row r < rows (either bias may be null). */
export function addBiasRows(out: FloatArray, rows: number, G: number, b1: FloatArray | null, b2: FloatArray | null): void {
  if (!b1 && !b2) return;
  // The loops are specialised so the inner one has no branch; (out + b1) + b2 in that order.
  if (b1 && b2) {
    for (let r = 0; r < rows; r++) {
      const o = r * G;
      for (let j = 0; j < G; j++) out[o + j] = (out[o + j] as number) + (b1[j] as number) + (b2[j] as number);
    }
    return;
  }
  const b = (b1 ?? b2) as FloatArray;
  for (let r = 0; r < rows; r++) {
    const o = r * G;
    for (let j = 0; j < G; j++) out[o + j] = (out[o + j] as number) + (b[j] as number);
  }
}

/** Fills row r of `dst` (offset dOff) with `value` for every r < rows. */
export function fillRowsWithVector(dst: FloatArray, dOff: number, rows: number, v: FloatArray): void {
  const n = v.length;
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) dst[dOff + r * n + j] = v[j] as number;
}

/**
 * db[j] += Σ_r d[r, j] over rows r < rows. Rows are read in memory order into float64
 * accumulators (the sum per column is in the same order as a column-wise loop, without its
 * stride-G reads).
 */
export function colSumAcc(db: FloatArray, d: FloatArray, rows: number, G: number): void {
  const acc = new Float64Array(G);
  for (let r = 0; r < rows; r++) {
    const o = r * G;
    for (let j = 0; j < G; j++) acc[j] = (acc[j] as number) + (d[o + j] as number);
  }
  for (let j = 0; j < G; j++) db[j] = (db[j] as number) + (acc[j] as number);
}

/**
 * Copies row b of src into dst for every row inactive at step t (t ≥ lengths[b]): the
 * state of a finished sequence is carried unchanged.
 */
export function carryInactive(
  dst: FloatArray, dOff: number, src: FloatArray, sOff: number,
  lengths: Int32Array | null, t: number, B: number, W: number,
): void {
  if (lengths === null) return;
  for (let b = 0; b < B; b++) {
    if (t < (lengths[b] as number)) continue;
    for (let j = 0; j < W; j++) dst[dOff + b * W + j] = src[sOff + b * W + j] as number;
  }
}

/** dst[r] += src[r] for rows active at step t, leaves inactive rows alone. */
export function addActiveRows(
  dst: FloatArray, src: FloatArray, sOff: number,
  lengths: Int32Array | null, t: number, B: number, W: number,
): void {
  for (let b = 0; b < B; b++) {
    if (lengths !== null && t >= (lengths[b] as number)) continue;
    for (let j = 0; j < W; j++) dst[b * W + j] = (dst[b * W + j] as number) + (src[sOff + b * W + j] as number);
  }
}

/**
 * dst rows at dOff = src rows for rows active at step t, 0 for inactive rows (∂L/∂h_t of
 * a step past a sequence's end is 0: that step does not exist for the sequence).
 */
export function copyActiveRows(
  dst: FloatArray, dOff: number, src: FloatArray,
  lengths: Int32Array | null, t: number, B: number, W: number,
): void {
  for (let b = 0; b < B; b++) {
    const on = lengths === null || t < (lengths[b] as number);
    for (let j = 0; j < W; j++) dst[dOff + b * W + j] = on ? (src[b * W + j] as number) : 0;
  }
}

/** For active rows dst = src; inactive rows keep dst (used for carried gradients). */
export function setActiveRows(
  dst: FloatArray, src: FloatArray,
  lengths: Int32Array | null, t: number, B: number, W: number,
): void {
  for (let b = 0; b < B; b++) {
    if (lengths !== null && t >= (lengths[b] as number)) continue;
    for (let j = 0; j < W; j++) dst[b * W + j] = src[b * W + j] as number;
  }
}

/** A zeroed array of the same precision as `like`. */
export function zerosLike(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** Scratch for a sequence loop: in the backend's memory when `like` is mirrored there. */
export function workspace(k: Backend, like: FloatArray, n: number): FloatArray {
  return k.workspace?.(like, n) ?? zerosLike(like, n);
}

/**
 * Runs a whole sequence loop on the backend's memory when it has its own (see
 * Backend.mirror): the typed arrays among `args` are copied in, those at `outputs` are
 * copied back. Returns false when the backend works on the caller's arrays directly.
 */
export function runMirrored(k: Backend, args: unknown[], outputs: readonly number[], loop: (...args: never[]) => void): boolean {
  if (!k.mirror) return false;
  const first = args.find((a) => ArrayBuffer.isView(a)) as FloatArray | undefined;
  if (!first || !(first instanceof Float32Array) || k.workspace?.(first, 0)) return false; // float64, or already mirrored
  const slots: number[] = [];
  const arrays: (TypedArray | null)[] = [];
  args.forEach((a, i) => {
    if (ArrayBuffer.isView(a)) {
      slots.push(i);
      arrays.push(a as TypedArray);
    }
  });
  const outSlots = outputs.map((i) => slots.indexOf(i)).filter((j) => j >= 0);
  k.mirror(arrays, outSlots, (views) => {
    const a = args.slice();
    slots.forEach((s, j) => (a[s] = views[j]));
    (loop as (...x: unknown[]) => void)(...a);
  });
  return true;
}
