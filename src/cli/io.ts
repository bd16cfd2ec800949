// The CLI's input and output, injected so commands run in-process under test.

import { readFile } from 'node:fs/promises';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Reads all of standard input (for `-` arguments). */
  readStdin(): Promise<string>;
  /** Whether stdout is a terminal (progress bars, colours). */
  isTty: boolean;
  cwd: string;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  get isTty() {
    return Boolean(process.stdout.isTTY);
  },
  get cwd() {
    return process.cwd();
  },
};

/** Reads a file argument, or standard input for `-`. */
export async function readTextArg(io: CliIo, file: string | undefined): Promise<string> {
  if (file === undefined || file === '-') return io.readStdin();
  return readFile(file, 'utf8');
}

/** Captures output in memory: for tests. */
export function memoryIo(stdin = '', cwd = process.cwd()): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    readStdin: async () => stdin,
    isTty: false,
    cwd,
  };
  return io;
}
