// ‖∂L/∂h_t‖ over time steps for a vanilla RNN, an LSTM and a GRU on the adding problem.
import { Chart, lineOption } from '../charts.js';
import { GRADIENT_CELLS, type Reply } from '../protocol.js';
import { Messages, button, el, exposeState, fmt, numberInput, readNumbers, watchCaps, setReadout, startWorker, drawScheduler, curve } from '../ui.js';

const NAMES: Record<string, string> = { rnn: 'vanilla RNN', lstm: 'LSTM', gru: 'GRU' };

export function mountGradients(root: HTMLElement, backendNote: HTMLElement): () => void {
  const messages = new Messages();
  const T = numberInput('T', 'sequence length T', 50, 'gradT', '1');
  const hidden = numberInput('hidden', 'hidden units', 32, 'gradHidden', '1');
  const lr = numberInput('lr', 'learning rate', 0.003, 'lr');
  const seed = numberInput('seed', 'seed', 1, 'seed', '1');
  const steps = numberInput('steps', 'stop after (updates, 0 = never)', 0, 'steps', '1');
  const controls = [T.control, hidden.control, lr.control, seed.control, steps.control];
  watchCaps(controls, messages);
  const normsChart = new Chart('chart-grad-norms', 'chart tall');
  const lossChart = new Chart('chart-grad-loss');
  const readout = el('div', { class: 'readout', 'data-testid': 'readout' });
  const state = { step: 0, losses: {} as Record<string, number[]>, norms: {} as Record<string, number[]>, initNorms: {} as Record<string, number[]>, done: false };
  exposeState('gradients', state);

  const draw = (): void => {
    const series = GRADIENT_CELLS.map((c) => ({ name: NAMES[c]!, data: (state.norms[c] ?? []).map((v, t) => [t, v > 0 ? v : null] as [number, number | null]) }));
    normsChart.set(lineOption(`‖∂L/∂h_t‖ after update ${state.step} (loss on the last step only; log scale)`, series, { logY: true, xName: 'time step t', yName: '‖∂L/∂h_t‖' }), state.step);
    const loss = GRADIENT_CELLS.map((c) => ({ name: NAMES[c]!, data: curve(state.losses[c] ?? []) }));
    lossChart.set(lineOption('training loss (MSE; always answering 1 gives ≈ 0.167)', loss, { xName: 'update', yName: 'MSE' }), state.step);
    const lines = [`update ${state.step}`];
    const vals: Record<string, number> = { step: state.step };
    for (const c of GRADIENT_CELLS) {
      const l = state.losses[c] ?? [];
      const n = state.norms[c] ?? [];
      const last = l[l.length - 1] ?? NaN;
      lines.push(`${NAMES[c]!.padEnd(12)} loss ${fmt(last, 5)}   ‖∂L/∂h_0‖ ${fmt(n[0] ?? NaN, 3)}   ‖∂L/∂h_T−1‖ ${fmt(n[n.length - 1] ?? NaN, 3)}`);
      vals[`loss${c}`] = last;
    }
    setReadout(readout, lines.join('\n'), vals);
  };

  const drawer = drawScheduler(draw, 250);
  const onReply = (r: Reply): void => {
    if (r.type === 'gradients') {
      state.step = r.step;
      for (const c of GRADIENT_CELLS) {
        (state.losses[c] ??= []).push(...(r.losses[c] ?? []));
        state.norms[c] = r.norms[c] ?? [];
      }
      if (r.initNorms) state.initNorms = r.initNorms;
      drawer.request();
    } else if (r.type === 'done') {
      state.done = true;
      drawer.flush();
      messages.show('info', `Training ${r.reason} after ${r.step} updates.`);
    } else if (r.type === 'error') messages.show('error', r.message);
  };
  const worker = startWorker(onReply, messages, backendNote);

  const start = (): void => {
    messages.clear();
    const v = readNumbers(controls, messages);
    state.step = 0;
    state.losses = {};
    state.norms = {};
    state.initNorms = {};
    state.done = false;
    worker.startRun({ type: 'gradients', params: { T: v.T!, hidden: v.hidden!, lr: v.lr!, batch: 32, seed: v.seed!, maxSteps: v.steps! } });
  };

  root.append(
    el('h2', { text: 'Vanishing gradients: vanilla RNN vs LSTM vs GRU' }),
    el('p', { class: 'lead', text: 'Three networks of the same width learn the adding problem (two marked numbers in a long sequence; the answer is their sum, asked at the last step). After every update each layer reports ‖∂L/∂h_t‖ for every step t (recordStepGrads): how much the loss still feels the state t steps back. For the vanilla RNN it collapses exponentially going back in time; the gated cells learn to keep it alive.' }),
    el('div', { class: 'controls' }, T.wrap, hidden.wrap, lr.wrap, seed.wrap, steps.wrap, button('Train', 'start', start, true), button('Stop', 'stop', () => worker.send({ type: 'stop' }))),
    messages.root, readout, normsChart.root, lossChart.root,
  );
  return () => {
    worker.terminate();
    normsChart.dispose();
    lossChart.dispose();
  };
}
