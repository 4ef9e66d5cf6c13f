/**
 * `kamerton dev` (`npm run dev`): the API server as `kamerton serve` runs it, and Vite's development
 * server with the web app from its sources, reloading what changes; Vite passes /api on to the API
 * server. SIGINT or SIGTERM stops the API server and its database, then Vite.
 *
 * Vite runs in middleware mode on an HTTP server of ours: its own server answers SIGTERM with
 * process.exit() as soon as Vite has closed (vitejs/vite#7627), which would cut the embedded
 * PostgreSQL's clean shutdown short.
 */
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { loadConfig } from '../config.ts';
import { KamertonError } from '../core/errors.ts';
import { serve } from './serve.ts';
import { VITE_CONFIG } from './web-build.ts';

/** How many ports after the configured one to try when it is taken, as Vite itself does. */
const PORT_ATTEMPTS = 10;

/** The URL this machine reaches a server at: one listening on every address listens on loopback too. */
export function localUrlOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Listens on `port`, or, unless `strictPort`, on the next free one; resolves to the port. */
async function listenFrom(server: Server, port: number, host: string | undefined, strictPort: boolean): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await listen(server, port + attempt, host);
      return port + attempt;
    } catch (error) {
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!taken || strictPort || attempt + 1 >= PORT_ATTEMPTS) throw error;
    }
  }
}

export async function runDev(): Promise<void> {
  if (!existsSync(VITE_CONFIG)) {
    throw new KamertonError('not-found', `kamerton dev serves the web app from its sources, and ${VITE_CONFIG} is not here: run it in a checkout.`);
  }
  const config = await loadConfig();
  const { createServer } = await import('vite');
  const http = createHttpServer();
  const vite = await createServer({
    configFile: VITE_CONFIG,
    appType: 'spa',
    server: {
      middlewareMode: { server: http },
      // HMR's WebSocket on the pages' own server and port, rather than a port of its own.
      hmr: { server: http },
      // The API server started below, wherever HOST and PORT have put it.
      proxy: { '/api': { target: localUrlOf(config.host, config.port), changeOrigin: false } },
    },
  });
  http.on('request', vite.middlewares);
  try {
    const { host, port, strictPort } = vite.config.server;
    // Vite's meaning of its host option: a name or address, true for every address, unset for localhost.
    const bindHost = typeof host === 'string' ? host : host === true ? undefined : 'localhost';
    const bound = await listenFrom(http, port, bindHost, strictPort);
    await serve({ config, webDevServerUrl: localUrlOf(bindHost ?? '0.0.0.0', bound) });
  } finally {
    await vite.close();
    // Browsers keep connections open; they would hold close() up until they time out.
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}
