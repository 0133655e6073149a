// Clockwork RNN (Koutník, Greff, Gomez & Schmidhuber 2014). The hidden units form g
// equal groups with periods T_1 < T_2 < … (default 1, 2, 4, …, 2^(g−1)). At step t
// (counted from 0 within each sequence, so every group runs at the first step) group i
// updates only if t mod T_i = 0 and otherwise keeps its state:
//   h_t[i] = φ(W_ih[i] x_t + b_ih[i] + Σ_{j: T_j ≥ T_i} W_hh[i, j] h_{t−1}[j] + b_hh[i])   if t mod T_i = 0
//   h_t[i] = h_{t−1}[i]                                                               otherwise
// Slow groups feed fast ones, never the reverse: with groups in order of increasing
// period W_hh is block-upper-triangular. It is stored full (weight_hh, PyTorch's name)
// and multiplied by a fixed 0/1 mask, so the blocks below the diagonal start at zero and
// receive zero gradient: the structure holds through training.
// Work skipped: when each period divides the next (the default), the groups active at a
// step are the first a of them, and only their rows of W_ih and W_hh are computed — on
// average far fewer than H rows per step (for periods 1, 2, 4, 8 about 1.9 of 4 groups).

import { ArgumentError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/create.js';
import { add, cat, linear, matmul, mul, narrow, relu, tanh, transpose, where } from '../../ops/index.js';
import { SingleStateStack, runSteps, type CellStackOptions, type SequenceRun, type StateSpec } from './stack.js';

export interface ClockworkRNNOptions extends CellStackOptions {
  /** Period of each group, as positive integers (default 1, 2, 4, … for `groups` groups). */
  periods?: number[];
  /** Number of groups when `periods` is not given (default: the largest of 8, 4, 2, 1 dividing hiddenSize). */
  groups?: number;
  /** φ (default 'tanh'). */
  nonlinearity?: 'tanh' | 'relu';
}

export class ClockworkRNN extends SingleStateStack {
  readonly periods: readonly number[];
  readonly groupSize: number;
  readonly nonlinearity: 'tanh' | 'relu';
  /** 1 where W_hh may be nonzero (receiving unit's period ≤ sending unit's period). */
  readonly recurrentMask: Tensor;
  private readonly prefixActive: boolean;

  constructor(options: ClockworkRNNOptions) {
    super('ClockworkRNN', options);
    const H = this.hiddenSize;
    let periods = options.periods;
    if (periods === undefined) {
      const g = options.groups ?? [8, 4, 2, 1].find((n) => H % n === 0) ?? 1;
      if (!Number.isInteger(g) || g <= 0 || H % g !== 0) throw new ArgumentError('ClockworkRNN', 'groups', `a positive divisor of hiddenSize (${H})`, g);
      periods = Array.from({ length: g }, (_, i) => 2 ** i);
    }
    if (!Array.isArray(periods) || periods.length === 0 || !periods.every((p) => Number.isInteger(p) && p > 0)) {
      throw new ArgumentError('ClockworkRNN', 'periods', 'a non-empty array of positive integers', periods);
    }
    if (periods.some((p, i) => i > 0 && p <= (periods as number[])[i - 1]!)) {
      throw new ArgumentError('ClockworkRNN', 'periods', 'strictly increasing periods (fast groups first)', periods);
    }
    if (H % periods.length !== 0) {
      throw new ArgumentError('ClockworkRNN', 'periods', `a number of groups that divides hiddenSize (${H})`, `${periods.length} groups`);
    }
    this.periods = [...periods];
    this.groupSize = H / periods.length;
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    if (!['tanh', 'relu'].includes(this.nonlinearity)) throw new ArgumentError('ClockworkRNN', 'nonlinearity', "'tanh' or 'relu'", this.nonlinearity);
    this.prefixActive = periods.every((p, i) => i === 0 || p % (periods as number[])[i - 1]! === 0);
    const mask = zeros([H, H], { dtype: this.dtype });
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < H; c++) mask.data[r * H + c] = (periods[Math.floor(c / this.groupSize)] as number) >= (periods[Math.floor(r / this.groupSize)] as number) ? 1 : 0;
    }
    this.recurrentMask = mask;
    this.build();
  }

  protected stateSpec(): StateSpec[] {
    return [{ name: 'h', size: this.hiddenSize }];
  }

  protected createParameters(_l: number, sfx: string, inputSize: number): void {
    const H = this.hiddenSize;
    this.uniformParam(`weight_ih${sfx}`, [H, inputSize]);
    const whh = this.uniformParam(`weight_hh${sfx}`, [H, H]);
    for (let i = 0; i < H * H; i++) whh.data[i] = (whh.data[i] as number) * (this.recurrentMask.data[i] as number);
    if (this.bias) {
      this.uniformParam(`bias_ih${sfx}`, [H]);
      this.uniformParam(`bias_hh${sfx}`, [H]);
    }
  }

  /** Number of units updated at step t (a prefix of the groups when periods divide each other). */
  activeUnits(t: number): number {
    let a = 0;
    while (a < this.periods.length && t % (this.periods[a] as number) === 0) a++;
    return a * this.groupSize;
  }

  protected override runSequence(_l: number, sfx: string, x: Tensor, state0: Tensor[], masks: Tensor[] | null): SequenceRun {
    const H = this.hiddenSize;
    const wih = this.param(`weight_ih${sfx}`);
    const bih = this.optionalParam(`bias_ih${sfx}`);
    const whh = mul(this.param(`weight_hh${sfx}`), this.recurrentMask);
    const bhh = this.optionalParam(`bias_hh${sfx}`);
    const phi = this.nonlinearity === 'tanh' ? tanh : relu;
    // Rows of the active prefix, built once per distinct prefix length.
    const rows = new Map<number, { wih: Tensor; whhT: Tensor; b: Tensor | null }>();
    const rowsFor = (n: number) => {
      let r = rows.get(n);
      if (!r) {
        const b = bih && bhh ? add(narrow(bih, 0, 0, n), narrow(bhh, 0, 0, n)) : bih ? narrow(bih, 0, 0, n) : bhh ? narrow(bhh, 0, 0, n) : null;
        r = { wih: narrow(wih, 0, 0, n), whhT: transpose(narrow(whh, 0, 0, n), 0, 1), b };
        rows.set(n, r);
      }
      return r;
    };
    return runSteps(x, state0, masks, (xt, [h], t) => {
      const hPrev = h as Tensor;
      if (this.prefixActive) {
        const n = this.activeUnits(t);
        const r = rowsFor(n);
        const active = phi(add(linear(xt, r.wih, r.b), matmul(hPrev, r.whhT)));
        const hNew = n === H ? active : cat([active, narrow(hPrev, 1, n, H - n)], 1);
        return { output: hNew, state: [hNew] };
      }
      // Periods that do not divide each other: compute every row, keep the inactive ones.
      const r = rowsFor(H);
      const all = phi(add(linear(xt, r.wih, r.b), matmul(hPrev, r.whhT)));
      const on = zeros([1, H], { dtype: this.dtype });
      for (let u = 0; u < H; u++) on.data[u] = t % (this.periods[Math.floor(u / this.groupSize)] as number) === 0 ? 1 : 0;
      const hNew = where(on, all, hPrev);
      return { output: hNew, state: [hNew] };
    });
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}, periods=[${this.periods.join(', ')}]`;
  }
}
