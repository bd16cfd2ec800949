// Who owns a piece of local state (an open intent, its staging folder): this process, named by pid
// and host, and whether that owner is gone. The one dead-owner check of the embedded runtime until
// the per-job lock records its owner itself.

import { hostname } from 'node:os';

/** A process on a host. */
export interface ProcessOwner {
  pid: number;
  host: string;
}

/** This process. */
export function currentOwner(): ProcessOwner {
  return { pid: process.pid, host: hostname() };
}

/**
 * True only when the owner certainly no longer runs: same host and no such process (ESRCH). An
 * owner on another host, or one we may not signal (EPERM), is treated as alive: never taken over.
 */
export function ownerIsGone(owner: ProcessOwner): boolean {
  if (owner.host !== hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
