// Input/output patterns, encoder–decoder, attention and decoding.
export { Attention, ATTENTION_SCORES, type AttentionScore, type AttentionOptions, type AttentionResult, type PreparedKeys } from './attention.js';
export { Seq2Seq, reorderState, reorderEncoded, type Seq2SeqOptions, type Seq2SeqOutput, type Encoded, type DecoderState, type ForwardOptions as Seq2SeqForwardOptions } from './encoder-decoder.js';
export { greedyDecode, beamSearch, type DecodeOptions, type BeamOptions, type Hypothesis, type StepDecoder, type EncodedLike } from './decode.js';
export { Seq2SeqEnsemble, type EnsembleEncoded } from './ensemble.js';
export { SequenceClassifier, SequenceTagger, OneToMany, poolOverTime, type Pooling, type SequenceEncoderOptions, type SequenceClassifierOptions, type SequenceTaggerOptions, type OneToManyOptions } from './patterns.js';
