// The char-LM data pipeline as small pure functions; tools/char_lm_torch.py implements
// each one under the same name (snake_case) so both sides see identical batches.
//
//   vocabulary  the text's distinct characters sorted by code point, no special tokens
//               (= Python's sorted(set(text)))
//   split       90 / 5 / 5 % by position (splitByFraction: part k ends at
//               start_k + floor(f_k · n), the last part takes the remainder)
//   streams     ids cut into B contiguous streams of rows = floor(n / B) tokens laid
//               side by side (column b = ids[b·rows, (b+1)·rows)); the tail is dropped
//   chunks      chunk i = rows [i·bptt, i·bptt + T) as input and the next rows as target,
//               T = min(bptt, rows − 1 − i·bptt); numChunks = ceil((rows − 1) / bptt)
//   training    update s (0-based) uses chunk s mod numChunks; the state carries over
//               (detached) and restarts from zeros when the chunk index wraps to 0
//   validation  the same layout over the validation split, the first evalChunks chunks,
//               state carried, mean cross-entropy over all their tokens (nats)

import { StreamBatches, Vocab, splitByFraction, type Tensor } from '../../src/index.js';

export const SPLIT_FRACTIONS: readonly number[] = [0.9, 0.05, 0.05];

/** The text's distinct characters sorted by code point (no special tokens). */
export function buildVocab(text: string): Vocab {
  const chars = [...new Set(Array.from(text))];
  chars.sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
  return new Vocab('char', chars);
}

export interface CharData {
  vocab: Vocab;
  /** The whole text as ids. */
  ids: Int32Array;
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/** Splits ids by position into train / validation / test (90 / 5 / 5 %). */
export function splitIds(ids: Int32Array, fractions: readonly number[] = SPLIT_FRACTIONS): [Int32Array, Int32Array, Int32Array] {
  if (fractions.length !== 3) throw new RangeError(`splitIds: expected 3 fractions (train, validation, test), got ${fractions.length}`);
  return splitByFraction(ids, fractions) as [Int32Array, Int32Array, Int32Array];
}

/** Vocabulary, encoding and split of a text. */
export function prepareData(text: string): CharData {
  const vocab = buildVocab(text);
  const ids = vocab.encode(text);
  const [train, val, test] = splitIds(ids);
  return { vocab, ids, train, val, test };
}

/** Rows of the (rows, B) stream matrix: each stream's length. */
export function streamRows(n: number, batch: number): number {
  return Math.floor(n / batch);
}

/** Chunks per pass over a stream matrix of n tokens. */
export function numChunks(n: number, batch: number, bptt: number): number {
  return Math.ceil((streamRows(n, batch) - 1) / bptt);
}

/** First row and length T of chunk i. */
export function chunkBounds(i: number, rows: number, bptt: number): { start: number; length: number } {
  const start = i * bptt;
  return { start, length: Math.min(bptt, rows - 1 - start) };
}

/** Chunk used by training update `step` (0-based). */
export function chunkForStep(step: number, chunks: number): number {
  return step % chunks;
}

/** Whether the carried state restarts from zeros before update `step`. */
export function resetsStateAt(step: number, chunks: number): boolean {
  return chunkForStep(step, chunks) === 0;
}

/** The contiguous-stream batches of an id sequence (the library's StreamBatches). */
export function lmStream(ids: Int32Array, batch: number, bptt: number): StreamBatches {
  return new StreamBatches(ids, batch, bptt);
}

/** The first `evalChunks` chunks of the validation stream, in order (fewer if the split is short). */
export function evalBatches(val: Int32Array, batch: number, bptt: number, evalChunks: number): { input: Tensor; target: Tensor }[] {
  const stream = lmStream(val, batch, bptt);
  const out: { input: Tensor; target: Tensor }[] = [];
  for (let i = 0; i < Math.min(evalChunks, stream.length); i++) out.push(stream.get(i));
  return out;
}
