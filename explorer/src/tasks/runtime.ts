// The training loop shared by the tasks: steps until stopped or until maxSteps, posting
// progress at most every `interval` ms and yielding to the worker's event loop between
// updates so a 'stop' message (or a new request) is seen promptly.

export interface LoopControl {
  stopped: boolean;
}

export const yieldToEvents = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export async function trainLoop(
  control: LoopControl,
  step: () => void,
  emit: () => void,
  options: { maxSteps: number; interval?: number; startStep?: number },
): Promise<number> {
  const interval = options.interval ?? 100;
  let n = options.startStep ?? 0;
  let last = performance.now();
  while (!control.stopped && (options.maxSteps <= 0 || n < options.maxSteps)) {
    step();
    n++;
    const now = performance.now();
    if (now - last >= interval) {
      emit();
      last = performance.now();
      await yieldToEvents();
    }
  }
  emit();
  return n;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
