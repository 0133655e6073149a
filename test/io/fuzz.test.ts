// Property-based fuzzing of the file readers (fast-check): valid safetensors and ONNX
// files are mutated (bytes flipped, overwritten, inserted, removed, truncated; the
// safetensors header length and JSON numbers rewritten) and the only thing allowed to
// come out of the readers — or of running a model that still loads — is one of this
// library's errors (RnnError). No TypeError, RangeError, hang or huge allocation.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnError } from '../../src/errors.js';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { decodeModule } from '../../src/io/weights.js';
import { decodeCheckpoint } from '../../src/io/checkpoint.js';
import { loadOnnx } from '../../src/onnx/import.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { fixturesDir } from '../helpers/fixtures.js';

const read = (p: string): Uint8Array => new Uint8Array(readFileSync(join(fixturesDir, p)));

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'remove'; at: number; count: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'u64'; at: number; value: bigint };

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('u64' as const), at: fc.nat(), value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
);

function apply(src: Uint8Array, muts: Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case 'flip': b[at] = (b[at] as number) ^ (1 << m.bit); break;
      case 'set': b[at] = m.value; break;
      case 'insert': b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]); break;
      case 'remove': b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.count)]); break;
      case 'truncate': b = b.slice(0, at); break;
      case 'u64': if (b.length >= 8) new DataView(b.buffer).setBigUint64(Math.min(at, b.length - 8) & ~0, m.value, true); break;
    }
  }
  return b;
}

/** Runs f; passes if it returns or throws an RnnError, fails on any other exception. */
function onlyCleanErrors(f: () => void): boolean {
  try {
    f();
  } catch (e) {
    if (e instanceof RnnError) return true;
    throw e;
  }
  return true;
}

/** Rewrites the numbers of a safetensors JSON header (shapes, offsets) and re-frames it. */
function rewriteHeader(src: Uint8Array, picks: number[]): Uint8Array {
  const n = Number(new DataView(src.buffer, src.byteOffset).getBigUint64(0, true));
  const json = new TextDecoder().decode(src.subarray(8, 8 + n));
  let k = 0;
  const out = json.replace(/\d+/g, (d) => (k < picks.length ? String(picks[k++] ?? d) : d));
  const hb = new TextEncoder().encode(out);
  const res = new Uint8Array(8 + hb.length + (src.length - 8 - n));
  new DataView(res.buffer).setBigUint64(0, BigInt(hb.length), true);
  res.set(hb, 8);
  res.set(src.subarray(8 + n), 8 + hb.length);
  return res;
}

describe('fuzzing the readers with mutated files', () => {
  const weights = read('interop/ours_lstm_bi2.safetensors');
  const torchWeights = read('interop/torch_gru2_BF16.safetensors');
  const onnxFiles = [read('onnx/torch_lm_lstm2.onnx'), read('onnx/ours_gru_sum_bf.onnx')];
  const lmFeeds = { ids: new Tensor(Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), [5, 2]) };
  const gruFeeds = { input: new Tensor(Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.sin(i)), [2, 4, 3]) };

  it('safetensors: byte-level mutations', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (muts, other) => {
      const b = apply(other ? torchWeights : weights, muts);
      return onlyCleanErrors(() => parseSafetensors(b)) && onlyCleanErrors(() => decodeModule(b)) && onlyCleanErrors(() => decodeCheckpoint(b));
    }), { numRuns: 400, seed: 20261125 });
  });

  it('safetensors: header numbers rewritten (shapes, offsets; overflowing products included)', () => {
    const big = fc.oneof(fc.nat(64), fc.constantFrom(0, 2 ** 31, 2 ** 32 + 1, 2 ** 53, 1e300, 9007199254740993));
    fc.assert(fc.property(fc.array(big, { minLength: 1, maxLength: 12 }), (picks) => {
      const b = rewriteHeader(weights, picks);
      return onlyCleanErrors(() => parseSafetensors(b)) && onlyCleanErrors(() => decodeModule(b));
    }), { numRuns: 300, seed: 7 });
  });

  it('ONNX: byte-level mutations, loading and running what still loads', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.nat(1), (muts, which) => {
      const b = apply(onnxFiles[which] as Uint8Array, muts);
      return onlyCleanErrors(() => {
        const m = loadOnnx(b, { source: 'fuzz.onnx' });
        m.run(which === 0 ? lmFeeds : gruFeeds);
      });
    }), { numRuns: 400, seed: 11 });
  });
});

describe('the mutation harness itself', () => {
  it('detects a reader that throws a non-library error', () => {
    expect(() => onlyCleanErrors(() => { throw new TypeError('boom'); })).toThrow(TypeError);
    expect(apply(Uint8Array.of(1, 2, 3), [{ kind: 'flip', at: 1, bit: 0 }])).toEqual(Uint8Array.of(1, 3, 3));
  });
});
