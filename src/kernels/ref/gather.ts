// Reference index-select along an axis and its adjoint (scatter-add). A tensor is
// viewed as (outer, n, inner) around the axis; `index` holds m positions in [0, n)
// (validated by the op, not here). Output is (outer, m, inner).

import type { TypedArray, FloatArray } from '../../util/arrays.js';

/** out[o, j, i] = x[o, index[j], i] */
export function indexSelect(out: TypedArray, x: TypedArray, index: Int32Array, outer: number, n: number, inner: number): void {
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + (index[j] as number)) * inner;
      const dst = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = x[src + i] as number;
    }
  }
}

/** dx[o, index[j], i] += dy[o, j, i]  (repeated indices accumulate) */
export function indexAdd(dx: FloatArray, dy: FloatArray, index: Int32Array, outer: number, n: number, inner: number): void {
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * n + (index[j] as number)) * inner;
      const src = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) dx[dst + i] = (dx[dst + i] as number) + (dy[src + i] as number);
    }
  }
}

/**
 * Gathers one element per row along the middle axis: out[o, i] = x[o, index[o, i], i].
 * Used by cross-entropy to pick the target class's log-probability.
 */
export function gatherAxis(out: FloatArray, x: FloatArray, index: Int32Array, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) out[o * inner + i] = x[(o * n + (index[o * inner + i] as number)) * inner + i] as number;
  }
}

/** Adjoint of gatherAxis: dx[o, index[o, i], i] += dy[o, i]. */
export function scatterAddAxis(dx: FloatArray, dy: FloatArray, index: Int32Array, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const j = (o * n + (index[o * inner + i] as number)) * inner + i;
      dx[j] = (dx[j] as number) + (dy[o * inner + i] as number);
    }
  }
}
