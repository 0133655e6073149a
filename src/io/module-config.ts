// Module configs: a JSON description from which a module can be rebuilt before its
// weights are loaded ({ "type": "LSTM", "inputSize": 8, "hiddenSize": 16, ... }).
// Every built-in module has an entry; user modules are added with registerModuleType.
// Configs come from files, so buildModule validates them: an unknown type or key, or a
// value of the wrong type, is a SerializationError that names the key and what was expected.

import { SerializationError, describeValue } from '../errors.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Embedding } from '../nn/embedding.js';
import { Dropout, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Tanh, type TensorModule } from '../nn/layers.js';
import { RNN } from '../rnn/layers/rnn.js';
import { LSTM } from '../rnn/layers/lstm.js';
import { GRU } from '../rnn/layers/gru.js';
import type { RNNBase } from '../rnn/rnn-base.js';
import { RNNCell } from '../rnn/cells/rnn-cell.js';
import { LSTMCell } from '../rnn/cells/lstm-cell.js';
import { GRUCell } from '../rnn/cells/gru-cell.js';
import { CharLM } from '../models/char-lm.js';
import { SeriesModel } from '../models/series.js';
import { Attention } from '../seq2seq/attention.js';
import { Seq2Seq } from '../seq2seq/encoder-decoder.js';
import { SequenceClassifier, SequenceTagger, OneToMany } from '../seq2seq/patterns.js';
import { Reservoir } from '../esn/reservoir.js';
import { EchoStateNetwork } from '../esn/esn.js';
import type { CellType } from '../models/recurrent-factory.js';
import type { CellStack } from '../rnn/family/stack.js';
import { JordanRNN } from '../rnn/family/jordan.js';
import { VariantLSTM, PeepholeLSTM, CoupledLSTM } from '../rnn/family/lstm-variants.js';
import { ClockworkRNN } from '../rnn/family/clockwork.js';
import { IndRNN } from '../rnn/family/indrnn.js';
import { MinGRU, MinLSTM } from '../rnn/family/min-rnn.js';
import { QRNN } from '../rnn/family/qrnn.js';

/** A JSON-serialisable description of a module: its type name and constructor options. */
export interface ModuleConfig {
  type: string;
  [key: string]: unknown;
}

export interface ModuleType<M extends Module = Module> {
  /** The class whose instances this entry describes (matched exactly, not by inheritance). */
  readonly cls: abstract new (...args: never[]) => M;
  /** The config of an instance, without the "type" key. */
  toConfig(m: M): Record<string, unknown>;
  /** Builds a fresh instance from a config whose keys were checked against `keys`. */
  fromConfig(c: Record<string, unknown>, source: string): M;
  /** Every key the config may hold, with its expected kind (for validation and errors). */
  readonly keys: Record<string, Kind>;
  /** Keys that must be present. */
  readonly required?: readonly string[];
}

type Kind = 'int' | 'number' | 'boolean' | 'string' | 'int|null' | 'number|null' | 'ints' | 'modules';

const registry = new Map<string, ModuleType>();

/** Adds (or replaces) the config entry of a module type, so it can be saved and rebuilt. */
export function registerModuleType<M extends Module>(type: string, entry: ModuleType<M>): void {
  registry.set(type, entry as unknown as ModuleType);
}

/** The registered type name of a module, or null. */
function typeOf(m: Module): string | null {
  for (const [name, e] of registry) if (m.constructor === e.cls) return name;
  return null;
}

/** The config of a module; throws if its type is not registered. */
export function moduleConfig(m: Module): ModuleConfig {
  if (!(m instanceof Module)) throw new SerializationError('moduleConfig', `expected a Module, got ${describeValue(m)}`);
  const type = typeOf(m);
  if (type === null) {
    throw new SerializationError('moduleConfig', `module type ${m.typeName} has no config entry: call registerModuleType('${m.typeName}', …) first`);
  }
  return { type, ...(registry.get(type) as ModuleType).toConfig(m) };
}

/** Whether a module (and every child it rebuilds) can be described by a config. */
export function hasModuleConfig(m: Module): boolean {
  return typeOf(m) !== null;
}

function checkKind(source: string, path: string, key: string, kind: Kind, v: unknown): void {
  const ok =
    kind === 'int' ? Number.isSafeInteger(v)
      : kind === 'number' ? typeof v === 'number' && Number.isFinite(v)
        : kind === 'boolean' ? typeof v === 'boolean'
          : kind === 'string' ? typeof v === 'string'
            : kind === 'int|null' ? v === null || Number.isSafeInteger(v)
              : kind === 'number|null' ? v === null || (typeof v === 'number' && Number.isFinite(v))
                : kind === 'ints' ? Array.isArray(v) && v.every((x) => Number.isSafeInteger(x))
                  : Array.isArray(v);
  if (!ok) {
    const expected = {
      int: 'an integer', number: 'a finite number', boolean: 'a boolean', string: 'a string', 'int|null': 'an integer or null',
      'number|null': 'a finite number or null', ints: 'an array of integers', modules: 'an array of module configs',
    }[kind];
    throw new SerializationError(source, `config key '${path}${key}': expected ${expected}, got ${describeValue(v)}`);
  }
}

/**
 * Builds a module from a config (as produced by moduleConfig), validating every key.
 * The weights are freshly initialised: load a state dict afterwards.
 */
export function buildModule(config: unknown, source = 'config', path = ''): Module {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new SerializationError(source, `${path ? `config key '${path}'` : 'config'}: expected an object with a "type", got ${describeValue(config)}`);
  }
  const c = config as Record<string, unknown>;
  const type = c.type;
  const at = path ? `${path}.` : '';
  if (typeof type !== 'string') throw new SerializationError(source, `config key '${at}type': expected a string, got ${describeValue(type)}`);
  const entry = registry.get(type);
  if (!entry) {
    throw new SerializationError(source, `config key '${at}type': unknown module type ${JSON.stringify(type)} (known: ${[...registry.keys()].join(', ')})`);
  }
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'type') continue;
    const kind = entry.keys[k];
    if (kind === undefined) {
      throw new SerializationError(source, `config key '${at}${k}': unknown key for ${type} (expected one of: ${Object.keys(entry.keys).join(', ')})`);
    }
    checkKind(source, at, k, kind, v);
    rest[k] = kind === 'modules' ? (v as unknown[]).map((child, i) => buildModule(child, source, `${at}${k}.${i}`)) : v;
  }
  for (const k of entry.required ?? []) {
    if (!(k in rest)) throw new SerializationError(source, `config key '${at}${k}': missing (required by ${type})`);
  }
  try {
    return entry.fromConfig(rest, source);
  } catch (e) {
    if (e instanceof SerializationError) throw e;
    throw new SerializationError(source, `${path ? `config '${path}' ` : ''}${type}: ${(e as Error).message}`);
  }
}

// ---- built-in entries ------------------------------------------------------------------

const dtypeOpt = (c: Record<string, unknown>): { dtype?: 'float32' | 'float64' } =>
  c.dtype === undefined ? {} : { dtype: c.dtype as 'float32' | 'float64' };

const rnnKeys = {
  inputSize: 'int', hiddenSize: 'int', numLayers: 'int', bias: 'boolean', batchFirst: 'boolean', dropout: 'number',
  bidirectional: 'boolean', merge: 'string', dtype: 'string',
} as const satisfies Record<string, Kind>;

function rnnConfig(m: RNNBase): Record<string, unknown> {
  return {
    inputSize: m.inputSize, hiddenSize: m.hiddenSize, numLayers: m.numLayers, bias: m.bias, batchFirst: m.batchFirst,
    dropout: m.dropout, bidirectional: m.bidirectional, merge: m.merge, dtype: m.dtype,
  };
}

registerModuleType('Linear', {
  cls: Linear,
  keys: { inFeatures: 'int', outFeatures: 'int', bias: 'boolean', dtype: 'string' },
  required: ['inFeatures', 'outFeatures'],
  toConfig: (m) => ({ inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null, dtype: m.weight.dtype }),
  fromConfig: (c) => new Linear(c.inFeatures as number, c.outFeatures as number, { ...(c.bias === false ? { bias: false } : {}), ...dtypeOpt(c) }),
});

registerModuleType('Embedding', {
  cls: Embedding,
  keys: { numEmbeddings: 'int', embeddingDim: 'int', paddingIdx: 'int|null', dtype: 'string' },
  required: ['numEmbeddings', 'embeddingDim'],
  toConfig: (m) => ({ numEmbeddings: m.numEmbeddings, embeddingDim: m.embeddingDim, paddingIdx: m.paddingIdx, dtype: m.weight.dtype }),
  fromConfig: (c) => new Embedding(c.numEmbeddings as number, c.embeddingDim as number, { paddingIdx: (c.paddingIdx as number | null | undefined) ?? null, ...dtypeOpt(c) }),
});

registerModuleType('RNN', {
  cls: RNN,
  keys: { ...rnnKeys, nonlinearity: 'string' },
  required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ ...rnnConfig(m), nonlinearity: m.nonlinearity }),
  fromConfig: (c) => new RNN(c as never),
});

registerModuleType('LSTM', {
  cls: LSTM,
  keys: { ...rnnKeys, projSize: 'int' },
  required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ ...rnnConfig(m), projSize: m.projSize }),
  fromConfig: (c) => new LSTM(c as never),
});

registerModuleType('GRU', {
  cls: GRU,
  keys: { ...rnnKeys, resetAfter: 'boolean' },
  required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ ...rnnConfig(m), resetAfter: m.resetAfter }),
  fromConfig: (c) => new GRU(c as never),
});

// The wider family (src/rnn/family): the options they share, then their own.
const familyKeys = {
  inputSize: 'int', hiddenSize: 'int', numLayers: 'int', bias: 'boolean', batchFirst: 'boolean', dropout: 'number',
  bidirectional: 'boolean', merge: 'string', dtype: 'string',
} as const satisfies Record<string, Kind>;
function familyConfig(m: CellStack): Record<string, unknown> {
  return {
    inputSize: m.inputSize, hiddenSize: m.hiddenSize, numLayers: m.numLayers, bias: m.bias, batchFirst: m.batchFirst,
    dropout: m.dropout, bidirectional: m.bidirectional, merge: m.merge, dtype: m.dtype,
  };
}
registerModuleType('JordanRNN', {
  cls: JordanRNN, keys: { ...familyKeys, outputSize: 'int', nonlinearity: 'string', outputActivation: 'string' }, required: ['inputSize', 'hiddenSize', 'outputSize'],
  toConfig: (m) => ({ ...familyConfig(m), outputSize: m.jordanOutputSize, nonlinearity: m.nonlinearity, outputActivation: m.outputActivation }),
  fromConfig: (c) => new JordanRNN(c as never),
});
registerModuleType('VariantLSTM', {
  cls: VariantLSTM, keys: { ...familyKeys, peepholes: 'boolean', coupled: 'boolean', projSize: 'int' }, required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ ...familyConfig(m), peepholes: m.peepholes, coupled: m.coupled, projSize: m.projSize }),
  fromConfig: (c) => new VariantLSTM(c as never),
});
registerModuleType('PeepholeLSTM', {
  cls: PeepholeLSTM, keys: { ...familyKeys, coupled: 'boolean', projSize: 'int' }, required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ ...familyConfig(m), coupled: m.coupled, projSize: m.projSize }),
  fromConfig: (c) => new PeepholeLSTM(c as never),
});
registerModuleType('CoupledLSTM', {
  cls: CoupledLSTM, keys: { ...familyKeys, peepholes: 'boolean', projSize: 'int' }, required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ ...familyConfig(m), peepholes: m.peepholes, projSize: m.projSize }),
  fromConfig: (c) => new CoupledLSTM(c as never),
});
registerModuleType('ClockworkRNN', {
  cls: ClockworkRNN, keys: { ...familyKeys, periods: 'ints', nonlinearity: 'string' }, required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ ...familyConfig(m), periods: [...m.periods], nonlinearity: m.nonlinearity }),
  fromConfig: (c) => new ClockworkRNN(c as never),
});
registerModuleType('IndRNN', {
  cls: IndRNN, keys: { ...familyKeys, nonlinearity: 'string', recurrentMax: 'number|null' }, required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ ...familyConfig(m), nonlinearity: m.nonlinearity, recurrentMax: m.recurrentMax }),
  fromConfig: (c) => new IndRNN({ ...(c as object), recurrentMax: (c.recurrentMax as number | null | undefined) ?? undefined } as never),
});
registerModuleType('MinGRU', { cls: MinGRU, keys: familyKeys, required: ['inputSize', 'hiddenSize'], toConfig: (m) => familyConfig(m), fromConfig: (c) => new MinGRU(c as never) });
registerModuleType('MinLSTM', { cls: MinLSTM, keys: familyKeys, required: ['inputSize', 'hiddenSize'], toConfig: (m) => familyConfig(m), fromConfig: (c) => new MinLSTM(c as never) });
registerModuleType('QRNN', {
  cls: QRNN, keys: { ...familyKeys, window: 'int' }, required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ ...familyConfig(m), window: m.window }),
  fromConfig: (c) => new QRNN(c as never),
});

const cellKeys = { inputSize: 'int', hiddenSize: 'int', bias: 'boolean', dtype: 'string' } as const satisfies Record<string, Kind>;
registerModuleType('RNNCell', {
  cls: RNNCell,
  keys: { ...cellKeys, nonlinearity: 'string' },
  required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ inputSize: m.inputSize, hiddenSize: m.hiddenSize, bias: m.bias, dtype: m.dtype, nonlinearity: m.nonlinearity }),
  fromConfig: (c) => new RNNCell(c as never),
});
registerModuleType('LSTMCell', {
  cls: LSTMCell,
  keys: cellKeys,
  required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ inputSize: m.inputSize, hiddenSize: m.hiddenSize, bias: m.bias, dtype: m.dtype }),
  fromConfig: (c) => new LSTMCell(c as never),
});
registerModuleType('GRUCell', {
  cls: GRUCell,
  keys: cellKeys,
  required: ['inputSize', 'hiddenSize'],
  toConfig: (m) => ({ inputSize: m.inputSize, hiddenSize: m.hiddenSize, bias: m.bias, dtype: m.dtype }),
  fromConfig: (c) => new GRUCell(c as never),
});

registerModuleType('Dropout', { cls: Dropout, keys: { p: 'number' }, toConfig: (m) => ({ p: m.p }), fromConfig: (c) => new Dropout(c.p as number | undefined) });
registerModuleType('Tanh', { cls: Tanh, keys: {}, toConfig: () => ({}), fromConfig: () => new Tanh() });
registerModuleType('Sigmoid', { cls: Sigmoid, keys: {}, toConfig: () => ({}), fromConfig: () => new Sigmoid() });
registerModuleType('ReLU', { cls: ReLU, keys: {}, toConfig: () => ({}), fromConfig: () => new ReLU() });
registerModuleType('Softmax', { cls: Softmax, keys: { dim: 'int' }, toConfig: (m) => ({ dim: m.dim }), fromConfig: (c) => new Softmax(c.dim as number | undefined) });
registerModuleType('LogSoftmax', { cls: LogSoftmax, keys: { dim: 'int' }, toConfig: (m) => ({ dim: m.dim }), fromConfig: (c) => new LogSoftmax(c.dim as number | undefined) });

registerModuleType('Sequential', {
  cls: Sequential,
  keys: { layers: 'modules' },
  toConfig: (m) => {
    const layers: ModuleConfig[] = [];
    for (let i = 0; i < m.length; i++) layers.push(moduleConfig(m.at(i) as Module));
    return { layers };
  },
  fromConfig: (c) => new Sequential(...((c.layers as TensorModule[] | undefined) ?? [])),
});

registerModuleType('CharLM', {
  cls: CharLM,
  keys: { vocabSize: 'int', embed: 'int', hidden: 'int', layers: 'int', cell: 'string' },
  required: ['vocabSize'],
  toConfig: (m) => ({ ...m.config }),
  fromConfig: (c) => new CharLM(c.vocabSize as number, c as { embed?: number; hidden?: number; layers?: number; cell?: CellType }),
});

registerModuleType('SeriesModel', {
  cls: SeriesModel,
  keys: { cell: 'string', hidden: 'int', layers: 'int' },
  toConfig: (m) => ({ ...m.config }),
  fromConfig: (c) => new SeriesModel(c as { cell?: CellType; hidden?: number; layers?: number }),
});

const reservoirKeys = {
  size: 'int', inputSize: 'int', density: 'number', spectralRadius: 'number', inputScaling: 'number', biasScaling: 'number',
  leakRate: 'number', feedbackSize: 'int', feedbackScaling: 'number', seed: 'int',
} as const satisfies Record<string, Kind>;
registerModuleType('Reservoir', {
  cls: Reservoir, keys: reservoirKeys, required: ['size', 'inputSize'],
  toConfig: (m) => ({ ...m.config }),
  fromConfig: (c) => new Reservoir(c as never),
});
registerModuleType('EchoStateNetwork', {
  cls: EchoStateNetwork, keys: { ...reservoirKeys, outputSize: 'int', featureBias: 'boolean', featureInput: 'boolean', featureState: 'boolean', featurePreviousOutput: 'boolean' },
  required: ['size', 'inputSize', 'outputSize'],
  toConfig: (m) => ({
    ...m.reservoir.config, outputSize: m.outputSize, featureBias: m.features.bias, featureInput: m.features.input, featureState: m.features.state,
    featurePreviousOutput: m.features.previousOutput,
  }),
  fromConfig: (c) => {
    const { featureBias, featureInput, featureState, featurePreviousOutput, ...rest } = c;
    const features = Object.fromEntries(Object.entries({ bias: featureBias, input: featureInput, state: featureState, previousOutput: featurePreviousOutput }).filter(([, v]) => v !== undefined));
    return new EchoStateNetwork({ ...(rest as object), features } as never);
  },
});

// Patterns, encoder–decoder and attention (src/seq2seq).
registerModuleType('Attention', {
  cls: Attention, keys: { querySize: 'int', keySize: 'int', score: 'string', attentionSize: 'int', dtype: 'string' }, required: ['querySize', 'keySize'],
  toConfig: (m) => ({ querySize: m.querySize, keySize: m.keySize, score: m.score, ...(m.attentionSize ? { attentionSize: m.attentionSize } : {}), dtype: m.dtype }),
  fromConfig: (c) => new Attention(c as never),
});
registerModuleType('Seq2Seq', {
  cls: Seq2Seq,
  keys: {
    srcVocab: 'int', tgtVocab: 'int', embed: 'int', hidden: 'int', decoderHidden: 'int', encoderCell: 'string', decoderCell: 'string',
    encoderLayers: 'int', decoderLayers: 'int', bidirectional: 'boolean', attention: 'string', attentionSize: 'int', initState: 'boolean',
    feedContext: 'boolean', bridge: 'string', inputFeeding: 'boolean', dropout: 'number', dtype: 'string',
  },
  required: ['srcVocab', 'tgtVocab'],
  toConfig: (m) => ({ ...m.config }),
  fromConfig: (c) => new Seq2Seq(c as never),
});
const patternKeys = { vocabSize: 'int', embed: 'int', inputSize: 'int', hidden: 'int', cell: 'string', layers: 'int', bidirectional: 'boolean', dropout: 'number', dtype: 'string' } as const satisfies Record<string, Kind>;
registerModuleType('SequenceClassifier', {
  cls: SequenceClassifier, keys: { ...patternKeys, classes: 'int', pooling: 'string' }, required: ['classes'],
  toConfig: (m) => ({ ...m.config }), fromConfig: (c) => new SequenceClassifier(c as never),
});
registerModuleType('SequenceTagger', {
  cls: SequenceTagger, keys: { ...patternKeys, outputs: 'int' }, required: ['outputs'],
  toConfig: (m) => ({ ...m.config }), fromConfig: (c) => new SequenceTagger(c as never),
});
registerModuleType('OneToMany', {
  cls: OneToMany, keys: { inputSize: 'int', outputSize: 'int', hidden: 'int', cell: 'string', layers: 'int', feed: 'string', dtype: 'string' }, required: ['inputSize', 'outputSize'],
  toConfig: (m) => ({ ...m.config }), fromConfig: (c) => new OneToMany(c as never),
});
