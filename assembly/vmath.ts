// Vectorised (f32x4) exp, sigmoid and tanh for the gate kernels, and scalar versions of
// the same approximations for the tails, so that every lane of a row is computed alike.
// exp: range reduction x = n·ln2 + r, |r| ≤ ln2/2 (ln2 split in a high and a low part),
// e^r by its degree-6 Taylor polynomial (truncation error < r⁷/7! ≈ 1.2e-7 relative),
// 2^n assembled in the exponent bits. Inputs are clamped to [−87.3, 88.3] so 2^n stays
// a normal float (exp(−87.3) ≈ 1.2e-38, exp(88.3) ≈ 2.2e38): sigmoid and tanh saturate
// correctly far beyond.

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const LO: f32 = -87.3;
const HI: f32 = 88.3;
const C2: f32 = 1.0 / 2.0;
const C3: f32 = 1.0 / 6.0;
const C4: f32 = 1.0 / 24.0;
const C5: f32 = 1.0 / 120.0;
const C6: f32 = 1.0 / 720.0;

// @ts-ignore: decorator
@inline export function vexp(xIn: v128): v128 {
  const x = f32x4.min(f32x4.max(xIn, f32x4.splat(LO)), f32x4.splat(HI));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(C6), r), f32x4.splat(C5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(C2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2);
}

// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), vexp(f32x4.neg(x))));
}

/** tanh x = 1 − 2 / (e^{2x} + 1). */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const e = vexp(f32x4.add(x, x));
  return f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
}

// Scalar twins (lane 0 of the vector versions).
// @ts-ignore: decorator
@inline export function sexp(x: f32): f32 {
  return f32x4.extract_lane(vexp(f32x4.splat(x)), 0);
}
// @ts-ignore: decorator
@inline export function ssigmoid(x: f32): f32 {
  return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0);
}
// @ts-ignore: decorator
@inline export function stanh(x: f32): f32 {
  return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0);
}
