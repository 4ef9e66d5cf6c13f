/**
 * The database connection: the embedded PostgreSQL in the data folder by default, or an external
 * server when DATABASE_URL is set. Both are PostgreSQL, with one schema and one dialect, so nothing
 * above this module knows which it is talking to.
 */
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Config } from '../config.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres.ts';
import { migrateDatabase } from './migrate.ts';
import type * as schema from './schema/index.ts';

export type Db = NodePgDatabase<typeof schema>;

/** The database without the query builder: what use-cases that speak SQL through `pg` need. */
export type Connection = {
  pool: pg.Pool;
  /** The embedded server when Kamerton runs one, else null. */
  embedded: EmbeddedServer | null;
  /** Closes the pool, then stops the embedded server (when this process started it). */
  close(): Promise<void>;
};

/** The database with drizzle's query builder over the schema, which most use-cases use. */
export type Database = Connection & { db: Db };

type OpenOptions = { migrate?: boolean; log?: (line: string) => void; poolSize?: number };

/** The name of Kamerton's database inside the embedded server. */
const EMBEDDED_DATABASE = 'kamerton';

/** Opens the database of `config` and applies pending migrations (unless `migrate` is false). */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, options: OpenOptions = {}): Promise<Database> {
  return withQueryBuilder(await openConnection(config, options));
}

/**
 * Opens the database of `config` as `openDatabase` does, without drizzle: `kamerton import` and
 * `kamerton analysis run` speak SQL through `pg` only, and loading drizzle and the schema (some 200
 * modules, 0.15 s) was a tenth of a first import of 1M lines.
 */
export async function openConnection(config: Pick<Config, 'databaseUrl' | 'dataDir'>, options: OpenOptions = {}): Promise<Connection> {
  let embedded: EmbeddedServer | null = null;
  let url = config.databaseUrl;
  if (url === null) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, ...(options.log ? { log: options.log } : {}) });
    try {
      url = await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
    } catch (error) {
      await embedded.stop();
      throw error;
    }
  }
  return connectPool(url, embedded, options);
}

/** Connects to `url` (a database that exists), migrating it unless told not to. */
export async function connect(url: string, embedded: EmbeddedServer | null, options: Omit<OpenOptions, 'log'> = {}): Promise<Database> {
  return withQueryBuilder(await connectPool(url, embedded, options));
}

async function connectPool(url: string, embedded: EmbeddedServer | null, options: Omit<OpenOptions, 'log'>): Promise<Connection> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle connection that the server drops must not take the process down.
  pool.on('error', () => {});
  const close = async (): Promise<void> => {
    await pool.end();
    if (embedded !== null) await embedded.stop();
  };
  try {
    if (options.migrate !== false) await migrateDatabase(pool);
  } catch (error) {
    await close();
    throw error;
  }
  return { pool, embedded, close };
}

async function withQueryBuilder(connection: Connection): Promise<Database> {
  try {
    const [{ drizzle }, tables] = await Promise.all([import('drizzle-orm/node-postgres'), import('./schema/index.ts')]);
    return { ...connection, db: drizzle({ client: connection.pool, schema: tables }) };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** The URL of database `name` on the server of `serverUrl`, created when missing. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${quoteIdentifier(name)}`);
  } catch (error) {
    // Two processes creating it at once: the loser finds it there.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
