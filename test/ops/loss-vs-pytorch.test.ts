// Losses and softmax against PyTorch (tools/gen_ops_fixtures.py): values and gradients.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crossEntropy, mseLoss, bceWithLogits, softmax, logSoftmax, sum, mul } from '../../src/ops/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, fixturesDir, loadFixture } from '../helpers/fixtures.js';

const files = readdirSync(join(fixturesDir, 'ops')).filter((f) => f.endsWith('.safetensors')).sort();

describe('losses and softmax match PyTorch', () => {
  it('has the fixtures', () => expect(files.length).toBe(15));
  for (const file of files) {
    it(file.replace('.safetensors', ''), () => {
      const fx = loadFixture(`ops/${file}`);
      const cfg = fx.config as { op: string; reduction?: 'mean' | 'sum' | 'none'; labelSmoothing?: number; useWeight?: boolean; usePosWeight?: boolean; dim?: number };
      const grad = (n: string): Tensor => fx.get(n).clone().requireGrad();
      const inputs: Record<string, Tensor> = {};
      let out: Tensor;
      switch (cfg.op) {
        case 'crossEntropy': {
          inputs.logits = grad('logits');
          out = crossEntropy(inputs.logits, fx.get('target'), {
            reduction: cfg.reduction ?? 'mean', labelSmoothing: cfg.labelSmoothing ?? 0, weight: cfg.useWeight ? fx.get('weight') : null,
          });
          break;
        }
        case 'mseLoss':
          inputs.input = grad('input');
          inputs.target = grad('target');
          out = mseLoss(inputs.input, inputs.target, { reduction: cfg.reduction ?? 'mean' });
          break;
        case 'bceWithLogits':
          inputs.logits = grad('logits');
          inputs.target = grad('target');
          out = bceWithLogits(inputs.logits, inputs.target, { reduction: cfg.reduction ?? 'mean', posWeight: cfg.usePosWeight ? fx.get('pos_weight') : null });
          break;
        case 'softmax':
          inputs.x = grad('x');
          out = softmax(inputs.x, cfg.dim);
          break;
        default:
          inputs.x = grad('x');
          out = logSoftmax(inputs.x, cfg.dim);
      }
      expectClose(out, fx.get('out'), 1e-5, 'value');
      sum(mul(out, fx.get('proj'))).backward();
      for (const [name, t] of Object.entries(inputs)) expectClose(t.grad!, fx.get(`grad.${name}`), 1e-5, `grad ${name}`);
    });
  }
});
