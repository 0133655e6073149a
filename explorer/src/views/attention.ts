// The attention heat map of the trained G2P model for a typed word.
import { Chart, heatmapOption } from '../charts.js';
import type { Reply } from '../protocol.js';
import { Messages, button, el, exposeState, numberInput, readNumbers, setReadout, startWorker } from '../ui.js';

export const G2P_URL = 'models/g2p.safetensors';

export function mountAttention(root: HTMLElement, backendNote: HTMLElement): () => void {
  const messages = new Messages();
  const word = el('input', { type: 'text', name: 'word', value: 'EXPLORER', 'data-testid': 'input-word', autocomplete: 'off' });
  const beam = numberInput('beam', 'beam width', 5, 'batch', '1');
  const file = el('input', { type: 'file', accept: '.safetensors', 'data-testid': 'input-file' });
  const model = el('div', { class: 'note', 'data-testid': 'model-info', text: 'loading the trained model…' });
  const greedyOut = el('div', { class: 'phonemes', 'data-testid': 'greedy' });
  const beamOut = el('div', { class: 'readout', 'data-testid': 'beam' });
  const chart = new Chart('chart-attention', 'chart tall');
  const readout = el('div', { class: 'readout', 'data-testid': 'readout' });
  const state = { loaded: false, word: '', greedy: null as null | { phonemes: string[]; attention: number[][]; logProb: number }, beam: [] as { phonemes: string[]; logProb: number }[] };
  exposeState('attention', state);

  const decode = (): void => {
    messages.clear();
    const v = readNumbers([{ ...beam.control }], messages);
    if (v.beam! > 16) {
      messages.show('warn', 'beam width capped at 16: wider beams only cost time here.');
      beam.control.input.value = '16';
      v.beam = 16;
    }
    worker.send({ type: 'g2p-decode', word: word.value, beam: v.beam! });
  };
  const onReply = (r: Reply): void => {
    if (r.type === 'g2p-loaded') {
      state.loaded = true;
      model.textContent = `model: ${r.info} — ${r.params.toLocaleString('en')} parameters, letters ${r.letters.filter((l) => l.length === 1).join('')}`;
      decode();
    } else if (r.type === 'g2p-decoded') {
      state.word = r.word;
      state.greedy = r.greedy;
      state.beam = r.beam;
      greedyOut.textContent = `${r.word} → /${r.greedy.phonemes.join(' ')}/`;
      greedyOut.dataset.phonemes = r.greedy.phonemes.join(' ');
      beamOut.textContent = `beam search (width ${beam.control.input.value}, length-normalised):\n` + r.beam.map((b, i) => `${i + 1}. ${b.phonemes.join(' ')}   log p = ${b.logProb.toFixed(3)}`).join('\n');
      const rows = [...r.greedy.phonemes, '</s>'];
      chart.set(heatmapOption(`attention of the greedy decoding: which letter each phoneme reads`, r.greedy.attention, r.letters, rows, { min: 0, max: 1, xName: 'letters (encoder steps)', yName: 'output phoneme' }), r.greedy.attention.length);
      setReadout(readout, `greedy log p = ${r.greedy.logProb.toFixed(4)}; attention rows sum to 1 over the ${r.letters.length} letters`, { logprob: r.greedy.logProb });
    } else if (r.type === 'g2p-error' || r.type === 'error') {
      messages.show('error', r.message + (state.word ? ` (Below: the last word decoded, ${state.word}.)` : ''));
    }
  };
  const worker = startWorker(onReply, messages, backendNote);

  void fetch(G2P_URL).then(async (res) => {
    if (!res.ok) throw new Error(`${G2P_URL}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    worker.send({ type: 'g2p-load', bytes, name: 'g2p.safetensors' }, [bytes.buffer]);
  }).catch((e: unknown) => messages.show('error', `Could not load the trained model: ${String(e)}`));

  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    messages.clear();
    void f.arrayBuffer().then((b) => worker.send({ type: 'g2p-load', bytes: new Uint8Array(b), name: f.name }, [b]));
  });
  let timer = 0;
  word.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(decode, 150);
  });

  root.append(
    el('h2', { text: 'Attention: reading letters to spell sounds' }),
    el('p', { class: 'lead', text: 'A trained grapheme-to-phoneme model (npm run g2p: bidirectional-LSTM encoder over the letters, LSTM decoder with Luong attention, trained on CMUdict) spells the word you type as ARPAbet phonemes. Each row of the heat map is one output step: the attention weights over the letters it read to produce that phoneme.' }),
    el('div', { class: 'controls' }, el('label', {}, 'word', word), beam.wrap, button('Decode', 'decode', decode, true), el('label', {}, 'other weights (.safetensors)', file)),
    model, messages.root, greedyOut, readout, chart.root, beamOut,
  );
  return () => {
    worker.terminate();
    chart.dispose();
  };
}
