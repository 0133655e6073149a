// Small DOM helpers shared by the views: controls with caps, messages, readouts, a worker
// per view, and the hooks the browser tests read (window.explorerState).

import { LIMITS, clampValue, type LimitName } from './limits.js';
import type { Reply, Request } from './protocol.js';

type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) e.append(c);
  return e;
}

/** The state each view exposes to the browser tests (and to curious users in the console). */
export function exposeState(view: string, state: object): void {
  const w = window as unknown as { explorerState?: Record<string, object> };
  w.explorerState ??= {};
  w.explorerState[view] = state;
}

export class Messages {
  readonly root: HTMLDivElement;

  constructor(testid = 'messages') {
    this.root = el('div', { class: 'messages', 'data-testid': testid });
  }

  clear(): void {
    this.root.replaceChildren();
  }

  show(kind: 'warn' | 'error' | 'info', text: string): void {
    this.root.append(el('div', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-kind': kind, text }));
  }
}

export interface NumberControl {
  label: string;
  limit: LimitName;
  input: HTMLInputElement;
}

export function numberInput(name: string, label: string, value: number, limit: LimitName, step = 'any'): { wrap: HTMLLabelElement; control: NumberControl } {
  const l = LIMITS[limit];
  const input = el('input', { type: 'number', name, value, step, 'data-testid': `input-${name}`, title: `${l.min} … ${l.max}` });
  return { wrap: el('label', {}, label, input), control: { label, limit, input } };
}

export function selectInput(name: string, label: string, options: readonly string[], value: string): { wrap: HTMLLabelElement; select: HTMLSelectElement } {
  const select = el('select', { name, 'data-testid': `input-${name}` }, ...options.map((o) => el('option', { value: o, text: o, selected: o === value })));
  return { wrap: el('label', {}, label, select), select };
}

/** Reads and clamps numeric controls; every change is written back and explained. */
export function readNumbers(controls: readonly NumberControl[], messages: Messages): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of controls) {
    const raw = c.input.value.trim() === '' ? NaN : Number(c.input.value);
    const { value, message } = clampValue(c.label, raw, LIMITS[c.limit]);
    if (message) {
      messages.show('warn', message);
      c.input.value = String(value);
    }
    out[c.input.name] = value;
  }
  return out;
}

/** Checks each control when it changes, so a too-large size is explained before anything runs. */
export function watchCaps(controls: readonly NumberControl[], messages: Messages): void {
  for (const c of controls) c.input.addEventListener('change', () => void readNumbers([c], messages));
}

export function button(label: string, testid: string, onClick: () => void, primary = false): HTMLButtonElement {
  const b = el('button', { type: 'button', 'data-testid': testid, class: primary ? 'primary' : undefined, text: label });
  b.addEventListener('click', onClick);
  return b;
}

/** A readout whose text is rounded for people and whose data-value keeps every digit for tests. */
export function setReadout(node: HTMLElement, text: string, values: Record<string, number | string>): void {
  node.textContent = text;
  for (const [k, v] of Object.entries(values)) node.dataset[k] = String(v);
}

export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(digits - 1);
  return x.toFixed(digits);
}

export interface ViewWorker {
  send(m: Request, transfer?: Transferable[]): void;
  /** Sends a request that starts a task; replies of earlier tasks are dropped from now on. */
  startRun(m: Request): void;
  terminate(): void;
}

/** Starts the view's worker; replies go to onReply, worker crashes become messages. */
export function startWorker(onReply: (r: Reply) => void, messages: Messages, backendNote: HTMLElement): ViewWorker {
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  let run = 0;
  w.onmessage = (e: MessageEvent<Reply>) => {
    const r = e.data;
    if (r.run !== undefined && r.run !== run) return; // a superseded task's last words
    if (r.type === 'ready') backendNote.textContent = `Library backend in this view's worker: ${r.backend}`;
    onReply(r);
  };
  w.onerror = (e) => messages.show('error', `The worker failed: ${e.message || 'unknown error'}`);
  return {
    send: (m, transfer) => w.postMessage(m, transfer ?? []),
    startRun: (m) => w.postMessage({ ...m, run: ++run }),
    terminate: () => w.terminate(),
  };
}

export async function fetchText(url: string): Promise<string> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.text();
}

/**
 * Coalesces redraws: request() asks for one, which runs on the next animation frame but at
 * most every `minInterval` ms, however fast the worker posts; flush() draws now.
 */
export function drawScheduler(draw: () => void, minInterval = 200): { request(): void; flush(): void } {
  let pending = false;
  let last = 0;
  const run = (): void => {
    pending = false;
    last = performance.now();
    draw();
  };
  return {
    request(): void {
      if (pending) return;
      pending = true;
      const wait = Math.max(0, minInterval - (performance.now() - last));
      setTimeout(() => requestAnimationFrame(run), wait);
    },
    flush(): void {
      run();
    },
  };
}

/** (update, value) pairs of a loss history, thinned to at most `max` points by striding. */
export function curve(values: readonly number[], max = 1500): [number, number][] {
  const stride = Math.max(1, Math.ceil(values.length / max));
  const out: [number, number][] = [];
  for (let i = 0; i < values.length; i += stride) out.push([i + 1, values[i]!]);
  if (values.length > 0 && (values.length - 1) % stride !== 0) out.push([values.length, values[values.length - 1]!]);
  return out;
}
