// One time step of an Elman RNN, an LSTM and a GRU, composed ONLY from differentiable
// ops, so autograd differentiates them. They are the readable reference semantics: the
// fused sequence ops (src/ops/recurrent.ts) are tested against stepping these over time,
// and the RNNCell / LSTMCell / GRUCell modules are built on them.
// Shapes: x (B, I), h (B, P), c (B, H); weights in PyTorch layout wIH (G, I), wHH (G, P),
// bIH (G), bHH (G), G = gates·H; P = H except for an LSTM with projection wHR (P, H).
// Gate orders from util/gates.ts: LSTM i, f, g, o; GRU r, z, n.

import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { GRU_GATES, LSTM_GATES, RNN_NONLINEARITIES, type RnnNonlinearity } from '../util/gates.js';
import { Tensor } from '../tensor/tensor.js';
import { add, chunk, matmul, mul, relu, sigmoid, sub, tanh, transpose } from '../ops/index.js';

/** x · wᵀ + b (+ b2): the affine map of packed gate weights w (G, K) to a (B, G) block. */
function affine(x: Tensor, w: Tensor, b: Tensor | null, b2: Tensor | null = null): Tensor {
  let y = matmul(x, transpose(w, 0, 1));
  if (b) y = add(y, b);
  if (b2) y = add(y, b2);
  return y;
}

function tensorArg(op: string, name: string, t: unknown, like: Tensor | null): Tensor {
  if (!(t instanceof Tensor)) throw new ArgumentError(op, name, 'a Tensor', t);
  if (t.dtype === 'int32') throw new DTypeError(op, name, 'a float32 or float64 tensor', 'int32');
  if (like && t.dtype !== like.dtype) throw new DTypeError(op, name, `${like.dtype} like 'x'`, t.dtype);
  return t;
}

function expectShape(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new ShapeError(op, name, shape, t.shape);
}

/** Checks x (B, I), wIH (gates·H, I), biases (gates·H) and returns B and H. */
function checkInputSide(
  op: string, gates: number, x: unknown, wIH: unknown, bIH: unknown, bHH: unknown,
): { B: number; H: number } {
  const xt = tensorArg(op, 'x', x, null);
  if (xt.ndim !== 2) throw new ShapeError(op, 'x', 'rank 2 (batch, feature)', xt.shape);
  const [B, I] = xt.shape as [number, number];
  const w = tensorArg(op, 'wIH', wIH, xt);
  const rows = w.shape[0] as number;
  if (w.ndim !== 2 || rows === 0 || rows % gates !== 0 || w.shape[1] !== I) {
    throw new ShapeError(op, 'wIH', `shape [${gates === 1 ? '' : `${gates}·`}hidden, ${I}] (${I} = the features of 'x'), hidden ≥ 1`, w.shape);
  }
  const H = rows / gates;
  if (bIH !== null) expectShape(op, 'bIH', tensorArg(op, 'bIH', bIH, xt), [gates * H]);
  if (bHH !== null) expectShape(op, 'bHH', tensorArg(op, 'bHH', bHH, xt), [gates * H]);
  return { B, H };
}

/** h' = φ(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), φ = tanh or relu (PyTorch nn.RNNCell). */
export function rnnCell(
  x: Tensor, h: Tensor, wIH: Tensor, wHH: Tensor, bIH: Tensor | null, bHH: Tensor | null,
  nonlinearity: RnnNonlinearity = 'tanh',
): Tensor {
  const op = 'rnnCell';
  if (!RNN_NONLINEARITIES.includes(nonlinearity)) {
    throw new ArgumentError(op, 'nonlinearity', RNN_NONLINEARITIES.map((s) => `'${s}'`).join(' or '), nonlinearity);
  }
  const { B, H } = checkInputSide(op, 1, x, wIH, bIH, bHH);
  expectShape(op, 'wHH', tensorArg(op, 'wHH', wHH, x), [H, H]);
  expectShape(op, 'h', tensorArg(op, 'h', h, x), [B, H]);
  const pre = add(affine(x, wIH, bIH), affine(h, wHH, bHH));
  return nonlinearity === 'relu' ? relu(pre) : tanh(pre);
}

/**
 * One LSTM step (PyTorch nn.LSTMCell, plus nn.LSTM's projection):
 *   [i, f, g, o] = split(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)    gate order LSTM_GATES
 *   i, f, o = σ(·), g = tanh(·)
 *   c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')  (with wHR (P, H): h' = (o ⊙ tanh(c')) W_hrᵀ)
 */
export function lstmCell(
  x: Tensor, h: Tensor, c: Tensor,
  wIH: Tensor, wHH: Tensor, bIH: Tensor | null, bHH: Tensor | null, wHR: Tensor | null = null,
): { h: Tensor; c: Tensor } {
  const op = 'lstmCell';
  const { B, H } = checkInputSide(op, LSTM_GATES.length, x, wIH, bIH, bHH);
  let P = H;
  if (wHR !== null) {
    const w = tensorArg(op, 'wHR', wHR, x);
    if (w.ndim !== 2 || w.shape[1] !== H || (w.shape[0] as number) >= H || w.shape[0] === 0) {
      throw new ShapeError(op, 'wHR', `shape [projSize, ${H}] with 0 < projSize < ${H} (hidden)`, w.shape);
    }
    P = w.shape[0] as number;
  }
  expectShape(op, 'wHH', tensorArg(op, 'wHH', wHH, x), [LSTM_GATES.length * H, P]);
  expectShape(op, 'h', tensorArg(op, 'h', h, x), [B, P]);
  expectShape(op, 'c', tensorArg(op, 'c', c, x), [B, H]);

  const gates = add(affine(x, wIH, bIH), affine(h, wHH, bHH)); // (B, 4H)
  const [iPre, fPre, gPre, oPre] = chunk(gates, LSTM_GATES.length, 1) as [Tensor, Tensor, Tensor, Tensor];
  const i = sigmoid(iPre);
  const f = sigmoid(fPre);
  const g = tanh(gPre);
  const o = sigmoid(oPre);
  const cNext = add(mul(f, c), mul(i, g));
  const m = mul(o, tanh(cNext));
  return { h: wHR ? affine(m, wHR, null) : m, c: cNext };
}

/**
 * One GRU step (PyTorch nn.GRUCell: the reset gate multiplies W_hn h + b_hn):
 *   [gx_r, gx_z, gx_n] = split(x W_ihᵀ + b_ih), [gh_r, gh_z, gh_n] = split(h W_hhᵀ + b_hh)
 *   r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n)
 *   h' = (1 − z) ⊙ n + z ⊙ h
 */
export function gruCell(
  x: Tensor, h: Tensor, wIH: Tensor, wHH: Tensor, bIH: Tensor | null, bHH: Tensor | null,
): Tensor {
  const op = 'gruCell';
  const { B, H } = checkInputSide(op, GRU_GATES.length, x, wIH, bIH, bHH);
  expectShape(op, 'wHH', tensorArg(op, 'wHH', wHH, x), [GRU_GATES.length * H, H]);
  expectShape(op, 'h', tensorArg(op, 'h', h, x), [B, H]);

  const [xr, xz, xn] = chunk(affine(x, wIH, bIH), GRU_GATES.length, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = chunk(affine(h, wHH, bHH), GRU_GATES.length, 1) as [Tensor, Tensor, Tensor];
  const r = sigmoid(add(xr, hr));
  const z = sigmoid(add(xz, hz));
  const n = tanh(add(xn, mul(r, hn)));
  return add(mul(sub(1, z), n), mul(z, h));
}
