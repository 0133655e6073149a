// Stateful streaming over a recurrent layer: one step or one chunk at a time, with the
// state carried between calls. `detach()` cuts the gradient at a chunk boundary while
// keeping the state's values — truncated backpropagation through time.

import { ArgumentError, ShapeError } from '../errors.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { unsqueeze, squeeze } from '../ops/index.js';
import type { ForwardOptions, RecurrentState, RNNBase } from './rnn-base.js';

export class RecurrentStream {
  private current: RecurrentState | null = null;

  constructor(readonly layer: RNNBase) {
    if (layer.bidirectional) {
      throw new ArgumentError('stream', 'layer', 'a unidirectional layer (a bidirectional pass needs the whole sequence)', 'bidirectional=true');
    }
  }

  /** The state after the last call (null before the first call or after reset). */
  get state(): RecurrentState | null {
    return this.current;
  }

  /** Replaces the carried state (e.g. an encoder's final state). */
  set state(s: RecurrentState | null) {
    this.current = s;
  }

  /**
   * Feeds one chunk: (L, N, I) time-major, (N, L, I) with batchFirst, or unbatched (L, I).
   * Returns the chunk's output; the state carries over.
   */
  forward(chunk: Tensor, options: ForwardOptions = {}): Tensor {
    const r = this.layer.forwardState(chunk, this.current, options);
    this.current = r.state;
    return r.output;
  }

  /** Feeds one time step: x is (N, I), or (I) unbatched. Returns (N, H_out) or (H_out). */
  step(x: Tensor): Tensor {
    assertTensor('stream.step', 'x', x);
    if (x.ndim !== 1 && x.ndim !== 2) throw new ShapeError('stream.step', 'x', 'rank 2 (batch, feature) or rank 1 (feature)', x.shape);
    const timeDim = x.ndim === 2 && this.layer.batchFirst ? 1 : 0;
    const out = this.forward(unsqueeze(x, timeDim));
    return squeeze(out, timeDim);
  }

  /** Keeps the state's values but cuts its gradient history (truncated BPTT boundary). */
  detach(): void {
    if (this.current) {
      this.current = {
        h: this.current.h ? this.current.h.detach() : null,
        c: this.current.c ? this.current.c.detach() : null,
      };
    }
  }

  /** Forgets the state: the next call starts from zeros. */
  reset(): void {
    this.current = null;
  }
}

