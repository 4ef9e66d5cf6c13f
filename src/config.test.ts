import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, describeVariables, loadConfig } from './config.ts';
import { KamertonError } from './core/errors.ts';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', async () => {
    const config = await loadConfig({});
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: null,
      dataDir: resolve('./data'),
      sessionHours: 12,
      secureCookies: 'auto',
      trustProxy: false,
      logLevel: 'info',
      uploadMaxBytes: 2048 * 1024 * 1024,
      currency: 'PLN',
      timeZone: 'Europe/Warsaw',
      digestHour: 7,
      publicUrl: null,
      smtp: null,
    });
  });

  it('reads every variable, an empty one counting as unset', async () => {
    const config = await loadConfig({
      HOST: '0.0.0.0', PORT: '8080', DATABASE_URL: 'postgres://k:secret@db:5432/kamerton', KAMERTON_DATA_DIR: '/var/lib/kamerton',
      KAMERTON_SESSION_HOURS: '8', KAMERTON_SECURE_COOKIES: 'true', KAMERTON_TRUST_PROXY: 'true', KAMERTON_LOG_LEVEL: 'warn', KAMERTON_CURRENCY: 'EUR',
      KAMERTON_TIME_ZONE: 'America/New_York', KAMERTON_DIGEST_HOUR: '0', KAMERTON_PUBLIC_URL: 'https://kamerton.example.com/',
      SMTP_HOST: 'smtp.example.com', SMTP_PORT: '465', SMTP_USER: 'k', SMTP_PASSWORD: 'pw', SMTP_FROM: 'Kamerton <k@example.com>',
      KAMERTON_UNUSED: '', HTTP_PROXY: '',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0', port: 8080, databaseUrl: 'postgres://k:secret@db:5432/kamerton', dataDir: '/var/lib/kamerton',
      sessionHours: 8, secureCookies: 'always', trustProxy: true, logLevel: 'warn', uploadMaxBytes: 2048 * 1024 * 1024, currency: 'EUR',
      timeZone: 'America/New_York', digestHour: 0, publicUrl: 'https://kamerton.example.com',
      smtp: { host: 'smtp.example.com', port: 465, user: 'k', password: 'pw', from: 'Kamerton <k@example.com>' },
    });
    expect((await loadConfig({ PORT: '' })).port).toBe(3000);
  });

  it('stops on a bad value, naming the variable', async () => {
    for (const [name, value] of [['PORT', '70000'], ['PORT', 'http'], ['DATABASE_URL', 'mysql://x'], ['KAMERTON_LOG_LEVEL', 'loud'], ['KAMERTON_CURRENCY', 'zł'],
      ['KAMERTON_TIME_ZONE', 'Europe/Gdansk'], ['KAMERTON_TIME_ZONE', 'CEST+2'], ['KAMERTON_DIGEST_HOUR', '24'], ['KAMERTON_DIGEST_HOUR', '7.5'],
      ['KAMERTON_PUBLIC_URL', 'kamerton.example.com']]) {
      const error = await loadConfig({ [name as string]: value }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(KamertonError);
      expect((error as KamertonError).message.startsWith(`${name}:`)).toBe(true);
      expect((error as KamertonError).code).toBe('invalid-input');
    }
    await expect(loadConfig({ SMTP_HOST: 'smtp.example.com' })).rejects.toThrow(/SMTP_FROM/);
  });

  it('masks the secrets when the configuration is logged', async () => {
    const config = await loadConfig({ DATABASE_URL: 'postgres://k:secret@db:5432/kamerton', SMTP_HOST: 'h', SMTP_FROM: 'f', SMTP_PASSWORD: 'pw' });
    const logged = JSON.stringify(describeConfig(config));
    expect(logged).not.toContain('secret');
    expect(logged).not.toContain('"pw"');
    expect(logged).toContain('db:5432');
  });

  it('has every variable described in docs/operations.md', async () => {
    const doc = readFileSync(new URL('../docs/operations.md', import.meta.url), 'utf8');
    const variables = await describeVariables();
    expect(variables.length).toBeGreaterThan(10);
    for (const variable of variables) {
      expect(variable.description).not.toBe('');
      expect(doc).toContain(`| \`${variable.name}\` | ${variable.default === null ? '(unset)' : `\`${variable.default}\``} |`);
    }
  });
});
