// Fused per-step gate kernels of the recurrent loops (LSTM, GRU, Elman), float32.
// Same contract as src/kernels/ref/recurrent-gates.ts (read that file for the maths and
// masking rules); here every buffer argument is a byte address that already includes the
// step's offset, and `lengths` is the address of B int32 lengths or 0 (all active).

// @ts-ignore: decorator
@inline function sigm(x: f32): f32 {
  if (x >= 0) return 1 / (1 + Mathf.exp(-x));
  const e = Mathf.exp(x);
  return e / (1 + e);
}

// @ts-ignore: decorator
@inline function isActive(lengths: usize, b: i32, t: i32): bool {
  return lengths == 0 || t < load<i32>(lengths + (<usize>b << 2));
}

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function put(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

export function lstmGatesForward(gates: usize, c: usize, m: usize, cPrev: usize, lengths: usize, t: i32, B: i32, H: i32): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    if (!isActive(lengths, b, t)) continue;
    const gb = gates + (<usize>(b * G) << 2);
    const hb = b * H;
    for (let j = 0; j < H; j++) {
      const i = sigm(f(gb, j));
      const fg = sigm(f(gb, H + j));
      const g = Mathf.tanh(f(gb, 2 * H + j));
      const o = sigm(f(gb, 3 * H + j));
      put(gb, j, i);
      put(gb, H + j, fg);
      put(gb, 2 * H + j, g);
      put(gb, 3 * H + j, o);
      const ct = fg * f(cPrev, hb + j) + i * g;
      put(c, hb + j, ct);
      put(m, hb + j, o * Mathf.tanh(ct));
    }
  }
}

export function lstmGatesBackward(
  dgates: usize, dc: usize, dm: usize, gates: usize, c: usize, cPrev: usize,
  lengths: usize, t: i32, B: i32, H: i32,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const db = dgates + (<usize>(b * G) << 2);
    if (!isActive(lengths, b, t)) {
      memory.fill(db, 0, <usize>G << 2);
      continue;
    }
    const gb = gates + (<usize>(b * G) << 2);
    const hb = b * H;
    for (let j = 0; j < H; j++) {
      const i = f(gb, j);
      const fg = f(gb, H + j);
      const g = f(gb, 2 * H + j);
      const o = f(gb, 3 * H + j);
      const tc = Mathf.tanh(f(c, hb + j));
      const dmj = f(dm, hb + j);
      const dct = f(dc, hb + j) + dmj * o * (1 - tc * tc);
      put(db, j, dct * g * i * (1 - i));
      put(db, H + j, dct * f(cPrev, hb + j) * fg * (1 - fg));
      put(db, 2 * H + j, dct * i * (1 - g * g));
      put(db, 3 * H + j, dmj * tc * o * (1 - o));
      put(dc, hb + j, dct * fg);
    }
  }
}

export function gruGatesForward(
  gates: usize, ghn: usize, h: usize, gx: usize, gh: usize, hPrev: usize,
  lengths: usize, t: i32, B: i32, H: i32,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    if (!isActive(lengths, b, t)) continue;
    const xb = gx + (<usize>(b * G) << 2);
    const hb = gh + (<usize>(b * G) << 2);
    const gb = gates + (<usize>(b * G) << 2);
    for (let j = 0; j < H; j++) {
      const r = sigm(f(xb, j) + f(hb, j));
      const z = sigm(f(xb, H + j) + f(hb, H + j));
      const hn = f(hb, 2 * H + j);
      const n = Mathf.tanh(f(xb, 2 * H + j) + r * hn);
      put(gb, j, r);
      put(gb, H + j, z);
      put(gb, 2 * H + j, n);
      put(ghn, b * H + j, hn);
      put(h, b * H + j, (1 - z) * n + z * f(hPrev, b * H + j));
    }
  }
}

export function gruGatesBackward(
  dgx: usize, dgh: usize, dhDirect: usize, dh: usize, gates: usize, ghn: usize, hPrev: usize,
  lengths: usize, t: i32, B: i32, H: i32,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const xb = dgx + (<usize>(b * G) << 2);
    const hb = dgh + (<usize>(b * G) << 2);
    if (!isActive(lengths, b, t)) {
      memory.fill(xb, 0, <usize>G << 2);
      memory.fill(hb, 0, <usize>G << 2);
      for (let j = 0; j < H; j++) put(dhDirect, b * H + j, f(dh, b * H + j));
      continue;
    }
    const gb = gates + (<usize>(b * G) << 2);
    for (let j = 0; j < H; j++) {
      const r = f(gb, j);
      const z = f(gb, H + j);
      const n = f(gb, 2 * H + j);
      const d = f(dh, b * H + j);
      const dnPre = d * (1 - z) * (1 - n * n);
      const dzPre = d * (f(hPrev, b * H + j) - n) * z * (1 - z);
      const drPre = dnPre * f(ghn, b * H + j) * r * (1 - r);
      put(xb, j, drPre);
      put(xb, H + j, dzPre);
      put(xb, 2 * H + j, dnPre);
      put(hb, j, drPre);
      put(hb, H + j, dzPre);
      put(hb, 2 * H + j, dnPre * r);
      put(dhDirect, b * H + j, d * z);
    }
  }
}

/** relu: 1, tanh: 0. */
export function rnnActForward(h: usize, pre: usize, relu: i32, lengths: usize, t: i32, B: i32, H: i32): void {
  for (let b = 0; b < B; b++) {
    if (!isActive(lengths, b, t)) continue;
    for (let j = 0; j < H; j++) {
      const v = f(pre, b * H + j);
      put(h, b * H + j, relu ? (v > 0 ? v : 0 * v) : Mathf.tanh(v));
    }
  }
}

export function rnnActBackward(dpre: usize, dh: usize, h: usize, relu: i32, lengths: usize, t: i32, B: i32, H: i32): void {
  for (let b = 0; b < B; b++) {
    const on = isActive(lengths, b, t);
    for (let j = 0; j < H; j++) {
      const hv = f(h, b * H + j);
      const dphi: f32 = relu ? (hv > 0 ? 1 : 0) : 1 - hv * hv;
      put(dpre, b * H + j, on ? f(dh, b * H + j) * dphi : 0);
    }
  }
}
