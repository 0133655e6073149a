// An Echo State Network's reservoir states and its free-running Mackey–Glass prediction.
import { Chart, heatmapOption, lineOption } from '../charts.js';
import type { Reply } from '../protocol.js';
import { Messages, button, el, exposeState, fmt, numberInput, readNumbers, watchCaps, setReadout, startWorker } from '../ui.js';

export function mountESN(root: HTMLElement, backendNote: HTMLElement): () => void {
  const messages = new Messages();
  const size = numberInput('size', 'reservoir units', 400, 'reservoir', '1');
  const rho = numberInput('spectralRadius', 'spectral radius', 1.25, 'spectralRadius');
  const leak = numberInput('leakRate', 'leak rate', 0.3, 'leakRate');
  const ridge = numberInput('ridge', 'ridge λ', 1e-8, 'ridge');
  const seed = numberInput('seed', 'seed', 1, 'seed', '1');
  const controls = [size.control, rho.control, leak.control, ridge.control, seed.control];
  watchCaps(controls, messages);
  const states = new Chart('chart-esn-states', 'chart');
  const pred = new Chart('chart-esn-prediction', 'chart');
  const readout = el('div', { class: 'readout', 'data-testid': 'readout' });
  const state = { phase: '', prediction: [] as number[], truth: [] as number[], trainNrmse: NaN, ridge: NaN, predictionStart: 0, done: false };
  exposeState('esn', state);
  const TRAIN = 1500;
  const HORIZON = 300;

  const onReply = (r: Reply): void => {
    if (r.type === 'esn') {
      state.phase = r.phase;
      if (r.truth.length > 0) state.truth = r.truth;
      state.prediction = r.prediction;
      state.predictionStart = r.predictionStart;
      if (r.trainNrmse !== null) state.trainNrmse = r.trainNrmse;
      if (r.ridge !== null) state.ridge = r.ridge;
      if (r.states) {
        const units = r.states[0]?.length ?? 0;
        const matrix = Array.from({ length: units }, (_, j) => r.states!.map((row) => row[j]!));
        const x = r.states.map((_, t) => String(r.stateOffset + t));
        states.set(heatmapOption(`reservoir states x_i(t), first ${units} units, last ${r.states.length} teacher-forced steps`, matrix, x, matrix.map((_, j) => String(j)), { min: -1, max: 1, diverging: true, xName: 'time step', yName: 'unit' }), units * r.states.length);
      }
      const start = r.predictionStart;
      const from = Math.max(0, start - 200);
      const truth = state.truth.slice(from, start + HORIZON).map((v, i) => [from + i, v] as [number, number]);
      const p = state.prediction.map((v, k) => [start + k, v] as [number, number]);
      pred.set(lineOption('Mackey–Glass: truth and the free-running ESN', [{ name: 'truth', data: truth, color: '#222' }, { name: 'ESN (closed loop)', data: p, color: '#d1495b', dashed: false }], { xName: 'time step', yName: 'x(t)', markX: start }), p.length);
      const k84 = state.prediction[83];
      setReadout(readout, `${r.phase}; training NRMSE ${fmt(state.trainNrmse, 3)} (ridge λ ${state.ridge})   free-running steps ${state.prediction.length}` +
        (k84 !== undefined ? `   error at 84 steps ${fmt(k84 - state.truth[start + 83]!, 3)}` : ''),
      { steps: state.prediction.length, nrmse: state.trainNrmse, k84: k84 ?? NaN });
    } else if (r.type === 'done') {
      state.done = true;
      messages.show('info', `Prediction ${r.reason} after ${r.step} free-running steps.`);
    } else if (r.type === 'error') messages.show('error', r.message);
  };
  const worker = startWorker(onReply, messages, backendNote);
  const start = (): void => {
    messages.clear();
    const v = readNumbers(controls, messages);
    state.prediction = [];
    state.done = false;
    worker.startRun({ type: 'esn', params: { size: v.size!, spectralRadius: v.spectralRadius!, leakRate: v.leakRate!, ridge: v.ridge!, seed: v.seed!, train: TRAIN, washout: 100, horizon: HORIZON } });
  };
  root.append(
    el('h2', { text: 'Echo State Network on Mackey–Glass' }),
    el('p', { class: 'lead', text: `A fixed random sparse reservoir of leaky tanh units is driven by the chaotic Mackey–Glass series for ${TRAIN} steps; only the linear readout is trained, in closed form (ridge regression). Then the network runs free for ${HORIZON} steps, each output fed back as the next input, and is compared with the true series.` }),
    el('div', { class: 'controls' }, size.wrap, rho.wrap, leak.wrap, ridge.wrap, seed.wrap, button('Fit and run', 'start', start, true), button('Stop', 'stop', () => worker.send({ type: 'stop' }))),
    messages.root, readout, states.root, pred.root,
  );
  return () => {
    worker.terminate();
    states.dispose();
    pred.dispose();
  };
}
