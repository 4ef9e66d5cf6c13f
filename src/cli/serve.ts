/**
 * `kamerton serve` (and `npm start`): the server on the embedded PostgreSQL in the data folder, or on
 * DATABASE_URL's server, serving the web app it builds first when web/dist is missing or stale.
 * Migrations are applied at start; SIGINT and SIGTERM close the server, then the database (the
 * embedded one shuts down cleanly, so the next start needs no recovery).
 */
import { buildApp } from '../api/app.ts';
import { describeConfig, loadConfig, type Config } from '../config.ts';
import { setupNeeded } from '../app/users.ts';
import { startDigestScheduler, type DigestScheduler } from '../app/digest-mailer.ts';
import { openDatabase } from '../db/client.ts';
import { readRunningServer } from '../db/embedded-postgres.ts';
import { KamertonError } from '../core/errors.ts';
import { ensureWebBuild } from './web-build.ts';

export type ServeOptions = {
  /** The configuration, when the caller has parsed it already (`kamerton dev`). */
  config?: Config;
  /**
   * The URL of the web app's development server (`kamerton dev`), which serves the web app from its
   * sources: the server then builds nothing, and its messages send the user there.
   */
  webDevServerUrl?: string;
};

/** How long a stop waits for the responses in flight before it closes their connections. */
const SHUTDOWN_GRACE_MS = 5_000;

/** Runs the server until SIGINT or SIGTERM has stopped it; rejects when it cannot start. */
export async function serve(options: ServeOptions = {}): Promise<void> {
  const config = options.config ?? await loadConfig();
  // A command beside a running server uses its database; a server does not use another process's,
  // which would vanish under it when that process (a backup, another server) ends.
  if (config.databaseUrl === null && (await readRunningServer(config.dataDir)) !== null) {
    throw new KamertonError(
      'conflict',
      `Another Kamerton process is using the embedded database in ${config.dataDir} (another server, or a command ` +
        'such as a backup): stop it or wait for it to end, or give this server its own KAMERTON_DATA_DIR.',
      { field: 'KAMERTON_DATA_DIR', value: config.dataDir },
    );
  }
  // Before the database, which a failed build would otherwise have started and stopped for nothing.
  if (options.webDevServerUrl === undefined) {
    await ensureWebBuild({ log: (line) => process.stderr.write(`${line}\n`) });
  }
  // PostgreSQL's own output is for when something goes wrong: its progress (initdb's chatter, the
  // start-up lines) would bury the one line a user needs, where Kamerton is running.
  const database = await openDatabase(config, {
    log: (line) => {
      if (/^initialising|\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line)) process.stderr.write(`postgres: ${line}\n`);
    },
  });
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({ database, config, logger: { level: config.logLevel } });
  } catch (error) {
    await database.close();
    throw error;
  }
  app.log.info({ config: describeConfig(config) }, 'configuration');
  // The daily digest's e-mail, once the server listens, when SMTP is configured; stopped before the database closes.
  let digests: DigestScheduler | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (signal: string): Promise<void> => {
    stopping ??= (async () => {
      app.log.info(`${signal}: stopping`);
      // Closing waits for the requests in flight, but a client that stopped reading a response (a
      // paused download, a dead network) would hold the stop for good, and the embedded PostgreSQL
      // would then be killed rather than shut down. After a grace period their connections are cut.
      const cut = setTimeout(() => {
        app.log.warn(`${signal}: closing the connections still open after ${SHUTDOWN_GRACE_MS / 1000} s`);
        app.server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      try {
        await digests?.stop();
        await app.close();
      } finally {
        clearTimeout(cut);
      }
      await database.close();
    })();
    return stopping;
  };
  const closed = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        void stop(signal).then(resolve, (error: unknown) => {
          app.log.error(error, 'stopping failed');
          resolve();
        });
      });
    }
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await stop('start failed');
    throw error;
  }
  if (config.smtp !== null) digests = startDigestScheduler(database.db, config, app.log);
  const where = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const database_ = database.embedded === null ? 'the PostgreSQL server of DATABASE_URL' : `the embedded PostgreSQL in ${config.dataDir}`;
  const web = options.webDevServerUrl ?? where;
  const firstRun = (await setupNeeded(database.db))
    ? `No administrator yet: open ${web} to create one, or run \`kamerton user add --role admin\`.\n`
    : '';
  const running = options.webDevServerUrl === undefined
    ? `Kamerton is running at ${where} on ${database_}. Ctrl+C stops it.`
    : `Kamerton is running: the web app with hot reload at ${web}, its API at ${where} on ${database_}. Ctrl+C stops both.`;
  process.stderr.write(`${running}\n${firstRun}`);
  await closed;
}
