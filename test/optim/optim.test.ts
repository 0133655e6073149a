// Optimizers, schedules and clipping against PyTorch 1.13 trajectories
// (fixtures written by tools/gen_optim_fixtures.py).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/tensor/tensor.js';
import {
  Adagrad, Adam, AdamW, CosineAnnealingLR, ExponentialLR, Optimizer, ReduceLROnPlateau, RMSprop, SGD, StepLR, WarmupCosineLR,
  clipGradNorm, clipGradValue,
} from '../../src/optim/index.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/io/checkpoint.js';
import { Linear } from '../../src/nn/linear.js';
import { fixturesDir, loadFixture, relError } from '../helpers/fixtures.js';

type DT = 'float32' | 'float64';
const optimDir = join(fixturesDir, 'optim');
const cases = readdirSync(optimDir).filter((f) => f.endsWith('.safetensors')).map((f) => f.replace('.safetensors', ''));

function param(t: Tensor, dtype: DT): Tensor {
  const p = new Tensor(dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data), t.shape).requireGrad();
  return p;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function build(config: Record<string, any>, params: Tensor[]): Optimizer<{ lr: number }> {
  const o = config.options as Record<string, unknown> & { lr: number };
  const spec = config.groups ? [{ params: params.slice(0, 2) }, { params: params.slice(2), lr: o.lr * 3 }] : params;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const s = spec as any;
  switch (config.optimizer) {
    case 'SGD': return new SGD(s, o) as unknown as Optimizer<{ lr: number }>;
    case 'Adam': return new Adam(s, o) as unknown as Optimizer<{ lr: number }>;
    case 'AdamW': return new AdamW(s, o) as unknown as Optimizer<{ lr: number }>;
    case 'RMSprop': return new RMSprop(s, o) as unknown as Optimizer<{ lr: number }>;
    case 'Adagrad': return new Adagrad(s, o) as unknown as Optimizer<{ lr: number }>;
    default: throw new Error(`unknown optimizer ${config.optimizer}`);
  }
}

function setGrads(fx: ReturnType<typeof loadFixture>, params: Tensor[], step: number, dtype: DT): void {
  params.forEach((p, j) => {
    const g = fx.tensors.get(`grad.${step}.${j}`);
    p.grad = g ? param(g, dtype).detach() : null;
  });
}

describe('optimizers match PyTorch step for step', () => {
  it('has every case', () => expect(cases.length).toBeGreaterThanOrEqual(14));
  for (const name of cases) {
    for (const [dtype, tol] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
      it(`${name} (${dtype}) within ${tol} after every step`, () => {
        const fx = loadFixture(`optim/${name}.safetensors`, 'float64');
        const n = fx.config.numParams as number;
        const params = Array.from({ length: n }, (_, j) => param(fx.get(`param.${j}`), dtype));
        const opt = build(fx.config, params);
        let worst = 0;
        for (let step = 1; step <= (fx.config.steps as number); step++) {
          opt.zeroGrad();
          setGrads(fx, params, step, dtype);
          opt.step();
          params.forEach((p, j) => {
            const { rel } = relError(p.data, fx.get(`after.${step}.${j}`).data);
            worst = Math.max(worst, rel);
          });
        }
        expect(worst).toBeLessThanOrEqual(tol);
      });
    }
  }

  it('resuming from a state dict (through a checkpoint) continues the same trajectory', () => {
    for (const name of ['adam_amsgrad', 'sgd_nesterov_wd', 'rmsprop_centered_momentum', 'adagrad_decay', 'adam_two_groups']) {
      const fx = loadFixture(`optim/${name}.safetensors`, 'float64');
      const n = fx.config.numParams as number;
      const params = Array.from({ length: n }, (_, j) => param(fx.get(`param.${j}`), 'float64'));
      let opt = build(fx.config, params);
      for (let step = 1; step <= 5; step++) {
        if (step === 3) {
          // Through the checkpoint format (typed arrays become tensors, JSON the rest).
          const model = new Linear(1, 1);
          const ck = decodeCheckpoint(encodeCheckpoint(model, { optimizer: opt.stateDict() }));
          opt = build(fx.config, params);
          opt.loadStateDict(ck.optimizer as never);
        }
        opt.zeroGrad();
        setGrads(fx, params, step, 'float64');
        opt.step();
      }
      params.forEach((p, j) => expect(relError(p.data, fx.get(`after.5.${j}`).data).rel, `${name} param ${j}`).toBeLessThan(1e-12));
    }
  });
});

describe('Adam\'s update kernel', () => {
  it('the plain case (a backend kernel) equals the general loop to the last bit: maximize on −g is minimize on g, float32 and float64, Adam and AdamW', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [Opt, wd] of [[Adam, 0], [AdamW, 0.05]] as const) {
        const n = 3000;
        const arr = (f: (i: number) => number): Float32Array | Float64Array => {
          const xs = Array.from({ length: n }, (_, i) => f(i));
          return dtype === 'float32' ? Float32Array.from(xs) : Float64Array.from(xs);
        };
        const init = arr((i) => Math.sin(i * 0.37) * 2);
        const p1 = new Tensor(init.slice(), [n]);
        const p2 = new Tensor(init.slice(), [n]);
        p1.requiresGrad = true;
        p2.requiresGrad = true;
        const plain = new Opt([p1], { lr: 0.01, weightDecay: wd });
        const general = new Opt([p2], { lr: 0.01, weightDecay: wd, maximize: true });
        for (let step = 1; step <= 4; step++) {
          const g = arr((i) => Math.cos(i * 0.11 + step) * 0.3);
          p1.grad = new Tensor(g, [n]);
          p2.grad = new Tensor(g.map((x) => -x), [n]);
          plain.step();
          general.step();
        }
        expect(Array.from(p1.data), `${dtype} ${Opt.name}`).toEqual(Array.from(p2.data));
        expect(p1.data.some((x, i) => x !== init[i])).toBe(true);
      }
    }
  });
});

describe('optimizer arguments and state', () => {
  const p = () => new Tensor(new Float32Array(4), [4]).requireGrad();
  it('rejects bad hyperparameters by name', () => {
    expect(() => new SGD([p()], { lr: 0 })).toThrow(/SGD.*lr.*positive finite number.*0/);
    expect(() => new SGD([p()], { lr: -1 })).toThrow(/lr/);
    expect(() => new Adam([p()], { lr: Number.NaN })).toThrow(/Adam.*lr/);
    expect(() => new SGD([p()], { lr: 0.1, nesterov: true })).toThrow(/nesterov.*momentum > 0/);
    expect(() => new Adam([p()], { betas: [1, 0.9] })).toThrow(/betas\[0\].*\[0, 1\)/);
    expect(() => new RMSprop([p()], { alpha: -1 })).toThrow(/RMSprop.*alpha/);
    expect(() => new Adagrad([p()], { lrDecay: -1 })).toThrow(/Adagrad.*lrDecay/);
    expect(() => new Adam([])).toThrow(/params.*non-empty/);
    expect(() => new Adam([new Tensor(new Float32Array(2), [2])])).toThrow(/require grad/);
    const q = p();
    expect(() => new Adam([{ params: [q] }, { params: [q] }])).toThrow(/one group only/);
    expect(() => new Adam([{ params: [p()], lr: -3 }, { params: [p()] }])).toThrow(/lr/);
    expect(() => new Adam([{ params: [p()] }, { params: [p()], lr: -3 }])).toThrow(/paramGroups\[1\]\.lr/);
  });

  it('zeroGrad clears gradients; parameters without a gradient are left alone', () => {
    const a = p();
    const b = p();
    const opt = new SGD([a, b], { lr: 1 });
    a.grad = new Tensor(new Float32Array([1, 2, 3, 4]), [4]);
    opt.step();
    expect(Array.from(a.data)).toEqual([-1, -2, -3, -4]);
    expect(Array.from(b.data)).toEqual([0, 0, 0, 0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('loadStateDict validates everything before changing anything', () => {
    const a = p();
    const opt = new Adam([a], { lr: 0.1 });
    a.grad = new Tensor(new Float32Array([1, 1, 1, 1]), [4]);
    opt.step();
    const good = opt.stateDict();
    const other = new Adam([new Tensor(new Float32Array(3), [3]).requireGrad()], { lr: 0.5 });
    expect(() => other.loadStateDict(good)).toThrow(/state 'expAvg' of parameter 0 must have 3 elements/);
    expect(other.paramGroups[0]!.lr).toBe(0.5);
    const two = new Adam([{ params: [p()] }, { params: [p()] }]);
    expect(() => two.loadStateDict(good)).toThrow(/1 parameter groups, this optimizer 2/);
    expect(() => opt.loadStateDict({} as never)).toThrow(/state, paramGroups/);
    // The state dict is a copy: later steps do not change it.
    const m0 = Array.from(good.state[0]!.expAvg as Float32Array);
    opt.step();
    expect(Array.from(good.state[0]!.expAvg as Float32Array)).toEqual(m0);
  });
});

describe('learning-rate schedules match PyTorch', () => {
  const traces = JSON.parse(readFileSync(join(optimDir, 'schedules.json'), 'utf8')) as Record<string, { args: Record<string, number>; lrs: number[]; metrics?: number[] }>;
  const opt = () => new SGD([new Tensor(new Float32Array(1), [1]).requireGrad()], { lr: 0.1 });
  const run = (o: SGD, step: (e: number) => void, n: number) => Array.from({ length: n }, (_, e) => (step(e), o.paramGroups[0]!.lr));

  it('StepLR, ExponentialLR, CosineAnnealingLR', () => {
    const a = traces.StepLR!;
    let o = opt();
    const s1 = new StepLR(o, a.args.stepSize!, a.args.gamma);
    expect(relError(run(o, () => s1.step(), 30), a.lrs).rel).toBeLessThan(1e-12);
    o = opt();
    const s2 = new ExponentialLR(o, traces.ExponentialLR!.args.gamma!);
    expect(relError(run(o, () => s2.step(), 30), traces.ExponentialLR!.lrs).rel).toBeLessThan(1e-12);
    o = opt();
    const c = traces.CosineAnnealingLR!.args;
    const s3 = new CosineAnnealingLR(o, c.tMax!, c.etaMin);
    expect(relError(run(o, () => s3.step(), 30), traces.CosineAnnealingLR!.lrs).rel).toBeLessThan(1e-12);
  });

  it('WarmupCosineLR equals LinearLR then CosineAnnealingLR (SequentialLR) up to its end, then stays at etaMin', () => {
    const t = traces.WarmupCosineLR!;
    const o = opt();
    const s = new WarmupCosineLR(o, t.args.warmup!, t.args.total!, t.args.etaMin, t.args.startFactor);
    expect(o.paramGroups[0]!.lr).toBeCloseTo(0.1 * t.args.startFactor!, 15);
    const lrs = run(o, () => s.step(), 30);
    expect(relError(lrs.slice(0, 24), t.lrs.slice(0, 24)).rel).toBeLessThan(1e-12);
    for (const v of lrs.slice(24)) expect(v).toBeCloseTo(t.args.etaMin!, 15);
  });

  it('ReduceLROnPlateau', () => {
    const t = traces.ReduceLROnPlateau!;
    const o = opt();
    const s = new ReduceLROnPlateau(o, t.args);
    expect(run(o, (e) => s.step(t.metrics![e]), 30)).toEqual(t.lrs);
    expect(() => s.step(undefined)).toThrow(/metric/);
  });

  it('state dicts resume a schedule exactly', () => {
    const o1 = opt();
    const a = new CosineAnnealingLR(o1, 20, 0.01);
    for (let i = 0; i < 7; i++) a.step();
    const o2 = opt();
    const b = new CosineAnnealingLR(o2, 20, 0.01);
    b.loadStateDict(a.stateDict());
    expect(o2.paramGroups[0]!.lr).toBe(o1.paramGroups[0]!.lr);
    a.step();
    b.step();
    expect(o2.paramGroups[0]!.lr).toBe(o1.paramGroups[0]!.lr);
    const p1 = new ReduceLROnPlateau(o1, { patience: 0 });
    p1.step(1);
    p1.step(2);
    const p2 = new ReduceLROnPlateau(o2, { patience: 0 });
    p2.loadStateDict(p1.stateDict());
    expect(p2.stateDict()).toEqual(p1.stateDict());
    expect(() => b.loadStateDict({ lastEpoch: 1.5, baseLrs: [0.1] })).toThrow(/lastEpoch/);
  });

  it('rejects bad schedule arguments by name', () => {
    expect(() => new StepLR(opt(), 0)).toThrow(/StepLR.*stepSize.*positive integer/);
    expect(() => new WarmupCosineLR(opt(), 10, 5)).toThrow(/total.*> warmup/);
    expect(() => new ReduceLROnPlateau(opt(), { factor: 1 })).toThrow(/factor.*\(0, 1\)/);
  });
});

describe('gradient clipping matches PyTorch', () => {
  const cases = JSON.parse(readFileSync(join(optimDir, 'clip.json'), 'utf8')) as { normType: number | 'inf'; maxNorm: number; total: number; grads: number[][]; clipped: number[][] }[];
  const shapes = [[3, 2], [4], [1, 3]];
  for (const c of cases) {
    it(`clipGradNorm(maxNorm=${c.maxNorm}, normType=${c.normType})`, () => {
      const params = shapes.map((s, j) => {
        const t = new Tensor(new Float64Array(s.reduce((a, b) => a * b, 1)), s).requireGrad();
        t.grad = new Tensor(Float64Array.from(c.grads[j]!), s);
        return t;
      });
      const total = clipGradNorm(params, c.maxNorm, c.normType === 'inf' ? Infinity : c.normType);
      expect(Math.abs(total - c.total) / c.total).toBeLessThan(1e-12);
      params.forEach((p, j) => expect(relError(p.grad!.data, c.clipped[j]!).rel).toBeLessThan(1e-12));
    });
  }

  it('clipGradValue clamps; non-finite norms are reported or rejected', () => {
    const t = new Tensor(new Float32Array(3), [3]).requireGrad();
    t.grad = new Tensor(new Float32Array([-5, 0.5, 7]), [3]);
    clipGradValue([t], 1);
    expect(Array.from(t.grad.data)).toEqual([-1, 0.5, 1]);
    t.grad = new Tensor(new Float32Array([Number.NaN, 1, 1]), [3]);
    expect(clipGradNorm([t], 1)).toBeNaN();
    expect(() => clipGradNorm([t], 1, 2, { errorIfNonfinite: true })).toThrow(/total norm.*NaN/);
    expect(() => clipGradNorm([t], -1)).toThrow(/maxNorm/);
    expect(() => clipGradValue([t], -1)).toThrow(/clipValue/);
  });
});
