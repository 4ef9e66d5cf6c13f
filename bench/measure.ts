/**
 * Runs one command in a child process of its own and measures it from outside: wall time from the
 * spawn to the exit, and the peak resident set size that GNU time reads from the kernel
 * (`getrusage`), the whole process with all its threads (Node's worker threads, DuckDB's threads).
 * Nothing is asked of the program measured, so Kamerton and DuckDB are measured the same way.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';

/** Wall time, CPU time (user + system, all threads: above the wall time when several cores worked) and peak RSS. */
export type Measurement = { seconds: number; cpuSeconds: number; peakRssMb: number };

export const GNU_TIME = '/usr/bin/time';

export function checkGnuTime(): void {
  if (!existsSync(GNU_TIME)) {
    throw new Error(`${GNU_TIME} (GNU time) is needed to measure peak memory; install it (apt-get install time)`);
  }
}

/**
 * Runs `command args...` with its standard output sent to `stdoutPath` (or discarded) and resolves to
 * its wall time, CPU time and peak RSS; rejects, with the end of its standard error, when it fails.
 * The command gets `env` as its environment (this process's when absent).
 */
export async function measureCommand(command: string, args: string[], stdoutPath: string | null, rssPath: string, env?: NodeJS.ProcessEnv): Promise<Measurement> {
  rmSync(rssPath, { force: true });
  const out = stdoutPath === null ? 'ignore' : openSync(stdoutPath, 'w');
  try {
    const started = performance.now();
    const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', rssPath, command, ...args], { stdio: ['ignore', out, 'pipe'], env: env ?? process.env });
    let stderr = '';
    // Always a pipe (stdio[2] above); the type cannot tell, because stdout's setting is not a literal.
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      // Only the end matters for an error message; keep memory bounded whatever the child prints.
      stderr = (stderr + text).slice(-4000);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.trim()}`);
    // GNU time reports kilobytes (KiB) and seconds; the last line holds the figures after any note it adds.
    const lines = readFileSync(rssPath, 'utf8').trim().split('\n');
    const [kib, user, system] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
    if (!Number.isFinite(kib) || !Number.isFinite(user) || !Number.isFinite(system)) throw new Error(`cannot read GNU time's figures from ${rssPath}`);
    return { seconds, cpuSeconds: user! + system!, peakRssMb: kib! / 1024 };
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
