// End-to-end tests of the `recurrent` command line: each command runs as a separate
// process in a temporary directory, with short runs — the BUILT command (dist/cli/bin.js,
// what `npx recurrent` runs); the build is refreshed first when a source file is newer.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobyDick } from '../../src/node/datasets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'dist', 'cli', 'bin.js');
const dir = mkdtempSync(join(tmpdir(), 'recurrent-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function newestSource(d: string): number {
  return readdirSync(d).reduce((m, f) => {
    const p = join(d, f);
    const st = statSync(p);
    return Math.max(m, st.isDirectory() ? newestSource(p) : st.mtimeMs);
  }, 0);
}

beforeAll(() => {
  // npm install builds dist (prepare); after editing sources, rebuild the TypeScript part.
  if (!existsSync(bin) || statSync(bin).mtimeMs < newestSource(join(root, 'src'))) {
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building the CLI failed:\n${r.stdout}${r.stderr}`);
  }
}, 120_000);

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, RECURRENT_THREADS: '1' }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function jsonLines(s: string): Record<string, unknown>[] {
  return s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const tiny = ['--hidden', '16'];

describe('recurrent CLI', () => {
  it('--help lists the commands; every command has help with examples', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['demo', 'train', 'sample', 'eval', 'info', 'export', 'bench']) expect(r.stdout).toContain(c);
    for (const c of ['demo', 'train', 'sample', 'eval', 'info', 'export']) {
      const h = cli(c, '--help');
      expect(h.code, c).toBe(0);
      expect(h.stdout, c).toMatch(/Examples?:\n {2}npx recurrent/);
    }
  });

  let ckpt = '';
  it('demo trains, reports progress as JSON lines, saves a model and its curve', () => {
    const r = cli('demo', '--steps', '3', ...tiny, '--out', 'demo', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events[0]).toMatchObject({ event: 'start', vocabulary: 83 });
    const done = events.find((e) => e.event === 'done') as { checkpoint: string; steps: number; valLoss: number };
    expect(done.steps).toBe(3);
    expect(Number.isFinite(done.valLoss)).toBe(true);
    ckpt = join(dir, done.checkpoint);
    expect(existsSync(ckpt)).toBe(true);
    expect(readFileSync(join(dir, 'demo', 'curve.csv'), 'utf8')).toMatch(/^step,val_loss,val_bits_per_char,seconds\n3,/);
    const svg = readFileSync(join(dir, 'demo', 'curve.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('validation loss');
    expect(events.some((e) => e.event === 'sample' && typeof e.text === 'string' && (e.text as string).startsWith('The '))).toBe(true);
  });

  it('sample, info and eval read the saved model', () => {
    const s = cli('sample', ckpt, '--prompt', 'Call me', '--length', '30', '--top-k', '5', '--json');
    expect(s.code).toBe(0);
    const text = (jsonLines(s.stdout)[0] as { text: string }).text;
    expect(text.startsWith('Call me')).toBe(true);
    expect(Array.from(text).length).toBe(37);
    // Same seed, same text; plain output is the text itself.
    expect(cli('sample', ckpt, '--prompt', 'Call me', '--length', '30', '--top-k', '5').stdout).toBe(`${text}\n`);

    const i = cli('info', ckpt);
    expect(i.code).toBe(0);
    expect(i.stdout).toMatch(/lstm\.weight_ih_l0\s+\[64, 64\]/);
    expect(i.stdout).toMatch(/head\.weight\s+\[83, 16\]/);
    expect(i.stdout).toMatch(/total: [\d,]+ parameters/);

    writeFileSync(join(dir, 'chapter.txt'), mobyDick().slice(5000, 9000));
    const e = cli('eval', ckpt, '--text', 'chapter.txt', '--json');
    expect(e.code).toBe(0);
    const m = jsonLines(e.stdout)[0] as { loss: number; bitsPerChar: number; perplexity: number };
    expect(m.bitsPerChar).toBeCloseTo(m.loss / Math.LN2, 10);
    expect(m.perplexity).toBeCloseTo(Math.exp(m.loss), 6);
  });

  it('export writes safetensors (F32, BF16) that rebuild the model and ONNX that runs with the same logits', async () => {
    const { loadModule } = await import('../../src/node/files.js');
    const { loadOnnx } = await import('../../src/onnx/import.js');
    const { parseSafetensors } = await import('../../src/io/safetensors.js');
    const { Tensor } = await import('../../src/tensor/tensor.js');
    const ids = new Tensor(Int32Array.from([5, 6, 7, 8, 9, 10]), [3, 2]);
    const ref = loadModule((() => {
      const r = cli('export', ckpt, '--out', 'out/lm.safetensors', '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(jsonLines(r.stdout)[0]).toMatchObject({ event: 'export', format: 'safetensors' });
      return join(dir, 'out', 'lm.safetensors');
    })()) as import('../../src/models/char-lm.js').CharLM;
    const meta = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'out', 'lm.safetensors')))).metadata;
    expect(JSON.parse(meta['recurrent.vocab'] as string)).toBeTruthy();
    expect(cli('export', ckpt, '--out', 'out/lm16.safetensors', '--dtype', 'bf16').code).toBe(0);
    expect(parseSafetensors(new Uint8Array(readFileSync(join(dir, 'out', 'lm16.safetensors')))).tensors.get('head.weight')?.dtype).toBe('BF16');
    expect(cli('export', ckpt, '--out', 'out/lm.onnx', '-q').code).toBe(0);
    const onnxModel = loadOnnx(new Uint8Array(readFileSync(join(dir, 'out', 'lm.onnx'))));
    expect(onnxModel.metadata['recurrent.vocab']).toBe(meta['recurrent.vocab']);
    const fromOnnx = onnxModel.run({ ids, h0: new Tensor(new Float32Array(2 * 2 * 16), [2, 2, 16]), c0: new Tensor(new Float32Array(2 * 2 * 16), [2, 2, 16]) });
    const expected = ref.forward(ids).logits;
    const diff = Math.max(...Array.from(expected.data, (v, i) => Math.abs(v - (fromOnnx.output?.data[i] as number))));
    expect(diff).toBeLessThanOrEqual(1e-5);
    const bad = cli('export', ckpt, '--out', 'out/lm.bin');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^recurrent: --format: expected 'safetensors' or 'onnx'/);
    expect(cli('export', ckpt, '--out', 'x.safetensors', '--dtype', 'F8').stderr).toMatch(/--dtype: expected F32, F16 or BF16/);
  });

  it('train from a text file and a JSON config, then resume', () => {
    writeFileSync(join(dir, 'corpus.txt'), mobyDick().slice(0, 20_000));
    writeFileSync(join(dir, 'train.json'), JSON.stringify({ text: 'corpus.txt', embed: 8, hidden: 12, layers: 1, batch: 4, bptt: 16, steps: 4, evalEvery: 2, out: 'run' }));
    const a = cli('train', '--config', 'train.json', '--quiet');
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('');
    expect(a.stdout).toMatch(/saved run\/model\.ckpt after 4 steps/);
    const b = cli('train', '--config', 'train.json', '--resume', 'run/model.ckpt', '--steps', '2', '--out', 'run2', '--json');
    expect(b.code).toBe(0);
    expect(jsonLines(b.stdout).find((e) => e.event === 'done')).toMatchObject({ steps: 6 });
    expect(cli('info', 'run2/model.ckpt').stdout).toMatch(/trained 6 steps/);
  });

  it('train from a YAML config with another cell type, optimizer and schedule; resume continues it', () => {
    writeFileSync(join(dir, 'corpus2.txt'), mobyDick().slice(0, 20_000));
    writeFileSync(join(dir, 'train.yaml'), [
      '# a minGRU language model', 'text: corpus2.txt', 'cell: mingru', 'embed: 8', 'hidden: 12', 'layers: 2', 'batch: 4', 'bptt: 16',
      'optimizer: sgd', 'lr: 0.05', 'schedule: cosine', 'steps: 4', 'evalEvery: 2', 'out: yrun', '',
    ].join('\n'));
    const a = cli('train', '--config', 'train.yaml', '--json');
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(jsonLines(a.stdout).find((e) => e.event === 'done')).toMatchObject({ steps: 4 });
    expect(cli('info', 'yrun/model.ckpt').stdout).toMatch(/rnn\.weight_ih_l1/);
    const s = cli('sample', 'yrun/model.ckpt', '--length', '20', '--json');
    expect(s.code).toBe(0);
    expect((jsonLines(s.stdout)[0] as { text: string }).text.length).toBeGreaterThan(20);
    const b = cli('train', '--config', 'train.yaml', '--resume', 'yrun/model.ckpt', '--steps', '8', '--out', 'yrun2', '--quiet');
    expect(b.code, b.stderr).toBe(0);
    const c = cli('train', '--config', 'train.yaml', '--cell', 'gru', '--resume', 'yrun/model.ckpt', '--out', 'yrun3');
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/checkpoint's model \(mingru.*differs/);
    writeFileSync(join(dir, 'bad.yaml'), 'cell: transformer\n');
    expect(cli('train', '--config', 'bad.yaml').stderr).toMatch(/'cell' must be one of lstm, gru, .*got "transformer"/);
    writeFileSync(join(dir, 'broken.yaml'), 'cell: [unclosed\n');
    const broken = cli('train', '--config', 'broken.yaml');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.yaml: not valid YAML/);
    expect(cli('train', '--cell', 'nope').stderr).toMatch(/Allowed choices are lstm, gru/);
  });

  it('time series: train on a CSV column, forecast, evaluate, inspect, export; built-in us-births', async () => {
    const rows = ['day,value,note'];
    for (let t = 0; t < 800; t++) rows.push(`${t},${(10 + 3 * Math.sin((2 * Math.PI * t) / 7) + 0.1 * Math.cos(t)).toFixed(4)},x`);
    writeFileSync(join(dir, 'series.csv'), `${rows.join('\n')}\n`);
    const a = cli('train', '--csv', 'series.csv', '--column', 'value', '--cell', 'gru', '--hidden', '8', '--bptt', '16', '--steps', '20', '--eval-every', '10', '--out', 'ts', '--json');
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const done = jsonLines(a.stdout).find((e) => e.event === 'done') as { valRmse: number; persistenceRmse: number };
    expect(Number.isFinite(done.valRmse) && Number.isFinite(done.persistenceRmse)).toBe(true);
    expect(readFileSync(join(dir, 'ts', 'curve.svg'), 'utf8')).toMatch(/^<svg/);
    const f = cli('sample', 'ts/model.ckpt', '--length', '7', '--json');
    expect(f.code).toBe(0);
    expect((jsonLines(f.stdout)[0] as { values: number[] }).values).toHaveLength(7);
    const e = cli('eval', 'ts/model.ckpt', '--json');
    expect(jsonLines(e.stdout)[0]).toMatchObject({ event: 'eval', count: 799 });
    expect(cli('info', 'ts/model.ckpt').stdout).toMatch(/time-series forecaster \(gru\) of "value"/);
    const { loadModule } = await import('../../src/node/files.js');
    expect(cli('export', 'ts/model.ckpt', '--out', 'ts.safetensors').code).toBe(0);
    expect(loadModule(join(dir, 'ts.safetensors')).constructor.name).toBe('SeriesModel');
    expect(cli('export', 'ts/model.ckpt', '--out', 'ts.onnx').code).toBe(0);
    const births = cli('train', '--dataset', 'us-births', '--hidden', '4', '--steps', '3', '--eval-every', '3', '--out', 'births', '--quiet');
    expect(births.code, births.stderr).toBe(0);
    expect(births.stdout).toMatch(/persistence baseline RMSE/);
    const bad: [string[], RegExp][] = [
      [['train', '--csv', 'series.csv', '--column', 'nope', '--steps', '1'], /--column.*"day", "value", "note"/],
      [['train', '--csv', 'series.csv', '--column', 'note', '--steps', '1'], /numbers in column "note".*series\.csv row 2/],
      [['train', '--csv', 'series.csv', '--steps', '1'], /--column is required/],
      [['train', '--csv', 'series.csv', '--column', 'value', '--text', 'corpus.txt'], /cannot be combined/],
      [['eval', 'ts/model.ckpt', '--csv', 'missing.csv'], /missing\.csv: no such file/],
    ];
    for (const [args, msg] of bad) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
  });

  it('bad input: one line on stderr, a meaningful exit code, no stack trace', () => {
    const cases: [string[], number, RegExp][] = [
      [['sample', 'missing.ckpt'], 1, /missing\.ckpt: no such file/],
      [['sample', 'chapter.txt'], 1, /chapter\.txt: not a readable recurrent checkpoint/],
      [['sample', ckpt, '--prompt', 'Ω'], 1, /argument 'prompt' must be characters of the model's vocabulary, got "Ω"/],
      [['sample', ckpt, '--temperature', '0'], 2, /--temperature must be a positive number, got '0'/],
      [['demo', '--bogus'], 2, /unknown option '--bogus'/],
      [['train', '--text', 'nope.txt', '--steps', '1'], 1, /--text nope\.txt: no such file/],
      [['eval', ckpt, '--text', 'nope.txt'], 1, /nope\.txt: no such file/],
    ];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ hidden: 'big' }));
    writeFileSync(join(dir, 'unknown.json'), JSON.stringify({ hiden: 3 }));
    cases.push([['train', '--config', 'bad.json'], 2, /'hidden' must be a number, got "big"/]);
    cases.push([['train', '--config', 'unknown.json'], 2, /unknown key 'hiden'/]);
    for (const [args, code, msg] of cases) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    const v = cli('sample', 'missing.ckpt', '--verbose');
    expect(v.stderr).toMatch(/\n\s+at /);
  });

  it('Ctrl-C during training saves a checkpoint and exits with 130', async () => {
    const child = spawn(process.execPath, [bin, 'demo', '--minutes', '5', ...tiny, '--out', 'interrupted', '--json'], { cwd: dir, env: { ...process.env, RECURRENT_THREADS: '1' } });
    let out = '';
    const code = await new Promise<number>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"event":"step"') && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c ?? -1));
    });
    expect(code).toBe(130);
    expect(jsonLines(out).find((e) => e.event === 'done')).toMatchObject({ interrupted: true });
    expect(existsSync(join(dir, 'interrupted', 'model.ckpt'))).toBe(true);
  }, 60_000);
});
