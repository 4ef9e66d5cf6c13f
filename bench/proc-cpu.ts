/**
 * CPU time from Linux's /proc, for the parties a benchmark cannot wrap in GNU time: a long-running
 * server and the PostgreSQL server it talks to. Every function returns null where the system does not
 * tell (no /proc, or a server on another machine).
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/** Clock ticks a second in /proc's figures (USER_HZ): 100 on every architecture Linux runs on. */
const TICKS_PER_SECOND = 100;

/** The fields of /proc/PID/stat after the command name (which may hold spaces): state, ppid, ... */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return null;
  }
}

/** A process's CPU milliseconds (utime + stime; with its reaped children's, cutime + cstime, when asked). */
export function processCpuMs(pid: number, withReapedChildren = false): number | null {
  const fields = statFields(pid);
  if (fields === null) return null;
  const ticks = Number(fields[11]) + Number(fields[12]) + (withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
}

/**
 * PostgreSQL's CPU milliseconds: the postmaster, the backends that have ended (the postmaster reaps
 * them: pools close idle connections, a CLI's connections end with it), and its live children
 * (backends, checkpointer, walwriter, autovacuum).
 */
export function postgresCpuMs(postmaster: number): number | null {
  let total = processCpuMs(postmaster, true);
  if (total === null) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields?.[1] === String(postmaster)) total += ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  }
  return total;
}

function commandName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * The postmaster's pid: the parent of the backend serving a connection to `url`. Null without /proc,
 * and when the backend's pid is not a postgres process here (a server on another machine, whose pids
 * mean nothing on this one).
 */
export async function findPostmaster(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = Number((await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid);
    if (commandName(backend) !== 'postgres') return null;
    const parent = Number(statFields(backend)?.[1]);
    return Number.isInteger(parent) && commandName(parent) === 'postgres' ? parent : null;
  } finally {
    await client.end();
  }
}
