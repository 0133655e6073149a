// Memory over a long run: trains a small LSTM for N iterations (default 10 000) on the
// current backend and samples the JS heap, the WebAssembly memory, the native backend's
// scratch and the process's resident memory every N/20 iterations. A leak shows as
// growth after the first samples (the Wasm memory and the native scratch grow to the
// largest call once, then must stay flat; the heap and RSS must stay within GC noise).
// Usage: npm run leakcheck [-- iterations]   (RECURRENT_BACKEND=wasm for the wasm backend)
import { LSTM, Linear, SGD, Generator, crossEntropy, randn, randint, reshape, getBackend, describeBackend, WasmBackend, NativeBackend } from '../src/index.js';

const iters = Number(process.argv[2] ?? 10_000);
const g = new Generator(1);
const lstm = new LSTM({ inputSize: 16, hiddenSize: 32, numLayers: 2, generator: g });
const head = new Linear(32, 10, { generator: g });
const opt = new SGD([...lstm.parameters(), ...head.parameters()], { lr: 0.01, momentum: 0.9 });
const x = randn([16, 8, 16], { generator: g });
const y = randint(0, 10, [16 * 8], { generator: g });
const backend = getBackend();
const wasmBytes = (): number => (backend instanceof WasmBackend ? backend.memoryBytes() : 0);
const nativeBytes = (): number => (backend instanceof NativeBackend ? backend.scratchBytes() : 0);
const gc = (globalThis as { gc?: () => void }).gc;

console.log(describeBackend());
console.log('iteration,heapUsedMiB,wasmMemoryMiB,nativeScratchMiB,rssMiB,loss');
const rows: number[][] = [];
const t0 = performance.now();
for (let i = 1; i <= iters; i++) {
  opt.zeroGrad();
  const [out] = lstm.forward(x);
  const loss = crossEntropy(head.forward(reshape(out, [16 * 8, 32])), y);
  loss.backward();
  opt.step();
  if (i === 1 || i % Math.max(1, Math.floor(iters / 20)) === 0) {
    gc?.();
    const mem = process.memoryUsage();
    const row = [i, mem.heapUsed / 2 ** 20, wasmBytes() / 2 ** 20, nativeBytes() / 2 ** 20, mem.rss / 2 ** 20, loss.item()];
    rows.push(row);
    console.log(row.map((v, j) => (j === 0 ? String(v) : v.toFixed(3))).join(','));
  }
}
const secs = (performance.now() - t0) / 1000;
// Compare the second sample with the last: steady state, after warm-up.
const [, early] = rows;
const last = rows[rows.length - 1];
if (early && last) {
  console.log(`${iters} iterations in ${secs.toFixed(1)} s; heap ${early[1]!.toFixed(1)} → ${last[1]!.toFixed(1)} MiB; wasm memory ${early[2]!.toFixed(1)} → ${last[2]!.toFixed(1)} MiB; native scratch ${early[3]!.toFixed(2)} → ${last[3]!.toFixed(2)} MiB; RSS ${early[4]!.toFixed(0)} → ${last[4]!.toFixed(0)} MiB${gc ? '' : ' (run with --expose-gc for exact heap figures)'}`);
}
