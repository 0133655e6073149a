// The G2P data: CMUdict as (letters → phonemes) pairs, one pronunciation per word.
//
//   words      entries whose spelling is letters A–Z only (no apostrophes, dots, digits);
//              the primary pronunciation (the entry without a '(n)' suffix)
//   phonemes   ARPAbet without stress digits (AH0, AH1 → AH): the 39-phoneme set most
//              published CMUdict G2P error rates use
//   split      words sorted, shuffled by a seeded Generator, cut 90 / 5 / 5 (train, dev, test)
//   source     letter ids, pad 0; target ids: pad 0, start 1, end 2, phonemes from 3

import { Generator, Vocab, splitByFraction } from '../../src/index.js';

export interface G2PPair {
  word: string;
  phones: string[];
}

export interface G2PData {
  train: G2PPair[];
  dev: G2PPair[];
  test: G2PPair[];
  letters: Vocab;
  phonemes: Vocab;
}

export const SPLIT_SEED = 2026;
export const PAD = 0;
export const BOS = 1;
export const EOS = 2;

/** Pairs from a CMUdict-style dictionary (see the file header for the rules). */
export function pairsFromDict(dict: Record<string, string>): G2PPair[] {
  const out: G2PPair[] = [];
  for (const [key, pron] of Object.entries(dict)) {
    if (!/^[A-Z]+$/.test(key)) continue; // also drops 'WORD(1)' alternatives
    const phones = pron.trim().split(/\s+/).map((p) => p.replace(/[0-9]/g, ''));
    if (phones.length === 0 || phones.some((p) => !/^[A-Z]+$/.test(p))) continue;
    out.push({ word: key, phones });
  }
  out.sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
  return out;
}

/** The seeded 90/5/5 split by word and the two vocabularies. */
export function splitG2P(pairs: readonly G2PPair[], seed = SPLIT_SEED): G2PData {
  const idx = pairs.map((_, i) => i);
  new Generator(seed).shuffle(idx);
  const shuffled = idx.map((i) => pairs[i] as G2PPair);
  const [train, dev, test] = splitByFraction(shuffled, [0.9, 0.05, 0.05]) as [G2PPair[], G2PPair[], G2PPair[]];
  const letters = new Vocab('char', [...new Set(pairs.flatMap((p) => [...p.word]))].sort(), { pad: '<pad>' });
  const phonemes = new Vocab('word', [...new Set(pairs.flatMap((p) => p.phones))].sort(), { pad: '<pad>', bos: '<s>', eos: '</s>' });
  return { train, dev, test, letters, phonemes };
}

export function encodeWord(letters: Vocab, word: string): number[] {
  return [...word].map((c) => letters.id(c));
}

export function encodePhones(phonemes: Vocab, phones: readonly string[]): number[] {
  return phones.map((p) => phonemes.id(p));
}
