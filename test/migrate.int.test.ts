import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { KamertonError } from '../src/core/errors.ts';
import { connect } from '../src/db/client.ts';
import { migrateDatabase, MIGRATIONS_FOLDER, schemaStatus } from '../src/db/migrate.ts';
import { createEmptyDatabase, describeDatabases, testServers } from './database.ts';

for (const server of testServers()) {
  describe(`migrations (${server.name})`, () => {
    it('applies every migration once, even when two processes start at once', async () => {
      const empty = await createEmptyDatabase(server);
      const pools = [new pg.Pool({ connectionString: empty.url }), new pg.Pool({ connectionString: empty.url })];
      try {
        const applied = await Promise.all(pools.map((pool) => migrateDatabase(pool)));
        const status = await schemaStatus(pools[0] as pg.Pool);
        expect(status.pending).toBe(0);
        expect(status.applied).toBe(status.known);
        // One process applied them all, the other found nothing left to do.
        expect(applied.sort()).toEqual([0, status.known]);
        const rows = await (pools[0] as pg.Pool).query('select count(*)::int as n from drizzle.__drizzle_migrations');
        expect(rows.rows[0].n).toBe(status.known);
        expect(await migrateDatabase(pools[0] as pg.Pool)).toBe(0);
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
        await empty.drop();
      }
    });

    it('builds the same schema and bookkeeping as drizzle-kit\'s own migrator', async () => {
      const [ours, theirs] = [await createEmptyDatabase(server), await createEmptyDatabase(server)];
      const [oursPool, theirsPool] = [new pg.Pool({ connectionString: ours.url }), new pg.Pool({ connectionString: theirs.url })];
      try {
        await migrateDatabase(oursPool);
        const client = await theirsPool.connect();
        try {
          await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
        } finally {
          client.release();
        }
        const [a, b] = await Promise.all([describeSchema(oursPool), describeSchema(theirsPool)]);
        expect(a.length).toBeGreaterThan(100);
        expect(a).toEqual(b);
        const bookkeeping = 'select hash, created_at::text from drizzle.__drizzle_migrations order by id';
        expect((await oursPool.query(bookkeeping)).rows).toEqual((await theirsPool.query(bookkeeping)).rows);
      } finally {
        await Promise.all([oursPool.end(), theirsPool.end()]);
        await Promise.all([ours.drop(), theirs.drop()]);
      }
    });

    it('applies pending migrations all or none, and only those not yet applied', async () => {
      const folder = await mkdtemp(join(tmpdir(), 'kamerton-migrations-'));
      const empty = await createEmptyDatabase(server);
      const pool = new pg.Pool({ connectionString: empty.url });
      const tables = async () => (await pool.query<{ t: string }>(
        `select table_name as t from information_schema.tables where table_schema = 'public' order by 1`)).rows.map((r) => r.t);
      try {
        await writeMigrations(folder, [
          'CREATE TABLE "one" ("id" integer PRIMARY KEY);',
          // The second statement fails: the first must not stay behind.
          'CREATE TABLE "two" ("id" integer);\n--> statement-breakpoint\n-- a comment closing the statement\nINSERT INTO "two" VALUES (\'not a number\');',
        ]);
        await expect(migrateDatabase(pool, folder)).rejects.toThrow(/invalid input syntax for type integer/);
        expect(await tables()).toEqual([]);
        expect((await pool.query(`select to_regclass('drizzle.__drizzle_migrations') as t`)).rows[0].t).toBeNull();

        await writeMigrations(folder, ['CREATE TABLE "one" ("id" integer PRIMARY KEY);']);
        expect(await migrateDatabase(pool, folder)).toBe(1);
        await writeMigrations(folder, [
          'CREATE TABLE "one" ("id" integer PRIMARY KEY);',
          'CREATE TABLE "two" ("id" integer);\n--> statement-breakpoint\n-- a comment closing the statement\nINSERT INTO "two" VALUES (2);',
        ]);
        expect(await migrateDatabase(pool, folder)).toBe(1);
        expect(await tables()).toEqual(['one', 'two']);
        expect((await pool.query('select id from two')).rows).toEqual([{ id: 2 }]);
        expect((await pool.query('select count(*)::int as n from drizzle.__drizzle_migrations')).rows[0].n).toBe(2);
        expect(await migrateDatabase(pool, folder)).toBe(0);
      } finally {
        await pool.end();
        await empty.drop();
        await rm(folder, { recursive: true, force: true });
      }
    });

    it('refuses a database migrated by a newer Kamerton, and one whose migration was changed', async () => {
      const empty = await createEmptyDatabase(server);
      try {
        const database = await connect(empty.url, null);
        await database.pool.query(`insert into drizzle.__drizzle_migrations (hash, created_at) values ('f00d', 9999999999999)`);
        const newer = await connect(empty.url, null).then(() => null, (e: unknown) => e);
        expect(newer).toBeInstanceOf(KamertonError);
        expect((newer as KamertonError).code).toBe('conflict');
        expect((newer as KamertonError).message).toMatch(/newer version of Kamerton/);
        await expect(schemaStatus(database.pool)).rejects.toThrow(/newer version/);

        await database.pool.query(`delete from drizzle.__drizzle_migrations where hash = 'f00d'`);
        await database.pool.query(`update drizzle.__drizzle_migrations set hash = 'changed' where id = (select min(id) from drizzle.__drizzle_migrations)`);
        await expect(connect(empty.url, null)).rejects.toThrow(/changed after it was applied/);
        await database.close();
      } finally {
        await empty.drop();
      }
    });
  });
}

/** Every column, constraint, index and trigger of the public schema, as comparable text. */
async function describeSchema(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ line: string }>(`
    select format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, coalesce(column_default, '')) as line
      from information_schema.columns where table_schema = 'public'
    union all
    select format('constraint %s %s', conrelid::regclass, pg_get_constraintdef(oid)) from pg_constraint where connamespace = 'public'::regnamespace
    union all
    select format('index %s', indexdef) from pg_indexes where schemaname = 'public'
    union all
    select format('trigger %s %s', tgrelid::regclass, pg_get_triggerdef(oid)) from pg_trigger where not tgisinternal
    order by 1`);
  return rows.map((row) => row.line);
}

/** Writes `migrations` into `folder` as drizzle-kit lays them out: SQL files and the journal naming them. */
async function writeMigrations(folder: string, migrations: string[]): Promise<void> {
  await mkdir(join(folder, 'meta'), { recursive: true });
  const entries = migrations.map((_, idx) => ({ idx, version: '7', when: 1_700_000_000_000 + idx, tag: `000${idx}_test`, breakpoints: true }));
  for (const [idx, text] of migrations.entries()) await writeFile(join(folder, `000${idx}_test.sql`), text);
  await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries }));
}

describeDatabases('the history table', (get) => {
  async function addRow(): Promise<number> {
    const result = await get().pool.query(
      `insert into history (entity, entity_id, action, field, old_value, new_value)
       values ('contact', gen_random_uuid(), 'update', 'email', 'old@example.com', 'new@example.com') returning id`,
    );
    return Number(result.rows[0].id);
  }

  it('refuses to update, delete or truncate history rows', async () => {
    const id = await addRow();
    await expect(get().pool.query(`update history set new_value = 'x' where id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(get().pool.query(`delete from history where id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(get().pool.query('truncate history')).rejects.toThrow(/append-only/);
    const row = await get().pool.query('select old_value, new_value from history where id = $1', [id]);
    expect(row.rows[0]).toEqual({ old_value: 'old@example.com', new_value: 'new@example.com' });
  });

  it('lets an erasure blank the values, and nothing else, inside its own transaction', async () => {
    const id = await addRow();
    const client = await get().pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local kamerton.erasing = 'on'`);
      await client.query('update history set old_value = null, new_value = null where id = $1', [id]);
      await expect(client.query(`update history set field = 'name' where id = $1`, [id])).rejects.toThrow(/append-only/);
      await client.query('rollback');
      await client.query('begin');
      await client.query(`set local kamerton.erasing = 'on'`);
      await client.query('update history set old_value = null, new_value = null where id = $1', [id]);
      await client.query('commit');
    } finally {
      client.release();
    }
    const row = await get().pool.query('select field, old_value, new_value from history where id = $1', [id]);
    expect(row.rows[0]).toEqual({ field: 'email', old_value: null, new_value: null });
    // The setting ended with its transaction.
    await expect(get().pool.query(`update history set new_value = null where id = $1`, [id])).rejects.toThrow(/append-only/);
  });
});
