// The explorer's entry: a tab per view (the URL hash selects it); leaving a view
// terminates its worker.
import { el } from './ui.js';
import { mountUnrolled } from './views/unrolled.js';
import { mountGates } from './views/gates.js';
import { mountGradients } from './views/gradients.js';
import { mountAttention } from './views/attention.js';
import { mountESN } from './views/esn.js';
import { mountCharLM } from './views/charlm.js';

type Mount = (root: HTMLElement, backendNote: HTMLElement) => () => void;
const VIEWS: { id: string; title: string; mount: Mount }[] = [
  { id: 'unrolled', title: 'Unrolled', mount: mountUnrolled },
  { id: 'gates', title: 'Gates', mount: mountGates },
  { id: 'gradients', title: 'Vanishing gradients', mount: mountGradients },
  { id: 'attention', title: 'Attention (G2P)', mount: mountAttention },
  { id: 'esn', title: 'Echo State Network', mount: mountESN },
  { id: 'charlm', title: 'Char-LM', mount: mountCharLM },
];

const app = document.getElementById('app')!;
const nav = document.getElementById('nav')!;
const backendNote = document.getElementById('backend')!;
let unmount: (() => void) | null = null;

for (const v of VIEWS) nav.append(el('a', { href: `#${v.id}`, 'data-view': v.id, text: v.title }));

function show(): void {
  const id = location.hash.slice(1) || VIEWS[0]!.id;
  const view = VIEWS.find((v) => v.id === id);
  unmount?.();
  unmount = null;
  app.replaceChildren();
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.view === id);
  if (!view) {
    app.append(el('div', { class: 'msg error', role: 'alert', text: `No view "${id}". Choose one above.` }));
    return;
  }
  const section = el('section', { 'data-testid': `view-${view.id}` });
  app.append(section);
  try {
    unmount = view.mount(section, backendNote);
  } catch (e) {
    section.append(el('div', { class: 'msg error', role: 'alert', text: `This view failed to start: ${String(e)}` }));
  }
}

window.addEventListener('hashchange', show);
window.addEventListener('error', (e) => app.prepend(el('div', { class: 'msg error', role: 'alert', text: `Error: ${e.message}` })));
window.addEventListener('unhandledrejection', (e) => app.prepend(el('div', { class: 'msg error', role: 'alert', text: `Error: ${String(e.reason)}` })));
show();
