// A float64 finite-difference gradient check for every differentiable op, on random
// shapes including broadcasting and size-1 / zero-size edge cases. (The fused recurrent
// ops have their own file: recurrent.test.ts.)
import { describe, expect, it } from 'vitest';
import * as ops from '../../src/ops/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { Generator } from '../../src/util/rng.js';
import { rand, randn, tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];
interface Input { shape: number[]; low?: number; high?: number }

/** Builds float64 leaves; inputs with low/high are uniform in that range (to avoid kinks). */
function leaves(inputs: Input[], seed: number): Tensor[] {
  return inputs.map((inp, i) => {
    const generator = new Generator(seed * 31 + i);
    const t = inp.low !== undefined
      ? rand(inp.shape, { dtype: 'float64', generator, low: inp.low, high: inp.high ?? inp.low + 1 })
      : randn(inp.shape, { dtype: 'float64', generator });
    t.requiresGrad = true;
    return t;
  });
}

const S = (...shape: number[]): Input => ({ shape });
const P = (...shape: number[]): Input => ({ shape, low: 0.5, high: 2 }); // positive, away from 0
const idx = (values: number[], shape = [values.length]): Tensor => tensor(values, { dtype: 'int32', shape });

const cases: [string, Fn, Input[]][] = [
  // Elementwise binary with broadcasting (incl. size-1 and missing dims).
  ['add broadcast', (a, b) => ops.add(a!, b!), [S(3, 1, 4), S(2, 1)]],
  ['add scalar', (a) => ops.add(a!, 2.5), [S(2, 3)]],
  ['sub broadcast', (a, b) => ops.sub(a!, b!), [S(4), S(3, 4)]],
  ['mul broadcast', (a, b) => ops.mul(a!, b!), [S(2, 3, 1), S(1, 4)]],
  ['div broadcast', (a, b) => ops.div(a!, b!), [S(2, 3), P(3)]],
  ['maximum', (a, b) => ops.maximum(a!, b!), [S(3, 4), S(4)]],
  ['minimum', (a, b) => ops.minimum(a!, b!), [S(2, 3), S(2, 1)]],
  ['add zero-size', (a, b) => ops.add(a!, b!), [S(0, 3), S(3)]],
  // Unary.
  ['neg', (a) => ops.neg(a!), [S(2, 3)]],
  ['exp', (a) => ops.exp(a!), [S(3)]],
  ['log', (a) => ops.log(a!), [P(2, 2)]],
  ['tanh', (a) => ops.tanh(a!), [S(5)]],
  ['sigmoid', (a) => ops.sigmoid(a!), [S(2, 3)]],
  ['relu', (a) => ops.relu(a!), [P(4)]],
  ['relu negative side', (a) => ops.relu(ops.neg(a!)), [P(3)]],
  ['abs', (a) => ops.abs(ops.sub(a!, 3)), [P(3)]],
  ['sqrt', (a) => ops.sqrt(a!), [P(3)]],
  ['square', (a) => ops.square(a!), [S(3)]],
  ['reciprocal', (a) => ops.reciprocal(a!), [P(3)]],
  ['softplus', (a) => ops.softplus(a!), [S(4)]],
  ['sin cos', (a) => ops.mul(ops.sin(a!), ops.cos(a!)), [S(3)]],
  // Matrix products.
  ['matmul 2-D', (a, b) => ops.matmul(a!, b!), [S(3, 4), S(4, 2)]],
  ['matmul 1-D · 1-D', (a, b) => ops.matmul(a!, b!), [S(4), S(4)]],
  ['matmul 1-D · 2-D', (a, b) => ops.matmul(a!, b!), [S(3), S(3, 2)]],
  ['matmul 2-D · 1-D', (a, b) => ops.matmul(a!, b!), [S(2, 3), S(3)]],
  ['matmul batched broadcast', (a, b) => ops.matmul(a!, b!), [S(2, 1, 3, 4), S(3, 4, 2)]],
  ['linear', (x, w, b) => ops.linear(x!, w!, b!), [S(2, 3, 4), S(5, 4), S(5)]],
  ['linear no bias', (x, w) => ops.linear(x!, w!), [S(3, 4), S(2, 4)]],
  // Shapes.
  ['reshape -1', (a) => ops.reshape(a!, [3, -1]), [S(2, 3, 2)]],
  ['flatten', (a) => ops.flatten(a!, 1), [S(2, 3, 2)]],
  ['unsqueeze squeeze', (a) => ops.squeeze(ops.unsqueeze(a!, 1), 1), [S(2, 3)]],
  ['permute', (a) => ops.permute(a!, [2, 0, 1]), [S(2, 3, 4)]],
  ['transpose', (a) => ops.transpose(a!, 0, 2), [S(2, 1, 3)]],
  ['broadcastTo', (a) => ops.broadcastTo(a!, [2, 3, 4]), [S(3, 1)]],
  // Reductions.
  ['sum all', (a) => ops.sum(a!), [S(2, 3)]],
  ['sum axes keepDim', (a) => ops.sum(a!, [0, 2], true), [S(2, 3, 4)]],
  ['mean axis', (a) => ops.mean(a!, -1), [S(3, 5)]],
  ['max axis', (a) => ops.max(a!, 1), [S(3, 4)]],
  ['max all', (a) => ops.max(a!), [S(2, 3)]],
  ['logsumexp', (a) => ops.logsumexp(a!, 1), [S(3, 4)]],
  ['softmax', (a) => ops.softmax(a!, 0), [S(3, 2)]],
  ['logSoftmax', (a) => ops.logSoftmax(a!, -1), [S(2, 5)]],
  // Joining and cutting.
  ['cat', (a, b) => ops.cat([a!, b!], 1), [S(2, 3), S(2, 1)]],
  ['stack', (a, b) => ops.stack([a!, b!], 2), [S(2, 3), S(2, 3)]],
  ['split sizes', (a) => ops.split(a!, [1, 3], 1), [S(2, 4)]],
  ['split size (uneven)', (a) => ops.split(a!, 2, 0), [S(5, 2)]],
  ['split one output used', (a) => ops.split(a!, 2, 0)[1]!, [S(4, 2)]],
  ['chunk', (a) => ops.chunk(a!, 3, 1), [S(2, 7)]],
  ['unbind', (a) => ops.unbind(a!, 1), [S(2, 3)]],
  ['slice step negative start', (a) => ops.slice(a!, 1, -5, undefined, 2), [S(2, 6)]],
  ['narrow', (a) => ops.narrow(a!, 0, 1, 2), [S(4, 2)]],
  // Indexing.
  ['indexSelect repeated', (a) => ops.indexSelect(a!, 1, [2, 0, 2]), [S(2, 3, 2)]],
  ['gather', (a) => ops.gather(a!, 1, idx([2, 0, 1], [3, 1])), [S(3, 4)]],
  // (paddingIdx deliberately zeroes a row's gradient, which finite differences cannot see: tested in ops.test.ts)
  ['embedding', (w) => ops.embedding(w!, idx([1, 3, 1, 0], [2, 2])), [S(4, 3)]],
  ['where broadcast', (a, b) => ops.where(tensor([1, 0, 1]), a!, b!), [S(2, 3), S(1)]],
  ['maskedFill', (a) => ops.maskedFill(a!, tensor([[0], [1]]), 7), [S(2, 3)]],
  ['dropout (seeded mask)', (a) => ops.dropout(a!, 0.4, true, new Generator(5)), [S(3, 4)]],
  // Losses.
  ['crossEntropy mask, ignore, smoothing, weight', (a) => ops.crossEntropy(a!, idx([1, -100, 3, 0]), {
    labelSmoothing: 0.1, weight: tensor([1, 2, 0.5, 1], { dtype: 'float64' }), mask: tensor([1, 1, 0.5, 1], { dtype: 'float64' }),
  }), [S(4, 4)]],
  ['crossEntropy (N, C, d)', (a) => ops.crossEntropy(a!, idx([1, 0, 2, 2], [2, 2]), { reduction: 'none' }), [S(2, 3, 2)]],
  ['crossEntropy unbatched', (a) => ops.crossEntropy(a!, tensor(2, { dtype: 'int32' })), [S(4)]],
  ['nllLoss', (a) => ops.nllLoss(ops.logSoftmax(a!, 1), idx([0, 2])), [S(2, 3)]],
  ['mseLoss', (a, b) => ops.mseLoss(a!, b!), [S(2, 3), S(2, 3)]],
  ['bceWithLogits posWeight', (a, b) => ops.bceWithLogits(a!, b!, { posWeight: tensor([0.5, 2, 1], { dtype: 'float64' }) }), [S(2, 3), { shape: [2, 3], low: 0, high: 1 }]],
];

describe('gradcheck of every op', () => {
  cases.forEach(([name, fn, inputs], i) => {
    it(name, () => {
      const res = gradcheck(fn, leaves(inputs, i + 1), { atol: 1e-6, rtol: 1e-5 });
      expect(res.maxAbsError).toBeLessThan(1e-6);
    });
  });
});
