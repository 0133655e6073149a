// The char-LM example's data pipeline and training loop (the comparison with PyTorch
// itself is a long run: examples/char-lm/README.md).
import { describe, expect, it } from 'vitest';
import { Generator, StreamBatches } from '../../src/index.js';
import { mobyDick } from '../../src/node/index.js';
import { CharLM, evaluate, prepareText, sample, train } from '../../examples/char-lm/char-lm.js';

describe('char-LM example', () => {
  const text = mobyDick().slice(0, 6000);
  const data = prepareText(text);

  it('vocabulary in code-point order, 90/5/5 split by position, lossless encoding', () => {
    const chars = data.vocab.tokens;
    for (let i = 1; i < chars.length; i++) expect((chars[i] as string).codePointAt(0)).toBeGreaterThan((chars[i - 1] as string).codePointAt(0) as number);
    expect(new Set(Array.from(text)).size).toBe(data.vocab.size);
    const n = Array.from(text).length;
    expect(data.train.length).toBe(Math.floor(n * 0.9));
    expect(data.val.length).toBe(Math.floor(n * 0.95) - Math.floor(n * 0.9));
    expect(data.train.length + data.val.length + data.test.length).toBe(n);
    const all = new Int32Array([...data.train, ...data.val, ...data.test]);
    expect(data.vocab.decode(all)).toBe(text);
  });

  it('trains: loss finite and falling on a tiny model, weights change, curve recorded, samples decode', () => {
    const rows: number[] = [];
    const before = new CharLM(data.vocab.size, { embed: 8, hidden: 16, layers: 2 }, new Generator(3)).stateDict();
    const { model, curve } = train(data, {
      steps: 12, evalEvery: 4, evalChunks: 2, batch: 4, bptt: 16, lr: 1e-2, clip: 5, seed: 3,
      model: { embed: 8, hidden: 16, layers: 2 }, onEval: (r) => rows.push(r.step),
    });
    expect(rows).toEqual([0, 4, 8, 12]);
    for (const r of curve) expect(Number.isFinite(r.valLoss)).toBe(true);
    expect((curve[3] as { valLoss: number }).valLoss).toBeLessThan((curve[0] as { valLoss: number }).valLoss);
    // Initial validation loss of an untrained model is near ln(V) (uniform prediction).
    expect(Math.abs((curve[0] as { valLoss: number }).valLoss - Math.log(data.vocab.size))).toBeLessThan(0.5);
    const after = model.stateDict();
    const w0 = before['lstm.weight_hh_l1'] as { data: Float32Array };
    const w1 = after['lstm.weight_hh_l1'] as { data: Float32Array };
    expect(Array.from(w1.data)).not.toEqual(Array.from(w0.data));
    const s = sample(model, data.vocab, 'The', 20, 0.8, new Generator(1));
    expect(s.startsWith('The')).toBe(true);
    expect(Array.from(s).length).toBe(23);
    const val = new StreamBatches(data.val, 4, 16);
    expect(evaluate(model, val, 2)).toBeCloseTo((curve[3] as { valLoss: number }).valLoss, 5);
    expect(() => sample(model, data.vocab, 'The', 5, 0, new Generator(1))).toThrow(/temperature/);
  });

  it('is reproducible: the same seed gives identical losses', () => {
    const cfg = { steps: 5, evalEvery: 5, evalChunks: 1, batch: 4, bptt: 16, lr: 1e-2, clip: 5, seed: 9, model: { embed: 8, hidden: 16, layers: 2 } };
    const a = train(data, cfg).curve;
    const b = train(data, cfg).curve;
    expect(b.map((r) => [r.trainLoss, r.valLoss])).toEqual(a.map((r) => [r.trainLoss, r.valLoss]));
    const c = train(data, { ...cfg, seed: 10 }).curve;
    expect(c[1]!.valLoss).not.toBe(a[1]!.valLoss);
  });
});
