/**
 * Signing in and out. Sign-in answers the same 401 for an unknown address, a wrong password and a
 * deactivated user (and takes the same time: src/app/users.ts), so it tells nobody which addresses
 * exist; it is rate-limited per client address and e-mail address. A successful sign-in always starts
 * a new session (a session token planted before it is never promoted) and returns the CSRF token the
 * client sends on every state-changing request.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KamertonError } from '../../core/errors.ts';
import { MAX_PASSWORD_LENGTH } from '../../app/passwords.ts';
import { createSession, deleteSession, sessionIdOf } from '../../app/sessions.ts';
import { authenticate } from '../../app/users.ts';
import type { RoutePluginOptions } from '../app.ts';
import { ANY_USER, SESSION_COOKIE, sessionOf } from '../plugins/auth.plugin.ts';
import { loginRateLimit } from '../plugins/rate-limit.plugin.ts';
import { sessionResponseSchema } from './users.routes.ts';

export const authRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database, config }) => {
  app.post('/api/v1/auth/login', {
    config: { access: 'public', rateLimit: loginRateLimit },
    schema: {
      tags: ['auth'],
      summary: 'Sign in: sets the session cookie, returns the user and the CSRF token',
      description: 'Rate-limited: 10 attempts per 15 minutes per client address and e-mail address, then 429.',
      body: z.strictObject({
        email: z.string().trim().min(1).max(320),
        password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
      }),
      response: { 200: sessionResponseSchema },
    },
  }, async (request, reply) => {
    const user = await authenticate(database.db, request.body.email, request.body.password);
    if (user === null) throw new KamertonError('unauthenticated', 'Wrong e-mail address or password.');
    const previous = request.cookies[SESSION_COOKIE];
    if (previous !== undefined) await deleteSession(database.db, sessionIdOf(previous));
    const { token, session } = await createSession(database.db, user, {
      hours: config.sessionHours,
      userAgent: request.headers['user-agent'] ?? null,
      ip: request.ip,
    });
    reply.setSessionCookie(token);
    return { user: session.user, csrfToken: session.csrfToken, currency: config.currency };
  });

  app.post('/api/v1/auth/logout', {
    config: { access: ANY_USER },
    schema: {
      tags: ['auth'],
      summary: 'Sign out: ends the session and clears the cookie',
      response: { 204: z.undefined().describe('Signed out.') },
    },
  }, async (request, reply) => {
    await deleteSession(database.db, sessionOf(request).id);
    reply.clearSessionCookie();
    return reply.code(204).send();
  });

  app.get('/api/v1/auth/session', {
    config: { access: ANY_USER },
    schema: {
      tags: ['auth'],
      summary: 'The signed-in user and the session\'s CSRF token (401 when not signed in)',
      response: { 200: sessionResponseSchema },
    },
  }, async (request) => {
    const session = sessionOf(request);
    return { user: session.user, csrfToken: session.csrfToken, currency: config.currency };
  });
};
