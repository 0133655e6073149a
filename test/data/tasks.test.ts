// The long-range task generators: shapes, the defining structure of each task, and the
// statistics the baselines quoted in the literature rest on.
import { describe, expect, it } from 'vitest';
import { addingProblem, copyMemory, generationTarget, Generator, ArgumentError } from '../../src/index.js';

describe('long-range task generators', () => {
  it('adding problem: two markers, one per half; target = sum of the marked values; predicting 1 gives MSE ≈ 1/6', () => {
    const T = 30;
    const B = 4000;
    const { x, y } = addingProblem(T, B, new Generator(1));
    expect(x.shape).toEqual([T, B, 2]);
    expect(y.shape).toEqual([B, 1]);
    let mse = 0;
    for (let b = 0; b < B; b++) {
      const marks: number[] = [];
      let sum = 0;
      for (let t = 0; t < T; t++) {
        const v = x.data[(t * B + b) * 2] as number;
        expect(v >= 0 && v < 1).toBe(true);
        if (x.data[(t * B + b) * 2 + 1] === 1) {
          marks.push(t);
          sum += v;
        } else expect(x.data[(t * B + b) * 2 + 1]).toBe(0);
      }
      expect(marks.length).toBe(2);
      expect(marks[0]! < T / 2 && marks[1]! >= T / 2).toBe(true);
      expect(Math.abs((y.data[b] as number) - sum)).toBeLessThan(1e-6);
      mse += ((y.data[b] as number) - 1) ** 2 / B;
    }
    expect(Math.abs(mse - 1 / 6)).toBeLessThan(0.01); // Var(U1 + U2) = 2/12
    expect(addingProblem(T, 3, new Generator(5)).x.data).toEqual(addingProblem(T, 3, new Generator(5)).x.data);
  });

  it('copy memory: symbols, blanks, a delimiter at the end of the delay, and the symbols as the last targets', () => {
    const T = 12;
    const B = 5;
    const { x, y } = copyMemory(T, B, new Generator(2), { symbols: 8, length: 10 });
    expect(x.shape).toEqual([T + 20, B]);
    expect(x.dtype).toBe('int32');
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < 10; t++) {
        const s = x.data[t * B + b] as number;
        expect(s >= 1 && s <= 8).toBe(true);
        expect(y.data[(T + 10 + t) * B + b]).toBe(s);
        expect(y.data[t * B + b]).toBe(0);
      }
      for (let t = 10; t < T + 20; t++) expect(x.data[t * B + b]).toBe(t === 10 + T - 1 ? 9 : 0);
    }
  });

  it('sequence generation target: fixed, 320 samples in [−1, 1] reaching ±1', () => {
    const a = generationTarget();
    expect(a.length).toBe(320);
    expect(Math.max(...Array.from(a, Math.abs))).toBeCloseTo(1, 12);
    expect(Array.from(generationTarget())).toEqual(Array.from(a));
  });

  it('bad sizes are clear errors', () => {
    expect(() => addingProblem(1, 2, new Generator(1))).toThrow(ArgumentError);
    expect(() => copyMemory(5, 0, new Generator(1))).toThrow(/batch/);
    expect(() => copyMemory(5, 2, new Generator(1), { symbols: 0 })).toThrow(/symbols/);
  });
});
