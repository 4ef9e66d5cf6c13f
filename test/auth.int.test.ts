/**
 * The API skeleton through app.inject() on a fresh database: the first-run setup, signing in and out,
 * the session cookie, CSRF, revocation, the login rate limit, health and readiness, the OpenAPI
 * document and the rule that every route declares its access.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuildAppOptions } from '../src/api/app.ts';
import { listRoutes, SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { SYSTEM_ACTOR } from '../src/app/actor.ts';
import { createSession, resolveSession } from '../src/app/sessions.ts';
import { getUser } from '../src/app/users.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { describeDatabases } from './database.ts';

type Signed = { token: string; csrf: string };

const ADMIN = { email: 'Anna.Admin@example.com', name: 'Anna Nowak', password: 'correct horse battery' };
const KAM = { email: 'kamil.kam@example.com', name: 'Kamil Wiśniewski', role: 'kam', password: 'kam password 123' };

let baseConfig: Config;

/** The defaults (an empty environment), changed by `overrides`. */
function config(overrides: Partial<Config> = {}): Config {
  return { ...baseConfig, ...overrides };
}

function sessionCookie(response: LightMyRequestResponse) {
  return response.cookies.find((cookie) => cookie.name === SESSION_COOKIE);
}

describeDatabases('authentication and the API skeleton', (get) => {
  let app: FastifyInstance;
  const extraApps: FastifyInstance[] = [];
  let admin: Signed;

  async function anotherApp(options: Partial<BuildAppOptions> = {}): Promise<FastifyInstance> {
    const built = await buildApp({ database: get(), config: config(), ...options });
    extraApps.push(built);
    return built;
  }

  async function login(email: string, password: string, target: FastifyInstance = app): Promise<LightMyRequestResponse> {
    return target.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  }

  async function signIn(email: string, password: string): Promise<Signed> {
    const response = await login(email, password);
    expect(response.statusCode).toBe(200);
    return { token: sessionCookie(response)?.value ?? '', csrf: response.json<{ csrfToken: string }>().csrfToken };
  }

  beforeAll(async () => {
    baseConfig = await loadConfig({});
    app = await buildApp({ database: get(), config: config() });
    await app.ready();
  });

  afterAll(async () => {
    await Promise.all([app.close(), ...extraApps.map((other) => other.close())]);
  });

  it('offers the first-run setup on an empty database, creates the admin and signs them in, then refuses a second setup', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ needed: true });

    const short = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...ADMIN, password: 'short' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().code).toBe('invalid-input');
    expect(short.json().message).toMatch(/at least 10 characters/);

    const created = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: ADMIN });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.user).toMatchObject({ email: ADMIN.email, name: ADMIN.name, role: 'admin', active: true, version: 1 });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(created.body).not.toContain(ADMIN.password);
    expect(created.body).not.toContain('$argon2');
    const cookie = sessionCookie(created);
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const session = await app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { [SESSION_COOKIE]: cookie?.value ?? '' } });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toEqual({ user: body.user, csrfToken: body.csrfToken, currency: 'PLN' });

    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ needed: false });
    const again = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...ADMIN, email: 'other@example.com' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('conflict');
    expect(sessionCookie(again)).toBeUndefined();
  });

  it('signs in with the right password (any case of the address) and sets an httpOnly, SameSite=Lax session cookie', async () => {
    const response = await login(ADMIN.email.toLowerCase(), ADMIN.password);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user).toMatchObject({ email: ADMIN.email, role: 'admin' });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.body).not.toContain('$argon2');
    expect(response.body).not.toContain(ADMIN.password);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Lax/);
    expect(header).toMatch(/Path=\//);
    // Plain HTTP with KAMERTON_SECURE_COOKIES=auto: not Secure, or the browser would drop it.
    expect(header).not.toMatch(/Secure/);
    admin = { token: sessionCookie(response)?.value ?? '', csrf: body.csrfToken };
  });

  it('marks the cookie Secure when configured so, and under auto when a trusted proxy says HTTPS', async () => {
    const always = await anotherApp({ config: config({ secureCookies: 'always' }) });
    expect(String((await login(ADMIN.email, ADMIN.password, always)).headers['set-cookie'])).toMatch(/; Secure/);

    const proxied = await anotherApp({ config: config({ secureCookies: 'auto', trustProxy: true }) });
    const response = await proxied.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-forwarded-proto': 'https' },
      payload: { email: ADMIN.email, password: ADMIN.password },
    });
    expect(String(response.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('tells the signed-in client the currency money is shown in (KAMERTON_CURRENCY)', async () => {
    const euro = await anotherApp({ config: config({ currency: (await loadConfig({ KAMERTON_CURRENCY: 'EUR' })).currency }) });
    expect((await login(ADMIN.email, ADMIN.password, euro)).json()).toMatchObject({ currency: 'EUR' });
    await expect(loadConfig({ KAMERTON_CURRENCY: 'euro' })).rejects.toThrow(/KAMERTON_CURRENCY: an ISO 4217 code/);
  });

  it('answers a wrong password, an unknown address and a deactivated user with the same 401', async () => {
    const created = await app.inject({
      method: 'POST', url: '/api/v1/users',
      cookies: { [SESSION_COOKIE]: admin.token }, headers: { 'x-csrf-token': admin.csrf },
      payload: KAM,
    });
    expect(created.statusCode).toBe(201);
    const wrong = await login(ADMIN.email, 'not the password at all');
    const unknown = await login('nobody@example.com', ADMIN.password);
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ code: 'unauthenticated', message: 'Wrong e-mail address or password.', details: {} });
      expect(sessionCookie(response)).toBeUndefined();
    }
    const kamId = created.json().id as string;
    const deactivated = await app.inject({
      method: 'PATCH', url: `/api/v1/users/${kamId}`,
      cookies: { [SESSION_COOKIE]: admin.token }, headers: { 'x-csrf-token': admin.csrf },
      payload: { version: 1, active: false },
    });
    expect(deactivated.statusCode).toBe(200);
    expect((await login(KAM.email, KAM.password)).json()).toEqual(wrong.json());
    const reactivated = await app.inject({
      method: 'PATCH', url: `/api/v1/users/${kamId}`,
      cookies: { [SESSION_COOKIE]: admin.token }, headers: { 'x-csrf-token': admin.csrf },
      payload: { version: 2, active: true },
    });
    expect(reactivated.statusCode).toBe(200);
    expect((await login(KAM.email, KAM.password)).statusCode).toBe(200);
  });

  it('answers 401 without a session and with a forged or malformed cookie', async () => {
    const jars: Record<string, string>[] = [{}, { [SESSION_COOKIE]: 'forged-token-forged-token-forged-token-forged' }, { [SESSION_COOKIE]: 'x'.repeat(500) }];
    for (const cookies of jars) {
      const response = await app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies });
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe('unauthenticated');
    }
  });

  it('refuses a state-changing request without the CSRF token or with a wrong one, and accepts the right one', async () => {
    const payload = { email: 'marta.marketing@example.com', name: 'Marta Zielińska', role: 'marketing', password: 'marketing password' };
    const missing = await app.inject({ method: 'POST', url: '/api/v1/users', cookies: { [SESSION_COOKIE]: admin.token }, payload });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().code).toBe('forbidden');
    expect(missing.json().message).toMatch(/CSRF/);

    const wrong = await app.inject({
      method: 'POST', url: '/api/v1/users',
      cookies: { [SESSION_COOKIE]: admin.token }, headers: { 'x-csrf-token': `${admin.csrf.slice(1)}A` }, payload,
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().message).toMatch(/CSRF/);

    // Another session's token is no good either: each session has its own.
    const other = await signIn(ADMIN.email, ADMIN.password);
    const foreign = await app.inject({
      method: 'POST', url: '/api/v1/users',
      cookies: { [SESSION_COOKIE]: admin.token }, headers: { 'x-csrf-token': other.csrf }, payload,
    });
    expect(foreign.statusCode).toBe(403);

    const right = await app.inject({
      method: 'POST', url: '/api/v1/users',
      cookies: { [SESSION_COOKIE]: admin.token }, headers: { 'x-csrf-token': admin.csrf }, payload,
    });
    expect(right.statusCode).toBe(201);
  });

  it('signs out: the session ends, the cookie is cleared, and logging out needs the CSRF token too', async () => {
    const session = await signIn(ADMIN.email, ADMIN.password);
    const withoutToken = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { [SESSION_COOKIE]: session.token } });
    expect(withoutToken.statusCode).toBe(403);

    const out = await app.inject({
      method: 'POST', url: '/api/v1/auth/logout',
      cookies: { [SESSION_COOKIE]: session.token }, headers: { 'x-csrf-token': session.csrf },
    });
    expect(out.statusCode).toBe(204);
    const cleared = sessionCookie(out);
    expect(cleared?.value).toBe('');
    expect(cleared?.expires?.getTime()).toBeLessThan(Date.now());

    const after = await app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { [SESSION_COOKIE]: session.token } });
    expect(after.statusCode).toBe(401);
    // The admin's other session is untouched.
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { [SESSION_COOKIE]: admin.token } })).statusCode).toBe(200);
  });

  it('ends a deactivated user\'s existing session at once', async () => {
    const kam = await signIn(KAM.email, KAM.password);
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { [SESSION_COOKIE]: kam.token } });
    expect(me.statusCode).toBe(200);
    const user = me.json().user as { id: string; version: number };

    const deactivated = await app.inject({
      method: 'PATCH', url: `/api/v1/users/${user.id}`,
      cookies: { [SESSION_COOKIE]: admin.token }, headers: { 'x-csrf-token': admin.csrf },
      payload: { version: user.version, active: false },
    });
    expect(deactivated.statusCode).toBe(200);
    const after = await app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { [SESSION_COOKIE]: kam.token } });
    expect(after.statusCode).toBe(401);
    const rows = await get().pool.query('select count(*)::int as n from sessions where user_id = $1', [user.id]);
    expect(rows.rows[0].n).toBe(0);
  });

  it('keeps only the token\'s hash, ends a session unused for sessionHours, and renews one in use at most once a minute', async () => {
    const [user] = (await get().pool.query('select id from users where role = $1 limit 1', ['admin'])).rows as { id: string }[];
    const me = await getUser(get().db, SYSTEM_ACTOR, user?.id ?? '');
    const start = new Date('2030-01-01T08:00:00Z');
    const { token, session } = await createSession(get().db, me, { hours: 12, now: start });
    expect(session.id).toBe(createHash('sha256').update(token).digest('hex'));
    const stored = await get().pool.query('select id from sessions where id = $1 or id = $2', [token, session.id]);
    expect(stored.rows).toEqual([{ id: session.id }]);

    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    // Used within the minute: still valid, not renewed (no write).
    expect((await resolveSession(get().db, token, { hours: 12, now: at(0.5) }))?.expiresAt).toEqual(at(12 * 60));
    // Used after an hour: renewed to twelve hours from then.
    expect((await resolveSession(get().db, token, { hours: 12, now: at(60) }))?.expiresAt).toEqual(at(13 * 60));
    // Past the first expiry (twelve hours after the start): alive, because the use at one hour renewed it.
    expect(await resolveSession(get().db, token, { hours: 12, now: at(12 * 60 + 30) })).not.toBeNull();
    // Then unused for twelve hours and a minute: gone.
    expect(await resolveSession(get().db, token, { hours: 12, now: at(12 * 60 + 30 + 12 * 60 + 1) })).toBeNull();
  });

  it('rate-limits sign-in: the 11th attempt in a row for one address gets 429, another address still gets through', async () => {
    const email = 'target@example.com';
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect((await login(email, `guess number ${attempt}`)).statusCode).toBe(401);
    }
    const limited = await login(email, 'guess number 11');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'too-many-requests', details: { retryAfterSeconds: expect.any(Number) } });
    expect(limited.json().message).toMatch(/try again in \d+ minutes/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(ADMIN.email, ADMIN.password)).statusCode).toBe(200);
  });

  it('answers /api/health, and /api/ready on a migrated database', async () => {
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/api/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
    expect(ready.json().migrations.applied).toBe(ready.json().migrations.known);
  });

  it('answers an unknown URL with a JSON 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/no-such-thing?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ code: 'not-found', message: 'No resource GET /api/v1/no-such-thing.', details: {} });
  });

  it('serves an OpenAPI 3 document with x-access on every operation, agreeing with listRoutes', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json() as { openapi: string; info: { title: string }; paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBe('Kamerton API');

    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));
    expect(operations.length).toBeGreaterThan(10);
    for (const { path, method, operation } of operations) {
      expect(operation['x-access'], `${method} ${path}`).toBeDefined();
      expect(operation.summary, `${method} ${path}`).toBeTruthy();
    }
    const access = (method: string, path: string) => doc.paths[path]?.[method]?.['x-access'];
    expect(access('post', '/api/v1/auth/login')).toBe('public');
    expect(access('patch', '/api/v1/users/{id}')).toEqual(['admin']);
    expect(access('get', '/api/v1/auth/session')).toEqual(['admin', 'director', 'kam', 'marketing']);
    // The body schema comes from zod: unknown fields are refused there too.
    const body = doc.paths['/api/v1/users']?.post?.requestBody as { content: Record<string, { schema: { additionalProperties: unknown; required: string[] } }> };
    expect(body.content['application/json']?.schema.additionalProperties).toBe(false);
    expect(body.content['application/json']?.schema.required).toEqual(expect.arrayContaining(['email', 'name', 'role', 'password']));

    // Every route the app governs is in the document with the same rule.
    const routes = listRoutes(app);
    expect(routes.length).toBe(operations.length);
    for (const route of routes) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      expect(access(route.method.toLowerCase(), path), `${route.method} ${route.url}`).toEqual(route.access);
    }

    const ui = await app.inject({ method: 'GET', url: '/api/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });

  describe('the rule that every route declares its access', () => {
    it('refuses to start with a route that has no config.access', async () => {
      const broken = await anotherApp();
      broken.register(async (instance) => {
        instance.get('/api/v1/forgotten', async () => ({ ok: true }));
      });
      await expect(broken.ready()).rejects.toThrow(/GET \/api\/v1\/forgotten: the route has no valid config\.access/);
    });

    it('refuses an empty role list and an unknown role', async () => {
      for (const access of [[], ['superuser']]) {
        const broken = await anotherApp();
        broken.register(async (instance) => {
          instance.get('/api/v1/odd', { config: { access: access as never } }, async () => ({ ok: true }));
        });
        await expect(broken.ready()).rejects.toThrow(/config\.access/);
      }
    });
  });

  it('never leaks the message of an unexpected error', async () => {
    const failing = await anotherApp();
    failing.register(async (instance) => {
      instance.get('/api/v1/explode', { config: { access: 'public' } }, async () => {
        throw new Error('secret connection string postgres://kamerton:hunter2@db');
      });
    });
    const response = await failing.inject({ method: 'GET', url: '/api/v1/explode' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ code: 'internal', message: 'Internal error', details: {} });
    expect(response.body).not.toContain('hunter2');
  });
});
