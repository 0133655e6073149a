import { describe, expect, it, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LSTM, GRU } from '../../src/rnn/index.js';
import { Generator } from '../../src/util/rng.js';
import { encodeCheckpoint, decodeCheckpoint, loadCheckpointWeights } from '../../src/io/checkpoint.js';
import { saveCheckpoint, loadCheckpoint, writeFileAtomic } from '../../src/node/index.js';
import { SerializationError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoints', () => {
  it('round-trip weights, step, nested optimizer state with typed arrays, rng, config', () => {
    const a = new LSTM({ inputSize: 3, hiddenSize: 4, generator: new Generator(1) });
    const g = new Generator(9);
    g.normal();
    const optimizer = { state: { 0: { exp_avg: new Float32Array([1, 2, 3]), step: 7 } }, groups: [{ lr: 0.01, betas: [0.9, 0.999] }], best: Infinity };
    const bytes = encodeCheckpoint(a, { step: 42, optimizer, rng: g.getState(), config: { kind: 'LSTM', hiddenSize: 4 }, extra: { vocab: ['a', 'b'] } });
    const ck = decodeCheckpoint(bytes);
    expect(ck.step).toBe(42);
    expect(ck.config).toEqual({ kind: 'LSTM', hiddenSize: 4 });
    expect(ck.extra).toEqual({ vocab: ['a', 'b'] });
    const st = ck.optimizer as typeof optimizer;
    expect(Array.from(st.state[0].exp_avg)).toEqual([1, 2, 3]);
    expect(st.state[0].exp_avg).toBeInstanceOf(Float32Array);
    expect(st.best).toBe(Infinity);
    const g2 = new Generator(0);
    g2.setState(ck.rng as ReturnType<Generator['getState']>);
    expect(g2.normal()).toBe(g.normal());
    const b = new LSTM({ inputSize: 3, hiddenSize: 4, generator: new Generator(2) });
    loadCheckpointWeights(b, ck);
    for (const [n, p] of a.namedParameters()) expect(Array.from(b.getParameter(n)!.data)).toEqual(Array.from(p.data));
  });

  it('rejects a checkpoint from a different model shape, naming the key and leaving the model unchanged', () => {
    const a = new GRU({ inputSize: 3, hiddenSize: 4 });
    const b = new GRU({ inputSize: 3, hiddenSize: 5 });
    const before = b.getParameter('weight_ih_l0')!.toFlatArray();
    expect(() => loadCheckpointWeights(b, decodeCheckpoint(encodeCheckpoint(a)), 'run.ckpt')).toThrowErrorMatchingInlineSnapshot(`[SerializationError: run.ckpt: the checkpoint does not fit this model: GRU.loadStateDict: argument 'weight_ih_l0' must have shape [15, 3] (the module's), got shape [12, 3]]`);
    expect(b.getParameter('weight_ih_l0')!.toFlatArray()).toEqual(before);
  });

  it('rejects truncated and corrupt files and plain safetensors with clear errors', () => {
    const bytes = encodeCheckpoint(new GRU({ inputSize: 2, hiddenSize: 2 }), { step: 1 });
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 3), 'x.ckpt')).toThrow(SerializationError);
    expect(() => decodeCheckpoint(bytes.subarray(0, 5), 'x.ckpt')).toThrowErrorMatchingInlineSnapshot(`[SerializationError: x.ckpt: file too short (5 bytes): no 8-byte header length]`);
    const garbled = bytes.slice();
    garbled[9] = 0x7d; // "{}…": the JSON header no longer parses
    expect(() => decodeCheckpoint(garbled, 'x.ckpt')).toThrow(SerializationError);
  });

  it('saves atomically: the file is complete, no temporary files remain, and a failed save keeps the old file', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 3 });
    const path = join(dir, 'model.ckpt');
    saveCheckpoint(path, m, { step: 1 });
    const first = readFileSync(path);
    saveCheckpoint(path, m, { step: 2 });
    expect(loadCheckpoint(path).step).toBe(2);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // Make the directory unwritable: the save fails and the previous checkpoint survives.
    writeFileSync(path, first);
    if (process.getuid?.() !== 0) {
      chmodSync(dir, 0o555);
      expect(() => saveCheckpoint(path, m, { step: 3 })).toThrow();
      chmodSync(dir, 0o755);
    } else {
      expect(() => writeFileAtomic(join(dir, 'missing-dir', 'x.ckpt'), new Uint8Array(4))).toThrow();
    }
    expect(loadCheckpoint(path).step).toBe(1);
  });

  it('refuses files above the size limit before reading them', () => {
    const path = join(dir, 'big.ckpt');
    writeFileSync(path, new Uint8Array(1000));
    expect(() => loadCheckpoint(path, { maxBytes: 100 })).toThrow(/above the limit of 100 bytes/);
  });
});
