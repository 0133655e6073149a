// Vocabularies: map characters or words to integer ids and back, with the special
// tokens sequence models need. Saved as JSON and validated on load.

import { ArgumentError, SerializationError } from '../errors.js';

export interface SpecialTokens {
  /** Token for anything not in the vocabulary (omit to make unknown tokens an error). */
  unk?: string;
  pad?: string;
  bos?: string;
  eos?: string;
}

export interface VocabJSON {
  kind: 'char' | 'word';
  tokens: string[];
  specials: SpecialTokens;
}

export class Vocab {
  readonly kind: 'char' | 'word';
  readonly tokens: readonly string[];
  readonly specials: Readonly<SpecialTokens>;
  private readonly index: Map<string, number>;

  /** A vocabulary over `tokens` (specials first, in the order unk, pad, bos, eos if given). */
  constructor(kind: 'char' | 'word', tokens: readonly string[], specials: SpecialTokens = {}) {
    if (kind !== 'char' && kind !== 'word') throw new ArgumentError('Vocab', 'kind', "'char' or 'word'", kind);
    const all: string[] = [];
    for (const key of ['unk', 'pad', 'bos', 'eos'] as const) {
      const s = specials[key];
      if (s !== undefined) {
        if (typeof s !== 'string' || s.length === 0) throw new ArgumentError('Vocab', `specials.${key}`, 'a non-empty string', s);
        all.push(s);
      }
    }
    for (const t of tokens) {
      if (typeof t !== 'string') throw new ArgumentError('Vocab', 'tokens', 'an array of strings', t);
      all.push(t);
    }
    this.index = new Map();
    all.forEach((t, i) => {
      if (this.index.has(t)) throw new ArgumentError('Vocab', 'tokens', 'distinct tokens', t);
      this.index.set(t, i);
    });
    if (all.length === 0) throw new ArgumentError('Vocab', 'tokens', 'at least one token', 'none');
    this.kind = kind;
    this.tokens = Object.freeze(all);
    this.specials = Object.freeze({ ...specials });
  }

  /**
   * Builds a vocabulary from text: its characters (kind 'char') or whitespace-separated
   * words (kind 'word'), sorted by decreasing frequency then code point, keeping tokens
   * seen at least `minFreq` times and at most `maxSize` tokens (specials included).
   */
  static fromText(text: string, options: { kind?: 'char' | 'word'; specials?: SpecialTokens; minFreq?: number; maxSize?: number } = {}): Vocab {
    const kind = options.kind ?? 'char';
    if (typeof text !== 'string') throw new ArgumentError('Vocab.fromText', 'text', 'a string', text);
    if (text.length === 0) throw new ArgumentError('Vocab.fromText', 'text', 'a non-empty string', text);
    const counts = new Map<string, number>();
    for (const t of tokenize(text, kind)) counts.set(t, (counts.get(t) ?? 0) + 1);
    const minFreq = options.minFreq ?? 1;
    const specials = options.specials ?? {};
    const reserved = new Set(Object.values(specials));
    let tokens = [...counts.entries()]
      .filter(([t, c]) => c >= minFreq && !reserved.has(t))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([t]) => t);
    if (options.maxSize !== undefined) tokens = tokens.slice(0, Math.max(0, options.maxSize - reserved.size));
    if (kind === 'char') tokens.sort(); // stable, readable order for character sets
    return new Vocab(kind, tokens, specials);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Id of a token; unknown tokens map to unk, or throw if the vocabulary has none. */
  id(token: string): number {
    const i = this.index.get(token);
    if (i !== undefined) return i;
    if (this.specials.unk !== undefined) return this.index.get(this.specials.unk) as number;
    throw new ArgumentError('Vocab.encode', 'text', `tokens of the vocabulary (${this.size} tokens, no unknown token)`, token);
  }

  has(token: string): boolean {
    return this.index.has(token);
  }

  /** Id of a special token, or throws if the vocabulary lacks it. */
  special(name: keyof SpecialTokens): number {
    const s = this.specials[name];
    if (s === undefined) throw new ArgumentError('Vocab.special', 'name', `a special token this vocabulary has (${Object.keys(this.specials).join(', ') || 'none'})`, name);
    return this.index.get(s) as number;
  }

  /** Token ids of `text` (optionally with bos/eos added). */
  encode(text: string, options: { addBos?: boolean; addEos?: boolean } = {}): Int32Array {
    const toks = tokenize(text, this.kind);
    const out = new Int32Array(toks.length + (options.addBos ? 1 : 0) + (options.addEos ? 1 : 0));
    let k = 0;
    if (options.addBos) out[k++] = this.special('bos');
    for (const t of toks) out[k++] = this.id(t);
    if (options.addEos) out[k++] = this.special('eos');
    return out;
  }

  /** Text of token ids; specials are dropped unless keepSpecials. */
  decode(ids: ArrayLike<number>, options: { keepSpecials?: boolean } = {}): string {
    const specials = new Set(Object.values(this.specials));
    const parts: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const t = this.tokens[id];
      if (t === undefined) throw new ArgumentError('Vocab.decode', `ids[${i}]`, `an id in [0, ${this.size})`, id);
      if (!options.keepSpecials && specials.has(t)) continue;
      parts.push(t);
    }
    return parts.join(this.kind === 'word' ? ' ' : '');
  }

  toJSON(): VocabJSON {
    const specials = new Set(Object.values(this.specials));
    return { kind: this.kind, tokens: this.tokens.filter((t) => !specials.has(t)), specials: { ...this.specials } };
  }

  /** Rebuilds a vocabulary saved with toJSON, validating every field. */
  static fromJSON(json: unknown, source = 'vocab'): Vocab {
    if (typeof json !== 'object' || json === null) throw new SerializationError(source, 'expected a JSON object with kind, tokens and specials');
    const j = json as Partial<VocabJSON>;
    if (j.kind !== 'char' && j.kind !== 'word') throw new SerializationError(source, `'kind' must be 'char' or 'word', got ${JSON.stringify(j.kind)}`);
    if (!Array.isArray(j.tokens) || !j.tokens.every((t) => typeof t === 'string')) throw new SerializationError(source, "'tokens' must be an array of strings");
    if (typeof j.specials !== 'object' || j.specials === null) throw new SerializationError(source, "'specials' must be an object");
    try {
      return new Vocab(j.kind, j.tokens, j.specials);
    } catch (e) {
      throw new SerializationError(source, (e as Error).message);
    }
  }

  /** True when both vocabularies map the same tokens to the same ids. */
  equals(other: Vocab): boolean {
    return this.kind === other.kind && this.tokens.length === other.tokens.length && this.tokens.every((t, i) => other.tokens[i] === t);
  }
}

function tokenize(text: string, kind: 'char' | 'word'): string[] {
  return kind === 'char' ? Array.from(text) : text.split(/\s+/).filter((w) => w.length > 0);
}
