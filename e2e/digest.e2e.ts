/**
 * "Today", the daily digest, in the browser on the demo company: a KAM opens it from the navigation
 * and sees their three sections (slipping and newly lost key clients, overdue win-back actions), each
 * as a table of the digest's entries with links to the dossiers or as its empty state; the director
 * reads a KAM's digest through the selector; marketing has no such page. axe-core checks the pages;
 * the KAM's digest is docs/screenshots/digest.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, expectAccessible, openDemoCompany, screenshot, signInAs, type DemoCompany, type RunningServer } from './support.ts';

const missing = browserMissing();
if (missing !== null) console.warn(`browser tests skipped: ${missing}`);

type Digest = {
  user: { id: string; name: string };
  slipping: { accountId: string; accountName: string }[];
  newlyLost: { accountId: string; accountName: string }[];
  overdue: { actionId: string; accountId: string; accountName: string }[];
  counts: { slipping: number; newlyLost: number; overdue: number; total: number };
};

const SECTIONS = [
  { key: 'slipping', testId: 'digest-slipping', title: 'Key clients slipping away', empty: 'None of your key clients is slipping away.' },
  { key: 'newlyLost', testId: 'digest-lost', title: 'Key clients lost in the last 7 days', empty: 'No key client was lost in the last 7 days.' },
  { key: 'overdue', testId: 'digest-overdue', title: 'Overdue win-back actions', empty: 'No win-back action is overdue.' },
] as const;

describe.skipIf(missing !== null)('the daily digest in the browser', () => {
  let demo: DemoCompany;
  let server: RunningServer;
  let page: Page;

  beforeAll(async () => {
    demo = await openDemoCompany();
    ({ server, page } = demo);
  }, 240_000);

  afterAll(async () => {
    await demo?.close();
  });

  /** Each section shows the digest's entries, linked to their dossiers, or its empty state. */
  async function expectSections(digest: Digest): Promise<void> {
    for (const section of SECTIONS) {
      const box = page.getByTestId(section.testId);
      await expect.poll(() => box.getByRole('heading', { level: 2 }).textContent()).toBe(`${section.title} ${digest.counts[section.key]}`);
      const entries = digest[section.key];
      if (entries.length === 0) {
        await box.getByText(section.empty).waitFor();
      } else {
        const links = box.getByRole('table').locator('tbody tr td:first-child a');
        expect(await links.allTextContents()).toEqual(entries.map((entry) => entry.accountName));
        expect(await links.first().getAttribute('href')).toBe(`/accounts/${entries[0]!.accountId}`);
      }
    }
  }

  it('shows a KAM their slipping and lost key clients and overdue actions, from the navigation', async () => {
    const kam = await signInAs(page, demo, 'kam');
    const navigation = page.getByRole('navigation', { name: 'Main navigation' });
    const labels = await navigation.getByRole('link').allTextContents();
    // Right after the dashboard.
    expect(labels.slice(0, 2)).toEqual(['Dashboard', 'Today']);
    await navigation.getByRole('link', { name: 'Today' }).click();
    await page.waitForURL(/\/digest$/);
    await page.getByRole('heading', { level: 1, name: 'Today' }).waitFor();
    const digest = await (await page.request.get(`${server.url}/api/v1/digest`)).json() as Digest;
    expect(digest.user.name).toBe(kam.name);
    await page.getByText(/^Your key clients and actions for /).waitFor();
    await expectSections(digest);
    if (digest.counts.total === 0) await page.getByTestId('digest-all-clear').waitFor();
    await page.getByRole('link', { name: 'All win-back actions' }).waitFor();
    // Nobody else is chosen on a KAM's page.
    expect(await page.getByRole('combobox', { name: 'Whose digest' }).count()).toBe(0);
    await expectAccessible(page, 'digest (kam)');
    await screenshot(page, 'digest');
  });

  it('lets the director read a KAM\'s digest', async () => {
    await signInAs(page, demo, 'director');
    const kam = demo.users.find((candidate) => candidate.role === 'kam')!;
    await page.goto(`${server.url}/digest`);
    const select = page.getByRole('combobox', { name: 'Whose digest' });
    await select.click();
    await page.getByRole('option', { name: kam.name }).click();
    await page.waitForURL(/\/digest\?user=/);
    const userId = new URL(page.url()).searchParams.get('user')!;
    await page.getByText(new RegExp(`^Key clients and actions of ${kam.name}`)).waitFor();
    const digest = await (await page.request.get(`${server.url}/api/v1/digest?userId=${userId}`)).json() as Digest;
    await expectSections(digest);
    await expectAccessible(page, 'digest (director)');
  });

  it('has no page for marketing', async () => {
    await signInAs(page, demo, 'marketing');
    const labels = await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link').allTextContents();
    expect(labels).not.toContain('Today');
    expect((await page.request.get(`${server.url}/api/v1/digest`)).status()).toBe(403);
  });
});
