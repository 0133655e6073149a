// The G2P data rules (examples/g2p/data.ts) on a small dictionary, and the split on the
// real one: disjoint, complete, 90/5/5, reproducible from its seed.
import { describe, expect, it } from 'vitest';
import { pairsFromDict, splitG2P, encodeWord, encodePhones, PAD, BOS, EOS } from '../../examples/g2p/data.js';
import { cmudict } from '../../src/node/index.js';

describe('G2P data', () => {
  it('letters-only words, primary pronunciation, stress removed, sorted', () => {
    const pairs = pairsFromDict({ 'READ': 'R IY1 D', 'READ(1)': 'R EH1 D', "A'S": 'EY1 Z', 'A.': 'EY1', 'ABBA': 'AE1 B AH0', 'X2': 'EH1 K S' });
    expect(pairs).toEqual([{ word: 'ABBA', phones: ['AE', 'B', 'AH'] }, { word: 'READ', phones: ['R', 'IY', 'D'] }]);
  });
  it('the CMUdict split: disjoint, complete, 90/5/5, the same for the same seed', () => {
    const pairs = pairsFromDict(cmudict());
    const a = splitG2P(pairs);
    const b = splitG2P(pairs);
    const words = (x: { word: string }[]): string[] => x.map((p) => p.word);
    expect(words(a.test)).toEqual(words(b.test));
    expect(words(splitG2P(pairs, 7).test)).not.toEqual(words(a.test));
    const all = new Set([...words(a.train), ...words(a.dev), ...words(a.test)]);
    expect(all.size).toBe(pairs.length);
    expect(a.train.length + a.dev.length + a.test.length).toBe(pairs.length);
    expect(Math.abs(a.dev.length - 0.05 * pairs.length)).toBeLessThan(2);
    expect(Math.abs(a.test.length - 0.05 * pairs.length)).toBeLessThan(2);
    // 26 letters + padding; 39 phonemes + padding, start, end.
    expect(a.letters.size).toBe(27);
    expect(a.phonemes.size).toBe(42);
    expect([a.phonemes.id('<pad>'), a.phonemes.id('<s>'), a.phonemes.id('</s>')]).toEqual([PAD, BOS, EOS]);
    expect(a.letters.id('<pad>')).toBe(PAD);
    expect(encodeWord(a.letters, 'AB')).toEqual([1, 2]);
    expect(a.phonemes.tokens[encodePhones(a.phonemes, ['AA'])[0] as number]).toBe('AA');
  });
});
