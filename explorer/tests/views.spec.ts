// Browser tests of every explorer view: load it, train, check that the charts change while
// training, that the numbers the page shows equal the library's numbers computed here in
// Node for the same seed (reference.ts), that bad input gives a visible message, and save
// a screenshot to docs/explorer/.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { CharLM, Generator, decodeModule, encodeWeights } from '../../src/index.js';
import { assert, assertClose, type Spec } from './harness.js';
import { esnReference, g2pReference, gatesReference, gradientsReference, lmReference, unrolledReference } from './reference.js';

type State = Record<string, unknown>;

async function state<T = State>(page: Page, view: string): Promise<T> {
  return page.evaluate((v) => JSON.parse(JSON.stringify((window as unknown as { explorerState: Record<string, unknown> }).explorerState[v])) as unknown, view) as Promise<T>;
}

async function setInputs(page: Page, values: Record<string, string | number>): Promise<void> {
  for (const [k, v] of Object.entries(values)) {
    const input = page.getByTestId(`input-${k}`);
    if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption(String(v));
    else await input.fill(String(v));
  }
}

async function waitDone(page: Page, view: string, timeout = 90_000): Promise<void> {
  await page.waitForFunction((v) => (window as unknown as { explorerState: Record<string, { done?: boolean }> }).explorerState[v]?.done === true, view, { timeout, polling: 100 });
}

const updates = async (page: Page, chart: string): Promise<number> => Number(await page.getByTestId(chart).getAttribute('data-updates'));

/**
 * Starts a run with `start` and checks that the chart was redrawn at least three times
 * while the model trained, with more data each time, and that its pixels at the end differ
 * from before the run. (Element screenshots in the middle of a run come too late on a
 * loaded 2-core machine to be a reliable sample, so the page records the data size of each
 * redraw in data-history.)
 */
async function assertChartChanges(page: Page, view: string, chart: string, start: () => Promise<void>): Promise<number> {
  const loc = page.getByTestId(chart);
  const u0 = await updates(page, chart);
  const img0 = await loc.screenshot({ animations: 'disabled' });
  await start();
  await waitDone(page, view);
  await page.waitForTimeout(300);
  const u1 = await updates(page, chart);
  const img1 = await loc.screenshot({ animations: 'disabled' });
  const history = ((await loc.getAttribute('data-history')) ?? '').split(',').map(Number).slice(-(u1 - u0));
  assert(u1 - u0 >= 3, `${chart}: only ${u1 - u0} redraws while training`);
  assert(history.every((v, i) => i === 0 || v >= history[i - 1]!) && history[history.length - 1]! > history[0]!, `${chart}: the data did not grow: ${history.join(',')}`);
  if (img0.equals(img1)) writeFileSync(`/tmp/${chart}-same.png`, img1);
  assert(!img0.equals(img1), `${chart}: the chart's pixels did not change`);
  return u1 - u0;
}

/** Types values into number fields and leaves them (the page checks caps on change). */
async function typeAndLeave(page: Page, values: Record<string, string | number>): Promise<void> {
  for (const [k, v] of Object.entries(values)) {
    const input = page.getByTestId(`input-${k}`);
    await input.fill(String(v));
    await input.dispatchEvent('change');
  }
}

async function messages(page: Page, testid = 'messages'): Promise<string> {
  return (await page.getByTestId(testid).textContent()) ?? '';
}

export const specs: Spec[] = [
  {
    name: 'unrolled',
    async run({ page, url, screenshot, log }) {
      await page.goto(`${url}#unrolled`);
      // It starts training on load.
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-unrolled-loss"]')?.getAttribute('data-updates')) > 0, null, { timeout: 60_000 });
      // Bad sizes: capped, with the reason.
      await typeAndLeave(page, { hidden: 100, T: 500 });
      const m = await messages(page);
      assert(m.includes('capped at 8') && m.includes('capped at 12'), `cap messages, got: ${m}`);
      // Fixed seed, fixed number of updates: compare with Node.
      const p = { cell: 'lstm', hidden: 4, T: 6, lr: 0.01, seed: 3, steps: 1500 };
      await setInputs(page, { cell: p.cell, hidden: p.hidden, T: p.T, lr: p.lr, seed: p.seed, steps: p.steps });
      await page.getByTestId('stop').click();
      await page.waitForTimeout(500);
      const redraws = await assertChartChanges(page, 'unrolled', 'chart-unrolled-loss', () => page.getByTestId('start').click());
      const s = await state<{ step: number; losses: number[]; trace: { series: Record<string, number[][]>; maxDiff: number }; yHat: number; y: number }>(page, 'unrolled');
      const ref = unrolledReference(p);
      assert(s.step === p.steps, `step ${s.step}`);
      const dl = assertClose('losses', s.losses, ref.losses);
      const dh = assertClose('h_t', s.trace.series.h, ref.h);
      const dc = assertClose('c_t', s.trace.series.c, ref.c);
      assertClose('ŷ', s.yHat, ref.yHat);
      assert(s.y === ref.y, 'target y');
      const boxes = await page.locator('[data-testid="unrolled-svg"] > g').count();
      assert(boxes === p.T, `${boxes} step boxes`);
      const shown = await page.getByTestId('readout').getAttribute('data-yhat');
      assertClose('ŷ shown', Number(shown), ref.yHat);
      log(`1500 updates, ${redraws} redraws: max |page − Node| loss ${dl.toExponential(1)}, h ${dh.toExponential(1)}, c ${dc.toExponential(1)}; page trace vs LSTM.forward ${s.trace.maxDiff.toExponential(1)}`);
      await page.setViewportSize({ width: 1900, height: 900 }); // the whole unrolled diagram in the picture
      await screenshot('unrolled');
    },
  },
  {
    name: 'gates',
    async run({ page, url, screenshot, log }) {
      await page.goto(`${url}#gates`);
      const p = { cell: 'lstm' as const, embed: 16, hidden: 24, layers: 1, lr: 0.01, seqLen: 32, batch: 16, seed: 2, steps: 300 };
      const text = 'Call me Ishmael. Some years ago';
      await setInputs(page, { cell: p.cell, hidden: p.hidden, lr: p.lr, seqLen: p.seqLen, seed: p.seed, steps: p.steps, text });
      await assertChartChanges(page, 'gates', 'chart-gates-loss', () => page.getByTestId('start').click());
      const s = await state<{ step: number; losses: number[]; trace: { series: Record<string, number[][]>; tokens: string[] } }>(page, 'gates');
      const ref = lmReference(p);
      const dl = assertClose('losses', s.losses, ref.losses);
      const gates = gatesReference(ref.model, ref.vocab, text);
      let worst = 0;
      for (const k of ['i', 'f', 'g', 'o', 'c', 'h']) worst = Math.max(worst, assertClose(`gate ${k}`, s.trace.series[k], gates[k]));
      assert(s.trace.tokens.join('') === text, 'traced text');
      assert(await page.getByTestId('chart-gate-f').count() === 1, 'forget-gate heat map');
      log(`300 updates: max |page − Node| loss ${dl.toExponential(1)}, gates and states ${worst.toExponential(1)}`);
      await screenshot('gates');
      // Characters the model has never seen: a visible message, the maps stay.
      await page.getByTestId('input-text').fill('Ishmael ☃ ü');
      await page.waitForFunction(() => (document.querySelector('[data-testid="text-messages"]')?.textContent ?? '').includes('never seen'), null, { timeout: 10_000 });
      const m = await messages(page, 'text-messages');
      assert(m.includes('"☃"') && m.includes('"ü"'), `unknown-character message: ${m}`);
    },
  },
  {
    name: 'gradients',
    async run({ page, url, screenshot, log }) {
      await page.goto(`${url}#gradients`);
      await typeAndLeave(page, { T: 100000, hidden: 5000 });
      const m = await messages(page);
      assert(m.includes('capped at 400') && m.includes('capped at 128'), `cap messages: ${m}`);
      const p = { T: 50, hidden: 32, lr: 0.003, seed: 2, steps: 60 };
      await setInputs(page, { T: p.T, hidden: p.hidden, lr: p.lr, seed: p.seed, steps: p.steps });
      await assertChartChanges(page, 'gradients', 'chart-grad-norms', () => page.getByTestId('start').click());
      const s = await state<{ step: number; losses: Record<string, number[]>; norms: Record<string, number[]>; initNorms: Record<string, number[]> }>(page, 'gradients');
      const ref = gradientsReference(p);
      let worst = 0;
      for (const c of ['rnn', 'lstm', 'gru']) {
        worst = Math.max(worst, assertClose(`${c} losses`, s.losses[c], ref[c]!.losses));
        assertClose(`${c} norms after update 1`, s.initNorms[c], ref[c]!.first, 1e-4, 1e-30);
        assertClose(`${c} norms after update ${p.steps}`, s.norms[c], ref[c]!.last, 1e-4, 1e-30);
      }
      const shown = Number(await page.getByTestId('readout').getAttribute('data-losslstm'));
      assertClose('LSTM loss shown', shown, ref.lstm!.losses[p.steps - 1]);
      const text = (await page.getByTestId('readout').textContent()) ?? '';
      assert(text.includes(ref.gru!.losses[p.steps - 1]!.toFixed(5)), `GRU loss in the readout: ${text}`);
      log(`60 updates × 3 models: max |page − Node| loss ${worst.toExponential(1)}; ‖∂L/∂h_0‖ RNN ${ref.rnn!.last[0]!.toExponential(2)}, LSTM ${ref.lstm!.last[0]!.toExponential(2)}, GRU ${ref.gru!.last[0]!.toExponential(2)}`);
      await screenshot('gradients');
    },
  },
  {
    name: 'attention',
    async run({ page, url, screenshot, log }) {
      await page.goto(`${url}#attention`);
      await page.waitForFunction(() => (window as unknown as { explorerState: { attention: { greedy: unknown } } }).explorerState.attention.greedy !== null, null, { timeout: 60_000 });
      for (const word of ['PHONEME', 'recurrent']) {
        const before = await updates(page, 'chart-attention');
        await page.getByTestId('input-word').fill(word);
        await page.waitForFunction(([w, n]) => {
          const s = (window as unknown as { explorerState: { attention: { word: string } } }).explorerState.attention;
          return s.word === w && Number(document.querySelector('[data-testid="chart-attention"]')?.getAttribute('data-updates')) > (n as number);
        }, [word.toUpperCase(), before] as const, { timeout: 30_000 });
        const s = await state<{ greedy: { phonemes: string[]; attention: number[][]; logProb: number }; beam: { phonemes: string[] }[] }>(page, 'attention');
        const ref = g2pReference(word.toUpperCase(), 5);
        assert(s.greedy.phonemes.join(' ') === ref.phonemes.join(' '), `${word}: page ${s.greedy.phonemes.join(' ')} vs Node ${ref.phonemes.join(' ')}`);
        const da = assertClose(`${word} attention`, s.greedy.attention, ref.attention, 1e-4, 1e-6);
        assertClose(`${word} log p`, s.greedy.logProb, ref.logProb);
        assert(JSON.stringify(s.beam.map((b) => b.phonemes)) === JSON.stringify(ref.beam), `${word}: beam`);
        const shown = (await page.getByTestId('greedy').textContent()) ?? '';
        assert(shown.includes(ref.phonemes.join(' ')), `phonemes shown: ${shown}`);
        log(`${word.toUpperCase()} → ${ref.phonemes.join(' ')} (page = Node); attention max |diff| ${da.toExponential(1)}`);
      }
      await screenshot('attention');
      // A word with characters the model does not know.
      await page.getByTestId('input-word').fill('Café-au-lait');
      await page.waitForFunction(() => (document.querySelector('[data-testid="messages"]')?.textContent ?? '').includes('does not know'), null, { timeout: 10_000 });
      const m = await messages(page);
      assert(m.includes('"É"') && m.includes('"-"'), `unknown letters: ${m}`);
      assert(await page.getByTestId('chart-attention').isVisible(), 'the last heat map stays');
      await screenshot('attention-unknown-letters');
      // A weights file for another model, and a file that is not safetensors at all.
      const lm = encodeWeights(new CharLM(12, { embed: 4, hidden: 8, layers: 1, generator: new Generator(0) }));
      await page.getByTestId('input-file').setInputFiles({ name: 'charlm.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(lm) });
      await page.waitForFunction(() => (document.querySelector('[data-testid="messages"]')?.textContent ?? '').includes('is not a G2P model'), null, { timeout: 10_000 });
      await screenshot('attention-wrong-weights');
      await page.getByTestId('input-file').setInputFiles({ name: 'notes.safetensors', mimeType: 'text/plain', buffer: Buffer.from('hello, this is not a model') });
      await page.waitForFunction(() => (document.querySelector('[data-testid="messages"]')?.textContent ?? '').includes('not a readable safetensors file'), null, { timeout: 10_000 });
      // The model is still the trained one.
      await page.getByTestId('input-word').fill('PHONEME');
      await page.waitForFunction(() => (window as unknown as { explorerState: { attention: { word: string } } }).explorerState.attention.word === 'PHONEME', null, { timeout: 10_000 });
    },
  },
  {
    name: 'esn',
    async run({ page, url, screenshot, log }) {
      await page.goto(`${url}#esn`);
      await typeAndLeave(page, { size: 50000, spectralRadius: 7 });
      const m = await messages(page);
      assert(m.includes('capped at 2000') && m.includes('capped at 3'), `cap messages: ${m}`);
      const p = { size: 300, spectralRadius: 1.25, leakRate: 0.3, ridge: 1e-8, seed: 2, train: 1500, washout: 100, horizon: 300 };
      await setInputs(page, { size: p.size, spectralRadius: p.spectralRadius, leakRate: p.leakRate, ridge: p.ridge, seed: p.seed });
      await assertChartChanges(page, 'esn', 'chart-esn-prediction', () => page.getByTestId('start').click());
      const s = await state<{ prediction: number[]; trainNrmse: number }>(page, 'esn');
      const ref = esnReference(p);
      // float64 throughout, but Chromium's V8 and Node 20's may differ in the last bit of
      // Math.tanh/exp/log; the ill-conditioned ridge fit (λ = 1e-8) amplifies that to ~1e-9.
      const d = assertClose('prediction', s.prediction, ref.prediction, 1e-6, 1e-9);
      assertClose('training NRMSE', s.trainNrmse, ref.nrmse, 1e-4, 0);
      assertClose('84-step value shown', Number(await page.getByTestId('readout').getAttribute('data-k84')), ref.prediction[83], 1e-6, 1e-9);
      log(`N = 300: 300 free-running steps, max |page − Node| ${d.toExponential(1)} (float64); training NRMSE ${ref.nrmse.toExponential(3)}`);
      await screenshot('esn');
    },
  },
  {
    name: 'charlm',
    async run({ page, url, screenshot, log }) {
      await page.goto(`${url}#charlm`);
      await typeAndLeave(page, { hidden: 100000, layers: 9, batch: 1000 });
      const m = await messages(page);
      assert(m.includes('capped at 512') && m.includes('capped at 3') && m.includes('capped at 64'), `cap messages: ${m}`);
      const p = { cell: 'lstm' as const, embed: 32, hidden: 64, layers: 1, lr: 0.005, seqLen: 64, batch: 16, seed: 1, steps: 150 };
      await setInputs(page, { cell: p.cell, hidden: p.hidden, layers: p.layers, lr: p.lr, seqLen: p.seqLen, batch: p.batch, seed: p.seed, steps: p.steps });
      await assertChartChanges(page, 'charlm', 'chart-charlm-loss', () => page.getByTestId('start').click());
      const s = await state<{ step: number; losses: number[]; samples: { step: number; text: string }[] }>(page, 'charlm');
      const ref = lmReference(p);
      const dl = assertClose('losses', s.losses, ref.losses);
      assert(s.samples.length >= 2 && s.samples[s.samples.length - 1]!.text.startsWith('The ') && s.samples[s.samples.length - 1]!.text.length === 244, 'samples');
      assert(((await page.getByTestId('sample').textContent()) ?? '').includes(`after ${p.steps} updates`), 'sample shown');
      log(`150 updates: max |page − Node| loss ${dl.toExponential(1)}; final loss ${ref.losses[p.steps - 1]!.toFixed(4)}`);
      await screenshot('charlm');
      // Save → a safetensors file the library in Node reads as the same CharLM.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save').click()]);
      const bytes = new Uint8Array(readFileSync((await download.path())!));
      const saved = decodeModule(bytes) as CharLM;
      assert(saved instanceof CharLM && saved.hiddenSize === 64, 'saved model');
      const sd = saved.stateDict();
      const dw = assertClose('saved weights', Array.from(sd['head.bias']!.data as ArrayLike<number>), Array.from(ref.model.stateDict()['head.bias']!.data as ArrayLike<number>));
      log(`saved weights load in Node; head.bias max |diff| ${dw.toExponential(1)}`);
      // Load it back; then a file of another model: a visible message.
      await page.getByTestId('input-file').setInputFiles({ name: 'mine.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
      await page.waitForFunction(() => (document.querySelector('[data-testid="messages"]')?.textContent ?? '').includes('Loaded mine.safetensors'), null, { timeout: 10_000 });
      const g2p = readFileSync(new URL('../public/models/g2p.safetensors', import.meta.url));
      await page.getByTestId('input-file').setInputFiles({ name: 'g2p.safetensors', mimeType: 'application/octet-stream', buffer: g2p });
      await page.waitForFunction(() => (document.querySelector('[data-testid="messages"]')?.textContent ?? '').includes('not a character language model'), null, { timeout: 20_000 });
    },
  },
];
