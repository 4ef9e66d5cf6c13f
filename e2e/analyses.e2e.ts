/**
 * Analyses in the browser, on the demo company: a run with other ABC cut-offs from the form, listed
 * with the others, compared with the run before it (the accounts that moved, one cell's movers), and
 * its workbook downloaded. axe-core checks the page on the way.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, createAdministrator, expectAccessible, launchBrowser, loadDemo, screenshot, startServer, type RunningServer } from './support.ts';

const missing = browserMissing();
if (missing !== null) console.warn(`browser tests skipped: ${missing}`);

const SEGMENT = /^(AX|AY|AZ|BX|BY|BZ|CX|CY|CZ|none)$/;

describe.skipIf(missing !== null)('analyses in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });


  /** The cells of the movers table's rows, as text. */
  async function moverRows(): Promise<string[][]> {
    const rows = await page.getByRole('table', { name: 'Accounts that moved' }).locator('tbody tr').all();
    return Promise.all(rows.map((row) => row.locator('td').allTextContents()));
  }

  it('loads the demo company', async () => {
    await createAdministrator(page, server.url);
    await loadDemo(page);
  }, 150_000);

  it('shows the form with the command line\'s defaults and the demo\'s runs', async () => {
    await page.goto(`${server.url}/analyses`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Analyses');
    const runs = page.getByRole('table', { name: 'Analysis runs' }).locator('tbody tr');
    await expect.poll(() => runs.count()).toBe(2);
    expect(await page.getByRole('textbox', { name: 'ABC: A below' }).inputValue()).toBe('80 %');
    expect(await page.getByRole('textbox', { name: 'ABC: B below' }).inputValue()).toBe('95 %');
    expect(await page.getByRole('textbox', { name: 'Lost after (days)' }).inputValue()).toBe('180');
    await page.getByRole('table', { name: 'Accounts that moved' }).waitFor();
    await expectAccessible(page, 'analyses');
  });

  it('runs an analysis with other ABC cut-offs, lists it and compares it with the run before it', async () => {
    for (const [name, value] of [['ABC: A below', '50'], ['ABC: B below', '80']] as const) {
      const input = page.getByRole('textbox', { name });
      await input.fill(value);
      await input.blur();
    }
    const created = page.waitForResponse((response) => response.url().endsWith('/api/v1/analysis-runs') && response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Run the analysis' }).click();
    const run = await (await created).json() as { id: number; params: { abc: number[] } };
    expect(run.params.abc).toEqual([50, 80]);
    await page.getByText(`Analysis run ${run.id} is ready.`).waitFor();
    const runs = page.getByRole('table', { name: 'Analysis runs' }).locator('tbody tr');
    await expect.poll(() => runs.count()).toBe(3);
    expect(await runs.first().locator('td').allTextContents()).toContain('50/80');

    // The new run is compared with the one that was latest before it.
    expect(await page.getByRole('combobox', { name: 'with run' }).inputValue()).toMatch(new RegExp(`^Run ${run.id} `));
    expect(await page.getByRole('combobox', { name: 'Compare run' }).inputValue()).toMatch(new RegExp(`^Run ${run.id - 1} `));
    await expect.poll(async () => (await page.getByRole('table', { name: 'Transition matrix' }).textContent()) ?? '').toContain(`run ${run.id}`);
    await expect.poll(async () => (await moverRows()).length).toBeGreaterThan(0);
    const [first] = await moverRows();
    expect(first![0]!.length).toBeGreaterThan(0);
    expect(first![1]).toMatch(SEGMENT);
    expect(first![2]).toMatch(SEGMENT);
    expect(await page.getByRole('table', { name: 'Accounts that moved' }).locator('tbody tr').first().getByRole('link').getAttribute('href'))
      .toMatch(/^\/accounts\/[0-9a-f-]{36}$/);

    // Narrower A and B move accounts down: one cell of the matrix lists only its own movers.
    const cell = page.getByRole('table', { name: 'Transition matrix' }).getByRole('button', { name: /accounts? from [ABC][XYZ] to [ABC][XYZ]$/ }).first();
    const name = (await cell.textContent()) ?? '';
    const [, count, from, to] = /^(\d+) accounts? from (\w+) to (\w+)$/.exec(name.replace(/\s+/g, ' ').trim())!;
    await cell.click();
    await page.getByRole('heading', { name: `Accounts from ${from} to ${to}` }).waitFor();
    await expect.poll(async () => (await moverRows()).map((cells) => `${cells[1]}>${cells[2]}`)).toEqual(
      Array.from({ length: Math.min(Number(count), 25) }, () => `${from}>${to}`),
    );
    expect(await cell.getAttribute('aria-pressed')).toBe('true');
    await expectAccessible(page, 'analyses: one cell\'s movers');
    // A taller window for the picture, so that it holds the matrix and the cell's movers below it.
    await page.setViewportSize({ width: 1400, height: 1300 });
    // The comparison at the top of the window, below the app's fixed header (a string: no DOM types here).
    await page.evaluate(`(() => { const h = document.getElementById('compare-title'); window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 70); })()`);
    await screenshot(page, 'analyses');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('downloads a run\'s workbook', async () => {
    const link = page.getByRole('link', { name: /^XLSX workbook of run \d+$/ }).first();
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/api\/v1\/analysis-runs\/\d+\/report\.xlsx$/);
    const report = await page.request.get(`${server.url}${href}`);
    expect(report.status()).toBe(200);
    expect(report.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(report.headers()['content-disposition']).toMatch(/^attachment; filename="kamerton-analysis-\d+-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    // An XLSX file is a zip archive.
    expect((await report.body()).subarray(0, 2).toString('latin1')).toBe('PK');
  });
});
