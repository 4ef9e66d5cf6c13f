/**
 * The start page at `/`: on an empty database the first-run form that creates the administrator,
 * otherwise the sign-in form and, once signed in, the way to the API's documentation. One static
 * page in Polish and English that talks to the API like any client; the web application (issue 5)
 * replaces it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

const page = readFileSync(new URL('../web/start.html', import.meta.url), 'utf8');

/** The CSP source of each inline block of the page: its SHA-256, as browsers check it. */
function hashes(tag: 'script' | 'style'): string {
  const blocks = [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
  return blocks.map((block) => `'sha256-${createHash('sha256').update(block).digest('base64')}'`).join(' ');
}

/** Only the page's own script and style run; it talks to its own origin only. */
export const START_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${hashes('script')}`,
  `style-src ${hashes('style')}`,
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const startRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', {
    config: { access: 'public' },
    schema: { tags: ['start'], summary: 'The start page (HTML): first-run setup, sign-in, the way to these docs' },
  }, async (_request, reply) => {
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', START_PAGE_CSP)
      .send(page);
  });
};
