// AveragedModel (weight averaging, as PyTorch's swa_utils.AveragedModel): the equal average
// and the EMA against the snapshots' mean and the EMA's closed form computed here in float64
// from copies of the parameters; swapping the average in and out; checkpointing the average.
import { describe, expect, it } from 'vitest';
import { AveragedModel, SGD } from '../../src/optim/index.js';
import { LSTM } from '../../src/rnn/index.js';
import { Linear } from '../../src/nn/linear.js';
import { Generator } from '../../src/util/rng.js';
import { randn } from '../../src/tensor/create.js';
import { sum } from '../../src/ops/index.js';
import type { Module } from '../../src/nn/module.js';

function model(seed: number): LSTM {
  return new LSTM({ inputSize: 3, hiddenSize: 4, generator: new Generator(seed) });
}

/** One SGD step on a random loss, so the parameters move between samples. */
function trainStep(m: LSTM, opt: SGD, seed: number): void {
  opt.zeroGrad();
  const x = randn([5, 2, 3], { generator: new Generator(seed) });
  sum(m.forward(x)[0]).backward();
  opt.step();
}

function snapshot(m: Module): Float64Array[] {
  return m.parameters().map((p) => Float64Array.from(p.data));
}

function maxRelDiff(m: Module, expected: Float64Array[]): number {
  let worst = 0;
  m.parameters().forEach((p, i) => {
    const e = expected[i] as Float64Array;
    for (let j = 0; j < e.length; j++) worst = Math.max(worst, Math.abs((p.data[j] as number) - (e[j] as number)) / Math.max(1e-3, Math.abs(e[j] as number)));
  });
  return worst;
}

describe('AveragedModel', () => {
  it('equal average = the mean of the sampled weights; the module keeps its own weights outside withAveraged', () => {
    const m = model(1);
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const swa = new AveragedModel(m);
    const snaps: Float64Array[][] = [];
    for (let k = 0; k < 7; k++) {
      trainStep(m, opt, 10 + k);
      swa.updateParameters();
      snaps.push(snapshot(m));
    }
    expect(swa.nAveraged).toBe(7);
    const mean = (snaps[0] as Float64Array[]).map((_, i) => Float64Array.from((snaps[0] as Float64Array[])[i] as Float64Array, (_v, j) => snaps.reduce((s, sn) => s + ((sn[i] as Float64Array)[j] as number), 0) / snaps.length));
    const own = snapshot(m);
    expect(maxRelDiff(m, mean)).toBeGreaterThan(1e-3); // the last weights are not the average
    const inside = swa.withAveraged(() => maxRelDiff(m, mean));
    expect(inside).toBeLessThan(1e-5); // float32 storage of each running mean
    expect(snapshot(m)).toEqual(own); // restored to the last bit
    expect(() => swa.withAveraged(() => { throw new Error('boom'); })).toThrow('boom');
    expect(snapshot(m)).toEqual(own); // restored when fn throws too
    swa.copyToModule();
    expect(maxRelDiff(m, mean)).toBeLessThan(1e-5);
  });

  it('EMA = decay^(n−1)·p_1 + Σ_k (1 − decay)·decay^(n−k)·p_k (closed form, float64)', () => {
    const m = model(2);
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const decay = 0.7;
    const swa = new AveragedModel(m, { decay });
    const snaps: Float64Array[][] = [];
    for (let k = 0; k < 6; k++) {
      trainStep(m, opt, 20 + k);
      swa.updateParameters();
      snaps.push(snapshot(m));
    }
    const n = snaps.length;
    const ema = (snaps[0] as Float64Array[]).map((p, i) => Float64Array.from(p, (_v, j) => {
      let s = decay ** (n - 1) * ((snaps[0] as Float64Array[])[i] as Float64Array)[j]!;
      for (let k = 2; k <= n; k++) s += (1 - decay) * decay ** (n - k) * ((snaps[k - 1] as Float64Array[])[i] as Float64Array)[j]!;
      return s;
    }));
    expect(swa.withAveraged(() => maxRelDiff(m, ema))).toBeLessThan(1e-5);
  });

  it('stateDict/loadStateDict: a restored average continues exactly as the uninterrupted one', () => {
    const m = model(3);
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const a = new AveragedModel(m);
    for (let k = 0; k < 3; k++) { trainStep(m, opt, 30 + k); a.updateParameters(); }
    const saved = a.stateDict();
    expect(saved.n_averaged?.data[0]).toBe(3);
    const b = new AveragedModel(m);
    b.loadStateDict(saved);
    for (let k = 0; k < 2; k++) { trainStep(m, opt, 40 + k); a.updateParameters(); b.updateParameters(); }
    expect(b.nAveraged).toBe(5);
    expect(b.withAveraged(() => snapshot(m))).toEqual(a.withAveraged(() => snapshot(m)));
  });

  it('bad input fails naming the argument', () => {
    const m = model(4);
    expect(() => new AveragedModel(m, { decay: 1 })).toThrow(/decay.*\[0, 1\).*1/);
    expect(() => new AveragedModel(null as never)).toThrow(/AveragedModel.*module.*a Module/);
    const swa = new AveragedModel(m);
    expect(() => swa.withAveraged(() => 0)).toThrow(/withAveraged.*updateParameters\(\) first/);
    expect(() => swa.copyToModule()).toThrow(/copyToModule/);
    swa.updateParameters();
    const state = swa.stateDict();
    const other = new AveragedModel(new Linear(3, 4));
    expect(() => other.loadStateDict(state)).toThrow(/loadStateDict.*state\['weight'\]/);
    const wrong = { ...state, weight_hh_l0: randn([2, 2]) };
    expect(() => swa.loadStateDict(wrong)).toThrow(/state\['weight_hh_l0'\].*shape \(16, 4\).*\(2, 2\)/);
  });
});
