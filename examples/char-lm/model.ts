// The model of this example lives in the library (src/models/char-lm.ts), where the
// `recurrent` command line uses it too.
export { CharLM, detachState, sample, sampleIndex, type CharLMOptions, type LMState } from '../../src/models/char-lm.js';
