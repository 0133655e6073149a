// A character language model sampling text as it trains.
import { Chart, lineOption } from '../charts.js';
import type { Reply } from '../protocol.js';
import { Messages, button, el, exposeState, fetchText, fmt, numberInput, readNumbers, watchCaps, selectInput, setReadout, startWorker, drawScheduler, curve } from '../ui.js';

export function mountCharLM(root: HTMLElement, backendNote: HTMLElement): () => void {
  const messages = new Messages();
  const cell = selectInput('cell', 'cell', ['lstm', 'gru', 'rnn'], 'lstm');
  const hidden = numberInput('hidden', 'hidden units', 128, 'lmHidden', '1');
  const layers = numberInput('layers', 'layers', 1, 'lmLayers', '1');
  const lr = numberInput('lr', 'learning rate', 0.005, 'lr');
  const seqLen = numberInput('seqLen', 'BPTT length', 64, 'seqLen', '1');
  const batch = numberInput('batch', 'batch', 16, 'batch', '1');
  const seed = numberInput('seed', 'seed', 1, 'seed', '1');
  const steps = numberInput('steps', 'stop after (updates, 0 = never)', 0, 'steps', '1');
  const temp = el('input', { type: 'number', name: 'temperature', value: 0.8, step: 0.1, min: 0.05, max: 5, 'data-testid': 'input-temperature' });
  const file = el('input', { type: 'file', accept: '.safetensors', 'data-testid': 'input-file' });
  const controls = [hidden.control, layers.control, lr.control, seqLen.control, batch.control, seed.control, steps.control];
  watchCaps(controls, messages);
  const lossChart = new Chart('chart-charlm-loss', 'chart');
  const sample = el('div', { class: 'sample', 'data-testid': 'sample', text: 'Samples appear here as the model trains.' });
  const readout = el('div', { class: 'readout', 'data-testid': 'readout' });
  const state = { step: 0, losses: [] as number[], samples: [] as { step: number; text: string }[], done: false, loaded: '' };
  exposeState('charlm', state);
  let corpus = '';
  let info = { vocab: 0, params: 0 };

  const draw = (vocab: number, params: number): void => {
    lossChart.set(lineOption('training loss (cross-entropy, nats per character)', [{ name: 'loss', data: curve(state.losses) }], { xName: 'update', yName: 'nats/char' }), state.losses.length);
    const last = state.losses[state.losses.length - 1] ?? NaN;
    setReadout(readout, `update ${state.step}   loss ${fmt(last, 5)} nats/char (${fmt(last / Math.LN2, 3)} bits)   ${vocab} characters, ${params.toLocaleString('en')} parameters`, { step: state.step, loss: last });
  };
  const drawer = drawScheduler(() => draw(info.vocab, info.params));
  const onReply = (r: Reply): void => {
    if (r.type === 'charlm') {
      state.step = r.step;
      state.losses.push(...r.losses);
      if (r.sample !== null) {
        state.samples.push({ step: r.step, text: r.sample });
        sample.textContent = `after ${r.step} updates (temperature ${temp.value}):\n${r.sample}`;
      }
      info = { vocab: r.vocabSize, params: r.params };
      drawer.request();
    } else if (r.type === 'charlm-weights') {
      const url = URL.createObjectURL(new Blob([r.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      const a = el('a', { href: url, download: `charlm-step${state.step}.safetensors` });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      messages.show('info', `Saved the weights after ${state.step} updates (safetensors, the vocabulary in the metadata).`);
    } else if (r.type === 'charlm-loaded') {
      state.loaded = r.name;
      messages.show('info', `Loaded ${r.name} (${r.config}); press Continue to train it further.`);
    } else if (r.type === 'done') {
      drawer.flush();
      state.done = true;
      messages.show('info', `Training ${r.reason} after ${r.step} updates.`);
    } else if (r.type === 'error') messages.show('error', r.message);
  };
  const worker = startWorker(onReply, messages, backendNote);
  const start = async (): Promise<void> => {
    messages.clear();
    const v = readNumbers(controls, messages);
    const t = Number(temp.value);
    corpus ||= await fetchText('data/moby-dick.txt');
    state.step = 0;
    state.losses = [];
    state.samples = [];
    state.done = false;
    worker.startRun({ type: 'charlm', params: { cell: cell.select.value as 'lstm', hidden: v.hidden!, layers: v.layers!, lr: v.lr!, seqLen: v.seqLen!, batch: v.batch!, seed: v.seed!, maxSteps: v.steps!, temperature: t > 0 && t <= 5 ? t : 0.8, corpus } });
  };
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    messages.clear();
    void f.arrayBuffer().then((b) => worker.send({ type: 'charlm-load', bytes: new Uint8Array(b), name: f.name }, [b]));
  });
  root.append(
    el('h2', { text: 'A character language model, learning to write' }),
    el('p', { class: 'lead', text: 'A CharLM (embedding → recurrent layers → softmax over the next character) trains on the first three chapters of Moby-Dick by truncated backpropagation through time. Every two seconds it writes a sample starting from "The ". Save the weights as safetensors (the library’s format, readable by decodeModule) and load them back.' }),
    el('div', { class: 'controls' }, cell.wrap, hidden.wrap, layers.wrap, lr.wrap, seqLen.wrap, batch.wrap, seed.wrap, steps.wrap, el('label', {}, 'temperature', temp),
      button('Train from scratch', 'start', () => void start().catch((e: unknown) => messages.show('error', String(e))), true), button('Stop', 'stop', () => worker.send({ type: 'stop' }))),
    el('div', { class: 'controls' }, button('Save weights', 'save', () => worker.send({ type: 'charlm-save' })), el('label', {}, 'load weights (.safetensors)', file)),
    messages.root, readout, sample, lossChart.root,
  );
  return () => {
    worker.terminate();
    lossChart.dispose();
  };
}
