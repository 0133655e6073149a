// The G2P data rules (examples/g2p/data.ts) on a small dictionary, and the split on the
// real one: disjoint, complete, 90/5/5, reproducible from its seed; the script's --ensemble
// evaluation on small untrained checkpoints.
import { describe, expect, it } from 'vitest';
import { pairsFromDict, splitG2P, encodeWord, encodePhones, PAD, BOS, EOS } from '../../examples/g2p/data.js';
import { cmudict, saveCheckpoint } from '../../src/node/index.js';
import { Seq2Seq, Generator, moduleConfig } from '../../src/index.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('G2P data', () => {
  it('letters-only words, primary pronunciation, stress removed, sorted', () => {
    const pairs = pairsFromDict({ 'READ': 'R IY1 D', 'READ(1)': 'R EH1 D', "A'S": 'EY1 Z', 'A.': 'EY1', 'ABBA': 'AE1 B AH0', 'X2': 'EH1 K S' });
    expect(pairs).toEqual([{ word: 'ABBA', phones: ['AE', 'B', 'AH'] }, { word: 'READ', phones: ['R', 'IY', 'D'] }]);
  });
  it('the CMUdict split: disjoint, complete, 90/5/5, the same for the same seed', () => {
    const pairs = pairsFromDict(cmudict());
    const a = splitG2P(pairs);
    const b = splitG2P(pairs);
    const words = (x: { word: string }[]): string[] => x.map((p) => p.word);
    expect(words(a.test)).toEqual(words(b.test));
    expect(words(splitG2P(pairs, 7).test)).not.toEqual(words(a.test));
    const all = new Set([...words(a.train), ...words(a.dev), ...words(a.test)]);
    expect(all.size).toBe(pairs.length);
    expect(a.train.length + a.dev.length + a.test.length).toBe(pairs.length);
    expect(Math.abs(a.dev.length - 0.05 * pairs.length)).toBeLessThan(2);
    expect(Math.abs(a.test.length - 0.05 * pairs.length)).toBeLessThan(2);
    // 26 letters + padding; 39 phonemes + padding, start, end.
    expect(a.letters.size).toBe(27);
    expect(a.phonemes.size).toBe(42);
    expect([a.phonemes.id('<pad>'), a.phonemes.id('<s>'), a.phonemes.id('</s>')]).toEqual([PAD, BOS, EOS]);
    expect(a.letters.id('<pad>')).toBe(PAD);
    expect(encodeWord(a.letters, 'AB')).toEqual([1, 2]);
    expect(a.phonemes.tokens[encodePhones(a.phonemes, ['AA'])[0] as number]).toBe('AA');
  });
});

describe('G2P script', () => {
  it('rejects a bad --label-smoothing or --threads before any work, naming the flag', () => {
    for (const [flag, value] of [['--label-smoothing', '1'], ['--label-smoothing', '-0.1'], ['--threads', '0'], ['--threads', '1.5']] as const) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/g2p/run.ts', flag, value], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, `${flag} ${value}`).toBe(2);
      expect(String(r.stderr)).toContain(`g2p: ${flag} must be`);
      expect(String(r.stderr)).toContain(`got "${value}"`);
    }
  }, 60_000);
  it('--ensemble --quick decodes checkpoints of different sizes as one model; a checkpoint of another vocabulary fails clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'g2p-ens-'));
    try {
      const paths = [12, 16].map((hidden, i) => {
        const m = new Seq2Seq({ srcVocab: 27, tgtVocab: 42, embed: 8, hidden, generator: new Generator(i + 1) });
        const path = join(dir, `m${i}.safetensors`);
        saveCheckpoint(path, m, { step: 7, config: moduleConfig(m) });
        return path;
      });
      const run = (ckpts: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, ['--import', 'tsx', 'examples/g2p/run.ts', '--quick', '--beam', '2', '--ensemble', ckpts.join(',')], { cwd: root, encoding: 'utf8' });
      const ok = run(paths);
      expect(ok.status, String(ok.stderr)).toBe(0);
      expect(String(ok.stdout)).toMatch(/member .*m0\.safetensors: update 7, hidden 12/);
      expect(String(ok.stdout)).toMatch(/ensemble of 2: dev \(200 words, greedy\) PER \d+\.\d\d % WER \d+\.\d\d %/);
      expect(String(ok.stdout)).toMatch(/ensemble of 2: testBeam \(200 words, beam 2\)/);
      const other = new Seq2Seq({ srcVocab: 27, tgtVocab: 40, embed: 8, hidden: 12 });
      const bad = join(dir, 'other.safetensors');
      saveCheckpoint(bad, other, { config: moduleConfig(other) });
      const fail = run([paths[0] as string, bad]);
      expect(fail.status).not.toBe(0);
      expect(String(fail.stderr)).toMatch(/target vocabulary/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
