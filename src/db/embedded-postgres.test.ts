/**
 * The embedded PostgreSQL, for real: initdb, the server process, its files. The data lives under the
 * OS temp folder, because as root the server runs as the postgres user, who cannot reach the checkout.
 * The tests of the first block share one cluster, in order, so that initdb runs once.
 */
import { spawn, execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KamertonError } from '../core/errors.ts';
import { readRunningServer, startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres.ts';

const isRoot = process.getuid?.() === 0;
const temporaryFolders: string[] = [];
const servers: EmbeddedServer[] = [];

async function makeTemporaryFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'kamerton-embedded-pg-test-'));
  temporaryFolders.push(folder);
  // mkdtemp makes it 0700; as root, the postgres user must be able to enter it.
  await chmod(folder, 0o755);
  return folder;
}

async function start(dataDir: string, log?: (line: string) => void): Promise<EmbeddedServer> {
  const server = await startEmbeddedPostgres({ dataDir, ...(log ? { log } : {}) });
  servers.push(server);
  return server;
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

type ServerFileContent = { port: number; user: string; password: string; pid: number; ownerPid: number };

async function readServerFile(dataDir: string): Promise<ServerFileContent> {
  return JSON.parse(await readFile(join(dataDir, 'server.json'), 'utf8')) as ServerFileContent;
}

/** Whether `pid` runs; an exited process that its new parent has not reaped yet (a zombie) does not. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync('/proc/self/stat')) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Who the server process must run as: the postgres user as root, this process's user otherwise. */
function expectedServerUid(): number {
  return isRoot ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : (process.getuid?.() ?? -1);
}

afterAll(async () => {
  for (const server of servers) await server.stop();
  for (const folder of temporaryFolders) await rm(folder, { recursive: true, force: true });
});

describe('the embedded PostgreSQL on one data folder', () => {
  let dataDir = '';
  /** The server this process started last on dataDir. */
  let running: EmbeddedServer | null = null;
  const current = (): EmbeddedServer => {
    if (running === null) throw new Error('no server is running: the tests of this block run in order');
    return running;
  };

  beforeAll(async () => {
    // A data folder that does not exist yet, as on a fresh machine.
    dataDir = join(await makeTemporaryFolder(), 'data');
  });

  it('initialises a cluster on first start, answers queries and keeps its password owner-only', async () => {
    const lines: string[] = [];
    const server = await start(dataDir, (line) => lines.push(line));
    running = server;
    expect(server.url).toBe(`postgres://kamerton:${(await readServerFile(dataDir)).password}@127.0.0.1:${server.port}/postgres`);
    expect(await query(server.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    expect(lines.some((line) => line.includes('initialising a PostgreSQL cluster'))).toBe(true);

    const credentials = await stat(join(dataDir, 'pg', 'kamerton-credentials.json'));
    expect(credentials.mode & 0o777).toBe(0o600);
    const cluster = await stat(join(dataDir, 'pg'));
    expect(cluster.mode & 0o777).toBe(0o700);
    expect(cluster.uid).toBe(expectedServerUid());
    // Code-point order, as src/core/code-point-order.ts sorts.
    const sorted = await query<{ name: string }>(server.url, `select name from (values ('b'), ('Ł'), ('a'), ('Z')) v(name) order by name`);
    expect(sorted.map((row) => row.name)).toEqual(['Z', 'a', 'b', 'Ł']);
  });

  it('writes server.json (mode 0600) while running and runs PostgreSQL as the expected user', async () => {
    const server = current();
    const file = await stat(join(dataDir, 'server.json'));
    expect(file.mode & 0o777).toBe(0o600);
    const content = await readServerFile(dataDir);
    expect(content).toMatchObject({ port: server.port, user: 'kamerton', ownerPid: process.pid });
    expect((await stat(`/proc/${content.pid}`)).uid).toBe(expectedServerUid());
    const described = await readRunningServer(dataDir);
    expect(described).toEqual({ url: server.url, port: server.port });
    expect(await query(described?.url ?? '', 'select 2 as two')).toEqual([{ two: 2 }]);
  });

  it('listens on 127.0.0.1 only, with no Unix socket', async () => {
    const server = current();
    const settings = await query<{ listen: string; sockets: string }>(
      server.url,
      `select current_setting('listen_addresses') as listen, current_setting('unix_socket_directories') as sockets`,
    );
    expect(settings).toEqual([{ listen: '127.0.0.1', sockets: '' }]);
  });

  it('keeps no WAL for replicas, so that a first ledger import writes its tables without WAL', async () => {
    const server = current();
    const settings = await query<{ level: string; senders: string }>(
      server.url,
      `select current_setting('wal_level') as level, current_setting('max_wal_senders') as senders`,
    );
    expect(settings).toEqual([{ level: 'minimal', senders: '0' }]);
  });

  it('stops on stop(), twice without harm, removing server.json', async () => {
    const server = current();
    await query(server.url, 'create table kept (value text)');
    await query(server.url, `insert into kept values ('still here')`);
    const { pid } = await readServerFile(dataDir);
    await server.stop();
    await server.stop();
    running = null;
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(await readRunningServer(dataDir)).toBeNull();
  });

  it('reuses the cluster, its password and its data on a later start', async () => {
    const lines: string[] = [];
    const server = await start(dataDir, (line) => lines.push(line));
    running = server;
    expect(lines.some((line) => line.includes('initialising'))).toBe(false);
    expect(await query(server.url, 'select value from kept')).toEqual([{ value: 'still here' }]);
  });

  it('gives a second start on a running folder a handle on the same server, whose stop() leaves it running', async () => {
    const first = current();
    const second = await start(dataDir);
    expect(second.port).toBe(first.port);
    expect(await query(second.url, 'select value from kept')).toEqual([{ value: 'still here' }]);
    await second.stop();
    expect(await query(first.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    expect(await readRunningServer(dataDir)).toEqual({ url: first.url, port: first.port });
  });

  it('refuses a running folder whose server.json does not reach the server, naming the folder', async () => {
    const first = current();
    const content = await readServerFile(dataDir);
    await writeFile(join(dataDir, 'server.json'), JSON.stringify({ ...content, password: 'not-the-password' }), { mode: 0o600 });
    const attempt = startEmbeddedPostgres({ dataDir });
    await expect(attempt).rejects.toBeInstanceOf(KamertonError);
    await expect(attempt).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(dataDir) });
    // Still the first server's, which goes on running.
    await writeFile(join(dataDir, 'server.json'), JSON.stringify(content), { mode: 0o600 });
    expect(await query(first.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await first.stop();
    running = null;
  });

  it('stops a server left running by a Kamerton process that was killed, and starts afresh', async () => {
    const repository = fileURLToPath(new URL('../..', import.meta.url));
    const module = fileURLToPath(new URL('./embedded-postgres.ts', import.meta.url));
    const script =
      `import { startEmbeddedPostgres } from ${JSON.stringify(module)};` +
      `await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });` +
      `console.log('started'); setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repository, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((done, fail) => {
      owner.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('started')) done();
      });
      owner.once('exit', (code) => fail(new Error(`the owner process exited early with code ${String(code)}`)));
    });
    const orphan = await readServerFile(dataDir);
    owner.kill('SIGKILL');
    await new Promise((done) => owner.once('exit', done));
    expect(isAlive(orphan.pid)).toBe(true);

    const lines: string[] = [];
    const server = await start(dataDir, (line) => lines.push(line));
    expect(isAlive(orphan.pid)).toBe(false);
    expect(lines.some((line) => line.includes(`stopping PostgreSQL (pid ${orphan.pid})`))).toBe(true);
    expect((await readServerFile(dataDir)).ownerPid).toBe(process.pid);
    expect(await query(server.url, 'select value from kept')).toEqual([{ value: 'still here' }]);
    await server.stop();
  });
});

describe('data folders the embedded PostgreSQL cannot use', () => {
  it('rejects a data folder below a file, naming it', async () => {
    const file = join(await makeTemporaryFolder(), 'not-a-folder');
    await writeFile(file, 'x');
    const dataDir = join(file, 'data');
    const attempt = startEmbeddedPostgres({ dataDir });
    await expect(attempt).rejects.toBeInstanceOf(KamertonError);
    await expect(attempt).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining(dataDir) });
  });

  it.runIf(isRoot)('as root, rejects a data folder the postgres user cannot reach, naming the closed folder', async () => {
    const closed = await makeTemporaryFolder();
    await chmod(closed, 0o700);
    const dataDir = join(closed, 'inner', 'data');
    const attempt = startEmbeddedPostgres({ dataDir });
    await expect(attempt).rejects.toBeInstanceOf(KamertonError);
    await expect(attempt).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining(`The data folder ${dataDir} `) });
    await expect(attempt).rejects.toMatchObject({ message: expect.stringContaining(`${closed} does not let that user in`) });
    await expect(attempt).rejects.toMatchObject({ message: expect.stringContaining('Set KAMERTON_DATA_DIR to a folder') });
    expect(existsSync(join(dataDir, 'pg'))).toBe(false);
  });

  it('rejects a cluster folder that holds something else than a cluster, and leaves it alone', async () => {
    const dataDir = await makeTemporaryFolder();
    const clusterDir = join(dataDir, 'pg');
    await mkdir(clusterDir, { mode: 0o700 });
    await writeFile(join(clusterDir, 'notes.txt'), 'mine');
    if (isRoot) {
      const uid = expectedServerUid();
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      await chown(clusterDir, uid, gid);
    }
    const attempt = startEmbeddedPostgres({ dataDir });
    await expect(attempt).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining(`${clusterDir} is not empty`) });
    expect(await readFile(join(clusterDir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
  });

  it.runIf(isRoot)('as root, rejects a cluster folder that the postgres user does not own', async () => {
    const dataDir = await makeTemporaryFolder();
    await mkdir(join(dataDir, 'pg'), { mode: 0o700 });
    await writeFile(join(dataDir, 'pg', 'PG_VERSION'), '17\n');
    const attempt = startEmbeddedPostgres({ dataDir });
    await expect(attempt).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining(join(dataDir, 'pg')) });
  });
});
