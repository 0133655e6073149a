// A minimal browser-test harness: the explorer's Vite dev server, Debian's Chromium driven
// by playwright-core, specs run one after another, screenshots to docs/explorer/.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const shots = `${root}docs/explorer`;

export interface Ctx {
  page: Page;
  url: string;
  /** Saves a full-page screenshot to docs/explorer/<name>.png. */
  screenshot(name: string): Promise<void>;
  log(msg: string): void;
}

export interface Spec {
  name: string;
  run(ctx: Ctx): Promise<void>;
}

export function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

/** Largest |a − b| / (atol + rtol·|b|) over two nested arrays; fails above 1. */
export function assertClose(what: string, a: unknown, b: unknown, rtol = 1e-4, atol = 1e-6): number {
  let worst = 0;
  let worstAbs = 0;
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (Array.isArray(y)) {
      assert(Array.isArray(x) && x.length === y.length, `${what}${path}: length ${Array.isArray(x) ? x.length : typeof x} vs ${y.length}`);
      y.forEach((v, i) => walk((x as unknown[])[i], v, `${path}[${i}]`));
      return;
    }
    assert(typeof x === 'number' && typeof y === 'number', `${what}${path}: ${String(x)} vs ${String(y)}`);
    const d = Math.abs(x - y);
    const r = d / (atol + rtol * Math.abs(y));
    assert(r <= 1, `${what}${path}: page ${x} vs Node ${y} (|diff| ${d.toExponential(2)})`);
    worst = Math.max(worst, r);
    worstAbs = Math.max(worstAbs, d);
  };
  walk(a, b, '');
  return worstAbs;
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function runSpecs(specs: readonly Spec[], only: string[]): Promise<boolean> {
  mkdirSync(shots, { recursive: true });
  const t0 = performance.now();
  const server: ViteDevServer = await createServer({
    configFile: `${root}explorer/vite.config.ts`, logLevel: 'warn', server: { port: 5190, strictPort: false, hmr: false },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5190/';
  let browser: Browser | null = null;
  let ok = true;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    for (const spec of specs) {
      if (only.length > 0 && !only.includes(spec.name)) continue;
      const t = performance.now();
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('404')) errors.push(m.text()); });
      const notes: string[] = [];
      try {
        await spec.run({
          page, url,
          screenshot: async (name) => void (await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true })),
          log: (m) => notes.push(m),
        });
        assert(errors.length === 0, `errors in the page: ${errors.join(' | ')}`);
        process.stdout.write(`ok   ${spec.name} (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
      } catch (e) {
        ok = false;
        process.stdout.write(`FAIL ${spec.name} (${((performance.now() - t) / 1000).toFixed(1)} s): ${(e as Error).stack ?? String(e)}\n`);
        await page.screenshot({ path: `${root}explorer/test-failure-${spec.name}.png`, fullPage: true }).catch(() => undefined);
      }
      for (const n of notes) process.stdout.write(`     ${n}\n`);
      await context.close();
    }
  } finally {
    await browser?.close();
    await server.close();
  }
  process.stdout.write(`${ok ? 'all passed' : 'FAILED'} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return ok;
}
