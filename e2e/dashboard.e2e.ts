/**
 * The portfolio dashboard in the browser, on the demo company (two analysis runs a month apart): the
 * director's dashboard shows the ABC-XYZ matrix, a matrix cell opens the accounts of its segment, a
 * transition cell the accounts that made that move; a KAM's dashboard holds only their accounts.
 * axe-core checks each dashboard; the screenshots join docs/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserMissing, expectAccessible, openDemoCompany, screenshot, signInAs as signInAsDemoUser, tableColumn, type DemoCompany, type RunningServer,
} from './support.ts';

const missing = browserMissing();
if (missing !== null) console.warn(`browser tests skipped: ${missing}`);

const SEGMENTS = ['AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ'] as const;

describe.skipIf(missing !== null)('the portfolio dashboard in the browser', () => {
  let demo: DemoCompany;
  let server: RunningServer;
  let page: Page;

  beforeAll(async () => {
    // The first run and the demo company, as first-run.e2e.ts loads them.
    demo = await openDemoCompany();
    ({ server, page } = demo);
  }, 240_000);

  afterAll(async () => {
    await demo?.close();
  });



  /** The accounts list's count ("12 accounts"), once the list has loaded. */
  async function listedTotal(): Promise<number> {
    await page.getByRole('table', { name: 'Accounts' }).locator('tbody tr').first().waitFor();
    return Number((await page.getByText(/^[\d,]+ accounts?$/).textContent())!.split(' ')[0]!.replace(/,/g, ''));
  }

  /** The clients a matrix cell counts, read from its text ("12 clients (4%)"). */
  async function cellClients(segment: string): Promise<number> {
    const text = await page.locator(`[data-testid=abc-xyz-matrix] a[data-segment=${segment}]`).textContent();
    const match = /([\d,]+) clients?/.exec(text ?? '');
    if (match === null) throw new Error(`no client count in the ${segment} cell: ${text}`);
    return Number(match[1]!.replace(/,/g, ''));
  }

  async function signInAs(role: string): Promise<void> {
    await signInAsDemoUser(page, demo, role);
    // Signing in lands on the dashboard.
    await page.locator('[data-testid=abc-xyz-matrix]').waitFor();
  }

  it('shows the director the matrix, the curve, the movers and the KAMs side by side', async () => {
    await page.goto(`${server.url}/dashboard`);
    await page.locator('[data-testid=abc-xyz-matrix]').waitFor();
    await signInAs('director');
    await page.getByRole('heading', { name: 'The KAMs side by side' }).waitFor();
    await page.getByRole('img', { name: /Pareto curve/ }).waitFor();
    await page.getByRole('table', { name: /segment in the previous run/ }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Portfolio' }).inputValue()).toBe('The whole company');
    const dashboard = await (await page.request.get(`${server.url}/api/v1/dashboard`)).json() as {
      totals: { clients: number }; previousRunId: number | null; transitions: { moved: number } | null;
    };
    expect(dashboard.previousRunId).not.toBeNull();
    expect(dashboard.transitions?.moved).toBeGreaterThan(0);
    let sum = 0;
    for (const segment of SEGMENTS) sum += await cellClients(segment);
    expect(sum).toBe(dashboard.totals.clients);
    await expectAccessible(page, 'dashboard');
    await screenshot(page, 'dashboard');
  });

  it('opens the accounts of a matrix cell, filtered to its segment', async () => {
    const expected = await cellClients('AX');
    expect(expected).toBeGreaterThan(0);
    await page.locator('[data-testid=abc-xyz-matrix] a[data-segment=AX]').click();
    await page.waitForURL(/\/accounts\?segment=AX$/);
    await expect.poll(listedTotal).toBe(expected);
    const segments = await tableColumn(page, 'Segment');
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.every((segment) => segment === 'AX')).toBe(true);
  });

  it('opens the accounts that made a move from a transition cell', async () => {
    await page.goBack();
    await page.waitForURL(/\/dashboard$/);
    const transitions = page.getByRole('table', { name: /segment in the previous run/ });
    // A move between two segments: a link whose hidden text names two different segments.
    const links = await transitions.getByRole('link').all();
    let chosen: { link: (typeof links)[number]; from: string; to: string; count: number } | null = null;
    for (const link of links) {
      const match = /^([\d,]+) from ([A-C][X-Z]) to ([A-C][X-Z])$/.exec(((await link.textContent()) ?? '').trim());
      if (match !== null && match[2] !== match[3]) {
        chosen = { link, from: match[2]!, to: match[3]!, count: Number(match[1]!.replace(/,/g, '')) };
        break;
      }
    }
    expect(chosen).not.toBeNull();
    await chosen!.link.click();
    await page.waitForURL(new RegExp(`/accounts\\?previousSegment=${chosen!.from}&segment=${chosen!.to}$`));
    await expect.poll(listedTotal).toBe(chosen!.count);
    expect((await tableColumn(page, 'Segment')).every((segment) => segment === chosen!.to)).toBe(true);
    // The list says it is filtered by the previous segment, like its other filters.
    expect(await page.getByRole('combobox', { name: 'Segment in the previous run' }).inputValue()).toBe(chosen!.from);
    await expectAccessible(page, 'accounts: moved between segments');
  });

  it('shows a KAM\'s portfolio to the director, with the cells\' links narrowed to it', async () => {
    const kam = demo.users.find((user) => user.role === 'kam')!;
    await page.goto(`${server.url}/dashboard`);
    await page.getByRole('combobox', { name: 'Portfolio' }).click();
    await page.getByRole('option', { name: kam.name, exact: true }).click();
    await page.waitForURL(/\/dashboard\?owner=[0-9a-f-]{36}$/);
    const ownerId = new URL(page.url()).searchParams.get('owner')!;
    await expect.poll(async () => page.locator('[data-testid=abc-xyz-matrix] a[data-segment=AX]').getAttribute('href'))
      .toBe(`/accounts?segment=AX&ownerId=${ownerId}`);
    const theirs = await (await page.request.get(`${server.url}/api/v1/dashboard?ownerId=${ownerId}`)).json() as { totals: { clients: number } };
    await expect.poll(async () => {
      let sum = 0;
      for (const segment of SEGMENTS) sum += await cellClients(segment);
      return sum;
    }).toBe(theirs.totals.clients);
  });

  it('gives a KAM a dashboard of their own accounts only', async () => {
    await signInAs('kam');
    expect(await page.getByRole('combobox', { name: 'Portfolio' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'The KAMs side by side' }).count()).toBe(0);
    // Every cell counts what the KAM's own accounts list holds in that segment, and nothing more.
    for (const segment of SEGMENTS) {
      const listed = await (await page.request.get(`${server.url}/api/v1/accounts?segment=${segment}&pageSize=1`)).json() as { total: number };
      expect({ segment, clients: await cellClients(segment) }).toEqual({ segment, clients: listed.total });
    }
    // The movers and the growth lists name only accounts the KAM may open.
    const hrefs = await page.locator('section a[href^="/accounts/"]').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) {
      expect({ href, status: (await page.request.get(`${server.url}/api/v1${href!}`)).status() }).toEqual({ href, status: 200 });
    }
    await expectAccessible(page, 'dashboard: KAM');
    await screenshot(page, 'dashboard-kam');

    await page.locator('[data-testid=abc-xyz-matrix] a[data-segment=AX]').click();
    await page.waitForURL(/\/accounts\?segment=AX$/);
    const mine = await (await page.request.get(`${server.url}/api/v1/dashboard`)).json() as { matrix: { segment: string; clients: number }[] };
    await expect.poll(listedTotal).toBe(mine.matrix.find((cell) => cell.segment === 'AX')!.clients);
  });
});
