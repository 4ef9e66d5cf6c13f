/**
 * Users through the API (app.inject() on a fresh database): administrators only, validation, versions,
 * deactivation ending sessions, the last active administrator, and no password in any response.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { loadConfig } from '../src/config.ts';
import { describeDatabases } from './database.ts';

type Signed = { token: string; csrf: string };
type User = { id: string; email: string; name: string; role: string; active: boolean; createdAt: string; updatedAt: string; version: number };

const PASSWORDS = {
  admin: 'admin password 0001',
  kam: 'kam password 0002',
  director: 'director password 0003',
  changed: 'a brand new password 0004',
};

describeDatabases('users', (get) => {
  let app: FastifyInstance;
  let admin: Signed;
  let adminUser: User;
  let kam: Signed;
  let kamUser: User;
  /** Every response body of the suite, checked at the end for anything like a password. */
  const bodies: string[] = [];

  async function call(options: InjectOptions, as?: Signed): Promise<LightMyRequestResponse> {
    const response = await app.inject({
      ...options,
      cookies: as === undefined ? {} : { [SESSION_COOKIE]: as.token },
      headers: { ...(as === undefined ? {} : { 'x-csrf-token': as.csrf }), ...options.headers },
    });
    bodies.push(response.body);
    return response;
  }

  async function signIn(email: string, password: string): Promise<Signed> {
    const response = await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    expect(response.statusCode).toBe(200);
    const token = response.cookies.find((cookie) => cookie.name === SESSION_COOKIE)?.value ?? '';
    return { token, csrf: response.json<{ csrfToken: string }>().csrfToken };
  }

  async function createUser(payload: Record<string, unknown>): Promise<User> {
    const response = await call({ method: 'POST', url: '/api/v1/users', payload }, admin);
    expect(response.statusCode).toBe(201);
    return response.json<User>();
  }

  beforeAll(async () => {
    app = await buildApp({ database: get(), config: await loadConfig({}) });
    const setup = await call({ method: 'POST', url: '/api/v1/setup', payload: { email: 'admin@example.com', name: 'Adam Admin', password: PASSWORDS.admin } });
    expect(setup.statusCode).toBe(201);
    adminUser = setup.json<{ user: User }>().user;
    admin = await signIn('admin@example.com', PASSWORDS.admin);
    kamUser = await createUser({ email: 'kasia.kam@example.com', name: 'Kasia Kowalska', role: 'kam', password: PASSWORDS.kam });
    kam = await signIn('kasia.kam@example.com', PASSWORDS.kam);
  });

  afterAll(async () => {
    await app.close();
  });

  it('creates a user and shows them without any password field', async () => {
    const director = await createUser({ email: 'Dorota.Director@example.com', name: ' Dorota Dyrektor ', role: 'director', password: PASSWORDS.director });
    expect(director).toMatchObject({ email: 'Dorota.Director@example.com', name: 'Dorota Dyrektor', role: 'director', active: true, version: 1 });
    expect(Object.keys(director).sort()).toEqual(['active', 'createdAt', 'email', 'id', 'name', 'role', 'updatedAt', 'version']);
    const read = await call({ method: 'GET', url: `/api/v1/users/${director.id}` }, admin);
    expect(read.json()).toEqual(director);
  });

  it('refuses a second user with the same e-mail address in another case', async () => {
    const response = await call({ method: 'POST', url: '/api/v1/users', payload: { email: 'KASIA.KAM@example.com', name: 'Kasia 2', role: 'kam', password: PASSWORDS.kam } }, admin);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'conflict', details: { field: 'email' } });
  });

  it('refuses unknown fields, a short password, a bad role and a bad address with 400 naming the field', async () => {
    const valid = { email: 'new.user@example.com', name: 'New User', role: 'marketing', password: 'long enough password' };
    const unknown = await call({ method: 'POST', url: '/api/v1/users', payload: { ...valid, isSuperuser: true } }, admin);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('invalid-input');
    expect(unknown.json().details.issues).toContainEqual({ path: 'isSuperuser', message: 'Unknown field.', in: 'body' });

    const short = await call({ method: 'POST', url: '/api/v1/users', payload: { ...valid, password: 'too short' } }, admin);
    expect(short.statusCode).toBe(400);
    expect(short.json().details.field).toBe('password');
    expect(short.json().message).toMatch(/at least 10 characters/);

    const role = await call({ method: 'POST', url: '/api/v1/users', payload: { ...valid, role: 'owner' } }, admin);
    expect(role.statusCode).toBe(400);
    expect(role.json().details.field).toBe('role');

    const email = await call({ method: 'POST', url: '/api/v1/users', payload: { ...valid, email: 'not-an-address' } }, admin);
    expect(email.statusCode).toBe(400);
    expect(email.json().details.field).toBe('email');

    const patch = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { version: kamUser.version, email: 'x@example.com' } }, admin);
    expect(patch.statusCode).toBe(400);
    expect(patch.json().details.issues).toContainEqual({ path: 'email', message: 'Unknown field.', in: 'body' });

    const list = await call({ method: 'GET', url: '/api/v1/users?pagesize=10' }, admin);
    expect(list.statusCode).toBe(400);
    expect(list.json().details.issues).toContainEqual({ path: 'pagesize', message: 'Unknown field.', in: 'querystring' });
  });

  it('lets only administrators manage users: 401 without a session, 403 for a KAM', async () => {
    const requests: InjectOptions[] = [
      { method: 'GET', url: '/api/v1/users' },
      { method: 'GET', url: `/api/v1/users/${adminUser.id}` },
      { method: 'POST', url: '/api/v1/users', payload: { email: 'sneaky@example.com', name: 'Sneaky', role: 'admin', password: 'sneaky password' } },
      { method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { version: 1, role: 'admin' } },
    ];
    for (const request of requests) {
      const anonymous = await call(request);
      expect(anonymous.statusCode, `${request.method} ${request.url}`).toBe(401);
      expect(anonymous.json().code).toBe('unauthenticated');
      const asKam = await call(request, kam);
      expect(asKam.statusCode, `${request.method} ${request.url}`).toBe(403);
      expect(asKam.json().code).toBe('forbidden');
    }
    const unchanged = await call({ method: 'GET', url: `/api/v1/users/${kamUser.id}` }, admin);
    expect(unchanged.json()).toMatchObject({ role: 'kam', version: kamUser.version });
  });

  it('lists users a page at a time, searched, filtered and sorted', async () => {
    await createUser({ email: 'marek.marketing@example.com', name: 'Marek Marketing', role: 'marketing', password: 'marketing password 1' });
    const all = await call({ method: 'GET', url: '/api/v1/users?sort=email&order=asc' }, admin);
    expect(all.statusCode).toBe(200);
    const page = all.json<{ items: User[]; total: number; page: number; pageSize: number }>();
    expect(page.total).toBe(4);
    expect(page.page).toBe(1);
    expect(page.pageSize).toBe(50);
    expect(page.items.map((user) => user.email)).toEqual(['admin@example.com', 'Dorota.Director@example.com', 'kasia.kam@example.com', 'marek.marketing@example.com']);

    const second = await call({ method: 'GET', url: '/api/v1/users?sort=name&order=desc&pageSize=2&page=2' }, admin);
    expect(second.json<{ items: User[] }>().items.map((user) => user.name)).toEqual(['Dorota Dyrektor', 'Adam Admin']);
    expect(second.json().total).toBe(4);

    const search = await call({ method: 'GET', url: '/api/v1/users?q=KOWAL' }, admin);
    expect(search.json<{ items: User[] }>().items.map((user) => user.email)).toEqual(['kasia.kam@example.com']);

    // A wildcard in the search text is taken literally.
    const literal = await call({ method: 'GET', url: `/api/v1/users?q=${encodeURIComponent('%')}` }, admin);
    expect(literal.json().total).toBe(0);

    const role = await call({ method: 'GET', url: '/api/v1/users?role=marketing' }, admin);
    expect(role.json<{ items: User[] }>().items.map((user) => user.name)).toEqual(['Marek Marketing']);

    const tooBig = await call({ method: 'GET', url: '/api/v1/users?pageSize=201' }, admin);
    expect(tooBig.statusCode).toBe(400);
  });

  it('answers 404 for an unknown user and 400 for a malformed id', async () => {
    const unknown = await call({ method: 'GET', url: '/api/v1/users/00000000-0000-4000-8000-000000000000' }, admin);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('not-found');
    const malformed = await call({ method: 'GET', url: '/api/v1/users/42' }, admin);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'invalid-input', details: { field: 'id' } });
  });

  it('changes a user on the version read, by the body or by If-Match, and refuses a stale one with the current record', async () => {
    const renamed = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { version: kamUser.version, name: 'Katarzyna Kowalska' } }, admin);
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Katarzyna Kowalska', version: kamUser.version + 1 });

    const stale = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { version: kamUser.version, name: 'Stale Name' } }, admin);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('conflict');
    const current = await call({ method: 'GET', url: `/api/v1/users/${kamUser.id}` }, admin);
    expect(stale.json().details.current).toEqual(current.json());
    expect(current.json().name).toBe('Katarzyna Kowalska');

    const viaHeader = await call({
      method: 'PATCH', url: `/api/v1/users/${kamUser.id}`,
      headers: { 'if-match': `"${current.json().version}"` }, payload: { name: 'Kasia Kowalska' },
    }, admin);
    expect(viaHeader.statusCode).toBe(200);
    expect(viaHeader.json()).toMatchObject({ name: 'Kasia Kowalska', version: current.json().version + 1 });
    kamUser = viaHeader.json();

    const staleHeader = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, headers: { 'if-match': '"1"' }, payload: { name: 'X' } }, admin);
    expect(staleHeader.statusCode).toBe(409);

    const noVersion = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { name: 'No Version' } }, admin);
    expect(noVersion.statusCode).toBe(400);
    expect(noVersion.json().details.field).toBe('version');
  });

  it('keeps the last active administrator: neither demoted nor deactivated (409), until there is another', async () => {
    const me = (await call({ method: 'GET', url: `/api/v1/users/${adminUser.id}` }, admin)).json<User>();
    for (const change of [{ role: 'director' }, { active: false }]) {
      const response = await call({ method: 'PATCH', url: `/api/v1/users/${me.id}`, payload: { version: me.version, ...change } }, admin);
      expect(response.statusCode).toBe(409);
      expect(response.json().message).toMatch(/last active administrator/);
    }
    expect((await call({ method: 'GET', url: `/api/v1/users/${me.id}` }, admin)).json()).toEqual(me);

    // A deactivated administrator does not count.
    const dormant = await createUser({ email: 'dormant.admin@example.com', name: 'Dormant Admin', role: 'admin', password: 'dormant password 1' });
    const off = await call({ method: 'PATCH', url: `/api/v1/users/${dormant.id}`, payload: { version: dormant.version, active: false } }, admin);
    expect(off.statusCode).toBe(200);
    expect((await call({ method: 'PATCH', url: `/api/v1/users/${me.id}`, payload: { version: me.version, active: false } }, admin)).statusCode).toBe(409);

    const second = await createUser({ email: 'second.admin@example.com', name: 'Second Admin', role: 'admin', password: 'second admin password' });
    const demoted = await call({ method: 'PATCH', url: `/api/v1/users/${second.id}`, payload: { version: second.version, role: 'director' } }, admin);
    expect(demoted.statusCode).toBe(200);
    expect(demoted.json().role).toBe('director');
  });

  it('ends the sessions of a deactivated user at once and lets them in again when reactivated', async () => {
    expect((await call({ method: 'GET', url: '/api/v1/auth/session' }, kam)).statusCode).toBe(200);
    const off = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { version: kamUser.version, active: false } }, admin);
    expect(off.statusCode).toBe(200);
    expect(off.json().active).toBe(false);
    expect((await call({ method: 'GET', url: '/api/v1/auth/session' }, kam)).statusCode).toBe(401);
    expect((await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email: kamUser.email, password: PASSWORDS.kam } })).statusCode).toBe(401);

    const inactive = await call({ method: 'GET', url: '/api/v1/users?active=false' }, admin);
    expect(inactive.json<{ items: User[] }>().items.map((user) => user.email)).toContain(kamUser.email);

    const on = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { version: off.json().version, active: true } }, admin);
    expect(on.statusCode).toBe(200);
    kamUser = on.json();
    kam = await signIn(kamUser.email, PASSWORDS.kam);
  });

  it('applies a changed role at once to a signed-in user', async () => {
    const promoted = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { version: kamUser.version, role: 'admin' } }, admin);
    expect(promoted.statusCode).toBe(200);
    expect((await call({ method: 'GET', url: '/api/v1/users' }, kam)).statusCode).toBe(200);
    const back = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { version: promoted.json().version, role: 'kam' } }, admin);
    expect(back.statusCode).toBe(200);
    kamUser = back.json();
    expect((await call({ method: 'GET', url: '/api/v1/users' }, kam)).statusCode).toBe(403);
  });

  it('sets a new password: the old one stops working and the user\'s sessions end, the administrator\'s own stays', async () => {
    const changed = await call({ method: 'PATCH', url: `/api/v1/users/${kamUser.id}`, payload: { version: kamUser.version, password: PASSWORDS.changed } }, admin);
    expect(changed.statusCode).toBe(200);
    expect(changed.json().version).toBe(kamUser.version + 1);
    expect((await call({ method: 'GET', url: '/api/v1/auth/session' }, kam)).statusCode).toBe(401);
    expect((await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email: kamUser.email, password: PASSWORDS.kam } })).statusCode).toBe(401);
    kam = await signIn(kamUser.email, PASSWORDS.changed);

    const me = (await call({ method: 'GET', url: `/api/v1/users/${adminUser.id}` }, admin)).json<User>();
    const own = await call({ method: 'PATCH', url: `/api/v1/users/${me.id}`, payload: { version: me.version, password: 'my own new password' } }, admin);
    expect(own.statusCode).toBe(200);
    expect((await call({ method: 'GET', url: '/api/v1/auth/session' }, admin)).statusCode).toBe(200);
    PASSWORDS.admin = 'my own new password';
  });

  it('never sends a password or a password hash in any response of this suite', () => {
    expect(bodies.length).toBeGreaterThan(40);
    for (const body of bodies) {
      expect(body).not.toMatch(/\$argon2/);
      expect(body).not.toMatch(/passwordHash|password_hash/);
      for (const password of [...Object.values(PASSWORDS), 'my own new password']) expect(body).not.toContain(password);
    }
  });
});
