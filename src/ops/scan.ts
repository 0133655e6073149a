// linearScan: h_t = a_t ⊙ h_{t−1} + b_t for t = 0..T−1 (time-major), as ONE autograd node.
// The backward is itself a linear scan run backwards in time:
//   g_t = ∂L/∂h_t (direct) + a_{t+1} ⊙ g_{t+1},  ∂L/∂a_t = g_t ⊙ h_{t−1},  ∂L/∂b_t = g_t,
//   ∂L/∂h0 = a_0 ⊙ g_0.
// Used by minGRU, minLSTM and QRNN, whose recurrences are linear in h, so the whole
// sequence is computed by a (parallel) scan instead of a loop of nonlinear steps.

import { ShapeError } from '../errors.js';
import { record } from '../autograd/engine.js';
import { Tensor, assertTensor, type FloatTensor } from '../tensor/tensor.js';
import { linearScanChunked } from '../kernels/ref/scan.js';
import { cast, emptyFloat, floatArg, promote } from './util.js';

/**
 * a, b (T, …) and h0 (…) with the same trailing shape → h (T, …).
 * `chunk` sets the parallel scan's chunk length (default √T).
 */
export function linearScan(aIn: Tensor, bIn: Tensor, h0In: Tensor, options: { chunk?: number } = {}): Tensor {
  const op = 'linearScan';
  assertTensor(op, 'a', aIn);
  assertTensor(op, 'b', bIn);
  assertTensor(op, 'h0', h0In);
  const dtype = promote(aIn, bIn, h0In);
  const a = cast(floatArg(op, 'a', aIn, dtype), dtype);
  const b = cast(floatArg(op, 'b', bIn, dtype), dtype);
  const h0 = cast(floatArg(op, 'h0', h0In, dtype), dtype);
  if (a.ndim < 1) throw new ShapeError(op, 'a', '(T, …)', a.shape);
  if (b.shape.join(',') !== a.shape.join(',')) throw new ShapeError(op, 'b', `the shape of a [${a.shape.join(', ')}]`, b.shape);
  if (h0.shape.join(',') !== a.shape.slice(1).join(',')) throw new ShapeError(op, 'h0', `[${a.shape.slice(1).join(', ')}] (a without its time axis)`, h0.shape);
  const T = a.shape[0] as number;
  const N = h0.size;
  const h = emptyFloat(a.shape, dtype);
  linearScanChunked(h.data, a.data, b.data, h0.data, T, N, options.chunk ?? 0);
  record(op, [h], [a, b, h0], ([gIn]) => {
    const g = gIn as FloatTensor;
    // Reverse scan: g_t = gdirect_t + a_{t+1} g_{t+1}. Run as a forward scan on reversed time.
    const aRev = emptyFloat(a.shape, dtype);
    const gRev = emptyFloat(a.shape, dtype);
    for (let t = 0; t < T; t++) {
      const src = (T - 1 - t) * N;
      gRev.data.set(g.data.subarray(src, src + N), t * N);
      // a used when stepping from reversed step t−1 to t is a_{T−t} (original index).
      if (t > 0) aRev.data.set(a.data.subarray((T - t) * N, (T - t + 1) * N), t * N);
    }
    const acc = emptyFloat(a.shape, dtype);
    linearScanChunked(acc.data, aRev.data, gRev.data, new Float64Array(N), T, N, options.chunk ?? 0);
    const da = emptyFloat(a.shape, dtype);
    const db = emptyFloat(a.shape, dtype);
    const dh0 = emptyFloat(h0.shape, dtype);
    for (let t = 0; t < T; t++) {
      const o = t * N;
      const r = (T - 1 - t) * N;
      for (let n = 0; n < N; n++) {
        const gt = acc.data[r + n] as number;
        db.data[o + n] = gt;
        da.data[o + n] = gt * (t === 0 ? (h0.data[n] as number) : (h.data[o - N + n] as number));
        if (t === 0) dh0.data[n] = gt * (a.data[n] as number);
      }
    }
    return [da, db, dh0];
  });
  return h;
}
