// The attention view: a trained grapheme-to-phoneme Seq2Seq (npm run g2p) loaded from a
// safetensors file the library wrote (encodeWeights: the config and the two vocabularies
// in the metadata), decoding a typed word greedily and by beam search; both return the
// attention weights, one row per output step.

import { Seq2Seq, Tensor, Vocab, beamSearch, decodeModule, greedyDecode, parseSafetensors, type Hypothesis } from '../../../src/index.js';
import { LIMITS } from '../limits.js';

export const LETTERS_KEY = 'g2p.letters';
export const PHONEMES_KEY = 'g2p.phonemes';

export interface LoadedG2P {
  model: Seq2Seq;
  letters: Vocab;
  phonemes: Vocab;
  info: string;
}

/** Loads and checks a G2P model file; throws an Error whose message is for the page. */
export function loadG2P(bytes: Uint8Array, name: string): LoadedG2P {
  let meta: Record<string, string>;
  try {
    meta = parseSafetensors(bytes, { source: name }).metadata;
  } catch (e) {
    throw new Error(`${name} is not a readable safetensors file: ${(e as Error).message}`);
  }
  const rawL = meta[LETTERS_KEY];
  const rawP = meta[PHONEMES_KEY];
  if (rawL === undefined || rawP === undefined) {
    throw new Error(`${name} is not a G2P model: it has no '${LETTERS_KEY}' and '${PHONEMES_KEY}' vocabularies in its metadata (this view needs the model of npm run g2p, saved with them)`);
  }
  let module;
  try {
    module = decodeModule(bytes, { source: name });
  } catch (e) {
    throw new Error(`${name} could not be rebuilt as a model: ${(e as Error).message}`);
  }
  if (!(module instanceof Seq2Seq)) throw new Error(`${name} holds a ${module.typeName}, not an encoder–decoder (Seq2Seq)`);
  const letters = Vocab.fromJSON(JSON.parse(rawL), `${name}: ${LETTERS_KEY}`);
  const phonemes = Vocab.fromJSON(JSON.parse(rawP), `${name}: ${PHONEMES_KEY}`);
  try {
    module.checkVocabularies(letters, phonemes);
  } catch (e) {
    throw new Error(`${name}: the vocabularies do not fit the model: ${(e as Error).message}`);
  }
  if (module.attention === null) throw new Error(`${name} is a Seq2Seq without attention: there is nothing to show here`);
  module.eval();
  return { model: module, letters, phonemes, info: meta['g2p.source'] ?? name };
}

/** Why a word cannot be decoded, or null. */
export function checkWord(word: string, letters: Vocab): string | null {
  if (word.length === 0) return 'Type a word (letters A–Z).';
  if (word.length > LIMITS.word.max) return `"${word.slice(0, 40)}…" has ${word.length} letters; the longest word this view decodes has ${LIMITS.word.max} (${LIMITS.word.why}).`;
  const unknown = [...new Set([...word].filter((c) => !letters.has(c)))];
  if (unknown.length > 0) {
    const known = letters.tokens.filter((t) => !Object.values(letters.specials).includes(t));
    return `The model does not know ${unknown.map((c) => (c === ' ' ? 'the space' : `"${c}"`)).join(', ')}: it was trained on words spelled with ${known[0]}–${known[known.length - 1]} only (${known.length} letters).`;
  }
  return null;
}

export function normalizeWord(word: string): string {
  return word.trim().toUpperCase();
}

export interface Decoded {
  phonemes: string[];
  attention: number[][];
  logProb: number;
}

function toDecoded(h: Hypothesis, phonemes: Vocab): Decoded {
  return { phonemes: h.tokens.map((id) => phonemes.tokens[id] ?? '?'), attention: h.attention ?? [], logProb: h.logProb };
}

export function decodeWord(g: LoadedG2P, word: string, beam: number): { greedy: Decoded; beam: Decoded[] } {
  const ids = [...word].map((c) => g.letters.id(c));
  const src = new Tensor(Int32Array.from(ids), [ids.length, 1]);
  const bos = g.phonemes.id(g.phonemes.specials.bos ?? '<s>');
  const eos = g.phonemes.id(g.phonemes.specials.eos ?? '</s>');
  const maxLength = ids.length + 8;
  const greedy = greedyDecode(g.model, src, [ids.length], { bos, eos, maxLength })[0]!;
  const beams = beamSearch(g.model, src, [ids.length], { bos, eos, beamWidth: beam, lengthPenalty: 1, maxLength, nBest: Math.min(3, beam) })[0]!;
  return { greedy: toDecoded(greedy, g.phonemes), beam: beams.map((h) => toDecoded(h, g.phonemes)) };
}
