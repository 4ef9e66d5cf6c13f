/**
 * The first-run setup: while the database has no active administrator (an empty one, or one with
 * only the demo company's users), anyone who reaches the server may
 * create the first administrator (and is signed in as them); from then on the setup answers 409.
 * Whoever installs Kamerton is expected to do this at once, before opening the server to others.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createSession } from '../../app/sessions.ts';
import { setupInput, setUpFirstAdmin, setupNeeded } from '../../app/users.ts';
import type { RoutePluginOptions } from '../app.ts';
import { sessionResponseSchema } from './users.routes.ts';

export const setupRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database, config }) => {
  app.get('/api/v1/setup', {
    config: { access: 'public' },
    schema: {
      tags: ['setup'],
      summary: 'Whether the first-run setup is open (the database has no user yet)',
      response: { 200: z.object({ needed: z.boolean() }) },
    },
  }, async () => ({ needed: await setupNeeded(database.db) }));

  app.post('/api/v1/setup', {
    config: { access: 'public' },
    schema: {
      tags: ['setup'],
      summary: 'Create the first administrator and sign in as them (409 once any user exists)',
      body: setupInput,
      response: { 201: sessionResponseSchema },
    },
  }, async (request, reply) => {
    const user = await setUpFirstAdmin(database.db, request.body);
    const { token, session } = await createSession(database.db, user, {
      hours: config.sessionHours,
      userAgent: request.headers['user-agent'] ?? null,
      ip: request.ip,
    });
    reply.setSessionCookie(token);
    return reply.code(201).send({ user: session.user, csrfToken: session.csrfToken, currency: config.currency });
  });
};
