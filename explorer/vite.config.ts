// Vite config of the explorer (npm run explorer / npm run explorer:build, from the repo root).
// The library is imported from its TypeScript sources (../src), so the page always runs
// the code of this checkout. COOP/COEP make the page cross-origin isolated, which the wasm
// backend's thread pool would need; the explorer runs each model on one thread in its own
// Web Worker anyway (several views may train at once on a 2-core machine).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  server: { host: '127.0.0.1', port: 5173, headers: isolation, fs: { allow: ['..'] } },
  preview: { host: '127.0.0.1', port: 4173, headers: isolation },
  worker: { format: 'es' },
  // Pre-bundled up front, so the dev server never reloads the page halfway through a session.
  optimizeDeps: { include: ['echarts/core', 'echarts/charts', 'echarts/components', 'echarts/renderers', 'onnx-proto'] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
