// Gate activations and states as heat maps over the characters of a typed text.
import { Chart, heatmapOption, lineOption } from '../charts.js';
import type { Reply, TracePayload } from '../protocol.js';
import { Messages, button, el, exposeState, fetchText, fmt, numberInput, readNumbers, watchCaps, selectInput, setReadout, startWorker, drawScheduler, curve } from '../ui.js';

const TITLES: Record<string, string> = {
  i: 'input gate i', f: 'forget gate f', g: 'candidate g', o: 'output gate o', c: 'cell state c', h: 'hidden state h',
  r: 'reset gate r', z: 'update gate z', n: 'candidate n',
};
const RANGE: Record<string, [number, number, boolean]> = {
  i: [0, 1, false], f: [0, 1, false], o: [0, 1, false], r: [0, 1, false], z: [0, 1, false], g: [-1, 1, true], n: [-1, 1, true], h: [-1, 1, true], c: [-2, 2, true],
};

export function mountGates(root: HTMLElement, backendNote: HTMLElement): () => void {
  const messages = new Messages();
  const textMessages = new Messages('text-messages');
  const cell = selectInput('cell', 'cell', ['lstm', 'gru'], 'lstm');
  const hidden = numberInput('hidden', 'hidden units', 24, 'hidden', '1');
  const lr = numberInput('lr', 'learning rate', 0.01, 'lr');
  const seqLen = numberInput('seqLen', 'BPTT length', 32, 'seqLen', '1');
  const seed = numberInput('seed', 'seed', 1, 'seed', '1');
  const steps = numberInput('steps', 'stop after (updates, 0 = never)', 0, 'steps', '1');
  const text = el('input', { type: 'text', name: 'text', value: 'Call me Ishmael. Some years ago', 'data-testid': 'input-text' });
  const controls = [hidden.control, lr.control, seqLen.control, seed.control, steps.control];
  watchCaps(controls, messages);
  const charts: Record<string, Chart> = {};
  const grid = el('div', { class: 'grid2' });
  const lossChart = new Chart('chart-gates-loss', 'chart short');
  const readout = el('div', { class: 'readout', 'data-testid': 'readout' });
  const state = { step: 0, losses: [] as number[], trace: null as TracePayload | null, done: false };
  exposeState('gates', state);
  let corpus = '';

  const drawTrace = (tr: TracePayload): void => {
    const names = tr.cell === 'lstm' ? ['i', 'f', 'o', 'g', 'c', 'h'] : ['r', 'z', 'n', 'h'];
    const wanted = new Set(names);
    for (const k of Object.keys(charts)) if (!wanted.has(k)) { charts[k]!.dispose(); charts[k]!.root.remove(); delete charts[k]; }
    for (const n of names) {
      let ch = charts[n];
      if (!ch) {
        ch = new Chart(`chart-gate-${n}`, 'chart');
        charts[n] = ch;
        grid.append(ch.root);
      }
      const series = tr.series[n]!;
      const H = series[0]?.length ?? 0;
      const matrix = Array.from({ length: H }, (_, j) => series.map((row) => row[j]!)); // units × time
      const [min, max, div] = RANGE[n]!;
      ch.set(heatmapOption(`${TITLES[n]} (unit × character)`, matrix, tr.tokens.map((c) => (c === ' ' ? '␣' : c)), matrix.map((_, j) => String(j)), { min, max, diverging: div, yName: 'unit' }), H * series.length);
    }
  };

  const lossDrawer = drawScheduler(() => lossChart.set(lineOption('training loss (cross-entropy, nats/char)', [{ name: 'loss', data: curve(state.losses) }], { xName: 'update', yName: 'loss' }), state.losses.length));
  const onReply = (r: Reply): void => {
    if (r.type === 'gates') {
      if (r.step >= 0) {
        state.step = r.step;
        state.losses.push(...r.losses);
        lossDrawer.request();
      }
      if (r.textError) {
        textMessages.clear();
        textMessages.show('error', r.textError);
      }
      if (r.trace) {
        textMessages.clear();
        state.trace = r.trace;
        drawTrace(r.trace);
      }
      setReadout(readout, `update ${state.step}   loss ${fmt(state.losses[state.losses.length - 1] ?? NaN, 5)}` +
        (state.trace ? `\ngates from the library's step kernels; h matches ${state.trace.cell.toUpperCase()}.forward to ${state.trace.maxDiff.toExponential(1)}` : ''),
      { step: state.step, loss: state.losses[state.losses.length - 1] ?? NaN });
    } else if (r.type === 'done') {
      lossDrawer.flush();
      state.done = true;
      messages.show('info', `Training ${r.reason} after ${r.step} updates.`);
    } else if (r.type === 'error') messages.show('error', r.message);
  };
  const worker = startWorker(onReply, messages, backendNote);
  const start = async (): Promise<void> => {
    messages.clear();
    const v = readNumbers(controls, messages);
    corpus ||= await fetchText('data/moby-dick.txt');
    state.step = 0;
    state.losses = [];
    state.done = false;
    worker.startRun({ type: 'gates', params: { cell: cell.select.value as 'lstm', hidden: v.hidden!, lr: v.lr!, seqLen: v.seqLen!, batch: 16, seed: v.seed!, maxSteps: v.steps!, text: text.value, corpus } });
  };
  text.addEventListener('input', () => worker.send({ type: 'gates-text', text: text.value }));
  root.append(
    el('h2', { text: 'Inside the cell: gates and states over time' }),
    el('p', { class: 'lead', text: 'A one-layer character model trains on the first chapters of Moby-Dick (predicting the next character). The text you type runs through its cell; every heat map shows one gate or state, one row per unit, one column per character. Watch the forget gate (LSTM) or update gate (GRU) organise itself around spaces and word boundaries as training proceeds.' }),
    el('div', { class: 'controls' }, cell.wrap, hidden.wrap, lr.wrap, seqLen.wrap, seed.wrap, steps.wrap, button('Train', 'start', () => void start().catch((e: unknown) => messages.show('error', String(e))), true), button('Stop', 'stop', () => worker.send({ type: 'stop' }))),
    el('div', { class: 'controls' }, el('label', {}, 'text traced through the cell', text)),
    messages.root, textMessages.root, readout, grid, lossChart.root,
  );
  return () => {
    worker.terminate();
    for (const c of Object.values(charts)) c.dispose();
    lossChart.dispose();
  };
}
