// The char-LM example (examples/char-lm): its data pipeline, a few training steps of a
// tiny model, initial weights from safetensors, and sampling with the streaming API.
// The comparison with PyTorch itself is a long run: examples/char-lm/README.md.
import { describe, expect, it } from 'vitest';
import { Generator, Tensor, serializeSafetensors } from '../../src/index.js';
import { mobyDick } from '../../src/node/index.js';
import {
  buildVocab, chunkBounds, chunkForStep, evalBatches, lmStream, numChunks, prepareData, resetsStateAt, splitIds, streamRows,
} from '../../examples/char-lm/data.js';
import { CharLM, sample, sampleIndex } from '../../examples/char-lm/model.js';
import { evaluate, train } from '../../examples/char-lm/train.js';

const full = mobyDick();
const slice = full.slice(0, 5000);
const tiny = { embed: 16, hidden: 16, layers: 2 };

describe('char-LM data pipeline', () => {
  it('vocabulary: the distinct characters in code-point order, no special tokens', () => {
    const vocab = buildVocab(full);
    const distinct = new Set(Array.from(full));
    expect(vocab.size).toBe(distinct.size);
    expect(vocab.specials).toEqual({});
    for (const c of distinct) expect(vocab.has(c)).toBe(true);
    const cps = vocab.tokens.map((t) => t.codePointAt(0) as number);
    for (let i = 1; i < cps.length; i++) expect(cps[i]).toBeGreaterThan(cps[i - 1] as number);
    expect(vocab.tokens.every((t) => Array.from(t).length === 1)).toBe(true);
  });

  it('90/5/5 split by position, lossless', () => {
    const data = prepareData(full);
    const n = Array.from(full).length;
    expect(data.ids.length).toBe(n);
    expect(data.train.length).toBe(Math.floor(0.9 * n));
    expect(data.val.length).toBe(Math.floor(0.05 * n));
    expect(data.test.length).toBe(n - data.train.length - data.val.length);
    const parts = splitIds(data.ids);
    let k = 0;
    let mismatches = 0;
    for (const part of parts) for (const id of part) if (id !== data.ids[k++]) mismatches++;
    expect(k).toBe(n);
    expect(mismatches).toBe(0);
    expect(data.vocab.decode(data.ids)).toBe(full);
  });

  it('stream batches: B contiguous streams, (T, B) chunks, targets shifted by one', () => {
    const { train: ids } = prepareData(slice);
    const B = 4;
    const bptt = 16;
    const stream = lmStream(ids, B, bptt);
    const rows = Math.floor(ids.length / B);
    expect(streamRows(ids.length, B)).toBe(rows);
    expect(stream.length).toBe(Math.ceil((rows - 1) / bptt));
    expect(numChunks(ids.length, B, bptt)).toBe(stream.length);
    let covered = 0;
    for (let i = 0; i < stream.length; i++) {
      const { input, target } = stream.get(i);
      const { start, length: T } = chunkBounds(i, rows, bptt);
      expect(start).toBe(covered);
      expect(input.shape).toEqual([T, B]);
      expect(target.shape).toEqual([T, B]);
      expect(input.dtype).toBe('int32');
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          // Stream b is ids[b·rows, (b+1)·rows); the target is the next character of the stream.
          expect(input.data[t * B + b]).toBe(ids[b * rows + start + t]);
          expect(target.data[t * B + b]).toBe(ids[b * rows + start + t + 1]);
          if (t + 1 < T) expect(target.data[t * B + b]).toBe(input.data[(t + 1) * B + b]);
        }
      }
      covered += T;
    }
    expect(covered).toBe(rows - 1); // every (input, next) pair of every stream, once
  });

  it('training order: chunk = step mod #chunks, state reset at each wrap', () => {
    const n = 7;
    const order = Array.from({ length: 2 * n + 2 }, (_, s) => chunkForStep(s, n));
    expect(order.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(order.slice(n, 2 * n)).toEqual(order.slice(0, n));
    const resets = Array.from({ length: 2 * n + 2 }, (_, s) => s).filter((s) => resetsStateAt(s, n));
    expect(resets).toEqual([0, n, 2 * n]);
  });

  it('validation: the first evalChunks chunks of the validation stream', () => {
    const { val } = prepareData(full);
    const stream = lmStream(val, 32, 64);
    const batches = evalBatches(val, 32, 64, 8);
    expect(batches.length).toBe(8);
    batches.forEach((b, i) => {
      expect(b.input.shape).toEqual([64, 32]);
      expect(Array.from(b.input.data)).toEqual(Array.from(stream.get(i).input.data));
      expect(Array.from(b.target.data)).toEqual(Array.from(stream.get(i).target.data));
    });
    // A short split gives every chunk it has.
    const short = prepareData(slice).val;
    expect(evalBatches(short, 32, 64, 8).length).toBe(numChunks(short.length, 32, 64));
  });
});

describe('char-LM model and training', () => {
  it("state dict names are PyTorch's", () => {
    const m = new CharLM(10, { ...tiny, generator: new Generator(0) });
    const lstm = [0, 1].flatMap((l) => ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((w) => `lstm.${w}_l${l}`));
    expect(Object.keys(m.stateDict())).toEqual(['embed.weight', ...lstm, 'head.weight', 'head.bias']);
    const { logits, state } = m.forward(new Tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]));
    expect(logits.shape).toEqual([3, 2, 10]);
    expect(state[0].shape).toEqual([2, 2, 16]);
    expect(state[1].shape).toEqual([2, 2, 16]);
  });

  it('3 steps of a tiny model on a 5 000-character slice: finite, weights change, curve consistent', () => {
    const seed = 5;
    const V = buildVocab(slice).size;
    const before = new CharLM(V, { ...tiny, generator: new Generator(seed) }).stateDict();
    const { model, data, curve } = train({ text: slice, steps: 3, evalEvery: 1, seed, ...tiny, log: () => {} });
    expect(curve.map((p) => p.step)).toEqual([0, 1, 2, 3]);
    expect(Number.isNaN((curve[0] as { trainLoss: number }).trainLoss)).toBe(true);
    for (const p of curve) {
      expect(Number.isFinite(p.valLoss)).toBe(true);
      expect(p.valBitsPerChar).toBeCloseTo(p.valLoss / Math.LN2, 10);
      if (p.step > 0) expect(Number.isFinite(p.trainLoss)).toBe(true);
    }
    const after = model.stateDict();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const [name, w] of Object.entries(after)) {
      expect(w.data.every((v) => Number.isFinite(v)), name).toBe(true);
      expect(Array.from(w.data), name).not.toEqual(Array.from((before[name] as Tensor).data));
    }
    // The last curve point is the validation loss of the returned model.
    expect(evaluate(model, evalBatches(data.val, 32, 64, 8))).toBeCloseTo((curve[3] as { valLoss: number }).valLoss, 10);
  });

  it('is reproducible: the same seed gives identical losses, another seed different ones', () => {
    const run = (seed: number) => train({ text: slice, steps: 4, evalEvery: 2, seed, ...tiny, log: () => {} }).curve.map((p) => [p.trainLoss, p.valLoss]);
    const a = run(11);
    expect(run(11)).toEqual(a);
    expect(run(12)[1]).not.toEqual(a[1]);
  });

  it('starts from given weights (strict), e.g. the PyTorch twin’s init', () => {
    const V = buildVocab(slice).size;
    const source = new CharLM(V, { ...tiny, generator: new Generator(11) });
    const bytes = serializeSafetensors(source.stateDict());
    const { model, data, curve } = train({ text: slice, steps: 0, seed: 99, ...tiny, init: bytes, log: () => {} });
    for (const [name, w] of Object.entries(model.stateDict())) {
      expect(Array.from(w.data), name).toEqual(Array.from((source.stateDict()[name] as Tensor).data));
    }
    expect((curve[0] as { valLoss: number }).valLoss).toBe(evaluate(source, evalBatches(data.val, 32, 64, 8)));
    const partial = Object.fromEntries(Object.entries(source.stateDict()).filter(([k]) => k !== 'head.bias'));
    expect(() => train({ text: slice, steps: 0, ...tiny, init: serializeSafetensors(partial), log: () => {} })).toThrow(/head\.bias/);
  });

  it('sampling with the streaming API equals sampling from full forward passes', () => {
    const data = prepareData(slice);
    const model = new CharLM(data.vocab.size, { ...tiny, generator: new Generator(2) });
    const prompt = 'The ';
    const text = sample(model, data.vocab, prompt, 12, 0.8, new Generator(7));
    expect(text.startsWith(prompt)).toBe(true);
    expect(Array.from(text).length).toBe(prompt.length + 12);
    // Reference: rerun the whole prefix through model.forward for every character.
    const g = new Generator(7);
    const ids = Array.from(data.vocab.encode(prompt));
    const V = data.vocab.size;
    for (let n = 0; n < 12; n++) {
      const { logits } = model.forward(new Tensor(Int32Array.from(ids), [ids.length, 1]));
      ids.push(sampleIndex(logits.data.subarray((ids.length - 1) * V), 0.8, g.uniform()));
    }
    expect(text).toBe(data.vocab.decode(ids));
    expect(() => sample(model, data.vocab, prompt, 5, 0, new Generator(1))).toThrow(/temperature/);
  });

  it('sampleIndex: inverse CDF of softmax(logits / temperature)', () => {
    const logits = [Math.log(1), Math.log(2), Math.log(1)]; // probabilities 1/4, 1/2, 1/4
    expect(sampleIndex(logits, 1, 0)).toBe(0);
    expect(sampleIndex(logits, 1, 0.24)).toBe(0);
    expect(sampleIndex(logits, 1, 0.26)).toBe(1);
    expect(sampleIndex(logits, 1, 0.74)).toBe(1);
    expect(sampleIndex(logits, 1, 0.76)).toBe(2);
    expect(sampleIndex(logits, 1, 1 - 2 ** -53)).toBe(2);
    // Temperature 0.5 squares the probabilities: 1/6, 4/6, 1/6.
    expect(sampleIndex(logits, 0.5, 0.16)).toBe(0);
    expect(sampleIndex(logits, 0.5, 0.18)).toBe(1);
  });
});
