// Module: the base of every layer. It owns named parameters, buffers and submodules in
// registration order, and gives them PyTorch-style dotted names (`encoder.weight_ih_l0`),
// so a state dict moves between this library and PyTorch unchanged.
// Each subclass defines its own typed `forward(...)`.

import { ArgumentError, ShapeError, SerializationError, formatShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/engine.js';
import { shapesEqual } from '../util/shape.js';
import { Parameter } from './parameter.js';

/** A state dict: dotted name → tensor, in registration order. */
export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

function checkName(owner: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.includes('.')) {
    throw new ArgumentError(owner, 'name', 'a non-empty string without dots', name);
  }
}

export class Module {
  /** Training mode (dropout active) vs evaluation mode. */
  training = true;
  private readonly _parameters = new Map<string, Parameter | null>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _modules = new Map<string, Module>();

  /** Display name of the module type. */
  get typeName(): string {
    return this.constructor.name;
  }

  private checkFree(name: string): void {
    checkName(`${this.typeName}.register`, name);
    if (this._parameters.has(name) || this._buffers.has(name) || this._modules.has(name)) {
      throw new ArgumentError(`${this.typeName}.register`, 'name', 'a name not registered yet', name);
    }
  }

  /** Registers a parameter (or null, for an absent optional one such as a disabled bias). */
  registerParameter<P extends Parameter | null>(name: string, param: P): P {
    this.checkFree(name);
    if (param !== null && !(param instanceof Parameter)) {
      throw new ArgumentError(`${this.typeName}.registerParameter`, name, 'a Parameter or null', param);
    }
    this._parameters.set(name, param);
    return param;
  }

  /** Registers a non-trainable tensor that is saved in the state dict. */
  registerBuffer<T extends Tensor>(name: string, tensor: T): T {
    this.checkFree(name);
    if (!(tensor instanceof Tensor)) throw new ArgumentError(`${this.typeName}.registerBuffer`, name, 'a Tensor', tensor);
    this._buffers.set(name, tensor);
    return tensor;
  }

  /** Registers a submodule; its parameters get the prefix `name.`. */
  registerModule<M extends Module>(name: string, module: M): M {
    this.checkFree(name);
    if (!(module instanceof Module)) throw new ArgumentError(`${this.typeName}.registerModule`, name, 'a Module', module);
    this._modules.set(name, module);
    return module;
  }

  /** This module's own parameter `name` (null if absent or registered as null). */
  getParameter(name: string): Parameter | null {
    return this._parameters.get(name) ?? null;
  }

  /** Replaces the tensor of a registered buffer (e.g. a running statistic). */
  setBuffer(name: string, tensor: Tensor): void {
    if (!this._buffers.has(name)) throw new ArgumentError(`${this.typeName}.setBuffer`, 'name', 'a registered buffer', name);
    this._buffers.set(name, tensor);
  }

  getBuffer(name: string): Tensor | null {
    return this._buffers.get(name) ?? null;
  }

  /** Direct submodules with their names. */
  namedChildren(): [string, Module][] {
    return [...this._modules.entries()];
  }

  children(): Module[] {
    return [...this._modules.values()];
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this._modules) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** Every parameter with its dotted name; a parameter shared by two modules is listed once. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m._parameters) {
        if (p === null || seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m._buffers) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  /** Total number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * Parameters and buffers by dotted name, in PyTorch's order (each module's own
   * parameters, then its buffers, then its children). The tensors are the live ones:
   * clone them to snapshot.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    const visit = (m: Module, prefix: string): void => {
      for (const [name, p] of m._parameters) if (p !== null) out[prefix + name] = p;
      for (const [name, b] of m._buffers) out[prefix + name] = b;
      for (const [name, c] of m._modules) visit(c, `${prefix}${name}.`);
    };
    visit(this, '');
    return out;
  }

  /**
   * Copies values from `state` into this module's parameters and buffers (converting
   * float64 ↔ float32). With strict (default), missing and unexpected keys are errors;
   * otherwise they are returned. A shape mismatch is always an error naming the key.
   */
  loadStateDict(state: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const op = `${this.typeName}.loadStateDict`;
    const strict = options.strict ?? true;
    const entries = state instanceof Map ? state : new Map(Object.entries(state ?? {}));
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !entries.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !(k in own));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
      throw new SerializationError(op, `the state dict does not match the module (${parts.join('; ')})`);
    }
    // Validate everything before writing anything, so a failed load leaves the module intact.
    for (const [key, target] of Object.entries(own)) {
      const src = entries.get(key);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) throw new ArgumentError(op, `state['${key}']`, 'a Tensor', src);
      if (!shapesEqual(src.shape, target.shape)) {
        throw new ShapeError(op, key, `shape ${formatShape(target.shape)} (the module's)`, src.shape);
      }
      if ((src.dtype === 'int32') !== (target.dtype === 'int32')) {
        throw new ArgumentError(op, key, `a ${target.dtype} tensor`, `a ${src.dtype} tensor`);
      }
    }
    noGrad(() => {
      for (const [key, target] of Object.entries(own)) {
        const src = entries.get(key);
        if (src !== undefined) target.data.set(src.data);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (dropout off). */
  eval(): this {
    return this.train(false);
  }

  /** Forgets every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** One-line description of this module's options, shown by toString(). */
  protected extraRepr(): string {
    return '';
  }

  /** PyTorch-like description of the module tree. */
  toString(): string {
    const children = this.namedChildren();
    const head = `${this.typeName}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([name, m]) => `  (${name}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}${this.extraRepr() ? '' : ''}\n${lines.join('\n')}\n)`;
  }
}
