/**
 * E-mailing the daily digest: every KAM gets theirs once a day, from config.digestHour in the
 * company's time zone, when SMTP is configured. `kamerton serve` runs `startDigestScheduler`, which
 * calls `sendDueDigests` every minute; a test calls `sendDueDigests` itself with the instant it likes.
 *
 * Never twice: digest_deliveries holds one row per user and day. The row is inserted and locked
 * (`for update skip locked`) in the transaction that sends the mail and records the outcome, so two
 * servers on one database, or two ticks of one, cannot both send: the second waits for the first's
 * insert or skips its locked row, and then sees it sent. Only a crash between the SMTP server's
 * acceptance and the commit could send a digest again, at the next tick; a lost digest would be worse.
 *
 * A failed sending is recorded (the error, the attempt) and tried again at the next tick, at most
 * MAX_ATTEMPTS times a day. A digest with nothing in it is not sent and leaves no row, so the next
 * tick looks again: an analysis run later that day that finds a slipping key client sends it then.
 */
import { sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { localTimeIn } from './clock.ts';
import { buildDigest, digestIsEmpty, digestRecipients, type DigestLanguage, type DigestUser } from './digest.ts';
import { renderDigestEmail } from './digest-email.ts';

/** How many times a day a digest is tried before the day is given up. */
export const MAX_ATTEMPTS = 3;
/** How often the scheduler looks for digests due. */
export const TICK_MS = 60_000;
/** The language of the e-mail: the users have no language of their own yet. */
const LANGUAGE: DigestLanguage = 'pl';

export type DigestMessage = { from: string; to: string; subject: string; text: string; html: string };

/** What sends the mail: nodemailer's transport, or anything with its `sendMail`. */
export type DigestTransport = { sendMail(message: DigestMessage): Promise<unknown>; close?(): void };

/** The logger's two calls used here; pino's (Fastify's app.log) fits. */
export type DigestLog = { info(details: object, message: string): void; error(details: object, message: string): void };

export type SendDueResult = {
  /** The company's day at `now`. */
  day: string;
  /** False before the digest hour: nothing was looked at. */
  due: boolean;
  sent: string[];
  failed: { userId: string; error: string }[];
  /** Users whose digest was empty, already sent, given up for the day, or being sent by another process. */
  skipped: number;
};

/** A nodemailer SMTP transport for config.smtp; nodemailer is loaded only when mail is sent. */
export async function createDigestTransport(smtp: NonNullable<Config['smtp']>): Promise<DigestTransport> {
  const nodemailer = await import('nodemailer');
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    // Port 465 is TLS from the first byte; the others upgrade with STARTTLS when the server offers it.
    secure: smtp.port === 465,
    ...(smtp.user === null ? {} : { auth: { user: smtp.user, pass: smtp.password ?? '' } }),
    // nodemailer waits up to ten minutes for a silent server by default, and a sending holds a
    // database connection and its row lock: a minute is plenty for one message.
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
}

/**
 * Sends the digests due at `now`: from the digest hour on, each KAM's of the company's day, unless
 * sent already, given up, or empty. Errors of one user's sending are recorded and do not stop the
 * others'; a database error rejects.
 */
export async function sendDueDigests(
  db: Db,
  config: Pick<Config, 'smtp' | 'timeZone' | 'digestHour' | 'publicUrl'>,
  now: Date,
  options: { transport?: DigestTransport; log?: DigestLog } = {},
): Promise<SendDueResult> {
  const { day, hour } = localTimeIn(config.timeZone, now);
  const result: SendDueResult = { day, due: hour >= config.digestHour, sent: [], failed: [], skipped: 0 };
  if (config.smtp === null || !result.due) return result;
  const smtp = config.smtp;
  const recipients = await pendingRecipients(db, day);
  let transport = options.transport ?? null;
  try {
    for (const user of recipients) {
      const digest = await buildDigest(db, user.id, day, { timeZone: config.timeZone });
      if (digestIsEmpty(digest)) {
        result.skipped += 1;
        continue;
      }
      transport ??= await createDigestTransport(smtp);
      const sender = transport;
      const email = renderDigestEmail(digest, LANGUAGE, config.publicUrl);
      const outcome = await db.transaction(async (tx) => {
        await tx.execute(sql`insert into digest_deliveries (user_id, day) values (${user.id}, ${day}) on conflict do nothing`);
        const { rows: [row] } = await tx.execute<{ sent_at: Date | null; attempts: number }>(sql`
          select sent_at, attempts from digest_deliveries where user_id = ${user.id} and day = ${day} for update skip locked`);
        if (row === undefined || row.sent_at !== null || row.attempts >= MAX_ATTEMPTS) return 'skipped' as const;
        try {
          await sender.sendMail({ from: smtp.from, to: user.email, subject: email.subject, text: email.text, html: email.html });
        } catch (error) {
          const message = errorText(error);
          await tx.execute(sql`update digest_deliveries set attempts = attempts + 1, error = ${message}
            where user_id = ${user.id} and day = ${day}`);
          return { error: message };
        }
        await tx.execute(sql`update digest_deliveries set attempts = attempts + 1, sent_at = now(), error = null
          where user_id = ${user.id} and day = ${day}`);
        return 'sent' as const;
      });
      if (outcome === 'sent') {
        result.sent.push(user.id);
        options.log?.info({ userId: user.id, day, counts: digest.counts }, 'daily digest sent');
      } else if (outcome === 'skipped') {
        result.skipped += 1;
      } else {
        result.failed.push({ userId: user.id, error: outcome.error });
        options.log?.error({ userId: user.id, day, error: outcome.error }, 'daily digest not sent');
      }
    }
  } finally {
    // A transport made here is closed here; the caller's is the caller's to close.
    if (options.transport === undefined) transport?.close?.();
  }
  return result;
}

/** The KAMs whose digest of `day` is neither sent nor given up: the others cost no query per tick. */
async function pendingRecipients(db: Db, day: string): Promise<DigestUser[]> {
  const done = new Set((await db.execute<{ user_id: string }>(sql`
    select user_id from digest_deliveries where day = ${day} and (sent_at is not null or attempts >= ${MAX_ATTEMPTS})`)).rows
    .map((row) => row.user_id));
  return (await digestRecipients(db)).filter((user) => !done.has(user.id));
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 1000);
}

export type DigestScheduler = { stop(): Promise<void> };

/**
 * Calls sendDueDigests now and every minute until stopped. A tick still running when the next is
 * due is not doubled; an error is logged and the next tick tries again. The timer is unref'd, so it
 * never holds the process open by itself; `stop` waits for the tick in flight, so that the database
 * is closed after it.
 */
export function startDigestScheduler(
  db: Db,
  config: Pick<Config, 'smtp' | 'timeZone' | 'digestHour' | 'publicUrl'>,
  log: DigestLog,
  options: { intervalMs?: number; now?: () => Date } = {},
): DigestScheduler {
  const smtp = config.smtp;
  if (smtp === null) throw new Error('The daily digest needs SMTP: set SMTP_HOST and SMTP_FROM.');
  let transport: DigestTransport | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): void => {
    if (running !== null || stopped) return;
    running = (async () => {
      try {
        transport ??= await createDigestTransport(smtp);
        await sendDueDigests(db, config, options.now?.() ?? new Date(), { transport, log });
      } catch (error) {
        log.error({ err: error }, 'daily digest: the tick failed');
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, options.intervalMs ?? TICK_MS);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      transport?.close?.();
    },
  };
}
