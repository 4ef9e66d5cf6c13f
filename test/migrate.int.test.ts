import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { KamertonError } from '../src/core/errors.ts';
import { connect } from '../src/db/client.ts';
import { migrateDatabase, schemaStatus } from '../src/db/migrate.ts';
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
