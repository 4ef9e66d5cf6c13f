/**
 * The web app as the server serves it, from a stand-in build in a temp folder: index.html for the
 * app's pages with its Content-Security-Policy and no caching, the hashed bundles cached for a year,
 * no way out of the build's folder, unknown API paths still the API's JSON 404, and a 503 page that
 * says how to build the app when there is no build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { isSafeRelativePath, WEB_APP_CSP } from '../src/api/routes/web.routes.ts';
import { loadConfig } from '../src/config.ts';
import { describeDatabases } from './database.ts';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-1234.js"></script></head><body><div id="root"></div></body></html>';
const BUNDLE = 'console.log("kamerton");\n';

/** A GET sent as written, unlike app.inject() and fetch(), which resolve `..` segments first. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the paths the web app serves files by', () => {
  it('takes a file or a folder\'s file and refuses a way out, a hidden file or a backslash', () => {
    expect(isSafeRelativePath('app-1234.js')).toBe(true);
    expect(isSafeRelativePath('fonts/inter-400.woff2')).toBe(true);
    for (const path of ['', '..', '../package.json', 'a/../../b', './a', 'a//b', 'a/', '.env', 'a/.git/config', '..\\x', 'a\0b']) {
      expect(isSafeRelativePath(path), path).toBe(false);
    }
  });
});

describeDatabases('the web app\'s routes', (get) => {
  let root: string;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'kamerton-web-'));
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'app-1234.js'), BUNDLE);
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dist, 'assets', '.hidden'), 'secret');
    // A file beside the build, which no request may reach.
    writeFileSync(join(root, 'secret.txt'), 'outside the build');
    app = await buildApp({ database: get(), config: await loadConfig({}), webDir: dist });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers the app\'s pages with index.html, its Content-Security-Policy and no caching', async () => {
    for (const url of ['/', '/accounts', '/accounts/3f1c2a9e-2b1d-4c3e-9f8a-1b2c3d4e5f60', '/sign-in?next=%2Faccounts', '/index.html']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(INDEX);
      expect(response.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control'], url).toBe('no-store');
      expect(response.headers['content-security-policy'], url).toBe(WEB_APP_CSP);
      expect(response.headers['x-frame-options'], url).toBe('DENY');
    }
    expect(WEB_APP_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    const head = await app.inject({ method: 'HEAD', url: '/accounts' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves a bundle as JavaScript, cached for a year', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(BUNDLE);
    expect(response.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-security-policy']).toBeUndefined();
  });

  it('serves a file at the root of the build, and a JSON 404 for a missing one', async () => {
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(icon.headers['cache-control']).toBe('public, max-age=0');
    for (const url of ['/robots.txt', '/assets/app-9999.js', '/assets/.hidden']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ code: 'not-found' });
    }
  });

  it('lets no path out of the build\'s folder, however it is written', async () => {
    const paths = [
      '/assets/../../package.json',
      '/assets/../secret.txt',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets/%252e%252e%252fsecret.txt',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/app-1234.js%00.html',
    ];
    for (const path of paths) {
      const injected = await app.inject({ method: 'GET', url: path });
      for (const response of [await rawGet(port, path), { status: injected.statusCode, body: injected.body }]) {
        expect(response.body, path).not.toContain('"name": "kamerton"');
        expect(response.body, path).not.toContain('outside the build');
        // Either refused, or the app's page (a client-side route for all the server knows).
        if (response.status === 200) expect(response.body, path).toBe(INDEX);
      }
    }
  });

  it('keeps an unknown API path the API\'s JSON 404', async () => {
    for (const url of ['/api/v1/nope', '/api/nope?x=1', '/api']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toMatch(/^application\/json/);
      expect(response.json(), url).toMatchObject({ code: 'not-found' });
    }
    expect((await app.inject({ method: 'GET', url: '/api/health' })).json()).toEqual({ status: 'ok' });
  });

  it('leaves the web app\'s routes out of the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((path) => !path.startsWith('/api/'))).toEqual([]);
  });
});

describeDatabases('the web app\'s routes without a build', (get) => {
  let app: FastifyInstance;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'kamerton-web-'));
    app = await buildApp({ database: get(), config: await loadConfig({}), webDir: join(root, 'dist') });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers the app\'s pages 503 with a page in Polish and English saying how to build it', async () => {
    for (const url of ['/', '/accounts/some-id']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(503);
      expect(response.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control'], url).toBe('no-store');
      expect(response.headers['content-security-policy'], url).toBe(WEB_APP_CSP);
      expect(response.body).toContain('Aplikacja nie jest zbudowana');
      expect(response.body).toContain('The web app is not built');
      expect(response.body).toContain('npm run build:web');
      expect(response.body).toContain('npm start');
    }
    expect((await app.inject({ method: 'GET', url: '/assets/app-1234.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });
});
