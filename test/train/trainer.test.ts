import { describe, expect, it } from 'vitest';
import { Trainer, earlyStopping, checkpointEvery, type OptimizerLike } from '../../src/train/trainer.js';
import { GRU } from '../../src/rnn/index.js';
import { Generator } from '../../src/util/rng.js';
import { randn } from '../../src/tensor/create.js';
import { mean, mul, sub, dropout } from '../../src/ops/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/engine.js';
import { NumericError } from '../../src/errors.js';
import { Adam, WarmupCosineLR, clipGradNorm } from '../../src/optim/index.js';
import { writeFileAtomic, readFileBounded } from '../../src/node/files.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small stateful optimizer (SGD with momentum) so that resuming must restore state. */
class Momentum implements OptimizerLike {
  buf: Float32Array[];
  constructor(readonly params: Tensor[], readonly lr: number) {
    this.buf = params.map((p) => new Float32Array(p.size));
  }
  zeroGrad(): void { for (const p of this.params) p.grad = null; }
  step(): void {
    noGrad(() => this.params.forEach((p, i) => {
      const b = this.buf[i]!;
      for (let j = 0; j < p.size; j++) {
        b[j] = 0.9 * b[j]! + (p.grad ? p.grad.data[j]! : 0);
        p.data[j] = p.data[j]! - this.lr * b[j]!;
      }
    }));
  }
  stateDict() { return { buf: this.buf }; }
  loadStateDict(s: { buf: Float32Array[] }): void { s.buf.forEach((b, i) => this.buf[i]!.set(b)); }
}

function setup(lr = 0.05) {
  const gen = new Generator(3);
  const model = new GRU({ inputSize: 2, hiddenSize: 4, generator: new Generator(1) });
  const opt = new Momentum(model.parameters(), lr);
  const data = Array.from({ length: 12 }, (_, i) => ({ x: randn([5, 3, 2], { generator: new Generator(100 + i) }), y: randn([5, 3, 4], { generator: new Generator(200 + i) }) }));
  const loss = (b: { x: Tensor; y: Tensor }) => {
    const [out] = model.forward(dropout(b.x, 0.1, true, gen));
    const d = sub(out, b.y);
    return mean(mul(d, d));
  };
  return { model, opt, data, loss, gen };
}

describe('Trainer', () => {
  it('lowers the loss and evaluates every N steps', () => {
    const { model, opt, data, loss } = setup();
    const t = new Trainer({ model, optimizer: opt, loss, evaluate: () => loss(data[0]!).item(), evalEvery: 4 });
    const r = t.fit([...data, ...data, ...data]);
    expect(r.steps).toBe(36);
    expect(r.evals.map((e) => e.step)).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36]);
    expect(r.losses.slice(-12).reduce((a, b) => a + b) / 12).toBeLessThan(r.losses.slice(0, 12).reduce((a, b) => a + b) / 12);
  });

  it('resuming from a checkpoint gives the same losses as an uninterrupted run', () => {
    const a = setup();
    const ta = new Trainer({ model: a.model, optimizer: a.opt, loss: a.loss, generators: { dropout: a.gen } });
    const full = ta.fit(a.data).losses;

    const b = setup();
    const tb = new Trainer({ model: b.model, optimizer: b.opt, loss: b.loss, generators: { dropout: b.gen } });
    const first = tb.fit(b.data.slice(0, 5)).losses;
    const bytes = tb.checkpoint();

    const c = setup();
    c.gen.seed(999); // a different state: the checkpoint must restore it
    const tc = new Trainer({ model: c.model, optimizer: c.opt, loss: c.loss, generators: { dropout: c.gen } });
    tc.restore(bytes);
    expect(tc.step).toBe(5);
    const rest = tc.fit(c.data.slice(5)).losses;
    expect([...first, ...rest]).toEqual(full);
  });

  it('stops with an error naming the step when the loss is NaN', () => {
    const { model, opt, data, loss } = setup();
    let n = 0;
    const t = new Trainer({ model, optimizer: opt, loss: (b: { x: Tensor; y: Tensor }) => (++n === 3 ? mul(loss(b), NaN) : loss(b)) });
    expect(() => t.fit(data)).toThrow(NumericError);
    expect(t.step).toBe(2);
    const t2 = new Trainer({ model, optimizer: opt, loss: (b: { x: Tensor; y: Tensor }) => mul(loss(b), Infinity) });
    expect(() => t2.fit(data)).toThrowErrorMatchingInlineSnapshot(`[NumericError: Trainer: the loss is Infinity at step 1; training stopped (lower the learning rate or clip gradients)]`);
  });

  it('early stopping ends training when validation stops improving; checkpoint callback runs', () => {
    const { model, opt, data, loss } = setup();
    const vals = [5, 4, 4.5, 4.6, 4.7, 1];
    let i = 0;
    const saved: number[] = [];
    const t = new Trainer({
      model, optimizer: opt, loss, evaluate: () => vals[i++]!, evalEvery: 1,
      callbacks: [earlyStopping({ patience: 3 }), checkpointEvery(2, (tr) => saved.push(tr.step))],
    });
    const r = t.fit(data);
    expect(r.stoppedEarly).toBe(true);
    expect(r.steps).toBe(5);
    expect(saved).toEqual([2, 4, 5]);
  });

  it('resumes exactly with the library optimizers: Adam, a warm-up cosine schedule, clipping, a checkpoint file', () => {
    const make = () => {
      const base = setup();
      const opt = new Adam(base.model.parameters(), { lr: 0.02 });
      const scheduler = new WarmupCosineLR(opt, 3, 12, 0.001);
      const trainer = new Trainer({
        model: base.model, optimizer: opt, scheduler, loss: base.loss, generators: { dropout: base.gen },
        clipGradNorm: (ps) => clipGradNorm(ps, 0.5),
      });
      return { ...base, opt, trainer };
    };
    const a = make();
    const full = a.trainer.fit(a.data).losses;
    const b = make();
    const first = b.trainer.fit(b.data.slice(0, 7)).losses;
    const dir = mkdtempSync(join(tmpdir(), 'recurrent-trainer-'));
    try {
      const file = join(dir, 'ckpt.safetensors');
      writeFileAtomic(file, b.trainer.checkpoint());
      const c = make();
      c.gen.seed(12345);
      c.trainer.restore(readFileBounded(file, 1 << 24));
      expect(c.opt.paramGroups[0]!.lr).toBe(b.opt.paramGroups[0]!.lr);
      const rest = c.trainer.fit(c.data.slice(7)).losses;
      expect([...first, ...rest]).toEqual(full);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
