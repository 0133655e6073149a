// onnxruntime-node as an inference peer (LSTM and GRU forward only). The models are
// exported at bench time by the Python peer (torch.onnx.export of nn.LSTM / nn.GRU with
// dynamic seq and batch axes, tools/bench_torch.py `export_onnx`) into a temporary
// directory, so nothing generated is committed and ONNX's LSTM/GRU ops get PyTorch's
// semantics (GRU with linear_before_reset = 1). Without PyTorch, this peer is skipped.
// Install offline: npm install -D onnxruntime-node --onnxruntime-node-install=skip
// (the default install script tries to download GPU libraries).

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as ORT from 'onnxruntime-node';
import type { Contender, Session } from '../measure.js';
import { inProcessSession } from '../measure.js';
import type { Workload } from '../workloads.js';
import type { PythonPeer } from './torch.js';

export interface Onnx {
  ort: typeof ORT;
  version: string;
  /** Exports (once) and returns the path of the model for a workload. */
  model(w: Workload): Promise<string>;
  cleanup(): void;
}

export async function loadOnnx(exporter: PythonPeer | null): Promise<Onnx> {
  const name = 'onnxruntime-node';
  const mod = (await import(name)) as typeof ORT & { default?: typeof ORT };
  const ort = (mod.default ?? mod) as typeof ORT;
  const require = createRequire(import.meta.url);
  const version = (require(`${name}/package.json`) as { version: string }).version;
  if (!exporter) throw new Error('needs PyTorch (tools/bench_torch.py) to export the ONNX models');
  const dir = mkdtempSync(join(tmpdir(), 'recurrent-bench-onnx-'));
  const models = new Map<string, Promise<string>>();
  return {
    ort,
    version,
    model(w) {
      const key = `${w.kind}-${w.I}-${w.H}`;
      let p = models.get(key);
      if (!p) {
        const path = join(dir, `${key}.onnx`);
        p = exporter.request({ cmd: 'export_onnx', path, kind: w.kind, I: w.I, H: w.H }).then(() => path);
        models.set(key, p);
      }
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function onnxContender(o: Onnx, threads: number): Contender {
  return {
    id: `ort:${threads}`,
    ours: false,
    label: () => `onnxruntime-node ${o.version} ${threads}t`,
    supports: (w) => (w.mode === 'infer' && (w.kind === 'lstm' || w.kind === 'gru') && w.layers === 1 ? true : 'inference of LSTM/GRU only'),
    async open(w: Workload): Promise<Session> {
      const path = await o.model(w);
      const session = await o.ort.InferenceSession.create(path, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        executionProviders: ['cpu'],
      });
      const data = new Float32Array(w.T * w.B * w.I);
      for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898) * 0.5;
      const x = new o.ort.Tensor('float32', data, [w.T, w.B, w.I]);
      return inProcessSession(
        () => session.run({ x }),
        () => session.release(),
      );
    },
  };
}
