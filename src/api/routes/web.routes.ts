/**
 * The web app, as Vite builds it into web/dist (`npm run build:web`, or `npm start`, which builds it
 * when it is missing or older than its sources): the hashed bundles under /assets, cached for a year
 * because a file never changes under its name; and index.html for every other GET outside /api, so
 * that the app's client-side routes (/accounts/<id>, /sign-in) load the app on a reload or a shared
 * link. index.html is never cached: it names the current bundles, and a stale copy would load
 * bundles a rebuild has deleted.
 *
 * The routes are public (the app's own API calls are what the session guards) and hidden from the
 * OpenAPI document, which describes the JSON API. Without a build, the pages answer 503 with a page
 * that says how to build the app; the API works either way.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { RoutePluginOptions } from '../app.ts';

/** web/dist beside this checkout's web/ sources. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/**
 * The app's policy: its own scripts only, and no other origin for anything. Mantine sets inline style
 * attributes, so styles alone may be inline; an inline style cannot run code.
 */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** The answer while web/dist/index.html does not exist: what to do, in both of the app's languages. */
export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="pl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kamerton: aplikacja nie jest zbudowana / the web app is not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{background:#f1f3f5;padding:0 .25em}</style>
</head>
<body>
<h1>Aplikacja nie jest zbudowana</h1>
<p>Serwer Kamertonu działa, ale nie ma zbudowanej aplikacji webowej (<code>web/dist</code>).
Zbuduj ją poleceniem <code>npm run build:web</code> albo uruchom serwer przez <code>npm start</code>, który ją zbuduje.
API działa: jego dokumentacja jest pod <a href="/api/docs">/api/docs</a>.</p>
<h1 lang="en">The web app is not built</h1>
<p lang="en">The Kamerton server is running, but the web app has not been built (<code>web/dist</code>).
Build it with <code>npm run build:web</code>, or start the server with <code>npm start</code>, which builds it.
The API works: its documentation is at <a href="/api/docs">/api/docs</a>.</p>
</body>
</html>
`;

/** Paths the API owns: an unknown one is the API's JSON 404, never the app's page. */
function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/**
 * Whether `path` (relative, as the route's wildcard gives it, decoded) names a file inside its
 * folder: no empty, `.` or `..` segment, no hidden file, no backslash or NUL. @fastify/send refuses
 * a path out of its root too; checking here as well keeps that from resting on one library's check.
 */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || /[\\\0]/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && !segment.startsWith('.'));
}

/** A file at the root of web/dist other than index.html (favicon.svg, robots.txt), by its name. */
const ROOT_FILE = /^[\w-][\w.-]*\.\w+$/;

export const webRoutes: FastifyPluginAsync<RoutePluginOptions> = async (app, { webDir = DEFAULT_WEB_DIR }) => {
  const assetsDir = join(webDir, 'assets');
  const indexFile = join(webDir, 'index.html');

  // Only for reply.sendFile (its range, ETag and content-type handling): the routes below are ours, so
  // that each declares its access rule. The decorator stays inside this plugin's context.
  await app.register(fastifyStatic, { serve: false, dotfiles: 'ignore', index: false });

  async function sendApp(reply: FastifyReply): Promise<FastifyReply> {
    let html: Buffer;
    try {
      // Read afresh each time: the file is small, and a rebuild while the server runs replaces it.
      html = await readFile(indexFile);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      return sendHtml(reply.code(503), NOT_BUILT_PAGE);
    }
    return sendHtml(reply, html);
  }

  function sendHtml(reply: FastifyReply, html: string | Buffer): FastifyReply {
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', WEB_APP_CSP)
      .send(html);
  }

  app.get<{ Params: { '*': string } }>('/assets/*', {
    config: { access: 'public' },
    schema: { tags: ['web'], summary: 'A file of the web app\'s build (hashed name, cached for a year)', hide: true },
  }, async (request, reply) => {
    const file = request.params['*'];
    if (!isSafeRelativePath(file)) return reply.callNotFound();
    return reply.sendFile(file, assetsDir, { maxAge: ONE_YEAR_MS, immutable: true });
  });

  app.get<{ Params: { '*': string } }>('/*', {
    config: { access: 'public' },
    schema: { tags: ['web'], summary: 'The web app: index.html for its pages, or a file at the root of its build', hide: true },
  }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // Fastify falls back to this wildcard for any GET no other route takes, unknown API paths included.
    if (isApiPath(path)) return reply.callNotFound();
    const name = request.params['*'];
    if (ROOT_FILE.test(name) && name !== 'index.html') {
      // Not hashed, so revalidated on each use rather than cached.
      return reply.sendFile(name, webDir, { maxAge: 0 });
    }
    return sendApp(reply);
  });
};
