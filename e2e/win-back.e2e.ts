/**
 * Win-back in the browser, on the demo company: the demo's list and board are there; a new list of
 * every lost client is saved in its modal; an action is planned on one of its accounts; a small CSV
 * with that account's purchase the next day is imported on the Imports page; the action then shows
 * as won back on the board, with the day of the purchase, and the account's status is won-back.
 * axe-core checks the page on the way; the screenshot joins docs/screenshots/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, expectAccessible, openDemoCompany, screenshot, type DemoCompany, type RunningServer } from './support.ts';

const missing = browserMissing();
if (missing !== null) console.warn(`browser tests skipped: ${missing}`);

/** Tomorrow in the company's time zone (the server dates actions there), as DD.MM.YYYY for a Polish ledger. */
function tomorrowInWarsaw(): { iso: string; polish: string } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  const iso = date.toISOString().slice(0, 10);
  const [year, month, day] = iso.split('-');
  return { iso, polish: `${day}.${month}.${year}` };
}

const OFFER = '10% off the first order back';

type Member = { accountId: string; name: string; code: string | null; openAction: unknown };

describe.skipIf(missing !== null)('win-back in the browser', () => {
  let demo: DemoCompany;
  let server: RunningServer;
  let page: Page;
  const folder = mkdtempSync(join(tmpdir(), 'kamerton-win-back-e2e-'));
  let account: Member;

  beforeAll(async () => {
    demo = await openDemoCompany();
    ({ server, page } = demo);
  }, 240_000);

  afterAll(async () => {
    await demo?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('shows the demo\'s list, its accounts, the board and the rates', async () => {
    await page.goto(`${server.url}/win-back`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Win-back');
    await page.getByTestId('win-back-member').first().waitFor();
    await page.getByTestId('win-back-column-won-back').getByTestId('win-back-card').first().waitFor();
    await page.getByTestId('win-back-rate-summary').waitFor();
    await expectAccessible(page, 'win-back, the demo');
  }, 60_000);

  it('saves a list of every lost client in its modal', async () => {
    await page.getByRole('button', { name: 'New list' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Every lost client');
    await dialog.getByLabel('Lost within the last … months').fill('');
    await dialog.getByRole('checkbox', { name: 'A', exact: true }).uncheck();
    await dialog.getByRole('checkbox', { name: 'B', exact: true }).uncheck();
    await expectAccessible(page, 'win-back, the list modal');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: /^Every lost client/ }).click();
    await expect.poll(() => page.getByRole('heading', { level: 3, name: 'Every lost client' }).count()).toBe(1);
    await page.getByTestId('win-back-member').first().waitFor();
  }, 60_000);

  it('plans a discount on a lost account of the list', async () => {
    const planButton = page.getByRole('button', { name: /^Plan action\s*: / }).first();
    const name = ((await planButton.textContent()) ?? '').replace(/^Plan action\s*: /, '');
    const lists = await (await page.request.get(`${server.url}/api/v1/win-back/lists`)).json() as { items: { id: string; name: string }[] };
    const list = lists.items.find((item) => item.name === 'Every lost client')!;
    const members = await (await page.request.get(`${server.url}/api/v1/win-back/lists/${list.id}/members?pageSize=200`)).json() as { items: Member[] };
    account = members.items.find((member) => member.name === name)!;
    expect(account.code).not.toBeNull();
    await planButton.click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByLabel('Discount (%)').inputValue()).toBe('10 %');
    await dialog.getByLabel('What is offered').fill(OFFER);
    await dialog.getByRole('button', { name: 'Plan action', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const open = page.getByTestId('win-back-column-open');
    const card = open.getByTestId('win-back-card').filter({ hasText: OFFER });
    await card.waitFor();
    expect(await card.getByRole('link').textContent()).toBe(account.name);
    expect(await card.textContent()).toContain('Discount 10%');
  }, 60_000);

  it('finds the action won back once the ledger brings the account\'s next purchase', async () => {
    const tomorrow = tomorrowInWarsaw();
    const file = join(folder, 'powrot.csv');
    writeFileSync(file, `Nr dokumentu;Lp;Data sprzedaży;Kod kontrahenta;Nazwa kontrahenta;Wartość netto\r\nFV/E2E/1;1;${tomorrow.polish};${account.code};${account.name};1 500,00\r\n`);
    await page.goto(`${server.url}/imports`);
    const before = page.url();
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('preview-rows').waitFor();
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    await expect.poll(() => importButton.isEnabled()).toBe(true);
    await importButton.click();
    await expect.poll(() => page.url(), { timeout: 60_000 }).not.toBe(before);
    await page.getByTestId('import-result').waitFor();

    await page.goto(`${server.url}/win-back`);
    const wonBack = page.getByTestId('win-back-column-won-back').getByTestId('win-back-card').filter({ hasText: OFFER });
    await wonBack.waitFor();
    expect(await wonBack.textContent()).toContain('Bought again on');
    const status = await (await page.request.get(`${server.url}/api/v1/accounts/${account.accountId}`)).json() as { status: string };
    expect(status.status).toBe('won-back');
    await page.getByTestId('win-back-rate-summary').waitFor();
    await expectAccessible(page, 'win-back, won back');
    // The board in view, under the fixed header: the picture shows the won-back card.
    // A string, not a function: this file is compiled for Node, without the browser's types.
    await page.evaluate(`document.getElementById('win-back-board').scrollIntoView(); window.scrollBy(0, -110);`);
    await screenshot(page, 'win-back');
  }, 120_000);
});
