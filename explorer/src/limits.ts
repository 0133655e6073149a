// Caps on every size the page accepts. Training runs in a Web Worker, so a large model
// never freezes the page itself, but it would make the view useless (minutes per update)
// or exhaust the tab's memory; past a cap the value is lowered and the page says why.

export interface Limit {
  min: number;
  max: number;
  integer: boolean;
  /** Why the maximum is there (shown when a value is capped). */
  why: string;
}

export const LIMITS = {
  hidden: { min: 1, max: 256, integer: true, why: 'a larger recurrent layer takes seconds per update in a browser tab' },
  unrolledHidden: { min: 1, max: 8, integer: true, why: 'the unrolled diagram shows every unit of every step' },
  unrolledT: { min: 2, max: 12, integer: true, why: 'the unrolled diagram shows every step side by side' },
  gradT: { min: 2, max: 400, integer: true, why: 'three networks backpropagate through every step at each update' },
  gradHidden: { min: 1, max: 128, integer: true, why: 'three networks train side by side in one worker' },
  lmHidden: { min: 1, max: 512, integer: true, why: 'a larger language model takes seconds per update in a browser tab' },
  lmLayers: { min: 1, max: 3, integer: true, why: 'deeper stacks train too slowly in a browser tab' },
  seqLen: { min: 2, max: 256, integer: true, why: 'backpropagation through longer chunks is slow and memory-hungry' },
  batch: { min: 1, max: 64, integer: true, why: 'larger batches make each update too slow to watch' },
  lr: { min: 1e-6, max: 1, integer: false, why: 'larger learning rates only diverge' },
  reservoir: { min: 10, max: 2000, integer: true, why: 'the reservoir is a dense loop in JavaScript; 2000 units already take seconds' },
  spectralRadius: { min: 0.01, max: 3, integer: false, why: 'beyond 3 the reservoir is chaotic and the fit meaningless' },
  leakRate: { min: 0.01, max: 1, integer: false, why: 'the leak rate is a fraction in (0, 1]' },
  ridge: { min: 0, max: 10, integer: false, why: 'a larger ridge penalty only shrinks the readout to zero' },
  steps: { min: 0, max: 1_000_000, integer: true, why: 'a run is at most a million updates' },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true, why: 'seeds are 31-bit integers' },
  word: { min: 1, max: 30, integer: true, why: 'CMUdict words are at most 30 letters long' },
} satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** The value inside the limit, and a message when it had to change. */
export function clampValue(label: string, raw: number, limit: Limit): { value: number; message: string | null } {
  if (!Number.isFinite(raw)) return { value: limit.min, message: `${label}: "${raw}" is not a number; using ${limit.min}.` };
  let v = limit.integer ? Math.round(raw) : raw;
  let message: string | null = null;
  if (v > limit.max) {
    message = `${label} capped at ${limit.max} (asked ${raw}): ${limit.why}.`;
    v = limit.max;
  } else if (v < limit.min) {
    message = `${label} raised to the minimum ${limit.min} (asked ${raw}).`;
    v = limit.min;
  } else if (v !== raw) {
    message = `${label} rounded to ${v}.`;
  }
  return { value: v, message };
}
