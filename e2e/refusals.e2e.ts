/**
 * Refusals in the browser, on the demo company: a KAM records a complaint on one of their accounts'
 * Refusals tab, sees it in the log and the tab's count go up by one; the portfolio's Refusals page
 * shows the most frequent reasons. axe-core checks both pages; the screenshots join docs/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, expectAccessible, openDemoCompany, screenshot, signInAs, type DemoCompany, type RunningServer } from './support.ts';

const missing = browserMissing();
if (missing !== null) console.warn(`browser tests skipped: ${missing}`);

describe.skipIf(missing !== null)('refusals in the browser', () => {
  let demo: DemoCompany;
  let server: RunningServer;
  let page: Page;

  beforeAll(async () => {
    demo = await openDemoCompany();
    ({ server, page } = demo);
    // Signed in as the demo's first key account manager from here on.
    await signInAs(page, demo, 'kam');
  }, 240_000);

  afterAll(async () => {
    await demo?.close();
  });

  /** The count the Refusals tab's summary gives ("12 refusals from ..."). */
  async function summaryCount(): Promise<number> {
    const text = await page.getByTestId('refusals-summary').textContent();
    const match = /^([\d,]+) refusals?/.exec(text ?? '');
    if (match === null) throw new Error(`no count in the summary: ${text}`);
    return Number(match[1]!.replace(/,/g, ''));
  }

  it('lets a KAM record a refusal on an account\'s Refusals tab and counts it', async () => {
    // The KAM's account with the most refusals, as the statistics name it.
    const stats = await (await page.request.get(`${server.url}/api/v1/refusals/stats`)).json() as { accounts: { accountId: string; accountName: string }[] };
    const account = stats.accounts[0]!;
    await page.goto(`${server.url}/accounts/${account.accountId}?tab=refusals`);
    await page.getByRole('heading', { name: account.accountName }).waitFor();
    await page.getByTestId('refusals-summary').waitFor();
    const before = await summaryCount();
    expect(before).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Add a refusal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a refusal' });
    await dialog.getByRole('combobox', { name: 'Kind' }).click();
    await page.getByRole('option', { name: 'Complaint' }).click();
    await dialog.getByRole('combobox', { name: 'Reason' }).click();
    await page.getByRole('option', { name: 'Quality' }).click();
    await dialog.getByLabel('Direction').fill('Folie i taśmy');
    await dialog.getByLabel('Value (PLN)').fill('12000');
    await dialog.getByLabel('Note').fill('Folia stretch pęka przy owijaniu palet.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const log = page.getByRole('table', { name: 'Refusals log' });
    await log.getByRole('cell', { name: 'Folia stretch pęka przy owijaniu palet.' }).waitFor();
    await expect.poll(summaryCount).toBe(before + 1);
    await page.getByRole('img', { name: /Bar chart: .* refusals by month/ }).waitFor();
    await expectAccessible(page, 'dossier refusals');
    await screenshot(page, 'dossier-refusals');
  });

  it('shows the portfolio\'s refusals with their most frequent reasons', async () => {
    await page.getByRole('navigation', { name: /main/i }).getByRole('link', { name: 'Refusals' }).click();
    await page.waitForURL(/\/refusals$/);
    await page.getByRole('heading', { name: 'Refusals', level: 1 }).waitFor();
    const reasons = page.getByRole('table', { name: 'Most frequent reasons' });
    await reasons.locator('tbody tr').first().waitFor();
    const names = await reasons.locator('tbody tr td:first-child').allTextContents();
    expect(names.length).toBeGreaterThan(2);
    expect(names).toContain('Price');
    await page.getByRole('table', { name: 'Accounts with the most refusals' }).waitFor();
    await page.getByRole('table', { name: 'Refusals log' }).locator('tbody tr').first().waitFor();
    await expectAccessible(page, 'refusals');
    await screenshot(page, 'refusals');
  });
});
