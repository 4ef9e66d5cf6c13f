/**
 * Contacts under an account (the decision-making map), and the GDPR erasure of a person's data.
 * Registered under /api/v1. Marketing reads contacts; changing them needs write access to the account;
 * only an administrator erases.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { versionSchema } from '../../app/input.ts';
import {
  contactCreateSchema,
  contactListQuerySchema,
  contactPatchSchema,
  createContact,
  deleteContact,
  eraseContact,
  getContact,
  listContacts,
  updateContact,
} from '../../app/contacts.ts';
import { ATTITUDES, BUYING_ROLES, RELATIONSHIPS } from '../../db/schema/index.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_READERS, DOSSIER_WRITERS, ifMatchHeaders, optionalVersion, pageOf } from './accounts.routes.ts';
import { expectedVersion } from './users.routes.ts';

const nullableText = z.string().nullable();

export const contactSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  name: z.string().describe('"erased" once the person\'s data was erased.'),
  position: nullableText,
  department: nullableText,
  email: nullableText,
  phone: nullableText,
  buyingRole: z.enum(BUYING_ROLES),
  influence: z.number().int().nullable(),
  attitude: z.enum(ATTITUDES),
  relationship: z.enum(RELATIONSHIPS),
  reportsToId: z.uuid().nullable(),
  leftCompany: z.boolean(),
  erasedAt: z.date().nullable().describe('When the person\'s data was erased on request (GDPR).'),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});

const accountParams = z.object({ accountId: z.uuid('Expected an account id (a UUID).') });
const contactParams = accountParams.extend({ contactId: z.uuid('Expected a contact id (a UUID).') });

export const contactsRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  const { db } = database;

  app.get('/accounts/:accountId/contacts', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['contacts'],
      summary: 'List the contacts of an account',
      params: accountParams,
      querystring: contactListQuerySchema,
      response: { 200: pageOf(contactSchema) },
    },
  }, async (request) => listContacts(db, actorOf(request), request.params.accountId, request.query));

  app.post('/accounts/:accountId/contacts', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['contacts'],
      summary: 'Add a contact to an account',
      params: accountParams,
      body: contactCreateSchema,
      response: { 201: contactSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createContact(db, actorOf(request), request.params.accountId, request.body)));

  app.get('/accounts/:accountId/contacts/:contactId', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['contacts'],
      summary: 'Read a contact',
      params: contactParams,
      response: { 200: contactSchema },
    },
  }, async (request) => getContact(db, actorOf(request), request.params.accountId, request.params.contactId));

  app.patch('/accounts/:accountId/contacts/:contactId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['contacts'],
      summary: 'Change a contact (409 with the current record when stale)',
      params: contactParams,
      headers: ifMatchHeaders,
      body: contactPatchSchema.extend({ version: versionSchema.optional() }),
      response: { 200: contactSchema },
    },
  }, async (request) => {
    const { version, ...patch } = request.body;
    const expected = expectedVersion(version, request.headers['if-match']);
    return updateContact(db, actorOf(request), request.params.accountId, request.params.contactId, patch, expected);
  });

  app.delete('/accounts/:accountId/contacts/:contactId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['contacts'],
      summary: 'Delete a contact (those reporting to them then report to no one)',
      params: contactParams,
      headers: ifMatchHeaders,
      response: { 204: z.undefined() },
    },
  }, async (request, reply) => {
    const { accountId, contactId } = request.params;
    await deleteContact(db, actorOf(request), accountId, contactId, optionalVersion(request.headers['if-match']));
    return reply.code(204).send();
  });

  app.post('/contacts/:contactId/erase', {
    config: { access: ['admin'] },
    schema: {
      tags: ['contacts'],
      summary: 'Erase a person\'s data on request (GDPR): the contact\'s fields and their history values are blanked (deleted contacts too)',
      params: z.object({ contactId: z.uuid('Expected a contact id (a UUID).') }),
      response: {
        200: z.object({
          contactId: z.uuid(),
          erasedAt: z.date(),
          historyRowsBlanked: z.number().int().describe('History rows whose values this request blanked (0 when already erased).'),
          contact: contactSchema.nullable().describe('The contact as it is now; null when it had been deleted and only its history remained.'),
        }),
      },
    },
  }, async (request) => eraseContact(db, actorOf(request), request.params.contactId));
};
