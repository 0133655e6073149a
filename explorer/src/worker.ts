// The explorer's Web Worker: one per view. It selects the library's WebAssembly backend
// (one thread; compiled asynchronously), then runs the view's task; a new request stops
// the running one first.

import { WasmBackend, describeBackend, setBackend } from '../../src/index.js';
import type { Reply, Request } from './protocol.js';
import { runGradients } from './tasks/gradients.js';
import { runUnrolled } from './tasks/unrolled.js';
import { GatesTask } from './tasks/gates.js';
import { CharLMTask } from './tasks/charlm.js';
import { runESN } from './tasks/esn.js';
import { loadG2P, decodeWord, checkWord, normalizeWord, type LoadedG2P } from './tasks/g2p.js';
import { errorMessage, type LoopControl } from './tasks/runtime.js';

const scope = self as unknown as {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<Request>) => void) | null;
};
const post = (r: Reply): void => scope.postMessage(r);

const ready = (async (): Promise<void> => {
  try {
    setBackend(await WasmBackend.createAsync({ threads: 1, relaxed: false }));
  } catch (e) {
    setBackend('ref');
    post({ type: 'error', message: `WebAssembly backend unavailable (${errorMessage(e)}); using the slow reference kernels.` });
  }
  post({ type: 'ready', backend: describeBackend() });
})();

let control: LoopControl = { stopped: true };
let running: Promise<unknown> = Promise.resolve();
const gates = new GatesTask();
const charlm = new CharLMTask();
let g2p: LoadedG2P | null = null;

async function start(run: number | undefined, task: (c: LoopControl, post: (r: Reply) => void) => Promise<number>): Promise<void> {
  control.stopped = true;
  await running;
  const c: LoopControl = { stopped: false };
  control = c;
  const tagged = (r: Reply): void => post(run === undefined ? r : { ...r, run });
  running = (async () => {
    try {
      const n = await task(c, tagged);
      tagged({ type: 'done', step: n, reason: c.stopped ? 'stopped' : 'finished' });
    } catch (e) {
      tagged({ type: 'error', message: errorMessage(e) });
    }
  })();
}

async function handle(m: Request): Promise<void> {
  await ready;
  switch (m.type) {
    case 'stop':
      control.stopped = true;
      return;
    case 'gradients':
      return start(m.run, (c, p) => runGradients(m.params, c, p));
    case 'unrolled':
      return start(m.run, (c, p) => runUnrolled(m.params, c, p));
    case 'gates':
      return start(m.run, (c, p) => gates.run(m.params, c, p));
    case 'gates-text': {
      gates.text = m.text;
      const r = gates.traceText();
      post({ type: 'gates', step: -1, losses: [], ...r });
      return;
    }
    case 'charlm':
      return start(m.run, (c, p) => charlm.run(m.params, c, p));
    case 'charlm-save': {
      const bytes = charlm.save();
      scope.postMessage({ type: 'charlm-weights', bytes }, [bytes.buffer]);
      return;
    }
    case 'charlm-load': {
      control.stopped = true;
      await running;
      const config = charlm.load(m.bytes, m.name);
      post({ type: 'charlm-loaded', name: m.name, config });
      return;
    }
    case 'esn':
      return start(m.run, (c, p) => runESN(m.params, c, p));
    case 'g2p-load': {
      try {
        g2p = loadG2P(m.bytes, m.name);
        const params = g2p.model.parameters().reduce((s, p) => s + p.size, 0);
        post({ type: 'g2p-loaded', name: m.name, letters: [...g2p.letters.tokens], params, info: g2p.info });
      } catch (e) {
        post({ type: 'g2p-error', message: errorMessage(e) });
      }
      return;
    }
    case 'g2p-decode': {
      if (!g2p) {
        post({ type: 'g2p-error', message: 'No G2P model is loaded.' });
        return;
      }
      const word = normalizeWord(m.word);
      const bad = checkWord(word, g2p.letters);
      if (bad) {
        post({ type: 'g2p-error', message: bad });
        return;
      }
      const r = decodeWord(g2p, word, m.beam);
      post({ type: 'g2p-decoded', word, letters: [...word], ...r });
      return;
    }
  }
}

scope.onmessage = (e) => {
  handle(e.data).catch((err: unknown) => post({ type: 'error', message: errorMessage(err) }));
};
