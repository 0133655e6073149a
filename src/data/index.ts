export { Vocab, type SpecialTokens, type VocabJSON } from './vocab.js';
export { padSequences, bucketBatches, StreamBatches, slidingWindows, splitByFraction, permutation, type PaddedBatch } from './batching.js';
export { addingProblem, copyMemory, generationTarget, type AddingBatch, type CopyBatch } from './tasks.js';
export { mackeyGlass, narma10, type MackeyGlassOptions } from './chaos.js';
