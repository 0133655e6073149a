// Rough speed of one LSTM training iteration (forward + loss = sum(outputs) + backward)
// on the current backend: B = 32, T = 64, I = 128, H = 256 (the workload).
// Usage: node --import tsx bench/lstm-iteration.ts [iterations] [backend]
import { LSTM, randn, sum, setBackend, describeBackend, Generator } from '../src/index.js';

const iters = Number(process.argv[2] ?? 2);
if (process.argv[3]) setBackend(process.argv[3]);
const lstm = new LSTM({ inputSize: 128, hiddenSize: 256, generator: new Generator(1) });
const x = randn([64, 32, 128], { generator: new Generator(2) });
const times: number[] = [];
for (let i = 0; i < iters; i++) {
  const t0 = performance.now();
  lstm.zeroGrad();
  const [y] = lstm.forward(x);
  sum(y).backward();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`${describeBackend()}`);
console.log(`lstm-train B=32 T=64 I=128 H=256: median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms/iteration over ${iters}`);
