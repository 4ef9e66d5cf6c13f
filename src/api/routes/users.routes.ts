/**
 * Users, for administrators: list, read, create and change (name, role, active, password). There is
 * no delete: history names its users, so a user who leaves is deactivated, which ends their sessions
 * at once. The last active administrator can be neither demoted nor deactivated (409). Everyone signed
 * in reads the directory: the active users' names and roles, without their e-mail addresses.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KamertonError } from '../../core/errors.ts';
import { ROLES } from '../../db/schema/index.ts';
import {
  createUser, createUserInput, getUser, listUserDirectory, listUsers, updateUser, userChangeFields, userListQuery,
} from '../../app/users.ts';
import { versionSchema } from '../../app/input.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf, ANY_USER, sessionOf } from '../plugins/auth.plugin.ts';

/** A user as the API shows it; the password hash is no field of it, so it can never be serialised. */
export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  active: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});

/** What sign-in, the setup and GET /api/v1/auth/session return. */
export const sessionResponseSchema = z.object({
  user: userSchema,
  csrfToken: z.string().describe('Send it in the X-CSRF-Token header of every state-changing request.'),
  currency: z.string().describe('The ISO 4217 code of the money the server\'s amounts are in (KAMERTON_CURRENCY), for display.'),
});

const userPageSchema = z.object({
  items: z.array(userSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

/** A user as the directory shows them to everyone signed in. */
export const directoryEntrySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(ROLES),
});

const idParams = z.object({ id: z.uuid('Expected a user id (a UUID).') });

const ADMIN = ['admin'] as const;

/**
 * The version a change was made on: the body's `version`, or the If-Match header (`"3"`, `W/"3"`
 * or `3`). Both may be sent if they agree; one is required.
 */
export function expectedVersion(bodyVersion: number | undefined, ifMatch: string | undefined): number {
  let headerVersion: number | undefined;
  if (ifMatch !== undefined) {
    const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch);
    if (match === null) {
      throw new KamertonError('invalid-input', 'If-Match: expected the version of the record, as "3".', { field: 'If-Match', value: ifMatch });
    }
    headerVersion = Number(match[1]);
  }
  if (bodyVersion !== undefined && headerVersion !== undefined && bodyVersion !== headerVersion) {
    throw new KamertonError('invalid-input', 'The version field and the If-Match header name different versions.', { field: 'version' });
  }
  const version = bodyVersion ?? headerVersion;
  if (version === undefined) {
    throw new KamertonError('invalid-input', 'Send the version you read: a version field or an If-Match header.', { field: 'version' });
  }
  return version;
}

export const usersRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  app.get('/api/v1/users', {
    config: { access: ADMIN },
    schema: {
      tags: ['users'],
      summary: 'List users (paginated, searchable, sortable)',
      querystring: userListQuery,
      response: { 200: userPageSchema },
    },
  }, async (request) => listUsers(database.db, actorOf(request), request.query));

  // A static path: it wins over /users/:id whatever the order they are registered in.
  app.get('/api/v1/users/directory', {
    config: { access: ANY_USER },
    schema: {
      tags: ['users'],
      summary: 'The active users\' ids, names and roles, by name (everyone signed in)',
      response: { 200: z.object({ items: z.array(directoryEntrySchema) }) },
    },
  }, async (request) => ({ items: await listUserDirectory(database.db, actorOf(request)) }));

  app.get('/api/v1/users/:id', {
    config: { access: ADMIN },
    schema: {
      tags: ['users'],
      summary: 'Read one user',
      params: idParams,
      response: { 200: userSchema },
    },
  }, async (request) => getUser(database.db, actorOf(request), request.params.id));

  app.post('/api/v1/users', {
    config: { access: ADMIN },
    schema: {
      tags: ['users'],
      summary: 'Create a user',
      body: createUserInput,
      response: { 201: userSchema },
    },
  }, async (request, reply) => {
    const user = await createUser(database.db, actorOf(request), request.body);
    return reply.code(201).send(user);
  });

  app.patch('/api/v1/users/:id', {
    config: { access: ADMIN },
    schema: {
      tags: ['users'],
      summary: 'Change a user: name, role, active, password (409 with the current record when stale)',
      description: 'Deactivating a user (active: false) ends their sessions at once; a new password ends their other sessions. ' +
        'The last active administrator can be neither demoted nor deactivated (409).',
      params: idParams,
      headers: z.looseObject({ 'if-match': z.string().optional().describe('The version read, as "3"; instead of the version field.') }),
      body: z.strictObject({ version: versionSchema.optional(), ...userChangeFields }),
      response: { 200: userSchema },
    },
  }, async (request) => {
    const { version, ...change } = request.body;
    return updateUser(
      database.db,
      actorOf(request),
      request.params.id,
      { ...change, version: expectedVersion(version, request.headers['if-match']) },
      { keepSessionId: sessionOf(request).id },
    );
  });
};
