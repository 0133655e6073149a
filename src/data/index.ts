export { Vocab, type SpecialTokens, type VocabJSON } from './vocab.js';
export { padSequences, bucketBatches, StreamBatches, slidingWindows, splitByFraction, permutation, type PaddedBatch } from './batching.js';
export { addingProblem, copyMemory, generationTarget, type AddingBatch, type CopyBatch } from './tasks.js';
