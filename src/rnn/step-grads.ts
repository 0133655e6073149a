// Vanishing/exploding-gradient diagnostics: the norm of the total gradient ∂L/∂h_t at
// every time step, recorded during backward by the fused sequence ops.

export interface StepGradRecord {
  /** Layer index. */
  readonly layer: number;
  /** 0 forward, 1 reverse. */
  readonly direction: number;
  /**
   * ‖∂L/∂h_t‖₂ over the batch and the hidden units, for t = 0 … T−1 in input time
   * order. Filled by the backward pass; zeros until then.
   */
  readonly norms: Float64Array;
  /** Per sequence: norms per step, (B, T) row-major; steps past a sequence's length are 0. */
  readonly perSequence: Float64Array;
}

/**
 * A record and the callback the sequence op calls with ∂L/∂h (T, B, H) in input time
 * order once backward has computed it.
 */
export function sequenceStepGrads(
  layer: number, direction: number, T: number, B: number, H: number,
  _reverse: boolean, _lengths: Int32Array | null,
): { record: StepGradRecord; callback: (dh: Float32Array | Float64Array) => void } {
  const record: StepGradRecord = { layer, direction, norms: new Float64Array(T), perSequence: new Float64Array(B * T) };
  const callback = (dh: Float32Array | Float64Array): void => {
    for (let t = 0; t < T; t++) {
      let total = 0;
      for (let b = 0; b < B; b++) {
        let s = 0;
        const base = (t * B + b) * H;
        for (let j = 0; j < H; j++) s += (dh[base + j] as number) ** 2;
        record.perSequence[b * T + t] = Math.sqrt(s);
        total += s;
      }
      record.norms[t] = Math.sqrt(total);
    }
  };
  return { record, callback };
}
