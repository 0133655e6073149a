// Reverse-mode automatic differentiation over a dynamically recorded graph.
// Ops call `record()` after computing their outputs; `runBackward()` walks the graph
// from a root in reverse topological order, calling each node's backward once with
// the summed gradients of its outputs, and accumulates (+=) into leaves' `.grad`.
// Gradients are computed without recording (no higher-order derivatives).

import { GradError, ShapeError } from '../errors.js';
import { shapesEqual } from '../util/shape.js';
import { Tensor, arrayFor, type FloatTensor, type GradNode } from '../tensor/tensor.js';

let gradDisabledDepth = 0;

/** Whether ops currently record the graph. */
export function isGradEnabled(): boolean {
  return gradDisabledDepth === 0;
}

/** Runs `fn` without recording the graph (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  gradDisabledDepth++;
  try {
    return fn();
  } finally {
    gradDisabledDepth--;
  }
}

/**
 * Records one op application. `backward` receives the gradients of `outputs` (null for
 * an output that received none) and returns one gradient per input, with the input's
 * shape, or null/undefined for inputs that need none. Nothing is recorded when grad is
 * disabled or no input requires grad; then the outputs are constants.
 */
/** Whether `record` with these inputs would record a node (grad enabled and an input requires grad). */
export function willRecord(inputs: readonly (Tensor | null)[]): boolean {
  return gradDisabledDepth === 0 && inputs.some((t) => t !== null && t.requiresGrad);
}

export function record(
  op: string,
  outputs: readonly Tensor[],
  inputs: readonly Tensor[],
  backward: (grads: readonly (FloatTensor | null)[]) => readonly (Tensor | null | undefined)[],
): void {
  if (gradDisabledDepth > 0 || !inputs.some((t) => t.requiresGrad)) return;
  const node: GradNode = { op, inputs, numOutputs: outputs.length, backward };
  outputs.forEach((t, i) => {
    t.gradFn = node;
    t.outputIndex = i;
    t.requiresGrad = true;
  });
}

/** Single-output form of `record`: `backward` receives the output's gradient. */
export function record1(
  op: string,
  output: Tensor,
  inputs: readonly Tensor[],
  backward: (grad: FloatTensor) => readonly (Tensor | null | undefined)[],
): void {
  record(op, [output], inputs, (grads) => backward(grads[0] as FloatTensor));
}

export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again (default false). */
  retainGraph?: boolean;
}

/** Adds b into a fresh array (a and b may be aliased elsewhere, so never in place). */
function sum2(a: Tensor, b: Tensor): Tensor {
  const out = a.data.slice();
  const bd = b.data;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (bd[i] as number);
  return new Tensor(out, a.shape);
}

/** Accumulates into a leaf's `.grad`, which the leaf owns (so in-place is safe). */
function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (leaf.grad === null) {
    leaf.grad = new Tensor(g.data.slice(), leaf.shape);
    return;
  }
  const d = leaf.grad.data;
  const gd = g.data;
  for (let i = 0; i < d.length; i++) d[i] = (d[i] as number) + (gd[i] as number);
}

export function runBackward(root: Tensor, grad: Tensor | undefined, options: BackwardOptions): void {
  if (!root.requiresGrad) {
    throw new GradError(
      'backward',
      `the tensor of shape [${root.shape.join(', ')}] does not require grad and has no grad function; ` +
        'set requiresGrad on the inputs before computing it',
    );
  }
  let seed: Tensor;
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new GradError(
        'backward',
        `argument 'grad' must be given for a tensor of shape [${root.shape.join(', ')}]; ` +
          'only one-element tensors (a loss) have the implicit gradient 1',
      );
    }
    const one = arrayFor(root.dtype, 1);
    one[0] = 1;
    seed = new Tensor(one, root.shape);
  } else {
    if (!(grad instanceof Tensor)) throw new GradError('backward', "argument 'grad' must be a Tensor");
    if (!shapesEqual(grad.shape, root.shape)) throw new ShapeError('backward', 'grad', root.shape, grad.shape);
    seed =
      grad.dtype === root.dtype
        ? grad
        : new Tensor(root.dtype === 'float32' ? Float32Array.from(grad.data) : Float64Array.from(grad.data), grad.shape);
  }

  if (root.gradFn === null) {
    accumulateLeaf(root, seed);
    return;
  }

  // Topological order by iterative depth-first search (graphs of long unrolled
  // sequences are deep; recursion would overflow the stack).
  const order: GradNode[] = [];
  const visited = new Set<GradNode>();
  const stack: [GradNode, number][] = [[root.gradFn, 0]];
  visited.add(root.gradFn);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as [GradNode, number];
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1] = i + 1;
      const child = (node.inputs[i] as Tensor).gradFn;
      if (child && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }

  const pending = new Map<GradNode, (FloatTensor | null)[]>();
  pending.set(
    root.gradFn,
    Array.from({ length: root.gradFn.numOutputs }, (_, k) => (k === root.outputIndex ? (seed as FloatTensor) : null)),
  );

  for (let n = order.length - 1; n >= 0; n--) {
    const node = order[n] as GradNode;
    const outGrads = pending.get(node);
    if (!outGrads) continue; // not reached by any gradient
    pending.delete(node);
    if (node.backward === null) {
      throw new GradError(
        'backward',
        `trying to backward through the graph a second time (through '${node.op}'); its saved values were ` +
          'freed by the first backward call. Pass { retainGraph: true } to the first call if you need to.',
      );
    }
    if (node.retained) {
      for (const [k, t] of node.retained) {
        const g = outGrads[k];
        if (g) accumulateLeaf(t, g);
      }
    }
    const inGrads = node.backward(outGrads);
    if (!options.retainGraph) node.backward = null;
    node.inputs.forEach((input, k) => {
      const g = inGrads[k];
      if (g === null || g === undefined || !input.requiresGrad) return;
      if (!shapesEqual(g.shape, input.shape)) {
        throw new GradError(
          'backward',
          `internal error: '${node.op}' returned a gradient of shape [${g.shape.join(', ')}] for input ${k} of shape [${input.shape.join(', ')}]`,
        );
      }
      const child = input.gradFn;
      if (child === null) {
        accumulateLeaf(input, g);
        return;
      }
      let slots = pending.get(child);
      if (!slots) {
        slots = new Array<FloatTensor | null>(child.numOutputs).fill(null);
        pending.set(child, slots);
      }
      const prev = slots[input.outputIndex];
      slots[input.outputIndex] = (prev ? sum2(prev, g) : g) as FloatTensor;
    });
  }
}
