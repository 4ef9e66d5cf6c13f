/**
 * Slipping and lost in the browser, on the demo company: the director sees the slipping and the lost
 * accounts with the reasons the rules gave, changes a rule, runs an analysis and sees its effect; the
 * dossier's Activity tab shows P(active) over the runs; a KAM sees only the accounts they may. axe-core
 * checks each page on the way.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, expectAccessible, openDemoCompany, screenshot, signInAs, tableColumn, type DemoCompany, type RunningServer } from './support.ts';

const missing = browserMissing();
if (missing !== null) console.warn(`browser tests skipped: ${missing}`);

describe.skipIf(missing !== null)('slipping and lost in the browser', () => {
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

  /** The count a tab of the segmented control shows ("Lost (12)"). */
  async function tabCount(label: 'Slipping' | 'Lost'): Promise<number> {
    await page.locator('label').filter({ hasText: new RegExp(`^${label} \\(\\d`) }).waitFor();
    const text = await page.locator('label').filter({ hasText: new RegExp(`^${label} \\(`) }).textContent();
    return Number(/\(([\d,]+)\)/.exec(text ?? '')![1]!.replace(/,/g, ''));
  }

  const table = () => page.getByRole('table', { name: 'Slipping and lost accounts' });
  /** The Reasons column of the accounts table (the page may hold the rules' versions table too). */
  const reasonsColumn = () => table().locator('tbody tr td:nth-child(7)').allTextContents();

  it('shows the director the slipping and the lost accounts with their reasons', async () => {
    await signInAs(page, demo, 'director');
    await page.getByRole('link', { name: 'Slipping and lost' }).click();
    await page.waitForURL(/\/slipping$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Slipping and lost');
    await page.getByRole('heading', { name: 'Activity rules' }).waitFor();
    await table().locator('tbody tr').first().waitFor();
    expect((await tableColumn(page, 'Reasons')).length).toBeGreaterThan(0);
    const reasons = await reasonsColumn();
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((text) => /Gap \d+ days?|P\(active\) fell|days? without a purchase|P\(active\) [\d.]+ </.test(text))).toBe(true);
    await expectAccessible(page, 'slipping');

    await page.locator('label').filter({ hasText: /^Lost \(/ }).click();
    await expect.poll(() => page.url()).toMatch(/activity=lost/);
    await expect.poll(async () => (await reasonsColumn()).some((text) => /without a purchase \(rule: 180\)|P\(active\) [\d.]+ < 0\.2/.test(text)), { timeout: 15_000 }).toBe(true);
    await screenshot(page, 'slipping');
    await expectAccessible(page, 'slipping (lost)');
  }, 120_000);

  it('changes a rule, runs an analysis and shows its effect', async () => {
    const lostBefore = await tabCount('Lost');
    await page.getByRole('button', { name: 'Change the rules' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the rules' });
    await dialog.waitFor();
    await expectAccessible(page, 'activity rules form');
    const days = dialog.getByRole('textbox', { name: /^Lost after \(days without a purchase\)/ });
    await days.fill('60');
    await dialog.getByLabel('Note').fill('Shorter silence for the test');
    const saved = page.waitForResponse((response) => response.url().endsWith('/api/v1/activity-rules') && response.request().method() === 'PUT');
    await dialog.getByRole('button', { name: 'Save the rules' }).click();
    expect((await saved).status()).toBe(200);
    await page.getByText(/Lost: more than 60 days without a purchase/).waitFor();
    await page.getByText('1 version').click();
    await page.getByRole('table', { name: 'Versions of the activity rules' }).getByText('Shorter silence for the test').waitFor();

    await page.getByRole('link', { name: 'Analyses' }).click();
    const created = page.waitForResponse((response) => response.url().endsWith('/api/v1/analysis-runs') && response.request().method() === 'POST', { timeout: 120_000 });
    await page.getByRole('button', { name: 'Run the analysis' }).click();
    expect((await created).status()).toBe(201);

    await page.getByRole('link', { name: 'Slipping and lost' }).click();
    await page.locator('label').filter({ hasText: /^Lost \(/ }).click();
    await expect.poll(() => tabCount('Lost'), { timeout: 30_000 }).toBeGreaterThan(lostBefore);
    await expect.poll(async () => (await reasonsColumn()).some((text) => /without a purchase \(rule: 60\)/.test(text)), { timeout: 15_000 }).toBe(true);
  }, 180_000);

  it('shows an account\'s P(active) over the runs and its changes on the dossier', async () => {
    await table().locator('tbody tr').first().getByRole('link').first().click();
    await page.waitForURL(/\/accounts\/[0-9a-f-]+\?tab=activity$/);
    await page.getByRole('tab', { name: 'Activity', selected: true }).waitFor();
    await page.getByRole('img', { name: /probability that the client is active/ }).waitFor();
    await page.getByRole('heading', { name: 'Changes of activity' }).waitFor();
    await page.getByText(/Active → Lost|First judged Lost|Slipping → Lost/).first().waitFor();
    await page.getByText('Expected purchases').first().waitFor();
    await screenshot(page, 'dossier-activity');
    await expectAccessible(page, 'dossier activity');
  }, 60_000);

  it('shows a KAM only the accounts they may see, without the owner filter or the rules form', async () => {
    await page.goto(`${server.url}/slipping?activity=lost`);
    await page.locator('label').filter({ hasText: /^Lost \(\d/ }).waitFor();
    const directorLost = await tabCount('Lost');
    const kam = await signInAs(page, demo, 'kam');
    await page.getByRole('link', { name: 'Slipping and lost' }).click();
    await page.getByRole('heading', { name: 'Activity rules' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Change the rules' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Owner' }).count()).toBe(0);
    const ownKam = await page.evaluate(async () => {
      const response = await fetch('/api/v1/activity/accounts?activity=lost&limit=500');
      return (await response.json()) as { total: number; items: { ownerName: string | null }[] };
    });
    expect(ownKam.total).toBeLessThan(directorLost);
    // The KAM's own accounts are among them; any other is one whose team the KAM is on.
    if (ownKam.items.length > 0) expect(ownKam.items.some((item) => item.ownerName === kam.name)).toBe(true);
    await expectAccessible(page, 'slipping (KAM)');
  }, 60_000);
});
