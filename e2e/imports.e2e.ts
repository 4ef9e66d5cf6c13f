/**
 * Importing the ledger in the browser, as a director would on a fresh server: a Polish CSV (decimal
 * commas, DD.MM.YYYY, one impossible date) previewed with its columns and the bad line named before
 * importing; imported, with the counts and the rejected line's number; imported again, every line
 * unchanged; both runs in the history, each opening its record. axe-core checks the page on the way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, createAdministrator, expectAccessible, launchBrowser, screenshot, startServer, type RunningServer } from './support.ts';

const missing = browserMissing();
if (missing !== null) console.warn(`browser tests skipped: ${missing}`);

/**
 * A year of two clients' monthly invoices and, as line 6, an invoice dated 31 February: one bad line
 * in 25, within the 5% of bad lines an import accepts.
 */
function ledgerCsv(): string {
  const lines = ['Nr dokumentu;Lp;Data sprzedaży;Kod kontrahenta;Nazwa kontrahenta;Wartość netto;Koszt zakupu'];
  for (let m = 1; m <= 12; m++) {
    const mm = String(m).padStart(2, '0');
    lines.push(`FV/2025/${mm}/1;1;05.${mm}.2025;K1;Alfa sp. z o.o.;1 250,50;700,00`);
    lines.push(`FV/2025/${mm}/2;1;12.${mm}.2025;K2;Beta S.A.;310,00;205,25`);
  }
  lines.splice(5, 0, 'FV/2025/99/1;1;31.02.2025;K3;Gamma;99,00;50,00');
  return `${lines.join('\r\n')}\r\n`;
}

describe.skipIf(missing !== null)('ledger imports in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const folder = mkdtempSync(join(tmpdir(), 'kamerton-imports-e2e-'));
  const file = join(folder, 'sprzedaz-2025.csv');
  writeFileSync(file, ledgerCsv());

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });


  /** The figure shown under a count's label in the open import's result. */
  async function count(key: string): Promise<string> {
    return (await page.getByTestId('import-result').getByTestId(`count-${key}`).locator('dd').textContent()) ?? '';
  }

  /** Chooses the file, waits for its preview, imports it and waits for its record to open. */
  async function importFile(): Promise<void> {
    const before = page.url();
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('preview-rows').waitFor();
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    await expect.poll(() => importButton.isEnabled()).toBe(true);
    await importButton.click();
    await expect.poll(() => page.url(), { timeout: 60_000 }).not.toBe(before);
    expect(page.url()).toMatch(/[?&]import=\d+/);
    await page.getByTestId('import-result').waitFor();
  }

  it('creates the administrator on the first-run page and opens the imports', async () => {
    await createAdministrator(page, server.url);
    await page.goto(`${server.url}/imports`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Imports');
    await page.getByText('Nothing imported yet.').waitFor();
    await expectAccessible(page, 'imports, empty');
  }, 60_000);

  it('previews the chosen file: its columns mapped, its first rows, the bad line named before importing', async () => {
    await page.locator('input[type=file]').setInputFiles(file);
    const rows = page.getByTestId('preview-rows');
    await rows.waitFor();
    const headers = (await rows.locator('thead th').allTextContents()).map((text) => text.trim());
    expect(headers[0]).toBe('Line');
    expect(headers.slice(1).join(' | ')).toMatch(/^Nr dokumentu.*\| Lp.*\| Data sprzedaży.*\| Kod kontrahenta.*\| Nazwa kontrahenta.*\| Wartość netto.*\| Koszt zakupu/);
    expect(await page.getByRole('combobox', { name: 'Client code' }).inputValue()).toBe('4: Kod kontrahenta');
    expect(await page.getByRole('combobox', { name: 'Field delimiter' }).inputValue()).toBe('Automatic (Semicolon ;)');
    expect(await page.getByRole('combobox', { name: 'Decimal separator' }).inputValue()).toBe('Automatic (Comma 1234,56)');
    expect(await page.getByRole('combobox', { name: 'Date format' }).inputValue()).toBe('Automatic (DD.MM.YYYY)');
    const values = page.getByTestId('preview-values');
    await values.getByText('Line 6 will be rejected: column Data sprzedaży, value "31.02.2025"').waitFor();
    expect(await values.locator('tbody tr').first().textContent()).toContain('1,250.50');
    await expectAccessible(page, 'imports, preview');
    // The mapping, the first rows and the rejected line in one window.
    await page.mouse.move(700, 500);
    await page.mouse.wheel(0, 380);
    await expect.poll(() => page.evaluate<number>('window.scrollY')).toBeGreaterThan(300);
    await screenshot(page, 'imports-preview');
  });

  it('imports the file and shows the counts and the rejected line with its number', async () => {
    await importFile();
    const result = page.getByTestId('import-result');
    expect(await count('lines')).toBe('25');
    expect(await count('accepted')).toBe('24');
    expect(await count('added')).toBe('24');
    expect(await count('unchanged')).toBe('0');
    expect(await count('rejected')).toBe('1');
    expect(await count('newAccounts')).toBe('2');
    const rejected = result.getByTestId('rejected-lines').locator('tbody tr');
    expect(await rejected.count()).toBe(1);
    expect((await rejected.locator('td').allTextContents()).slice(0, 3)).toEqual(['6', 'Data sprzedaży', '31.02.2025']);
    expect(await result.getByRole('link', { name: 'Download every rejected line (CSV)' }).getAttribute('href')).toMatch(/^\/api\/v1\/imports\/\d+\/rejects\.csv$/);
    expect(await result.getByRole('link', { name: 'K1' }).getAttribute('href')).toMatch(/^\/accounts\/[0-9a-f-]{36}$/);
    await expectAccessible(page, 'imports, result');
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, 'imports');
  }, 90_000);

  it('imports the same file again: every line unchanged, none added; the history lists both runs', async () => {
    await importFile();
    await expect.poll(() => count('unchanged')).toBe('24');
    expect(await count('added')).toBe('0');
    expect(await count('removed')).toBe('0');
    expect(await count('rejected')).toBe('1');
    expect(await count('newAccounts')).toBe('0');

    const history = page.getByTestId('import-history').locator('tbody tr');
    await expect.poll(() => history.count()).toBe(2);
    const newest = await history.nth(0).locator('td').allTextContents();
    const oldest = await history.nth(1).locator('td').allTextContents();
    // File, source, user, lines, added, unchanged, removed, rejected, new accounts.
    expect(newest.slice(1)).toEqual([expect.stringContaining('sprzedaz-2025.csv'), 'erp', 'Anna Admin', '25', '0', '24', '0', '1', '0']);
    expect(oldest.slice(1)).toEqual([expect.stringContaining('sprzedaz-2025.csv'), 'erp', 'Anna Admin', '25', '24', '0', '0', '1', '2']);

    // The older run opens from the history, with its own record.
    await history.nth(1).getByRole('button').click();
    await expect.poll(() => count('added')).toBe('24');
    await expectAccessible(page, 'imports, history');
  }, 90_000);

  it('imports nothing when told to stop at the first bad line, and names that line', async () => {
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('preview-rows').waitFor();
    await page.getByLabel('Stop at the first bad line').check();
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    await expect.poll(() => importButton.isEnabled()).toBe(true);
    await importButton.click();
    const failure = page.getByRole('alert').filter({ hasText: 'The import failed; nothing was changed' });
    await failure.waitFor({ timeout: 60_000 });
    expect(await failure.textContent()).toContain('Line: 6');
    await expectAccessible(page, 'imports, a strict import refused');
    // Nothing was imported: the history still holds the two earlier runs.
    await page.reload();
    await expect.poll(() => page.getByTestId('import-history').locator('tbody tr').count()).toBe(2);
  }, 90_000);
});
