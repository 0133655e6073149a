// Fused per-step gate kernels of the recurrent loops (LSTM, GRU, Elman), float32, SIMD.
// Same contract as src/kernels/ref/recurrent-gates.ts (read that file for the maths and
// masking rules); here every buffer argument is a byte address that already includes the
// step's offset, and `lengths` is the address of B int32 lengths or 0 (all active).
// Each row runs 4 lanes at a time, then a scalar tail with the same approximations
// (vmath.ts: exp to ~1e-7 relative, sigmoid and tanh from it).

import { vsigmoid, vtanh, ssigmoid, stanh } from './vmath';

// @ts-ignore: decorator
@inline function isActive(lengths: usize, b: i32, t: i32): bool {
  return lengths == 0 || t < load<i32>(lengths + (<usize>b << 2));
}

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f32 {
  return load<f32>(at(p, i));
}

// @ts-ignore: decorator
@inline function put(p: usize, i: i32, v: f32): void {
  store<f32>(at(p, i), v);
}

// @ts-ignore: decorator
@inline function V(p: usize, i: i32): v128 {
  return v128.load(at(p, i));
}

// @ts-ignore: decorator
@inline function setV(p: usize, i: i32, v: v128): void {
  v128.store(at(p, i), v);
}

// @ts-ignore: decorator
@inline function one(): v128 {
  return f32x4.splat(1);
}

export function lstmGatesForward(gates: usize, c: usize, m: usize, cPrev: usize, lengths: usize, t: i32, B: i32, H: i32): void {
  const G = 4 * H;
  const H4 = H & ~3;
  for (let b = 0; b < B; b++) {
    if (!isActive(lengths, b, t)) continue;
    const gb = at(gates, b * G);
    const cb = at(c, b * H);
    const mb = at(m, b * H);
    const pb = at(cPrev, b * H);
    let j = 0;
    for (; j < H4; j += 4) {
      const i = vsigmoid(V(gb, j));
      const fg = vsigmoid(V(gb, H + j));
      const g = vtanh(V(gb, 2 * H + j));
      const o = vsigmoid(V(gb, 3 * H + j));
      setV(gb, j, i);
      setV(gb, H + j, fg);
      setV(gb, 2 * H + j, g);
      setV(gb, 3 * H + j, o);
      const ct = f32x4.add(f32x4.mul(fg, V(pb, j)), f32x4.mul(i, g));
      setV(cb, j, ct);
      setV(mb, j, f32x4.mul(o, vtanh(ct)));
    }
    for (; j < H; j++) {
      const i = ssigmoid(f(gb, j));
      const fg = ssigmoid(f(gb, H + j));
      const g = stanh(f(gb, 2 * H + j));
      const o = ssigmoid(f(gb, 3 * H + j));
      put(gb, j, i);
      put(gb, H + j, fg);
      put(gb, 2 * H + j, g);
      put(gb, 3 * H + j, o);
      const ct = fg * f(pb, j) + i * g;
      put(cb, j, ct);
      put(mb, j, o * stanh(ct));
    }
  }
}

export function lstmGatesBackward(
  dgates: usize, dc: usize, dm: usize, gates: usize, c: usize, cPrev: usize,
  lengths: usize, t: i32, B: i32, H: i32,
): void {
  const G = 4 * H;
  const H4 = H & ~3;
  for (let b = 0; b < B; b++) {
    const db = at(dgates, b * G);
    if (!isActive(lengths, b, t)) {
      memory.fill(db, 0, <usize>G << 2);
      continue;
    }
    const gb = at(gates, b * G);
    const cb = at(c, b * H);
    const pb = at(cPrev, b * H);
    const dcb = at(dc, b * H);
    const dmb = at(dm, b * H);
    let j = 0;
    for (; j < H4; j += 4) {
      const i = V(gb, j);
      const fg = V(gb, H + j);
      const g = V(gb, 2 * H + j);
      const o = V(gb, 3 * H + j);
      const tc = vtanh(V(cb, j));
      const dmj = V(dmb, j);
      const dct = f32x4.add(V(dcb, j), f32x4.mul(f32x4.mul(dmj, o), f32x4.sub(one(), f32x4.mul(tc, tc))));
      setV(db, j, f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one(), i))));
      setV(db, H + j, f32x4.mul(f32x4.mul(dct, V(pb, j)), f32x4.mul(fg, f32x4.sub(one(), fg))));
      setV(db, 2 * H + j, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one(), f32x4.mul(g, g))));
      setV(db, 3 * H + j, f32x4.mul(f32x4.mul(dmj, tc), f32x4.mul(o, f32x4.sub(one(), o))));
      setV(dcb, j, f32x4.mul(dct, fg));
    }
    for (; j < H; j++) {
      const i = f(gb, j);
      const fg = f(gb, H + j);
      const g = f(gb, 2 * H + j);
      const o = f(gb, 3 * H + j);
      const tc = stanh(f(cb, j));
      const dmj = f(dmb, j);
      const dct = f(dcb, j) + dmj * o * (1 - tc * tc);
      put(db, j, dct * g * (i * (1 - i)));
      put(db, H + j, dct * f(pb, j) * (fg * (1 - fg)));
      put(db, 2 * H + j, dct * i * (1 - g * g));
      put(db, 3 * H + j, dmj * tc * (o * (1 - o)));
      put(dcb, j, dct * fg);
    }
  }
}

export function gruGatesForward(
  gates: usize, ghn: usize, h: usize, gx: usize, gh: usize, hPrev: usize,
  lengths: usize, t: i32, B: i32, H: i32,
): void {
  const G = 3 * H;
  const H4 = H & ~3;
  for (let b = 0; b < B; b++) {
    if (!isActive(lengths, b, t)) continue;
    const xb = at(gx, b * G);
    const hb = at(gh, b * G);
    const gb = at(gates, b * G);
    const nb = at(ghn, b * H);
    const ob = at(h, b * H);
    const pb = at(hPrev, b * H);
    let j = 0;
    for (; j < H4; j += 4) {
      const r = vsigmoid(f32x4.add(V(xb, j), V(hb, j)));
      const z = vsigmoid(f32x4.add(V(xb, H + j), V(hb, H + j)));
      const hn = V(hb, 2 * H + j);
      const n = vtanh(f32x4.add(V(xb, 2 * H + j), f32x4.mul(r, hn)));
      setV(gb, j, r);
      setV(gb, H + j, z);
      setV(gb, 2 * H + j, n);
      setV(nb, j, hn);
      setV(ob, j, f32x4.add(f32x4.mul(f32x4.sub(one(), z), n), f32x4.mul(z, V(pb, j))));
    }
    for (; j < H; j++) {
      const r = ssigmoid(f(xb, j) + f(hb, j));
      const z = ssigmoid(f(xb, H + j) + f(hb, H + j));
      const hn = f(hb, 2 * H + j);
      const n = stanh(f(xb, 2 * H + j) + r * hn);
      put(gb, j, r);
      put(gb, H + j, z);
      put(gb, 2 * H + j, n);
      put(nb, j, hn);
      put(ob, j, (1 - z) * n + z * f(pb, j));
    }
  }
}

export function gruGatesBackward(
  dgx: usize, dgh: usize, dhDirect: usize, dh: usize, gates: usize, ghn: usize, hPrev: usize,
  lengths: usize, t: i32, B: i32, H: i32,
): void {
  const G = 3 * H;
  const H4 = H & ~3;
  for (let b = 0; b < B; b++) {
    const xb = at(dgx, b * G);
    const hb = at(dgh, b * G);
    const ddb = at(dhDirect, b * H);
    const dhb = at(dh, b * H);
    if (!isActive(lengths, b, t)) {
      memory.fill(xb, 0, <usize>G << 2);
      memory.fill(hb, 0, <usize>G << 2);
      memory.copy(ddb, dhb, <usize>H << 2);
      continue;
    }
    const gb = at(gates, b * G);
    const nb = at(ghn, b * H);
    const pb = at(hPrev, b * H);
    let j = 0;
    for (; j < H4; j += 4) {
      const r = V(gb, j);
      const z = V(gb, H + j);
      const n = V(gb, 2 * H + j);
      const d = V(dhb, j);
      const dnPre = f32x4.mul(f32x4.mul(d, f32x4.sub(one(), z)), f32x4.sub(one(), f32x4.mul(n, n)));
      const dzPre = f32x4.mul(f32x4.mul(d, f32x4.sub(V(pb, j), n)), f32x4.mul(z, f32x4.sub(one(), z)));
      const drPre = f32x4.mul(f32x4.mul(dnPre, V(nb, j)), f32x4.mul(r, f32x4.sub(one(), r)));
      setV(xb, j, drPre);
      setV(xb, H + j, dzPre);
      setV(xb, 2 * H + j, dnPre);
      setV(hb, j, drPre);
      setV(hb, H + j, dzPre);
      setV(hb, 2 * H + j, f32x4.mul(dnPre, r));
      setV(ddb, j, f32x4.mul(d, z));
    }
    for (; j < H; j++) {
      const r = f(gb, j);
      const z = f(gb, H + j);
      const n = f(gb, 2 * H + j);
      const d = f(dhb, j);
      const dnPre = d * (1 - z) * (1 - n * n);
      const dzPre = d * (f(pb, j) - n) * (z * (1 - z));
      const drPre = dnPre * f(nb, j) * (r * (1 - r));
      put(xb, j, drPre);
      put(xb, H + j, dzPre);
      put(xb, 2 * H + j, dnPre);
      put(hb, j, drPre);
      put(hb, H + j, dzPre);
      put(hb, 2 * H + j, dnPre * r);
      put(ddb, j, d * z);
    }
  }
}

/** relu: 1, tanh: 0. */
export function rnnActForward(h: usize, pre: usize, relu: i32, lengths: usize, t: i32, B: i32, H: i32): void {
  const H4 = H & ~3;
  for (let b = 0; b < B; b++) {
    if (!isActive(lengths, b, t)) continue;
    const ob = at(h, b * H);
    const pb = at(pre, b * H);
    let j = 0;
    if (relu) {
      // max(v, 0·v) keeps NaN as NaN, as the reference does.
      for (; j < H4; j += 4) {
        const v = V(pb, j);
        setV(ob, j, v128.bitselect(v, f32x4.mul(f32x4.splat(0), v), f32x4.gt(v, f32x4.splat(0))));
      }
      for (; j < H; j++) {
        const v = f(pb, j);
        put(ob, j, v > 0 ? v : 0 * v);
      }
    } else {
      for (; j < H4; j += 4) setV(ob, j, vtanh(V(pb, j)));
      for (; j < H; j++) put(ob, j, stanh(f(pb, j)));
    }
  }
}

export function rnnActBackward(dpre: usize, dh: usize, h: usize, relu: i32, lengths: usize, t: i32, B: i32, H: i32): void {
  for (let b = 0; b < B; b++) {
    const on = isActive(lengths, b, t);
    const db = at(dpre, b * H);
    if (!on) {
      memory.fill(db, 0, <usize>H << 2);
      continue;
    }
    const hb = at(h, b * H);
    const gb = at(dh, b * H);
    for (let j = 0; j < H; j++) {
      const hv = f(hb, j);
      const dphi: f32 = relu ? (hv > 0 ? 1 : 0) : 1 - hv * hv;
      put(db, j, f(gb, j) * dphi);
    }
  }
}
