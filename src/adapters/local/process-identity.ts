// Who this process is (host, pid, start time) and whether another recorded process still lives:
// the facts a lock needs to die with its owner. The start time guards against a reused pid.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** A process as a lock records it. */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** Linux: the start time in clock ticks since boot (field 22 of /proc/PID/stat); absent elsewhere. */
  processStart?: string;
}

/** The start time of `pid` as the OS reports it, when it can be read (Linux); undefined otherwise. */
export function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

let self: ProcessIdentity | undefined;

/** This process. */
export function currentProcess(): ProcessIdentity {
  if (!self) {
    const processStart = processStartOf(process.pid);
    self = { host: hostname(), pid: process.pid, ...(processStart ? { processStart } : {}) };
  }
  return self;
}

/**
 * Whether the recorded process still runs. Only a process on this host can be checked; one on
 * another host counts as alive (its heartbeat decides).
 */
export function isProcessAlive(p: ProcessIdentity): boolean {
  const me = currentProcess();
  if (p.host !== me.host) return true;
  if (p.pid === me.pid) return p.processStart === undefined || p.processStart === me.processStart;
  try {
    process.kill(p.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (p.processStart === undefined) return true;
  const now = processStartOf(p.pid);
  return now === undefined || now === p.processStart;
}
