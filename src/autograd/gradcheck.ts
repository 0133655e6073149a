// Gradient checking: compares the analytic Jacobian (from backward) with central
// finite differences, in float64, output by output and input by input — the same
// test as torch.autograd.gradcheck. Exported so users can check their own ops.

import { ArgumentError, GradError, formatShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from './engine.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, against |numerical| (default 1e-3). */
  rtol?: number;
  /** Names of the inputs for messages (default input0, input1, …). */
  names?: readonly string[];
}

export interface GradcheckResult {
  /** Largest |numerical − analytic| seen over all outputs and inputs. */
  maxAbsError: number;
  /** Number of Jacobian entries compared. */
  entries: number;
}

function asOutputs(y: Tensor | readonly Tensor[]): Tensor[] {
  return Array.isArray(y) ? (y as Tensor[]) : [y as Tensor];
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % (shape[d] as number);
    i = Math.floor(i / (shape[d] as number));
  }
  return idx;
}

/**
 * Checks the gradient of `fn` at `inputs`. Every input that requires grad must be
 * float64. Throws a GradError describing the first mismatch:
 *   "gradcheck: output 0 w.r.t. input 'h0': numerical 0.5 vs analytic 0.25 (|diff| = 0.25) at [1, 2]"
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckResult {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const names = inputs.map((_, i) => options.names?.[i] ?? `input${i}`);
  const checked = inputs.map((t, i) => {
    if (t.requiresGrad && t.dtype !== 'float64') {
      throw new ArgumentError('gradcheck', `inputs[${i}] ('${names[i]}')`, 'float64 (finite differences need double precision)', t.dtype);
    }
    return t.requiresGrad;
  });
  if (!checked.some(Boolean)) throw new ArgumentError('gradcheck', 'inputs', 'at least one tensor that requires grad', 'none');

  // Numerical Jacobians: numJ[o][i] is (outSize × inSize) for output o, input i.
  const evalOutputs = (): Float64Array[] => noGrad(() => asOutputs(fn(...inputs)).map((t) => Float64Array.from(t.data)));
  const base = asOutputs(fn(...inputs));
  const numJ: Float64Array[][] = base.map(() => []);
  inputs.forEach((t, i) => {
    if (!checked[i]) return;
    const n = t.size;
    base.forEach((o, k) => (numJ[k]![i] = new Float64Array(o.size * n)));
    for (let j = 0; j < n; j++) {
      const orig = t.data[j] as number;
      t.data[j] = orig + eps;
      const plus = evalOutputs();
      t.data[j] = orig - eps;
      const minus = evalOutputs();
      t.data[j] = orig;
      base.forEach((_, k) => {
        const p = plus[k] as Float64Array;
        const m = minus[k] as Float64Array;
        const J = numJ[k]![i] as Float64Array;
        for (let r = 0; r < p.length; r++) J[r * n + j] = ((p[r] as number) - (m[r] as number)) / (2 * eps);
      });
    }
  });

  // Analytic Jacobians, one backward pass per output element.
  let maxAbsError = 0;
  let entries = 0;
  base.forEach((out, k) => {
    if (!out.requiresGrad) {
      // The output does not depend on any input: the numerical Jacobian must vanish.
      inputs.forEach((_, i) => {
        if (!checked[i]) return;
        const J = numJ[k]![i] as Float64Array;
        for (let e = 0; e < J.length; e++) {
          if (Math.abs(J[e] as number) > atol) {
            throw new GradError('gradcheck', `output ${k} does not require grad but its numerical derivative w.r.t. input '${names[i]}' is ${J[e]}`);
          }
        }
      });
      return;
    }
    for (let r = 0; r < out.size; r++) {
      inputs.forEach((t) => (t.grad = null));
      const seed = new Tensor(new Float64Array(out.size), out.shape);
      seed.data[r] = 1;
      out.backward(seed.dtype === out.dtype ? seed : new Tensor(Float32Array.from(seed.data), out.shape), { retainGraph: true });
      inputs.forEach((t, i) => {
        if (!checked[i]) return;
        const n = t.size;
        const J = numJ[k]![i] as Float64Array;
        for (let j = 0; j < n; j++) {
          const num = J[r * n + j] as number;
          const ana = t.grad ? (t.grad.data[j] as number) : 0;
          const diff = Math.abs(num - ana);
          entries++;
          if (diff > maxAbsError || Number.isNaN(diff)) maxAbsError = Number.isNaN(diff) ? NaN : Math.max(maxAbsError, diff);
          if (!(diff <= atol + rtol * Math.abs(num))) {
            throw new GradError(
              'gradcheck',
              `output ${k} (element ${formatShape(unravel(r, out.shape))}) w.r.t. input '${names[i]}' ` +
                `(element ${formatShape(unravel(j, t.shape))}): numerical ${num} vs analytic ${ana} (|diff| = ${diff})`,
            );
          }
        }
      });
    }
  });
  inputs.forEach((t) => (t.grad = null));
  return { maxAbsError, entries };
}
