/**
 * The web app's build before `kamerton serve` starts (and so `npm start`): Vite builds web/ into
 * web/dist when the build is missing or older than its sources, so that a fresh checkout or a pull
 * serves the app its sources describe without a separate step. `npm run build:web` does the same
 * build by hand; `kamerton dev` serves the sources through Vite instead.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

export const VITE_CONFIG = join(WEB_ROOT, 'vite.config.ts');

const BUILT_INDEX = join(WEB_ROOT, 'dist', 'index.html');

/**
 * What the build is made from. The public folder (copied into the build as it is) counts too, when
 * there is one.
 */
const SOURCES = ['index.html', 'vite.config.ts', 'src', 'public'].map((name) => join(WEB_ROOT, name));

/** Why the web app needs building: no build yet, or a source changed after it. */
export type WebBuildReason = 'missing' | 'stale';

/** Why the build is needed, or null when web/dist is current. Times are mtimes in milliseconds. */
export function webBuildNeeded(builtMtimeMs: number | null, newestSourceMtimeMs: number): WebBuildReason | null {
  if (builtMtimeMs === null) return 'missing';
  return newestSourceMtimeMs > builtMtimeMs ? 'stale' : null;
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The newest mtime among `paths` and, for a folder, everything under it; null when none exists.
 * Folders count too: deleting a source file changes only its folder's mtime.
 */
export async function newestMtimeMs(paths: readonly string[]): Promise<number | null> {
  let newest: number | null = null;
  for (const path of paths) {
    const info = await statOrNull(path);
    if (info === null) continue;
    newest = Math.max(newest ?? 0, info.mtimeMs);
    if (!info.isDirectory()) continue;
    for (const entry of await readdir(path, { recursive: true })) {
      // A file deleted between the listing and here simply no longer counts.
      newest = Math.max(newest, (await statOrNull(join(path, entry)))?.mtimeMs ?? 0);
    }
  }
  return newest;
}

export type EnsureWebBuildOptions = {
  /** Where the one line before and the one after a build go. */
  log: (line: string) => void;
};

/** Why the build is needed now, or null; the sources exist (vite.config.ts at least). */
async function buildReason(): Promise<WebBuildReason | null> {
  const built = (await statOrNull(BUILT_INDEX))?.mtimeMs ?? null;
  return webBuildNeeded(built, (await newestMtimeMs(SOURCES)) ?? 0);
}

/**
 * One build of this checkout at a time: two servers starting at once (the browser tests and the
 * server's test, in one run) would otherwise write web/dist together, each emptying it under the
 * other. The lock file holds its owner's pid, so that a build killed half-way does not hold it for good.
 */
const LOCK = join(tmpdir(), `kamerton-web-build-${createHash('sha256').update(WEB_ROOT).digest('hex').slice(0, 16)}.lock`);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function withBuildLock<T>(log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  let waiting = false;
  for (;;) {
    try {
      await writeFile(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // Empty while its owner is still writing it: then the owner is alive, and this one waits.
    const holder = Number(await readFile(LOCK, 'utf8').catch(() => ''));
    if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
      await rm(LOCK, { force: true });
      continue;
    }
    if (!waiting) log('waiting for another process to finish building the web app…');
    waiting = true;
    await sleep(250);
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { force: true });
  }
}

/**
 * Builds the web app with Vite when web/dist is missing or older than its sources. An installation that carries the build but not its sources is left as it is; one with
 * neither serves a page saying how to build the app.
 */
export async function ensureWebBuild({ log }: EnsureWebBuildOptions): Promise<void> {
  if ((await statOrNull(VITE_CONFIG)) === null) {
    if ((await statOrNull(BUILT_INDEX)) === null) log('the web app is neither built (web/dist) nor here to build (web/): / answers 503 until it is');
    return;
  }
  if ((await buildReason()) === null) return;
  await withBuildLock(log, async () => {
    // Asked again: another process may have built it while this one waited for the lock.
    const reason = await buildReason();
    if (reason === null) return;
    log(`building the web app (${reason === 'missing' ? 'web/dist is missing' : 'web/dist is older than its sources'})…`);
    const started = performance.now();
    await runViteBuild();
    log(`built the web app in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
}

/**
 * Vite's build in a process of its own: run inside the server, it left handles (its bundler's
 * workers and services) that kept the server's process alive after SIGTERM had closed the server and
 * the database, and its memory stayed with the server for good.
 */
async function runViteBuild(): Promise<void> {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    // Vite keeps a NODE_ENV it finds set: a server started by the tests (NODE_ENV=test) or in a shell
    // with NODE_ENV=development would otherwise serve React's development build, slower and running
    // every effect twice.
    const env = { ...process.env, NODE_ENV: 'production' };
    const child = spawn(process.execPath, [vite, 'build', '--config', VITE_CONFIG, '--logLevel', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    const report = Buffer.concat(output).toString('utf8').trim().split('\n').slice(-20).join('\n');
    throw new Error(`the web app did not build (Vite exited with ${code}):\n${report}\n  Fix web/, or run \`npm run build:web\` to see Vite's whole report.`);
  }
}
