/**
 * The start page at `/`: on an empty database the first-run form that creates the administrator,
 * otherwise the sign-in form and, once signed in, the way to the API's documentation. One static
 * page in Polish and English that talks to the API like any client; the web application (issue 5)
 * replaces it.
 */
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

const page = readFileSync(new URL('../web/start.html', import.meta.url), 'utf8');

export const startRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', {
    config: { access: 'public' },
    schema: { tags: ['start'], summary: 'The start page (HTML): first-run setup, sign-in, the way to these docs' },
  }, async (_request, reply) => {
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  });
};
