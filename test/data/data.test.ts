import { describe, expect, it } from 'vitest';
import { Vocab, padSequences, bucketBatches, StreamBatches, slidingWindows, splitByFraction, permutation } from '../../src/data/index.js';
import { Generator } from '../../src/util/rng.js';

describe('Vocab', () => {
  it('builds a char vocabulary, encodes and decodes losslessly', () => {
    const v = Vocab.fromText('hello world', { specials: { unk: '<unk>' } });
    expect(v.tokens[0]).toBe('<unk>');
    expect(v.size).toBe(1 + new Set('hello world').size);
    expect(v.decode(v.encode('low held'))).toBe('low held');
    expect(v.decode(v.encode('xyz'), { keepSpecials: true })).toBe('<unk><unk><unk>');
  });

  it('word vocabulary with frequency order, bos/eos and maxSize', () => {
    const v = Vocab.fromText('a b a c a b', { kind: 'word', specials: { unk: '<unk>', bos: '<s>', eos: '</s>' }, maxSize: 5 });
    expect(v.tokens).toEqual(['<unk>', '<s>', '</s>', 'a', 'b']);
    expect(Array.from(v.encode('a c', { addBos: true, addEos: true }))).toEqual([1, 3, 0, 2]);
    expect(v.decode([1, 3, 4, 2])).toBe('a b');
  });

  it('rejects unknown characters without an unk token, naming the token', () => {
    const v = Vocab.fromText('abc');
    expect(() => v.encode('abz')).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: Vocab.encode: argument 'text' must be tokens of the vocabulary (3 tokens, no unknown token), got "z"]`);
  });

  it('round-trips through JSON and rejects malformed JSON', () => {
    const v = Vocab.fromText('the cat sat', { specials: { pad: '<pad>' } });
    const w = Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
    expect(w.equals(v)).toBe(true);
    expect(w.special('pad')).toBe(0);
    expect(() => Vocab.fromJSON({ kind: 'char', tokens: ['a', 'a'], specials: {} }, 'v.json')).toThrowErrorMatchingInlineSnapshot(`[SerializationError: v.json: Vocab: argument 'tokens' must be distinct tokens, got "a"]`);
    expect(() => Vocab.fromJSON(null, 'v.json')).toThrow(/v.json/);
    expect(() => Vocab.fromText('')).toThrow(/non-empty/);
  });
});

describe('batching', () => {
  it('pads sequences time-major and batch-first with lengths', () => {
    const p = padSequences([[1, 2, 3], [4], [5, 6]], { padValue: 9 });
    expect(p.tokens.shape).toEqual([3, 3]);
    expect(p.tokens.toArray()).toEqual([[1, 4, 5], [2, 9, 6], [3, 9, 9]]);
    expect(Array.from(p.lengths)).toEqual([3, 1, 2]);
    const q = padSequences([[1, 2, 3], [4]], { batchFirst: true, maxLength: 2 });
    expect(q.tokens.toArray()).toEqual([[1, 2], [4, 0]]);
  });

  it('buckets every index exactly once, deterministically per seed', () => {
    const lengths = Array.from({ length: 103 }, (_, i) => (i * 37) % 50);
    const a = bucketBatches(lengths, 8, { generator: new Generator(1) });
    const b = bucketBatches(lengths, 8, { generator: new Generator(1) });
    expect(a).toEqual(b);
    expect(a.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    // Within a pool batches are sorted by length, so the spread inside a batch is small.
    const spread = a.map((bt) => Math.max(...bt.map((i) => lengths[i]!)) - Math.min(...bt.map((i) => lengths[i]!)));
    expect(Math.max(...spread)).toBeLessThan(10);
  });

  it('stream batches: columns are contiguous streams, target is the next token', () => {
    const ids = Array.from({ length: 20 }, (_, i) => i);
    const s = new StreamBatches(ids, 2, 3);
    expect(s.rows).toBe(10);
    expect(s.length).toBe(3);
    const c0 = s.get(0);
    expect(c0.input.toArray()).toEqual([[0, 10], [1, 11], [2, 12]]);
    expect(c0.target.toArray()).toEqual([[1, 11], [2, 12], [3, 13]]);
    const last = s.get(2);
    expect(last.input.toArray()).toEqual([[6, 16], [7, 17], [8, 18]]);
    expect(last.target.toArray()).toEqual([[7, 17], [8, 18], [9, 19]]);
    expect(() => new StreamBatches([1, 2, 3], 2, 4)).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: StreamBatches: argument 'ids' must be at least 4 tokens for batchSize 2, got "3 tokens"]`);
  });

  it('sliding windows over a series', () => {
    const { inputs, targets } = slidingWindows([0, 1, 2, 3, 4, 5], 3, { horizon: 2 });
    expect(inputs.shape).toEqual([2, 3, 1]);
    expect(inputs.toArray()).toEqual([[[0], [1], [2]], [[1], [2], [3]]]);
    expect(targets.toArray()).toEqual([[[3], [4]], [[4], [5]]]);
    expect(() => slidingWindows([1, 2], 3)).toThrow(/at least window \+ horizon = 4 steps/);
  });

  it('splits by position and permutes with a seed', () => {
    const [a, b, c] = splitByFraction('abcdefghij', [0.8, 0.1, 0.1]);
    expect([a, b, c]).toEqual(['abcdefgh', 'i', 'j']);
    expect(() => splitByFraction('abc', [0.5, 0.6])).toThrow(/summing to 1/);
    expect(permutation(10, new Generator(3))).toEqual(permutation(10, new Generator(3)));
    expect(permutation(10, new Generator(3)).slice().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
