// Reference reductions over one axis. A tensor is viewed as (outer, n, inner) around
// the reduced axis; the output is (outer, inner). Sums accumulate in float64.

import type { FloatArray } from '../../util/arrays.js';

/** out[o, i] = Σ_k x[o, k, i] */
export function reduceSum(out: FloatArray, x: FloatArray, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      let xi = o * n * inner + i;
      for (let k = 0; k < n; k++) {
        acc += x[xi] as number;
        xi += inner;
      }
      out[o * inner + i] = acc;
    }
  }
}

/**
 * out[o, i] = max_k x[o, k, i] and argmax[o, i] = the first k reaching it.
 * NaN wins (PyTorch propagates NaN through max). n must be ≥ 1.
 */
export function reduceMax(out: FloatArray, argmax: Int32Array, x: FloatArray, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = x[base] as number;
      let arg = 0;
      for (let k = 1; k < n && best === best; k++) {
        const v = x[base + k * inner] as number;
        if (v > best || v !== v) {
          best = v;
          arg = k;
        }
      }
      out[o * inner + i] = best;
      argmax[o * inner + i] = arg;
    }
  }
}

/**
 * Softmax (or log-softmax) over the middle axis of (outer, n, inner), with the maximum
 * subtracted first so exp never overflows.
 */
export function softmax(out: FloatArray, x: FloatArray, outer: number, n: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      for (let k = 0; k < n; k++) {
        const v = x[base + k * inner] as number;
        if (v > max || v !== v) max = v;
      }
      if (max === -Infinity) max = 0; // all −∞: exp(−∞ − 0) = 0, result NaN as in PyTorch
      let sum = 0;
      for (let k = 0; k < n; k++) sum += Math.exp((x[base + k * inner] as number) - max);
      if (log) {
        const lse = max + Math.log(sum);
        for (let k = 0; k < n; k++) out[base + k * inner] = (x[base + k * inner] as number) - lse;
      } else {
        for (let k = 0; k < n; k++) out[base + k * inner] = Math.exp((x[base + k * inner] as number) - max) / sum;
      }
    }
  }
}

/**
 * Backward of softmax over the middle axis, from its output y:
 *   softmax:      dx = y ⊙ (dy − Σ_k dy·y)
 *   log-softmax:  dx = dy − exp(y) · Σ_k dy
 */
export function softmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, outer: number, n: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      for (let k = 0; k < n; k++) {
        const j = base + k * inner;
        s += log ? (dy[j] as number) : (dy[j] as number) * (y[j] as number);
      }
      for (let k = 0; k < n; k++) {
        const j = base + k * inner;
        dx[j] = log ? (dy[j] as number) - Math.exp(y[j] as number) * s : (y[j] as number) * ((dy[j] as number) - s);
      }
    }
  }
}
