/**
 * Fresh databases for tests: each call makes a new database on a test server (see global-setup.ts),
 * migrated, and drops it when the tests are done. `describeDatabases` runs a suite on every server
 * the run has: the embedded PostgreSQL always, Debian's server in CI.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { connect, quoteIdentifier, type Database } from '../src/db/client.ts';

export type TestServer = { name: string; url: string };

export function testServers(): TestServer[] {
  return inject('databaseServers');
}

/** A new, empty database on `server` (not migrated); `drop` removes it, closing its connections. */
export async function createEmptyDatabase(server: TestServer): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kamerton_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`create database ${quoteIdentifier(name)}`);
  await admin.end();
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      await client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`);
      await client.end();
    },
  };
}

/** A new, migrated database on `server`; dropped (with its connections) by `drop`. */
export async function createTestDatabase(server: TestServer): Promise<Database & { url: string; drop(): Promise<void> }> {
  const empty = await createEmptyDatabase(server);
  const database = await connect(empty.url, null, { poolSize: 5 });
  return {
    ...database,
    url: empty.url,
    async drop() {
      await database.close();
      await empty.drop();
    },
  };
}

/**
 * Runs `suite` once per test server, each time on a fresh database made before its tests and dropped
 * after them. `get()` gives the suite's database inside its tests and hooks.
 */
export function describeDatabases(title: string, suite: (get: () => Database & { url: string }) => void): void {
  for (const server of testServers()) {
    describe(`${title} (${server.name})`, () => {
      let database: (Database & { url: string; drop(): Promise<void> }) | null = null;
      // Registered before the suite's own hooks, so they run after it and see the database.
      beforeAll(async () => {
        database = await createTestDatabase(server);
      });
      afterAll(async () => {
        await database?.drop();
      });
      suite(() => {
        if (database === null) throw new Error('the test database is not ready: use it inside tests and hooks');
        return database;
      });
    });
  }
}
