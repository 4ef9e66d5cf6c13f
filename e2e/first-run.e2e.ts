/**
 * The first run, as a new customer meets Kamerton: the administrator is created, the demo company
 * loaded, the accounts listed and filtered; the language switched; the roles' limits seen from the
 * browser; an expired session leads back to the same page. axe-core checks every page on the way.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, expectAccessible, fillSetup, launchBrowser, loadDemo, screenshot, startServer, tableColumn, type RunningServer } from './support.ts';

const missing = browserMissing();
if (missing !== null) console.warn(`browser tests skipped: ${missing}`);

describe.skipIf(missing !== null)('the first run in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let demoPassword = '';
  let demoUsers: { email: string; name: string; role: string }[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });



  it('serves the production build of the web app, whatever NODE_ENV the server was started with', async () => {
    // The tests start the server with NODE_ENV=test (Vitest's); a build that inherited it was React's
    // development build, which runs every effect twice and so sent each page's requests twice.
    const html = await (await fetch(server.url)).text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const bundle = await (await fetch(new URL(script!, server.url))).text();
    expect(bundle.includes('jsxDEV')).toBe(false);
  });

  it('sends a fresh server to the first-run page, which creates the administrator', async () => {
    await page.goto(server.url);
    await page.waitForURL(/\/setup$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome to Kamerton');
    await expectAccessible(page, 'setup');
    await screenshot(page, 'setup');
    await fillSetup(page);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome, Anna Admin');
    await expectAccessible(page, 'welcome');
  });

  it('loads the demo company in one click and lists its accounts', async () => {
    const summary = await loadDemo(page);
    demoPassword = summary.password;
    demoUsers = summary.users;
    await screenshot(page, 'welcome-demo-loaded');
    await page.getByRole('link', { name: 'Go to the accounts' }).click();
    await page.waitForURL(/\/accounts$/);
    await page.getByRole('table', { name: 'Accounts' }).locator('tbody tr').first().waitFor();
    expect(await page.getByText(/^\d+ accounts$/).textContent()).toMatch(/^3\d\d accounts$/);
    await expectAccessible(page, 'accounts');
    await screenshot(page, 'accounts');
  }, 150_000);

  it('filters the accounts by segment on the server, and keeps the filter in the address', async () => {
    await page.getByRole('combobox', { name: 'Segment', exact: true }).click();
    await page.getByRole('option', { name: 'AX', exact: true }).click();
    await page.waitForURL(/segment=AX/);
    await expect.poll(async () => {
      const segments = await tableColumn(page, 'Segment');
      return segments.length > 0 && segments.every((segment) => segment === 'AX');
    }).toBe(true);
    const total = Number((await page.getByText(/^\d+ accounts?$/).textContent())!.split(' ')[0]);
    const response = await page.request.get(`${server.url}/api/v1/accounts?segment=AX&pageSize=1`);
    expect((await response.json() as { total: number }).total).toBe(total);
    await screenshot(page, 'accounts-filtered');
  });

  it('opens a dossier from the list, saves an edit, and shows it in the change history', async () => {
    await page.goto(`${server.url}/accounts?status=active`);
    const first = page.getByRole('table', { name: 'Accounts' }).locator('tbody tr').first().getByRole('link');
    const name = (await first.textContent())!;
    await first.click();
    await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(name);
    await expectAccessible(page, 'dossier: facts');
    await screenshot(page, 'dossier-facts');
    await page.getByLabel('Industry').fill('Precision optics');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('tab', { name: 'Change history' }).click();
    const row = page.getByRole('table', { name: 'Change history' }).locator('tbody tr').first();
    await expect.poll(() => row.textContent()).toContain('Precision optics');
    expect(await row.textContent()).toContain('Anna Admin');
    await expectAccessible(page, 'dossier: changes');
  });

  it('shows the sales, the relationship history and the competitors of a dossier', async () => {
    await page.getByRole('tab', { name: 'Sales' }).click();
    await page.getByRole('heading', { name: 'Revenue and margin by month' }).waitFor();
    expect(await page.getByRole('table', { name: 'Products bought (top 50 by revenue)' }).locator('tbody tr').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'dossier: sales');
    await screenshot(page, 'dossier-sales');
    await page.getByRole('tab', { name: 'Relationship history' }).click();
    await page.getByText(/^Delivery/).first().waitFor();
    await expectAccessible(page, 'dossier: relationship');
    await screenshot(page, 'dossier-relationship');
    await page.getByRole('tab', { name: 'Competitors' }).click();
    await page.getByRole('button', { name: 'Add a competitor' }).waitFor();
    await expectAccessible(page, 'dossier: competitors');
  });

  it('adds a person on the decision map and links them to a manager', async () => {
    await page.getByRole('tab', { name: 'Decision map' }).click();
    await page.getByRole('button', { name: 'Add a person' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Zofia Manager');
    await page.getByLabel('Position').fill('Head of purchasing');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { name: 'Zofia Manager' }).waitFor();
    await page.getByRole('button', { name: 'Add someone reporting to Zofia Manager' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Piotr Buyer');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { name: 'Piotr Buyer' }).waitFor();
    const people = page.getByRole('table', { name: 'People' });
    const piotr = people.locator('tbody tr', { hasText: 'Piotr Buyer' });
    await expect.poll(() => piotr.locator('td').last().textContent()).toBe('Zofia Manager');
    expect(await page.getByRole('img', { name: /^Decision map of/ }).count()).toBe(1);
    await expectAccessible(page, 'dossier: decision map');
    await screenshot(page, 'dossier-decision-map');
  });

  it('shows what changed when someone saved meanwhile, and reapplies the edit', async () => {
    await page.getByRole('tab', { name: 'Company facts' }).click();
    const id = page.url().match(/accounts\/([0-9a-f-]{36})/)![1]!;
    await page.getByLabel('Region').fill('Pomorskie');
    const session = await (await page.request.get(`${server.url}/api/v1/auth/session`)).json() as { csrfToken: string };
    const current = await (await page.request.get(`${server.url}/api/v1/accounts/${id}`)).json() as { version: number };
    const meanwhile = await page.request.patch(`${server.url}/api/v1/accounts/${id}`, {
      headers: { 'x-csrf-token': session.csrfToken }, data: { website: 'https://meanwhile.example.com', version: current.version },
    });
    expect(meanwhile.status()).toBe(200);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Someone else saved this account meanwhile').waitFor();
    expect(await page.getByRole('alert', { name: 'Someone else saved this account meanwhile' }).textContent()).toContain('https://meanwhile.example.com');
    await screenshot(page, 'dossier-conflict');
    await page.getByRole('button', { name: 'Apply my changes on top' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = await (await page.request.get(`${server.url}/api/v1/accounts/${id}`)).json() as { region: string; website: string };
    expect(saved).toMatchObject({ region: 'Pomorskie', website: 'https://meanwhile.example.com' });
  });

  it('records a tender on the relationship\'s timeline, corrects it, and sets the account team', async () => {
    await page.getByRole('tab', { name: 'Relationship history' }).click();
    await page.getByRole('button', { name: 'Record a tender' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Title' }).fill('Packaging for 2027');
    await dialog.getByRole('combobox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'lost', exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Why it was won, lost or withdrawn' }).fill('Price 8% above the winner');
    await expectAccessible(page, 'dossier: tender form');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Tender “Packaging for 2027”: lost').waitFor();
    await page.getByRole('button', { name: 'Edit the tender “Packaging for 2027”' }).click();
    await dialog.getByRole('combobox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'won', exact: true }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Tender “Packaging for 2027”: won').waitFor();

    // A KAM who does not own the account: the owner is no member of its team.
    const owner = (await page.getByText('Owner', { exact: true }).locator('..').textContent())!;
    const kam = demoUsers.find((user) => user.role === 'kam' && !owner.includes(user.name))!;
    await page.getByRole('button', { name: 'Change the team' }).click();
    await page.getByRole('combobox', { name: 'Team' }).click();
    await page.getByRole('option', { name: kam.name, exact: true }).click();
    // Leaving the field closes its list of people, which lies over the buttons below it.
    await page.keyboard.press('Tab');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Team', { exact: true }).first().locator('..').textContent()).toContain(kam.name);
  });

  it('assigns owners in bulk and exports the filtered list', async () => {
    await page.goto(`${server.url}/accounts?segment=AX`);
    const table = page.getByRole('table', { name: 'Accounts' });
    await table.locator('tbody tr').first().waitFor();
    const names = (await tableColumn(page, 'Name')).slice(0, 2);
    for (const name of names) await page.getByRole('checkbox', { name: `Select ${name}` }).check();
    await page.getByText('2 accounts selected').waitFor();
    const kam = demoUsers.find((user) => user.role === 'kam')!;
    await page.getByRole('combobox', { name: 'New owner' }).click();
    await page.getByRole('option', { name: kam.name, exact: true }).click();
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByText(/got (its|their) new owner/).waitFor();
    await expect.poll(async () => {
      const rows = await table.locator('tbody tr').all();
      const owners: string[] = [];
      for (const row of rows) {
        const cells = await row.locator('td').allTextContents();
        if (names.some((name) => cells.includes(name))) owners.push(cells.join('|'));
      }
      return owners.every((cells) => cells.includes(kam.name)) && owners.length === 2;
    }).toBe(true);
    await expectAccessible(page, 'accounts: bulk assignment');

    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toBe('/api/v1/accounts/export?segment=AX&format=csv');
    const exported = await page.request.get(`${server.url}${href}`);
    expect(exported.headers()['content-disposition']).toMatch(/attachment; filename="kamerton-accounts-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await exported.text()).trim().split(/\r?\n/);
    const total = Number((await page.getByText(/^\d+ accounts?$/).textContent())!.split(' ')[0]);
    expect(lines.length - 1).toBe(total);
  });

  it('lets the administrator invite a user, change a role and disable them', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(/\/users$/);
    await page.getByRole('table', { name: 'Users' }).locator('tbody tr').first().waitFor();
    await expectAccessible(page, 'users');
    await page.getByRole('button', { name: 'Invite a user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Nina Nowak');
    await dialog.getByRole('textbox', { name: 'E-mail address' }).fill('nina@example.com');
    await dialog.getByRole('button', { name: 'Create the account' }).click();
    await dialog.getByText('Nina Nowak can sign in now').waitFor();
    const password = (await dialog.locator('code').textContent())!;
    expect(password).toMatch(/^[a-zA-Z2-9]{16}$/);
    await expectAccessible(page, 'users: invited');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await page.getByRole('combobox', { name: 'Role of Nina Nowak' }).click();
    await page.getByRole('option', { name: 'Marketing', exact: true }).click();
    await expect.poll(async () => (await (await page.request.get(`${server.url}/api/v1/users?q=nina`)).json() as { items: { role: string }[] }).items[0]?.role).toBe('marketing');
    // By keyboard: the switch's track covers its input for the mouse.
    await page.getByRole('switch', { name: 'Nina Nowak is active' }).focus();
    await page.keyboard.press('Space');
    await expect.poll(async () => {
      const users = await (await page.request.get(`${server.url}/api/v1/users?q=nina`)).json() as { items: { role: string; active: boolean }[] };
      return users.items[0];
    }).toMatchObject({ role: 'marketing', active: false });
    const signIn = await page.request.post(`${server.url}/api/v1/auth/login`, { data: { email: 'nina@example.com', password } });
    expect(signIn.status()).toBe(401);
    await screenshot(page, 'users');
  });

  it('answers an unknown address with a page of its own', async () => {
    await page.goto(`${server.url}/no-such-page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await expectAccessible(page, 'not found');
  });

  it('switches the language, and keeps the choice', async () => {
    await page.goto(`${server.url}/accounts?segment=AX`);
    await page.locator('label', { hasText: 'Polski' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Klienci');
    expect(await page.locator('html').getAttribute('lang')).toBe('pl');
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Klienci');
    await expectAccessible(page, 'accounts (pl)');
    await page.locator('label', { hasText: 'English' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Accounts');
  });

  it('leads an expired session to sign in and back to the same page', async () => {
    await context.clearCookies();
    await page.getByRole('combobox', { name: 'Status', exact: true }).click();
    await page.getByRole('option', { name: 'Active', exact: true }).click();
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByText('Your session has ended').waitFor();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await page.getByLabel('E-mail address').fill('anna@example.com');
    await page.locator('input[type=password]').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/accounts\?.*segment=AX/);
    await page.getByRole('table', { name: 'Accounts' }).locator('tbody tr').first().waitFor();
  });

  async function signInAs(role: string): Promise<void> {
    const user = demoUsers.find((candidate) => candidate.role === role)!;
    await page.getByRole('button', { name: /account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail address').fill(user.email);
    await page.locator('input[type=password]').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Signing in lands on the dashboard; the tests below start from the accounts list.
    await page.waitForURL(/\/dashboard$/);
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.waitForURL(/\/accounts$/);
    await page.getByRole('table', { name: 'Accounts' }).locator('tbody tr').first().waitFor();
    // The count says 0 until the list's first answer; every demo user has accounts.
    await expect.poll(() => page.getByText(/^\d+ accounts?$/).textContent()).not.toBe('0 accounts');
  }

  it('shows marketing no money', async () => {
    await signInAs('marketing');
    const headers = await page.locator('thead th').allTextContents();
    expect(headers.join('|')).not.toMatch(/Revenue|potential/);
    await page.getByRole('button', { name: 'Columns' }).click();
    expect(await page.getByRole('checkbox', { name: 'Revenue' }).count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  it('shows a KAM only their own accounts, and no other KAM\'s by its address', async () => {
    const kams = demoUsers.filter((user) => user.role === 'kam');
    const { items: directory } = await (await page.request.get(`${server.url}/api/v1/users/directory`)).json() as { items: { id: string; name: string }[] };
    const otherKam = directory.find((person) => person.name === kams[1]!.name)!;
    const theirs = await (await page.request.get(`${server.url}/api/v1/accounts?ownerId=${otherKam.id}&pageSize=1`)).json() as { items: { id: string }[] };
    const foreignId = theirs.items[0]!.id;
    await signInAs('kam');
    // The list holds the accounts the KAM owns or is on the team of, as the server says, and nothing else.
    const { user: me } = await (await page.request.get(`${server.url}/api/v1/auth/session`)).json() as { user: { id: string } };
    const mine = await (await page.request.get(`${server.url}/api/v1/accounts?pageSize=200`)).json() as { total: number; items: { name: string; ownerId: string | null; teamIds: string[] }[] };
    expect(mine.total).toBeGreaterThan(0);
    expect(mine.items.every((account) => account.ownerId === me.id || account.teamIds.includes(me.id))).toBe(true);
    expect(await page.getByText(/^\d+ accounts?$/).textContent()).toBe(`${mine.total} account${mine.total === 1 ? '' : 's'}`);
    expect(new Set(await tableColumn(page, 'Name'))).toEqual(new Set(mine.items.slice(0, 50).map((account) => account.name)));
    await page.goto(`${server.url}/accounts/${foreignId}`);
    await page.getByRole('heading', { name: 'Account not found' }).waitFor();
    await expectAccessible(page, 'dossier: not found');
  });
});
