/**
 * The daily digest on hand-made data, and its e-mail through a local SMTP server the test starts.
 *
 * Two runs: the previous one made on 2026-03-01, the latest on 2026-03-28 18:00 UTC as of 2026-03-27.
 * The digest's day is 2026-03-29 (Warsaw changed to summer time at 01:00 UTC that day), so the losses
 * counted as new are those dated or recorded from 2026-03-23 to 2026-03-29.
 *
 *   account     owner (team)     key  previous  latest    activity change            in kamA's digest
 *   Alfa        kamA             yes  active    slipping  -                          slipping (pAlive 0.32)
 *   Beta        kamA             no   active    slipping  -                          no: not key
 *   Gamma       kamB             yes  active    slipping  -                          no: kamB's
 *   Delta       kamB (kamA)      yes  active    slipping  -                          slipping (team, no pAlive)
 *   Lambda      kamA             yes  active    lost      to lost on 2026-03-27      newly lost
 *   Lost-old    kamA             yes  lost      lost      to lost on 2026-02-27      no: lost a month ago
 *   Lambda-run  kamA             yes  slipping  lost      none (run vs run)          newly lost, from slipping
 *   Kappa       kamB             yes  active    lost      to lost on 2026-03-27      no: kamB's
 *   Minor       kamA             no   active    lost      to lost on 2026-03-27      no: not key in either run
 *   Back        kamA             yes  active    active    to lost, recorded 03-25    no: active again
 *   Fresh       kamA             yes  -         lost      first result lost, 03-27   no: lost before its first run
 *
 * Win-back actions of kamA: on Alfa due 2026-03-26 (overdue 3 days), due on the day (not yet
 * overdue), due 2026-03-19 but declined (closed), on kamB's Gamma due 2026-03-28 (overdue: any
 * account); one of kamB's, due 2026-03-20.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { createAccount } from '../src/app/accounts.ts';
import { SYSTEM_ACTOR, type Actor } from '../src/app/actor.ts';
import { buildDigest, digestRecipients, getDigest, type Digest } from '../src/app/digest.ts';
import { renderDigestEmail } from '../src/app/digest-email.ts';
import { MAX_ATTEMPTS, sendDueDigests, startDigestScheduler } from '../src/app/digest-mailer.ts';
import { createSession } from '../src/app/sessions.ts';
import { createUser, type UserView } from '../src/app/users.ts';
import { loadConfig, type Config } from '../src/config.ts';
import type { Db } from '../src/db/client.ts';
import { describeDatabases } from './database.ts';

const DAY = '2026-03-29';
const PASSWORD = 'a long enough password';

type Received = { to: string[]; raw: Buffer };

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A local SMTP server that keeps what it receives, and refuses the next `failing` messages. */
async function startSmtpServer(): Promise<{ port: number; received: Received[]; refused: { count: number }; failing: { next: number }; close(): Promise<void> }> {
  const received: Received[] = [];
  const refused = { count: 0 };
  const failing = { next: 0 };
  const server = new SMTPServer({
    authOptional: true,
    // No TLS on a test socket: nodemailer would otherwise upgrade and reject the self-signed certificate.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failing.next > 0) {
          failing.next -= 1;
          refused.count += 1;
          callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
          return;
        }
        received.push({ to: session.envelope.rcptTo.map((address) => address.address), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, refused, failing, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describeDatabases('the daily digest', (get) => {
  const people: Record<string, UserView> = {};
  const ids: Record<string, string> = {};
  const actor = (key: string): Actor => ({ userId: people[key]!.id, role: people[key]!.role });
  let digestA: Digest;
  let app: FastifyInstance;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let config: Config;

  beforeAll(async () => {
    const { db } = get();
    for (const [key, role] of [['kamA', 'kam'], ['kamB', 'kam'], ['kamC', 'kam'], ['kamGone', 'kam'], ['director', 'director'], ['marketing', 'marketing']] as const) {
      people[key] = await createUser(db, SYSTEM_ACTOR, { email: `${key.toLowerCase()}@example.com`, name: key === 'kamA' ? 'Anna <Nowak>' : key, role, password: PASSWORD });
    }
    const director = actor('director');
    const account = async (key: string, name: string, owner: string) => {
      ids[key] = (await createAccount(db, director, { name, ownerId: people[owner]!.id })).id;
    };
    await account('alfa', 'Alfa <b>&</b> Syn', 'kamA');
    await account('beta', 'Beta', 'kamA');
    await account('gamma', 'Gamma', 'kamB');
    await account('delta', 'Delta', 'kamB');
    await account('lambda', 'Lambda', 'kamA');
    await account('lostOld', 'Lost-old', 'kamA');
    await account('lambdaRun', 'Lambda-run', 'kamA');
    await account('kappa', 'Kappa', 'kamB');
    await account('minor', 'Minor', 'kamA');
    await account('back', 'Back', 'kamA');
    await account('fresh', 'Fresh', 'kamA');
    await account('gone', 'Gone', 'kamGone');
    await db.execute(sql`insert into account_team (account_id, user_id) values (${ids.delta}, ${people.kamA!.id})`);
    // Deactivated after its account was given to it: a departed KAM's digest is e-mailed to nobody.
    await db.execute(sql`update users set active = false where id = ${people.kamGone!.id}`);

    const run = async (createdAt: string, asOf: string): Promise<number> => {
      const { rows: [row] } = await db.execute<{ id: string }>(sql`
        insert into analysis_runs (created_at, params, summary)
        values (${createdAt}, '{}'::jsonb, ${JSON.stringify({ window: { from: '2025-03-28', to: asOf, period: 'month', periods: 12, asOf } })}::jsonb)
        returning id`);
      return Number(row!.id);
    };
    const previous = await run('2026-03-01T10:00:00Z', '2026-02-27');
    const latest = await run('2026-03-28T18:00:00Z', '2026-03-27');
    type Result = [key: string, isKey: boolean, previous: string, latest: string, reasons: string[], days: number, pAlive: number | null];
    const results: Result[] = [
      ['alfa', true, 'active', 'slipping', ['unusual-gap'], 45, 0.32],
      ['beta', false, 'active', 'slipping', ['unusual-gap'], 40, 0.5],
      ['gamma', true, 'active', 'slipping', ['p-alive-drop'], 30, 0.4],
      ['delta', true, 'active', 'slipping', ['unusual-gap'], 60, null],
      ['lambda', true, 'active', 'lost', ['days-without-purchase'], 190, 0.1],
      ['lostOld', true, 'lost', 'lost', ['days-without-purchase'], 220, 0.05],
      ['lambdaRun', true, 'slipping', 'lost', ['p-alive-below'], 120, 0.08],
      ['kappa', true, 'active', 'lost', ['days-without-purchase'], 200, 0.1],
      ['minor', false, 'active', 'lost', ['days-without-purchase'], 200, 0.1],
      ['back', true, 'active', 'active', [], 3, 0.9],
      ['gone', true, 'active', 'slipping', ['unusual-gap'], 50, 0.3],
      ['fresh', true, '', 'lost', ['days-without-purchase'], 400, 0.01],
    ];
    for (const [key, isKey, before, after, reasons, days, pAlive] of results) {
      const runs = before === '' ? [[latest, after]] as const : [[previous, before], [latest, after]] as const;
      for (const [runId, activity] of runs) {
        await db.execute(sql`
          insert into analysis_results (run_id, account_id, segment, types, is_key, activity, revenue, active_periods,
            days_since_last_purchase, last_purchase, p_alive, activity_reasons)
          values (${runId}, ${ids[key]}, 'AX', '{}'::text[], ${isKey}, ${activity}, 1000, 6, ${days}, '2025-09-18', ${pAlive},
            ${activity === 'active' ? '{}' : `{${reasons.join(',')}}`}::text[])`);
      }
    }
    const change = async (key: string, runId: number, changedOn: string, createdAt: string, from: string | null = 'active') => {
      await db.execute(sql`
        insert into activity_changes (account_id, run_id, from_activity, to_activity, reasons, details, changed_on, created_at)
        values (${ids[key]}, ${runId}, ${from}, 'lost', '{days-without-purchase}'::text[], '{}'::jsonb, ${changedOn}, ${createdAt})`);
    };
    await change('lambda', latest, '2026-03-27', '2026-03-28T18:00:00Z');
    await change('lostOld', previous, '2026-02-27', '2026-03-01T10:00:00Z');
    await change('kappa', latest, '2026-03-27', '2026-03-28T18:00:00Z');
    await change('minor', latest, '2026-03-27', '2026-03-28T18:00:00Z');
    // Dated long ago by a late ledger, but recorded within the week; the account is active again since.
    await change('back', previous, '2026-01-10', '2026-03-25T09:00:00Z');
    await change('fresh', latest, '2026-03-27', '2026-03-28T18:00:00Z', null);

    const action = async (key: string, owner: string, dueOn: string, outcome: string | null = null) => {
      await db.execute(sql`
        insert into win_back_actions (account_id, offer_type, discount_percent, owner_id, due_on, outcome, outcome_on)
        values (${ids[key]}, 'discount', 10, ${people[owner]!.id}, ${dueOn}, ${outcome}, ${outcome === null ? null : dueOn})`);
    };
    await action('alfa', 'kamA', '2026-03-26');
    await action('lambda', 'kamA', DAY);
    await action('lambda', 'kamA', '2026-03-19', 'declined');
    await action('gamma', 'kamA', '2026-03-28');
    await action('kappa', 'kamB', '2026-03-20');

    digestA = await buildDigest(db, people.kamA!.id, DAY);
    smtp = await startSmtpServer();
    config = await loadConfig({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM: 'Kamerton <kamerton@example.com>', KAMERTON_PUBLIC_URL: 'https://kamerton.example.com/' });
    app = await buildApp({ database: get(), config });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  describe('its contents', () => {
    it('lists the user\'s slipping key clients, their team\'s included, the least likely to be active first', () => {
      expect(digestA.slipping.map((e) => e.accountName)).toEqual(['Alfa <b>&</b> Syn', 'Delta']);
      expect(digestA.slipping[0]).toEqual({
        accountId: ids.alfa, accountName: 'Alfa <b>&</b> Syn', segment: 'AX', reasons: ['unusual-gap'],
        daysSinceLastPurchase: 45, lastPurchase: '2025-09-18', pAlive: 0.32,
      });
      expect(digestA.slipping[1]?.pAlive).toBeNull();
    });

    it('lists the key clients lost in the week up to the day, from recorded changes and from the latest run against the previous', () => {
      expect(digestA.newlyLost.map((e) => [e.accountName, e.fromActivity, e.changedOn])).toEqual([
        ['Lambda', 'active', '2026-03-27'],
        ['Lambda-run', 'slipping', '2026-03-27'],
      ]);
      expect(digestA.newlyLost[0]).toMatchObject({ accountId: ids.lambda, reasons: ['days-without-purchase'], daysSinceLastPurchase: 190, pAlive: 0.1 });
    });

    it('lists the user\'s open actions due before the day, on any account', () => {
      expect(digestA.overdue.map((e) => [e.accountName, e.dueOn, e.daysOverdue])).toEqual([
        ['Alfa <b>&</b> Syn', '2026-03-26', 3],
        ['Gamma', '2026-03-28', 1],
      ]);
      expect(digestA.overdue[0]).toMatchObject({ offerType: 'discount', discountPercent: 10, offer: null });
      expect(digestA.counts).toEqual({ slipping: 2, newlyLost: 2, overdue: 2, total: 6 });
      expect(digestA.run).toMatchObject({ asOf: '2026-03-27', createdAt: '2026-03-28T18:00:00.000Z' });
    });

    it('never shows another KAM\'s accounts', async () => {
      const digestB = await buildDigest(get().db, people.kamB!.id, DAY);
      expect(digestB.slipping.map((e) => e.accountName)).toEqual(['Gamma', 'Delta']);
      expect(digestB.newlyLost.map((e) => e.accountName)).toEqual(['Kappa']);
      expect(digestB.overdue.map((e) => e.accountName)).toEqual(['Kappa']);
      const names = JSON.stringify(digestA);
      for (const foreign of ['Kappa', 'Beta', 'Minor', 'Lost-old', 'Back', 'Gone', 'Fresh']) expect(names).not.toContain(`"${foreign}"`);
    });

    it('moves with the day: a week later Lambda is no longer new, and more actions are overdue', async () => {
      const later = await buildDigest(get().db, people.kamA!.id, '2026-04-04');
      expect(later.newlyLost.map((e) => e.accountName)).toEqual([]);
      expect(later.overdue.map((e) => e.accountName)).toEqual(['Alfa <b>&</b> Syn', 'Gamma', 'Lambda']);
      const before = await buildDigest(get().db, people.kamA!.id, '2026-03-26');
      expect(before.overdue).toEqual([]);
    });

    it('is empty, not missing, for a KAM with nothing to report, and e-mailed to the active KAMs only', async () => {
      const empty = await buildDigest(get().db, people.kamC!.id, DAY);
      expect(empty.counts.total).toBe(0);
      expect((await digestRecipients(get().db)).map((u) => u.id)).toEqual([people.kamA!.id, people.kamB!.id, people.kamC!.id]);
    });

    it('lets a KAM read only their own, and a director anyone\'s', async () => {
      const { db } = get();
      expect((await getDigest(db, actor('kamA'), { day: DAY })).counts.total).toBe(6);
      await expect(getDigest(db, actor('kamA'), { userId: people.kamB!.id, day: DAY })).rejects.toMatchObject({ code: 'forbidden' });
      expect((await getDigest(db, actor('director'), { userId: people.kamA!.id, day: DAY })).slipping).toHaveLength(2);
      await expect(getDigest(db, actor('marketing'), {})).rejects.toMatchObject({ code: 'forbidden' });
      await expect(getDigest(db, actor('director'), { userId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'not-found' });
      await expect(getDigest(db, actor('kamA'), { day: '2026-02-30' })).rejects.toMatchObject({ code: 'invalid-input', details: { field: 'day' } });
      // Without a day: today in the zone at `now`.
      expect((await getDigest(db, actor('kamA'), {}, { now: new Date('2026-03-28T23:30:00Z') })).day).toBe(DAY);
    });
  });

  describe('GET /api/v1/digest', () => {
    const get_ = async (who: string, query: string) => {
      const { token } = await createSession(get().db, people[who]!, { hours: 1 });
      return app.inject({ method: 'GET', url: `/api/v1/digest${query}`, headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    };

    it('answers the KAM their own digest, and refuses them another\'s', async () => {
      const own = await get_('kamA', `?day=${DAY}`);
      expect(own.statusCode).toBe(200);
      expect(own.json()).toEqual(JSON.parse(JSON.stringify(digestA)));
      expect((await get_('kamA', `?day=${DAY}&userId=${people.kamB!.id}`)).statusCode).toBe(403);
    });

    it('answers the director any user\'s, marketing never, and names a bad day', async () => {
      expect((await get_('director', `?day=${DAY}&userId=${people.kamA!.id}`)).json().counts.total).toBe(6);
      expect((await get_('marketing', '')).statusCode).toBe(403);
      const bad = await get_('kamA', '?day=29.03.2026');
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('day');
    });
  });

  describe('the e-mail', () => {
    it('escapes the users\' data in the HTML, and links to the dossiers when the address is known', () => {
      const email = renderDigestEmail(digestA, 'pl', 'https://k.example.com');
      expect(email.html).toContain('Alfa &lt;b&gt;&amp;&lt;/b&gt; Syn');
      expect(email.html).toContain('Anna &lt;Nowak&gt;');
      expect(email.html).not.toContain('<b>&</b>');
      expect(email.html).toContain(`href="https://k.example.com/accounts/${ids.alfa}"`);
      expect(email.text).toContain(`https://k.example.com/accounts/${ids.alfa}`);
      expect(renderDigestEmail(digestA, 'pl').text).not.toContain('http');
      const english = renderDigestEmail(digestA, 'en');
      expect(english.subject).toBe('Kamerton, today (2026-03-29): slipping 2, newly lost 2, overdue actions 2');
      expect(english.text).toContain('- Alfa <b>&</b> Syn: 45 days without a purchase; probability of being active 32%; reasons: an unusually long gap between purchases');
    });
  });

  // In order: each step builds on the deliveries the previous one recorded.
  describe('sendDueDigests against a local SMTP server', () => {
    it('sends nothing before the hour in the company\'s zone', async () => {
      // 06:30 in Warsaw: summer time (UTC+2) began at 01:00 UTC that day.
      const result = await sendDueDigests(get().db, config, new Date('2026-03-29T04:30:00Z'));
      expect(result).toMatchObject({ day: DAY, due: false, sent: [] });
      expect(smtp.received).toHaveLength(0);
    });

    it('sends each KAM with something to report one mail in Polish from the hour, 07:30 summer time being 05:30 UTC', async () => {
      const result = await sendDueDigests(get().db, config, new Date('2026-03-29T05:30:00Z'));
      expect(result.due).toBe(true);
      expect(result.sent.sort()).toEqual([people.kamA!.id, people.kamB!.id].sort());
      expect(result.skipped).toBe(1);
      expect(smtp.received.map((m) => m.to)).toEqual([['kama@example.com'], ['kamb@example.com']]);
      const mail = await simpleParser(smtp.received[0]!.raw);
      expect(mail.subject).toBe('Kamerton, na dziś (29.03.2026): odpływający 2, nowo utraceni 2, zaległe działania 2');
      expect(mail.from?.value[0]).toMatchObject({ name: 'Kamerton', address: 'kamerton@example.com' });
      expect(mail.to).toMatchObject({ value: [{ address: 'kama@example.com' }] });
      expect(mail.text).toContain('Dzień dobry, Anna <Nowak>!');
      expect(mail.text).toContain('Odpływający klienci kluczowi (2)');
      expect(mail.text).toContain('- Alfa <b>&</b> Syn: 45 dni bez zakupu; prawdopodobieństwo aktywności 32%; powody: nietypowo długa przerwa w zakupach');
      expect(mail.text).toContain('- Lambda: utracony 27.03.2026');
      expect(mail.text).toContain('- Gamma: rabat 10%; termin 28.03.2026 (1 dzień po terminie)');
      expect(mail.text).toContain(`https://kamerton.example.com/accounts/${ids.alfa}`);
      expect(mail.text).not.toContain('Kappa');
      expect(mail.html).toContain('Alfa &lt;b&gt;&amp;&lt;/b&gt; Syn');
      const { rows } = await get().db.execute<{ user_id: string; attempts: number; error: string | null; sent: boolean }>(sql`
        select user_id, attempts, error, sent_at is not null as sent from digest_deliveries where day = ${DAY} order by user_id`);
      expect(rows).toHaveLength(2);
      expect(rows.every((row) => row.sent && row.attempts === 1 && row.error === null)).toBe(true);
    });

    it('sends nothing more that day', async () => {
      const result = await sendDueDigests(get().db, config, new Date('2026-03-29T20:00:00Z'));
      expect(result.sent).toEqual([]);
      expect(smtp.received).toHaveLength(2);
    });

    it('records a refusal and sends at the next tick', async () => {
      smtp.failing.next = 1;
      const first = await sendDueDigests(get().db, config, new Date('2026-03-30T06:00:00Z'));
      expect(first.failed.map((f) => f.userId)).toEqual([people.kamA!.id]);
      expect(first.failed[0]?.error).toContain('Mailbox unavailable');
      expect(first.sent).toEqual([people.kamB!.id]);
      const failed = async () => (await get().db.execute<{ attempts: number; error: string | null; sent: boolean }>(sql`
        select attempts, error, sent_at is not null as sent from digest_deliveries where user_id = ${people.kamA!.id} and day = '2026-03-30'`)).rows[0];
      expect(await failed()).toMatchObject({ attempts: 1, sent: false });
      expect((await failed())?.error).toContain('550');
      const second = await sendDueDigests(get().db, config, new Date('2026-03-30T06:01:00Z'));
      expect(second.sent).toEqual([people.kamA!.id]);
      expect(await failed()).toEqual({ attempts: 2, error: null, sent: true });
      expect(smtp.received).toHaveLength(4);
    });

    it(`gives a day up after ${MAX_ATTEMPTS} refusals`, async () => {
      smtp.failing.next = 100;
      const refusedBefore = smtp.refused.count;
      for (let tick = 0; tick < MAX_ATTEMPTS + 2; tick += 1) {
        await sendDueDigests(get().db, config, new Date(Date.UTC(2026, 2, 31, 6, tick)));
      }
      expect(smtp.refused.count - refusedBefore).toBe(2 * MAX_ATTEMPTS);
      smtp.failing.next = 0;
    });

    it('sends once when two servers tick together', async () => {
      const now = new Date('2026-04-01T05:00:00Z');
      const [one, two] = await Promise.all([sendDueDigests(get().db, config, now), sendDueDigests(get().db, config, now)]);
      expect([...one.sent, ...two.sent].sort()).toEqual([people.kamA!.id, people.kamB!.id].sort());
      expect(smtp.received.slice(4).map((m) => m.to[0]).sort()).toEqual(['kama@example.com', 'kamb@example.com']);
    });

    it('runs every tick from the scheduler, survives a failing tick, and stops', async () => {
      const errors: object[] = [];
      const log = { info: () => undefined, error: (details: object) => errors.push(details) };
      const before = smtp.received.length;
      const scheduler = startDigestScheduler(get().db, config, log, { intervalMs: 20, now: () => new Date('2026-04-03T06:00:00Z') });
      await waitFor(() => smtp.received.length === before + 2);
      await scheduler.stop();
      // The following ticks found the day's digests sent.
      expect(smtp.received.length).toBe(before + 2);
      expect(errors).toEqual([]);

      let calls = 0;
      const broken = { execute: () => { calls += 1; return Promise.reject(new Error('the database is down')); } } as unknown as Db;
      const failing = startDigestScheduler(broken, config, log, { intervalMs: 20, now: () => new Date('2026-04-04T06:00:00Z') });
      await waitFor(() => calls >= 2);
      await failing.stop();
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(String((errors[0] as { err: Error }).err.message)).toBe('the database is down');
    });

    it('does nothing without SMTP', async () => {
      const result = await sendDueDigests(get().db, { ...config, smtp: null }, new Date('2026-04-02T10:00:00Z'));
      expect(result.sent).toEqual([]);
    });
  });
});
