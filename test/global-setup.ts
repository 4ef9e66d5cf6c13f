/**
 * Vitest's global set-up: one embedded PostgreSQL for the whole run, kept under the OS temp folder
 * (as root it runs as the postgres user, who cannot reach a checkout under /root or /work), and
 * reused from run to run so that initdb happens once per machine. Each test file makes its own fresh
 * databases on it (test/database.ts). When TEST_DATABASE_URL names an external server (CI sets it for
 * Debian's PostgreSQL), the database tests run there too.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';

declare module 'vitest' {
  // An interface, not a type: Vitest's context is extended by declaration merging.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  export interface ProvidedContext {
    /** Server URLs the database tests run against: the embedded one, then the external one if given. */
    databaseServers: { name: string; url: string }[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmbeddedPostgres({ dataDir: join(tmpdir(), 'kamerton-test-postgres') });
  const servers = [{ name: 'embedded PostgreSQL', url: server.url }];
  // The test runner's own setting, read here rather than through src/config.ts, which is the app's.
  const external = process.env.TEST_DATABASE_URL;
  if (external !== undefined && external !== '') servers.push({ name: 'external PostgreSQL (TEST_DATABASE_URL)', url: external });
  project.provide('databaseServers', servers);
  return async () => {
    await server.stop();
  };
}
