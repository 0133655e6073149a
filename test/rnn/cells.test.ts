// RNNCell, LSTMCell and GRUCell against PyTorch's cells (fixtures from
// tools/gen_rnn_fixtures.py), plus: a cell stepped over time equals the fused layer,
// unbatched input, and bad input.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RNNCell, LSTMCell, GRUCell, LSTM } from '../../src/rnn/index.js';
import type { CellBase } from '../../src/rnn/cells/cell-base.js';
import { mul, sum, add, stack, unbind, reshape } from '../../src/ops/index.js';
import { randn } from '../../src/tensor/create.js';
import { Generator } from '../../src/util/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, fixturesDir, loadFixture, relError } from '../helpers/fixtures.js';

const files = readdirSync(join(fixturesDir, 'rnn')).filter((f) => f.startsWith('cell_')).sort();

describe('cells match PyTorch', () => {
  it('has the cell fixtures', () => expect(files.length).toBe(8));
  for (const file of files) {
    it(file, () => {
      const fx = loadFixture(`rnn/${file}`);
      const cfg = fx.config as { kind: string; inputSize: number; hiddenSize: number; bias: boolean; nonlinearity: 'tanh' | 'relu'; params: string[] };
      const opts = { inputSize: cfg.inputSize, hiddenSize: cfg.hiddenSize, bias: cfg.bias };
      const cell: CellBase = cfg.kind === 'LSTMCell' ? new LSTMCell(opts) : cfg.kind === 'GRUCell' ? new GRUCell(opts) : new RNNCell({ ...opts, nonlinearity: cfg.nonlinearity });
      expect(cell.namedParameters().map(([n]) => n)).toEqual(cfg.params);
      cell.loadStateDict(Object.fromEntries(cfg.params.map((n) => [n, fx.get(n)])));
      const x = fx.get('x').clone().requireGrad();
      const h = fx.get('h0').clone().requireGrad();
      let loss: Tensor;
      let c: Tensor | null = null;
      if (cell instanceof LSTMCell) {
        c = fx.get('c0').clone().requireGrad();
        const [h1, c1] = cell.forward(x, [h, c]);
        expectClose(h1, fx.get('h_n'), 1e-4, 'h');
        expectClose(c1, fx.get('c_n'), 1e-4, 'c');
        loss = add(sum(mul(h1, fx.get('proj.h_n'))), sum(mul(c1, fx.get('proj.c_n'))));
      } else {
        const h1 = (cell as RNNCell).forward(x, h);
        expectClose(h1, fx.get('h_n'), 1e-4, 'h');
        loss = sum(mul(h1, fx.get('proj.h_n')));
      }
      loss.backward();
      expectClose(x.grad!, fx.get('grad.x'), 1e-4, 'grad x');
      expectClose(h.grad!, fx.get('grad.h0'), 1e-4, 'grad h');
      if (c) expectClose(c.grad!, fx.get('grad.c0'), 1e-4, 'grad c');
      for (const [n, p] of cell.namedParameters()) expectClose(p.grad!, fx.get(`grad.${n}`), 1e-4, `grad ${n}`);
    });
  }
});

describe('cells and layers agree', () => {
  it('an LSTMCell stepped over time equals the fused LSTM layer (outputs and gradients)', () => {
    const layer = new LSTM({ inputSize: 3, hiddenSize: 4, dtype: 'float64', generator: new Generator(1) });
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
    cell.loadStateDict({ weight_ih: layer.getParameter('weight_ih_l0')!, weight_hh: layer.getParameter('weight_hh_l0')!, bias_ih: layer.getParameter('bias_ih_l0')!, bias_hh: layer.getParameter('bias_hh_l0')! });
    const x = randn([6, 2, 3], { dtype: 'float64', generator: new Generator(2), requiresGrad: true });
    const [y] = layer.forward(x);
    sum(mul(y, y)).backward();
    const gLayer = x.grad!.toFlatArray();
    x.grad = null;
    let hc: [Tensor, Tensor] | null = null;
    const hs: Tensor[] = [];
    for (const xt of unbind(x, 0)) {
      hc = cell.forward(xt, hc);
      hs.push(hc[0]);
    }
    const y2 = stack(hs, 0);
    expect(relError(y2.data, y.data).rel).toBeLessThan(1e-12);
    sum(mul(y2, y2)).backward();
    expect(relError(x.grad!.data, gLayer).rel).toBeLessThan(1e-12);
    expect(relError(cell.getParameter('weight_hh')!.grad!.data, layer.getParameter('weight_hh_l0')!.grad!.data).rel).toBeLessThan(1e-12);
  });

  it('a GRUCell accepts unbatched input and matches the batched result', () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 2, generator: new Generator(3) });
    const x = randn([3], { generator: new Generator(4) });
    const h = cell.forward(x);
    expect(h.shape).toEqual([2]);
    const hb = cell.forward(reshape(x, [1, 3]));
    expect(h.toFlatArray()).toEqual(hb.toFlatArray());
  });

  it('bad input names the cell, the argument and the shapes', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 2 });
    expect(() => cell.forward(randn([2, 4]))).toThrowErrorMatchingInlineSnapshot(`[ShapeError: LSTMCell: argument 'input' must have shape [batch, 3] or [3], got shape [2, 4]]`);
    expect(() => cell.forward(randn([2, 3]), [randn([2, 2]), randn([3, 2])])).toThrowErrorMatchingInlineSnapshot(`[ShapeError: LSTMCell: argument 'hx[1] (c)' must have shape [2, 2], got shape [3, 2]]`);
    expect(() => new RNNCell({ inputSize: 3, hiddenSize: -1 })).toThrowErrorMatchingInlineSnapshot(`[ArgumentError: RNNCell: argument 'hiddenSize' must be a positive integer, got -1]`);
  });
});
