/**
 * Authentication and authorisation for every route.
 *
 * Every route declares who may call it in `config.access`: 'public', or the roles that may. A route
 * registered without a valid rule stops the app from starting (the onRoute hook throws), so a route
 * added without a thought about access fails every test that builds the app.
 *
 * On each request to a non-public route the session cookie is resolved to a server-side session
 * (src/app/sessions.ts): no live session is 401, a role the route does not list is 403, and a
 * state-changing method without the session's CSRF token in X-CSRF-Token is 403. The route then finds
 * `request.actor` and `request.session` set. Record-level rules (a KAM's own accounts) are the
 * use-cases' work, not this plugin's.
 *
 * Public POSTs (sign-in, first-run setup) need no CSRF token: there is no session to protect yet. A
 * cross-site form cannot forge them either, because the API reads JSON bodies only and a form cannot
 * send application/json; the SameSite=Lax cookie keeps other sites' requests from carrying the session.
 */
import { timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { KamertonError } from '../../core/errors.ts';
import type { Database } from '../../db/client.ts';
import { ROLES, type Role } from '../../db/schema/index.ts';
import type { Actor } from '../../app/actor.ts';
import { resolveSession, type Session } from '../../app/sessions.ts';
import { globalPlugin } from './global-plugin.ts';

/** Who may call a route: anyone, or a non-empty list of roles. */
export type RouteAccess = 'public' | readonly Role[];

/** Every signed-in user, whatever the role. */
export const ANY_USER: RouteAccess = ROLES;

/** A route with its rule, as `listRoutes` gives it (for the authorisation-matrix test and docs). */
export type RouteInfo = { method: string; url: string; access: RouteAccess };

export const SESSION_COOKIE = 'kamerton_session';
export const CSRF_HEADER = 'x-csrf-token';

// Augmenting Fastify's types can only be done with interfaces, which merge; a type alias cannot.
/* eslint-disable @typescript-eslint/consistent-type-definitions */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (required on every route: see src/api/plugins/auth.plugin.ts). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The signed-in user on a non-public route; null on public routes. */
    actor: Actor | null;
    /** The session behind `actor`; null on public routes. */
    session: Session | null;
  }
  interface FastifyReply {
    /** Sets the session cookie to `token` (a new session's, from createSession). */
    setSessionCookie(token: string): FastifyReply;
    /** Tells the browser to drop the session cookie. */
    clearSessionCookie(): FastifyReply;
  }
  interface FastifyInstance {
    /** Every route registered after the auth plugin, with its access rule. */
    routeAccess: RouteInfo[];
  }
}
/* eslint-enable @typescript-eslint/consistent-type-definitions */

export type AuthPluginOptions = {
  database: Database;
  config: Pick<Config, 'sessionHours' | 'secureCookies'>;
  /**
   * URL prefixes of third-party routes that cannot declare a rule themselves and are public (Swagger
   * UI's pages). Register this plugin before those plugins, so that the onRoute hook sees them too.
   */
  publicPrefixes?: readonly string[];
};

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase());
}

function isRouteAccess(value: unknown): value is RouteAccess {
  if (value === 'public') return true;
  return Array.isArray(value) && value.length > 0 && value.every((role) => (ROLES as readonly unknown[]).includes(role));
}

/**
 * Every route of the API with its access rule, in registration order: HEAD routes (which mirror GET),
 * the third-party routes under `publicPrefixes` and the web app's routes left out.
 */
export function listRoutes(app: { routeAccess: RouteInfo[] }): RouteInfo[] {
  return [...app.routeAccess];
}

/** The actor of a request to a non-public route (the auth hook has set it; a public route has none). */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === null) throw new KamertonError('unauthenticated', 'Sign in first: there is no valid session.');
  return request.actor;
}

/** The session of a request to a non-public route. */
export function sessionOf(request: FastifyRequest): Session {
  if (request.session === null) throw new KamertonError('unauthenticated', 'Sign in first: there is no valid session.');
  return request.session;
}

function csrfTokenMatches(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const authPlugin = globalPlugin<AuthPluginOptions>('kamerton-auth', async (app, { database, config, publicPrefixes = [] }) => {
  const routes: RouteInfo[] = [];
  app.decorate('routeAccess', routes);
  app.decorateRequest('actor', null);
  app.decorateRequest('session', null);

  function cookieOptions(request: FastifyRequest): CookieSerializeOptions {
    return {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies === 'always' || (config.secureCookies === 'auto' && request.protocol === 'https'),
    };
  }

  // The cookie has no Max-Age: the session's lifetime is the server's to decide (sliding, revocable),
  // and the browser forgets the cookie when it closes.
  app.decorateReply('setSessionCookie', function setSessionCookie(this: FastifyReply, token: string) {
    return this.setCookie(SESSION_COOKIE, token, cookieOptions(this.request));
  });
  app.decorateReply('clearSessionCookie', function clearSessionCookie(this: FastifyReply) {
    return this.clearCookie(SESSION_COOKIE, cookieOptions(this.request));
  });

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.config?.access === undefined && publicPrefixes.some((prefix) => route.url.startsWith(prefix))) {
      // Not ours, so not listed: the document and the access matrix are about the API's own routes.
      route.config = { ...route.config, access: 'public' };
      return;
    }
    const access: unknown = route.config?.access;
    if (!isRouteAccess(access)) {
      throw new Error(
        `${methods.join(',')} ${route.url}: the route has no valid config.access. Every route declares who may call it: ` +
          `'public' or a non-empty list of roles from ${ROLES.join(', ')} (src/api/plugins/auth.plugin.ts).`,
      );
    }
    // The web app's pages and files (routes/web.routes.ts) are hidden from the OpenAPI document, which
    // describes the API, so they stay out of this list too, which must agree with it. Only a route
    // outside /api leaves this way: a hidden API route stays listed, and the disagreement shows.
    if (route.schema?.hide === true && !route.url.startsWith('/api/')) return;
    for (const method of methods) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, access });
    }
  });

  app.addHook('onRequest', async (request) => {
    // The 404 handler has no rule of its own: it answers the same to everybody.
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    // The onRoute hook above refuses such routes: reaching this is a bug (a route registered before
    // this plugin), so fail closed.
    if (access === undefined) throw new Error(`${request.method} ${request.routeOptions.url ?? request.url}: no access rule`);
    if (access === 'public') return;
    const token = request.cookies[SESSION_COOKIE];
    const session = token === undefined ? null : await resolveSession(database.db, token, { hours: config.sessionHours });
    if (session === null) throw new KamertonError('unauthenticated', 'Sign in first: there is no valid session.');
    request.session = session;
    request.actor = { userId: session.user.id, role: session.user.role };
    if (!access.includes(session.user.role)) {
      throw new KamertonError('forbidden', `The role ${session.user.role} may not do this.`);
    }
    if (isStateChanging(request.method) && !csrfTokenMatches(request.headers[CSRF_HEADER], session.csrfToken)) {
      throw new KamertonError(
        'forbidden',
        'Missing or wrong CSRF token: send the csrfToken of your session (from sign-in or GET /api/v1/auth/session) in the X-CSRF-Token header.',
        { field: 'X-CSRF-Token' },
      );
    }
  });
});
