// Sequence output helpers (last step, masks, masked pooling) and metrics, against plain
// loops over the data; gradients by finite differences.
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tensor } from '../../src/tensor/create.js';
import { lastStep, maskedMeanOverTime, sequenceMask } from '../../src/ops/sequence.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { accuracy, bitsPerChar, perplexity } from '../../src/train/metrics.js';
import { r64 } from '../helpers/random.js';

const T = 5;
const B = 3;
const H = 2;
const lengths = [5, 2, 3];

describe('lastStep', () => {
  for (const batchFirst of [false, true]) {
    it(`picks each sequence's last valid step (batchFirst=${batchFirst}) and is differentiable`, () => {
      const x = r64(batchFirst ? [B, T, H] : [T, B, H], 7);
      const y = lastStep(x, lengths, { batchFirst });
      expect(y.shape).toEqual([B, H]);
      for (let b = 0; b < B; b++) {
        const t = (lengths[b] as number) - 1;
        for (let h = 0; h < H; h++) {
          const src = batchFirst ? (b * T + t) * H + h : (t * B + b) * H + h;
          expect(y.data[b * H + h]).toBe(x.data[src]);
        }
      }
      expect(gradcheck((a) => lastStep(a, lengths, { batchFirst }), [x]).maxAbsError).toBeLessThan(1e-6);
      const full = lastStep(x, null, { batchFirst });
      const t = T - 1;
      expect(full.data[H]).toBe(x.data[batchFirst ? (1 * T + t) * H : (t * B + 1) * H]);
    });
  }
  it('rejects lengths that do not fit', () => {
    const x = r64([T, B, H]);
    expect(() => lastStep(x, [1, 2])).toThrow(/lastStep.*lengths.*3 lengths/);
    expect(() => lastStep(x, [1, 6, 2])).toThrow(/lengths\[1\].*\[1, 5\].*6/);
    expect(() => lastStep(x, [1, 0, 2])).toThrow(/lengths\[1\]/);
  });
});

describe('sequenceMask and maskedMeanOverTime', () => {
  it('mask is one exactly at valid steps', () => {
    const m = sequenceMask(lengths, T);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) expect(m.data[t * B + b]).toBe(t < (lengths[b] as number) ? 1 : 0);
    const mb = sequenceMask(lengths, T, { batchFirst: true });
    expect(mb.shape).toEqual([B, T]);
    expect(Array.from(mb.data.slice(T, 2 * T))).toEqual([1, 1, 0, 0, 0]);
  });
  it('pools over valid steps only, with gradients', () => {
    const x = r64([T, B, H], 3);
    const y = maskedMeanOverTime(x, lengths);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        let s = 0;
        for (let t = 0; t < (lengths[b] as number); t++) s += x.data[(t * B + b) * H + h] as number;
        expect(y.data[b * H + h]).toBeCloseTo(s / (lengths[b] as number), 14);
      }
    }
    expect(gradcheck((a) => maskedMeanOverTime(a, lengths), [x]).maxAbsError).toBeLessThan(1e-6);
    expect(gradcheck((a) => maskedMeanOverTime(a, lengths, { batchFirst: true }), [r64([B, T, H], 4)]).maxAbsError).toBeLessThan(1e-6);
  });
});

describe('metrics', () => {
  it('accuracy counts arg-max hits, skipping ignored and masked positions', () => {
    const logits = tensor([[0.1, 2, 0.3], [5, 1, 0], [0, 0, 1], [1, 3, 2]]);
    const target = new Tensor(Int32Array.from([1, 0, 0, -100]), [4]);
    expect(accuracy(logits, target)).toBeCloseTo(2 / 3, 15);
    const mask = tensor([1, 0, 1, 1]);
    expect(accuracy(logits, target, { mask })).toBeCloseTo(1 / 2, 15);
    expect(() => accuracy(logits, new Tensor(Int32Array.from([1, 0, 7, 1]), [4]))).toThrow(/class indices in \[0, 3\).*7/);
    expect(() => accuracy(logits, new Tensor(Int32Array.from([1, 0]), [2]))).toThrow(/accuracy.*target/);
  });
  it('accuracy over (N, C, T) logits, like crossEntropy', () => {
    // N=1, C=2, T=3: arg-max per step is 1, 0, 1.
    const logits = new Tensor(Float32Array.from([0, 5, 0, 1, 0, 2]), [1, 2, 3]);
    expect(accuracy(logits, new Tensor(Int32Array.from([1, 0, 0]), [1, 3]))).toBeCloseTo(2 / 3, 15);
  });
  it('perplexity and bits per character from a mean NLL in nats', () => {
    // Uniform prediction over 4 classes: NLL = ln 4, perplexity 4, 2 bits.
    const logits = tensor([[0, 0, 0, 0], [0, 0, 0, 0]]);
    const nll = crossEntropy(logits, new Tensor(Int32Array.from([1, 3]), [2])).item();
    expect(perplexity(nll)).toBeCloseTo(4, 6);
    expect(bitsPerChar(nll)).toBeCloseTo(2, 6);
    expect(() => perplexity(-1)).toThrow(/meanNll/);
  });
});
