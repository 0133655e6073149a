// The unrolled computation of one cell over a short sequence, with live values.
import { Chart, lineOption } from '../charts.js';
import type { Reply, TracePayload } from '../protocol.js';
import { Messages, button, el, exposeState, fmt, numberInput, readNumbers, watchCaps, selectInput, setReadout, startWorker, drawScheduler, curve } from '../ui.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Diverging colour for a value in [−1, 1] (blue negative, red positive). */
function color(v: number): string {
  const a = Math.max(-1, Math.min(1, v));
  const [r, g, b] = a >= 0 ? [247 - a * (247 - 178), 247 - a * (247 - 24), 247 - a * (247 - 43)] : [247 + a * (247 - 33), 247 + a * (247 - 102), 247 + a * (247 - 172)];
  return `rgb(${r.toFixed(0)},${g.toFixed(0)},${b.toFixed(0)})`;
}

const CW = 34; // value cell width
const CH = 18;

function column(g: SVGGElement, x: number, y: number, label: string, values: number[]): void {
  g.append(svg('text', { x: x + CW / 2, y: y - 4, 'text-anchor': 'middle', 'font-size': 11, 'font-weight': 600 }, label));
  values.forEach((v, j) => {
    const r = svg('rect', { x, y: y + j * CH, width: CW, height: CH, fill: color(v), stroke: '#bbb' });
    r.append(svg('title', {}, `${label}[${j}] = ${v}`));
    g.append(r, svg('text', { x: x + CW / 2, y: y + j * CH + 13, 'text-anchor': 'middle', 'font-size': 10, 'font-family': 'monospace' }, v.toFixed(2)));
  });
}

export function drawUnrolled(trace: TracePayload, x: number[][], yHat: number, y: number): SVGSVGElement {
  const gateNames = trace.cell === 'lstm' ? ['i', 'f', 'g', 'o', 'c', 'h'] : trace.cell === 'gru' ? ['r', 'z', 'n', 'h'] : ['h'];
  const T = x.length;
  const H = trace.series.h![0]?.length ?? 0;
  const boxW = gateNames.length * (CW + 4) + 10;
  const stepW = boxW + 40;
  const top = 70;
  const boxH = H * CH + 34;
  const width = 30 + T * stepW + 150;
  const height = top + boxH + 16;
  const s = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, 'data-testid': 'unrolled-svg' });
  s.append(svg('defs', {}));
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#555' }));
  s.firstChild!.appendChild(marker);
  const cellName = trace.cell === 'lstm' ? 'LSTM' : trace.cell === 'gru' ? 'GRU' : 'RNN';
  for (let t = 0; t < T; t++) {
    const x0 = 30 + t * stepW;
    const g = svg('g', {});
    // input x_t = (value, marker)
    const xv = x[t]!;
    g.append(svg('text', { x: x0 + boxW / 2, y: 14, 'text-anchor': 'middle', 'font-size': 12, 'font-weight': 700 }, `t = ${t}`));
    g.append(svg('text', { x: x0 + boxW / 2 - 44, y: 36, 'text-anchor': 'end', 'font-size': 11 }, 'x_t'));
    xv.forEach((v, j) => {
      g.append(svg('rect', { x: x0 + boxW / 2 - 40 + j * 42, y: 24, width: 40, height: CH, fill: j === 1 && v === 1 ? '#ffe08a' : '#f3f3f3', stroke: '#bbb' }));
      g.append(svg('text', { x: x0 + boxW / 2 - 20 + j * 42, y: 37, 'text-anchor': 'middle', 'font-size': 10, 'font-family': 'monospace' }, j === 1 ? (v === 1 ? 'mark' : '–') : v.toFixed(2)));
    });
    g.append(svg('line', { x1: x0 + boxW / 2, y1: 24 + CH, x2: x0 + boxW / 2, y2: top - 2, stroke: '#555', 'marker-end': 'url(#arrow)' }));
    g.append(svg('rect', { x: x0, y: top, width: boxW, height: boxH, rx: 8, fill: '#fafbff', stroke: '#6b7fa8', 'stroke-width': 1.5 }));
    g.append(svg('text', { x: x0 + 6, y: top + boxH - 6, 'font-size': 10, fill: '#6b7fa8' }, cellName));
    gateNames.forEach((n, q) => column(g, x0 + 5 + q * (CW + 4), top + 22, n === 'h' ? 'h_t' : n === 'c' ? 'c_t' : n, trace.series[n]![t]!));
    // recurrent arrow to the next step (or to the output)
    const ay = top + boxH / 2;
    g.append(svg('line', { x1: x0 + boxW, y1: ay, x2: x0 + stepW - 2, y2: ay, stroke: '#555', 'stroke-width': 1.5, 'marker-end': 'url(#arrow)' }));
    g.append(svg('text', { x: x0 + boxW + 20, y: ay - 5, 'text-anchor': 'middle', 'font-size': 11 }, t === T - 1 ? 'h_T' : trace.cell === 'lstm' ? 'h, c' : 'h'));
    s.append(g);
  }
  const xo = 30 + T * stepW;
  s.append(svg('rect', { x: xo, y: top + boxH / 2 - 28, width: 130, height: 56, rx: 6, fill: '#fff', stroke: '#999' }));
  s.append(svg('text', { x: xo + 8, y: top + boxH / 2 - 10, 'font-size': 12, 'font-family': 'monospace' }, `ŷ = ${yHat.toFixed(3)}`));
  s.append(svg('text', { x: xo + 8, y: top + boxH / 2 + 8, 'font-size': 12, 'font-family': 'monospace' }, `y = ${y.toFixed(3)}`));
  s.append(svg('text', { x: xo + 8, y: top + boxH / 2 + 24, 'font-size': 10, fill: '#666' }, 'linear head on h_T'));
  return s;
}

export function mountUnrolled(root: HTMLElement, backendNote: HTMLElement): () => void {
  const messages = new Messages();
  const cell = selectInput('cell', 'cell', ['lstm', 'gru', 'rnn'], 'lstm');
  const hidden = numberInput('hidden', 'hidden units', 4, 'unrolledHidden', '1');
  const T = numberInput('T', 'sequence length', 6, 'unrolledT', '1');
  const lr = numberInput('lr', 'learning rate', 0.01, 'lr');
  const seed = numberInput('seed', 'seed', 1, 'seed', '1');
  const steps = numberInput('steps', 'stop after (updates, 0 = never)', 0, 'steps', '1');
  const controls = [hidden.control, T.control, lr.control, seed.control, steps.control];
  watchCaps(controls, messages);
  const diagram = el('div', { class: 'unrolled', 'data-testid': 'unrolled' });
  const lossChart = new Chart('chart-unrolled-loss', 'chart short');
  const readout = el('div', { class: 'readout', 'data-testid': 'readout' });
  const state = { step: 0, losses: [] as number[], trace: null as TracePayload | null, yHat: NaN, y: NaN, done: false };
  exposeState('unrolled', state);

  let latest: Extract<Reply, { type: 'unrolled' }> | null = null;
  const drawer = drawScheduler(() => {
    const r = latest;
    if (!r) return;
    diagram.replaceChildren(drawUnrolled(r.trace, r.x, r.yHat, r.y));
    lossChart.set(lineOption('training loss (MSE, batches of 32)', [{ name: 'loss', data: curve(state.losses) }], { xName: 'update', yName: 'MSE' }), state.losses.length);
    setReadout(readout, `update ${r.step}   loss ${fmt(state.losses[state.losses.length - 1] ?? NaN, 5)}   ŷ ${r.yHat.toFixed(4)} for y ${r.y.toFixed(4)}\n` +
        `gates from the library's step kernels; h matches ${r.trace.cell.toUpperCase()}.forward to ${r.trace.maxDiff.toExponential(1)}`,
    { step: r.step, yhat: r.yHat, maxdiff: r.trace.maxDiff });
  });
  const onReply = (r: Reply): void => {
    if (r.type === 'unrolled') {
      state.step = r.step;
      state.losses.push(...r.losses);
      state.trace = r.trace;
      state.yHat = r.yHat;
      state.y = r.y;
      latest = r;
      drawer.request();
    } else if (r.type === 'done') {
      drawer.flush();
      state.done = true;
      messages.show('info', `Training ${r.reason} after ${r.step} updates.`);
    } else if (r.type === 'error') messages.show('error', r.message);
  };
  const worker = startWorker(onReply, messages, backendNote);
  const start = (): void => {
    messages.clear();
    const v = readNumbers(controls, messages);
    state.step = 0;
    state.losses = [];
    state.done = false;
    worker.startRun({ type: 'unrolled', params: { cell: cell.select.value as 'lstm', hidden: v.hidden!, T: v.T!, lr: v.lr!, seed: v.seed!, maxSteps: v.steps! } });
  };
  root.append(
    el('h2', { text: 'The unrolled network' }),
    el('p', { class: 'lead', text: 'One cell, copied across time: the same weights read x_t and the previous state at every step. Each box shows the gate activations and the states of one step for one fixed example of the adding problem (add the two numbers whose mark is set); the values change as the cell learns. Colours: blue negative, red positive.' }),
    el('div', { class: 'controls' }, cell.wrap, hidden.wrap, T.wrap, lr.wrap, seed.wrap, steps.wrap, button('Train', 'start', start, true), button('Stop', 'stop', () => worker.send({ type: 'stop' }))),
    messages.root, readout, diagram, lossChart.root,
  );
  start();
  return () => {
    worker.terminate();
    lossChart.dispose();
  };
}
