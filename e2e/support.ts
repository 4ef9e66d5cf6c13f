/**
 * What the browser tests share: Debian's Chromium driven by playwright-core (never a downloaded
 * browser), a Kamerton server started as a user starts it (`kamerton serve`) on a fresh embedded
 * PostgreSQL in a temporary folder, axe-core's check of a page, and the screenshots the README shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const repo = fileURLToPath(new URL('..', import.meta.url));

/** Where Debian's `chromium` package puts the browser; CHROMIUM_PATH names another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `no Chromium at ${CHROMIUM} (install Debian's package: apt-get install chromium; .ci/run does)`;
}

export async function launchBrowser(): Promise<Browser> {
  // As root Chromium refuses its sandbox; the pages it opens are our own app's.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export type RunningServer = { url: string; stop(): Promise<void>; output(): string };

/**
 * `kamerton serve` on a fresh embedded PostgreSQL under the OS temp folder (which the postgres user
 * reaches when the tests run as root), on a free port; it builds the web app first when web/dist is
 * missing or older than its sources, as `npm start` does.
 */
export async function startServer(): Promise<RunningServer> {
  const folder = await mkdtemp(join(tmpdir(), 'kamerton-e2e-'));
  // mkdtemp makes the folder private; the postgres user must be let through it to its data folder.
  await chmod(folder, 0o755);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, KAMERTON_DATA_DIR: join(folder, 'data'), HOST: '127.0.0.1', PORT: String(port), KAMERTON_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const child: ChildProcess = spawn(process.execPath, [join(repo, 'bin', 'kamerton.js'), 'serve'], { cwd: repo, env });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kamerton serve did not start in 120 s:\n${output}`)), 120_000);
    const check = () => {
      if (output.includes('Kamerton is running at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kamerton serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(folder, { recursive: true, force: true });
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/**
 * axe-core's serious and critical violations on the page as it stands. The script is evaluated
 * through the DevTools protocol, which the page's Content-Security-Policy does not govern.
 */
export async function seriousViolations(page: Page): Promise<{ id: string; help: string; targets: string[] }[]> {
  await page.evaluate(axeSource);
  // A string, not a function: this file is compiled for Node, without the browser's types.
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)`);
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, help: violation.help, targets: violation.nodes.flatMap((node) => node.target) }));
}

/**
 * A screenshot of the window in docs/screenshots/, which the README shows. The window, not the whole
 * page: the app's header is fixed, and a whole-page capture draws it in the middle of a long page.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(repo, 'docs', 'screenshots', `${name}.png`) });
}

/** Fails, naming the page, when axe-core finds a serious or critical violation on it. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });
}

/** The texts of a column of the page's table, found by its header's text (sort arrows left out). */
export async function tableColumn(page: Page, header: string): Promise<string[]> {
  const headers = (await page.locator('table thead th').allTextContents()).map((text) => text.replace(/[▲▼]/g, '').trim());
  const index = headers.indexOf(header);
  if (index < 0) throw new Error(`no column ${header} among ${headers.join(', ')}`);
  return page.locator(`table tbody tr td:nth-child(${index + 1})`).allTextContents();
}

/** The administrator the browser tests create on a fresh server's first-run page. */
export const ADMINISTRATOR = { name: 'Anna Admin', email: 'anna@example.com', password: 'a long enough password' } as const;

/** Fills the first-run page (which the page must show) with ADMINISTRATOR and waits for the welcome page. */
export async function fillSetup(page: Page): Promise<void> {
  await page.getByLabel('Your name').fill(ADMINISTRATOR.name);
  await page.getByLabel('E-mail address').fill(ADMINISTRATOR.email);
  await page.locator('input[type=password]').fill(ADMINISTRATOR.password);
  await page.getByRole('button', { name: 'Create the administrator' }).click();
  await page.waitForURL(/\/welcome$/);
}

/** Opens a fresh server, which leads to its first-run page, and creates the administrator there. */
export async function createAdministrator(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForURL(/\/setup$/);
  await fillSetup(page);
}

export type DemoSummary = { password: string; users: { email: string; name: string; role: string }[] };

/** Loads the demo company from the welcome page; its users and their shared password. */
export async function loadDemo(page: Page): Promise<DemoSummary> {
  const loaded = page.waitForResponse((response) => response.url().endsWith('/api/v1/demo') && response.request().method() === 'POST', { timeout: 120_000 });
  await page.getByRole('button', { name: 'Load the demo company' }).click();
  const summary = await (await loaded).json() as DemoSummary;
  await page.getByText('The demo company is loaded').waitFor();
  return summary;
}

/** A demo user as the demo's answer names them. */
export type DemoUser = DemoSummary['users'][number];

/** A server with the demo company loaded, and a page of a fresh browser signed in as its administrator. */
export type DemoCompany = DemoSummary & {
  server: RunningServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
};

/**
 * Starts a server and a browser, creates the administrator on the first-run page and loads the demo
 * company from the welcome page, as a user does: the start of every browser test on the demo.
 */
export async function openDemoCompany(viewport: { width: number; height: number } = { width: 1400, height: 1000 }): Promise<DemoCompany> {
  const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const context = await browser.newContext({ locale: 'en-GB', viewport });
  const page = await context.newPage();
  await createAdministrator(page, server.url);
  const summary = await loadDemo(page);
  return {
    ...summary, server, browser, context, page,
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

/**
 * Signs out through the account menu and in as the demo's first user of `role`, landing on the
 * dashboard (where signing in leads); returns the user.
 */
export async function signInAs(page: Page, demo: DemoSummary, role: string): Promise<DemoUser> {
  const user = demo.users.find((candidate) => candidate.role === role);
  if (user === undefined) throw new Error(`the demo has no ${role}`);
  await page.getByRole('button', { name: /account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(/\/sign-in$/);
  await page.getByLabel('E-mail address').fill(user.email);
  await page.locator('input[type=password]').fill(demo.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dashboard$/);
  return user;
}
