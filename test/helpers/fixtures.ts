// Loading PyTorch fixtures (safetensors files written by tools/gen_*_fixtures.py) and
// comparing tensors with a stated error measure.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSafetensors } from '../../src/io/safetensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface Fixture {
  config: Record<string, unknown>;
  tensors: Map<string, Tensor>;
  get(name: string): Tensor;
}

export function loadFixture(relPath: string, floatDType: 'float32' | 'float64' = 'float32'): Fixture {
  const path = join(fixturesDir, relPath);
  const parsed = parseSafetensors(new Uint8Array(readFileSync(path)), { source: relPath, floatDType });
  const tensors = new Map([...parsed.tensors].map(([k, v]) => [k, v.tensor]));
  return {
    config: JSON.parse(parsed.metadata.config ?? '{}') as Record<string, unknown>,
    tensors,
    get(name: string): Tensor {
      const t = tensors.get(name);
      if (!t) throw new Error(`fixture ${relPath} has no tensor '${name}'`);
      return t;
    },
  };
}

/**
 * Normwise relative error ‖a − e‖∞ / ‖e‖∞ (0 when both are all-zero). Elementwise relative
 * error is meaningless for entries near zero (a gradient entry of 1e-9 computed as 2e-9 in
 * float32 is fine), so we measure against the tensor's scale.
 */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): { rel: number; at: number } {
  let maxDiff = 0;
  let at = -1;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(d <= maxDiff)) {
      maxDiff = d;
      at = i;
    }
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  if (actual.length !== expected.length) return { rel: Infinity, at: -1 };
  return { rel: scale === 0 ? maxDiff : maxDiff / scale, at };
}

/** Throws with a readable message unless shapes agree and relError ≤ tol. Returns the error. */
export function expectClose(actual: Tensor, expected: Tensor, tol: number, what: string): number {
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`${what}: shape [${actual.shape.join(', ')}] differs from expected [${expected.shape.join(', ')}]`);
  }
  const { rel, at } = relError(actual.data, expected.data);
  if (!(rel <= tol)) {
    throw new Error(`${what}: relative error ${rel.toExponential(3)} > ${tol} at flat index ${at}: got ${actual.data[at]}, expected ${expected.data[at]}`);
  }
  return rel;
}
