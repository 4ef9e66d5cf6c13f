/**
 * Kamerton's configuration: the only module that reads the environment. One zod schema holds every
 * variable with its description and default (docs/operations.md lists them from here); it is parsed
 * once at start-up, fails fast naming the variable, and `describeConfig` masks the secrets for logs.
 *
 * zod is loaded only when the configuration is (it costs some 70 ms), so that `kamerton analyze`,
 * which needs no configuration, starts without it.
 */
import { resolve } from 'node:path';
import type { z as Zod } from 'zod';
import { DEFAULT_TIME_ZONE } from './app/clock.ts';
import { KamertonError } from './core/errors.ts';

type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

async function buildSchema() {
  const { z } = await import('zod');
  const port = z.coerce.number().int().min(1).max(65535);
  const optionalText = z.string().trim().min(1).optional();
  return z.object({
    HOST: z.string().trim().min(1).default('127.0.0.1').describe('Address the server listens on. 0.0.0.0 listens on every interface (behind a reverse proxy).'),
    PORT: port.default(3000).describe('Port the server listens on.'),
    DATABASE_URL: z.string().trim().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional()
      .describe('An external PostgreSQL server (15 or newer), as postgres://user:password@host:port/database. Unset: the embedded PostgreSQL in KAMERTON_DATA_DIR.'),
    KAMERTON_DATA_DIR: z.string().trim().min(1).default('./data')
      .describe('Folder of the embedded PostgreSQL\'s data and of the running server\'s connection file.'),
    KAMERTON_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(12)
      .describe('Hours a login session lasts without use; using it renews it (at most once a minute).'),
    KAMERTON_SECURE_COOKIES: z.enum(['auto', 'true', 'false']).default('auto')
      .describe('Whether the session cookie is marked Secure (HTTPS only). auto: when the request came over HTTPS (X-Forwarded-Proto from a trusted proxy).'),
    KAMERTON_TRUST_PROXY: z.enum(['true', 'false']).default('false')
      .describe('Trust X-Forwarded-* headers: set it behind a reverse proxy that terminates TLS.'),
    KAMERTON_UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(100_000).default(2048)
      .describe('Largest ledger file the server accepts for an import, in MiB (a 10M-line CSV is about 400 MiB).'),
    KAMERTON_CURRENCY: z.string().trim().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as PLN or EUR').default('PLN')
      .describe('The currency the web app prints money in (the ledger\'s amounts are not converted).'),
    KAMERTON_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
      .describe('Level of the server\'s JSON log on standard output.'),
    KAMERTON_TIME_ZONE: z.string().trim().refine(isTimeZone, 'an IANA time zone such as Europe/Warsaw').default(DEFAULT_TIME_ZONE)
      .describe('The company\'s time zone (IANA name): the day and the hour of the daily digest are this zone\'s.'),
    KAMERTON_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7)
      .describe('Hour of the day (0-23, in KAMERTON_TIME_ZONE) from which the daily digest is e-mailed, when SMTP is configured.'),
    KAMERTON_PUBLIC_URL: z.string().trim().regex(/^https?:\/\/[^\s]+$/, 'an http:// or https:// URL').optional()
      .describe('The address users open Kamerton at, e.g. https://kamerton.example.com: e-mails link to it. Unset: e-mails carry no links.'),
    SMTP_HOST: optionalText.describe('SMTP server for e-mail (the daily digest). Unset: no e-mail is sent.'),
    SMTP_PORT: port.default(587).describe('SMTP port.'),
    SMTP_USER: optionalText.describe('SMTP user name.'),
    SMTP_PASSWORD: optionalText.describe('SMTP password (a secret: masked in logs).'),
    SMTP_FROM: optionalText.describe('Sender address of Kamerton\'s e-mail, e.g. "Kamerton <kamerton@example.com>".'),
  });
}

/** Whether `name` is a time zone this Node.js knows (its ICU data): Intl.DateTimeFormat throws a RangeError otherwise. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

type EnvSchema = Awaited<ReturnType<typeof buildSchema>>;
let schema: EnvSchema | null = null;

async function envSchema(): Promise<EnvSchema> {
  schema ??= await buildSchema();
  return schema;
}

export type Config = {
  host: string;
  port: number;
  /** An external PostgreSQL server, or null for the embedded one in `dataDir`. */
  databaseUrl: string | null;
  /** Absolute. */
  dataDir: string;
  sessionHours: number;
  secureCookies: 'auto' | 'always' | 'never';
  trustProxy: boolean;
  logLevel: LogLevel;
  /** The largest upload the server accepts, in bytes. */
  uploadMaxBytes: number;
  /** ISO 4217 code of the money the web app shows. */
  currency: string;
  /** The company's IANA time zone: the digest's day and hour are this zone's. */
  timeZone: string;
  /** The hour (0-23, in `timeZone`) from which the daily digest is e-mailed. */
  digestHour: number;
  /** The address users open Kamerton at, without a trailing slash, for links in e-mails; null: no links. */
  publicUrl: string | null;
  smtp: { host: string; port: number; user: string | null; password: string | null; from: string } | null;
};

/** The variables, their descriptions and defaults, for docs/operations.md and `kamerton --help`. */
export async function describeVariables(): Promise<{ name: string; description: string; default: string | null }[]> {
  return Object.entries((await envSchema()).shape).map(([name, variable]: [string, Zod.ZodType]) => {
    const parsed = variable.safeParse(undefined);
    return {
      name,
      description: variable.description ?? '',
      default: parsed.success && parsed.data !== undefined ? String(parsed.data) : null,
    };
  });
}

/** Parses the environment (`process.env` unless given); throws an invalid-input error naming the variable. */
export async function loadConfig(env: Record<string, string | undefined> = process.env): Promise<Config> {
  // An empty variable counts as unset, as shells and .env files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = (await envSchema()).safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new KamertonError('invalid-input', `${name}: ${issue?.message ?? 'invalid'}`, { field: name, value: env[name] ?? null });
  }
  const e = result.data;
  if (e.SMTP_HOST !== undefined && e.SMTP_FROM === undefined) {
    throw new KamertonError('invalid-input', 'SMTP_FROM: required when SMTP_HOST is set', { field: 'SMTP_FROM' });
  }
  return {
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: resolve(e.KAMERTON_DATA_DIR),
    sessionHours: e.KAMERTON_SESSION_HOURS,
    secureCookies: e.KAMERTON_SECURE_COOKIES === 'auto' ? 'auto' : e.KAMERTON_SECURE_COOKIES === 'true' ? 'always' : 'never',
    trustProxy: e.KAMERTON_TRUST_PROXY === 'true',
    logLevel: e.KAMERTON_LOG_LEVEL,
    uploadMaxBytes: e.KAMERTON_UPLOAD_MAX_MB * 1024 * 1024,
    currency: e.KAMERTON_CURRENCY,
    timeZone: e.KAMERTON_TIME_ZONE,
    digestHour: e.KAMERTON_DIGEST_HOUR,
    publicUrl: e.KAMERTON_PUBLIC_URL === undefined ? null : e.KAMERTON_PUBLIC_URL.replace(/\/+$/, ''),
    smtp: e.SMTP_HOST === undefined ? null : {
      host: e.SMTP_HOST,
      port: e.SMTP_PORT,
      user: e.SMTP_USER ?? null,
      password: e.SMTP_PASSWORD ?? null,
      from: e.SMTP_FROM as string,
    },
  };
}

/** The configuration for a log line, secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: config.databaseUrl === null ? null : maskUrlPassword(config.databaseUrl),
    smtp: config.smtp === null ? null : { ...config.smtp, password: config.smtp.password === null ? null : '***' },
  };
}

function maskUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://***';
  }
}

/** Whether the process was asked to print stack traces (DEBUG set), for the CLI's error output. */
export function debugEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return env.DEBUG !== undefined && env.DEBUG !== '';
}
