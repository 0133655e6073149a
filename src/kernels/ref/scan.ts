// The linear recurrence h_t = a_t ⊙ h_{t−1} + b_t over time, elementwise in N lanes
// (N = batch × hidden), the core of minGRU, minLSTM and QRNN. Buffers are time-major:
// a, b, h (T, N); h0 (N).
//
// linearScanSequential is the specification (one pass over t). linearScanChunked
// computes the same thing as a parallel scan: time is cut into chunks of length C, each
// chunk is scanned from a zero state independently (with the running product of its
// a's), then one short pass carries the state across chunk boundaries, and each chunk is
// fixed up independently (h_t += Π_{s≤t in chunk} a_s · carry). The per-chunk passes have
// no dependencies between chunks — the part a multi-core backend splits across threads.

/** h (T, N) ← scan of a, b (T, N) from h0 (N). */
export function linearScanSequential(h: Float32Array | Float64Array, a: ArrayLike<number>, b: ArrayLike<number>, h0: ArrayLike<number>, T: number, N: number): void {
  for (let t = 0; t < T; t++) {
    const o = t * N;
    for (let n = 0; n < N; n++) {
      const prev = t === 0 ? (h0[n] as number) : (h[o - N + n] as number);
      h[o + n] = (a[o + n] as number) * prev + (b[o + n] as number);
    }
  }
}

/** Same result as linearScanSequential (up to rounding), as a chunked parallel scan. */
export function linearScanChunked(
  h: Float32Array | Float64Array, a: ArrayLike<number>, b: ArrayLike<number>, h0: ArrayLike<number>, T: number, N: number, chunk = 0,
): void {
  const C = chunk > 0 ? chunk : Math.max(1, Math.ceil(Math.sqrt(T)));
  const K = Math.ceil(T / C);
  if (K <= 1) return linearScanSequential(h, a, b, h0, T, N);
  const prod = new Float64Array(T * N); // running product of a within each chunk
  // 1. Independent local scans (zero initial state).
  for (let k = 0; k < K; k++) {
    const t0 = k * C;
    const t1 = Math.min(T, t0 + C);
    for (let t = t0; t < t1; t++) {
      const o = t * N;
      for (let n = 0; n < N; n++) {
        const at = a[o + n] as number;
        if (t === t0) {
          h[o + n] = b[o + n] as number;
          prod[o + n] = at;
        } else {
          h[o + n] = at * (h[o - N + n] as number) + (b[o + n] as number);
          prod[o + n] = at * (prod[o - N + n] as number);
        }
      }
    }
  }
  // 2. Carries across chunk boundaries (K sequential steps), 3. independent fix-ups.
  const carry = Float64Array.from({ length: N }, (_, n) => h0[n] as number);
  for (let k = 0; k < K; k++) {
    const t0 = k * C;
    const t1 = Math.min(T, t0 + C);
    for (let t = t0; t < t1; t++) {
      const o = t * N;
      for (let n = 0; n < N; n++) h[o + n] = (h[o + n] as number) + (prod[o + n] as number) * (carry[n] as number);
    }
    const last = (t1 - 1) * N;
    for (let n = 0; n < N; n++) carry[n] = h[last + n] as number;
  }
}
