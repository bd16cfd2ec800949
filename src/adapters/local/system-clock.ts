// The wall clock, for real runs (tests and the simulator inject their own Clock).

import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../ports.js';

/** Real time and real sleeps. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
  async sleep(ms: number): Promise<void> {
    if (ms > 0) await delay(ms);
  }
}
