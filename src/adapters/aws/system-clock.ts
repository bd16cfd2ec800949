// The real clock for the Lambda: wall time and timer-based sleep.

import type { Clock } from '../../ports.js';

/** Wall-clock time; `sleep` waits with a timer. Tests inject a fake Clock instead. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }
}
