/**
 * Competitors (the company's list, kept by directors and administrators) and the competitors working
 * on an account (entries of its dossier). Registered under /api/v1. Marketing sees neither.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { versionSchema } from '../../app/input.ts';
import {
  accountCompetitorCreateSchema,
  accountCompetitorListQuerySchema,
  accountCompetitorPatchSchema,
  competitorCreateSchema,
  competitorListQuerySchema,
  competitorPatchSchema,
  createAccountCompetitor,
  createCompetitor,
  deleteAccountCompetitor,
  deleteCompetitor,
  getAccountCompetitor,
  getCompetitor,
  listAccountCompetitors,
  listCompetitors,
  updateAccountCompetitor,
  updateCompetitor,
} from '../../app/competitors.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_MANAGERS, DOSSIER_WRITERS, ifMatchHeaders, optionalVersion, pageOf } from './accounts.routes.ts';
import { expectedVersion } from './users.routes.ts';

const nullableText = z.string().nullable();

export const competitorSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  website: nullableText,
  description: nullableText,
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});

export const accountCompetitorSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  competitorId: z.uuid(),
  competitorName: z.string(),
  shareOfWallet: z.number().nullable().describe('Estimated share of the client\'s spending, in percent.'),
  strengths: nullableText,
  weaknesses: nullableText,
  notes: nullableText,
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});

const competitorParams = z.object({ competitorId: z.uuid('Expected a competitor id (a UUID).') });
const accountParams = z.object({ accountId: z.uuid('Expected an account id (a UUID).') });
const entryParams = accountParams.extend({ entryId: z.uuid('Expected a competitor entry id (a UUID).') });

export const competitorsRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  const { db } = database;

  app.get('/competitors', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['competitors'],
      summary: 'List competitors',
      querystring: competitorListQuerySchema,
      response: { 200: pageOf(competitorSchema) },
    },
  }, async (request) => listCompetitors(db, actorOf(request), request.query));

  app.post('/competitors', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['competitors'],
      summary: 'Add a competitor (a name already used is 409)',
      body: competitorCreateSchema,
      response: { 201: competitorSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createCompetitor(db, actorOf(request), request.body)));

  app.get('/competitors/:competitorId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['competitors'],
      summary: 'Read a competitor',
      params: competitorParams,
      response: { 200: competitorSchema },
    },
  }, async (request) => getCompetitor(db, actorOf(request), request.params.competitorId));

  app.patch('/competitors/:competitorId', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['competitors'],
      summary: 'Change a competitor (409 with the current record when stale)',
      params: competitorParams,
      headers: ifMatchHeaders,
      body: competitorPatchSchema.extend({ version: versionSchema.optional() }),
      response: { 200: competitorSchema },
    },
  }, async (request) => {
    const { version, ...patch } = request.body;
    return updateCompetitor(db, actorOf(request), request.params.competitorId, patch, expectedVersion(version, request.headers['if-match']));
  });

  app.delete('/competitors/:competitorId', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['competitors'],
      summary: 'Delete a competitor no account entry or tender names (else 409)',
      params: competitorParams,
      headers: ifMatchHeaders,
      response: { 204: z.undefined() },
    },
  }, async (request, reply) => {
    await deleteCompetitor(db, actorOf(request), request.params.competitorId, optionalVersion(request.headers['if-match']));
    return reply.code(204).send();
  });

  app.get('/accounts/:accountId/competitors', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['competitors'],
      summary: 'List the competitors working on an account',
      params: accountParams,
      querystring: accountCompetitorListQuerySchema,
      response: { 200: pageOf(accountCompetitorSchema) },
    },
  }, async (request) => listAccountCompetitors(db, actorOf(request), request.params.accountId, request.query));

  app.post('/accounts/:accountId/competitors', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['competitors'],
      summary: 'Add a competitor to an account (one entry per competitor)',
      params: accountParams,
      body: accountCompetitorCreateSchema,
      response: { 201: accountCompetitorSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createAccountCompetitor(db, actorOf(request), request.params.accountId, request.body)));

  app.get('/accounts/:accountId/competitors/:entryId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['competitors'],
      summary: 'Read a competitor entry of an account',
      params: entryParams,
      response: { 200: accountCompetitorSchema },
    },
  }, async (request) => getAccountCompetitor(db, actorOf(request), request.params.accountId, request.params.entryId));

  app.patch('/accounts/:accountId/competitors/:entryId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['competitors'],
      summary: 'Change a competitor entry (409 with the current record when stale)',
      params: entryParams,
      headers: ifMatchHeaders,
      body: accountCompetitorPatchSchema.extend({ version: versionSchema.optional() }),
      response: { 200: accountCompetitorSchema },
    },
  }, async (request) => {
    const { version, ...patch } = request.body;
    const { accountId, entryId } = request.params;
    return updateAccountCompetitor(db, actorOf(request), accountId, entryId, patch, expectedVersion(version, request.headers['if-match']));
  });

  app.delete('/accounts/:accountId/competitors/:entryId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['competitors'],
      summary: 'Remove a competitor from an account',
      params: entryParams,
      headers: ifMatchHeaders,
      response: { 204: z.undefined() },
    },
  }, async (request, reply) => {
    const { accountId, entryId } = request.params;
    await deleteAccountCompetitor(db, actorOf(request), accountId, entryId, optionalVersion(request.headers['if-match']));
    return reply.code(204).send();
  });
};
