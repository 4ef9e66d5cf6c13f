/**
 * Tenders and offers under an account. Registered under /api/v1. Those who may change the account
 * read and change its tenders; marketing does not see them.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { versionSchema } from '../../app/input.ts';
import {
  createTender,
  deleteTender,
  getTender,
  listTenders,
  tenderCreateSchema,
  tenderListQuerySchema,
  tenderPatchSchema,
  updateTender,
} from '../../app/tenders.ts';
import { TENDER_OUTCOMES } from '../../db/schema/index.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_WRITERS, ifMatchHeaders, optionalVersion, pageOf } from './accounts.routes.ts';
import { expectedVersion } from './users.routes.ts';

export const tenderSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  title: z.string(),
  date: z.iso.date(),
  value: z.number().nullable().describe('Value in złote.'),
  outcome: z.enum(TENDER_OUTCOMES),
  reason: z.string().nullable(),
  winningCompetitorId: z.uuid().nullable(),
  winningCompetitorName: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});

const accountParams = z.object({ accountId: z.uuid('Expected an account id (a UUID).') });
const tenderParams = accountParams.extend({ tenderId: z.uuid('Expected a tender id (a UUID).') });

export const tendersRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  const { db } = database;

  app.get('/accounts/:accountId/tenders', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['tenders'],
      summary: 'List the tenders of an account (newest first by default)',
      params: accountParams,
      querystring: tenderListQuerySchema,
      response: { 200: pageOf(tenderSchema) },
    },
  }, async (request) => listTenders(db, actorOf(request), request.params.accountId, request.query));

  app.post('/accounts/:accountId/tenders', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['tenders'],
      summary: 'Record a tender or an offer',
      params: accountParams,
      body: tenderCreateSchema,
      response: { 201: tenderSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createTender(db, actorOf(request), request.params.accountId, request.body)));

  app.get('/accounts/:accountId/tenders/:tenderId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['tenders'],
      summary: 'Read a tender',
      params: tenderParams,
      response: { 200: tenderSchema },
    },
  }, async (request) => getTender(db, actorOf(request), request.params.accountId, request.params.tenderId));

  app.patch('/accounts/:accountId/tenders/:tenderId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['tenders'],
      summary: 'Change a tender (409 with the current record when stale)',
      params: tenderParams,
      headers: ifMatchHeaders,
      body: tenderPatchSchema.extend({ version: versionSchema.optional() }),
      response: { 200: tenderSchema },
    },
  }, async (request) => {
    const { version, ...patch } = request.body;
    const { accountId, tenderId } = request.params;
    return updateTender(db, actorOf(request), accountId, tenderId, patch, expectedVersion(version, request.headers['if-match']));
  });

  app.delete('/accounts/:accountId/tenders/:tenderId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['tenders'],
      summary: 'Delete a tender',
      params: tenderParams,
      headers: ifMatchHeaders,
      response: { 204: z.undefined() },
    },
  }, async (request, reply) => {
    const { accountId, tenderId } = request.params;
    await deleteTender(db, actorOf(request), accountId, tenderId, optionalVersion(request.headers['if-match']));
    return reply.code(204).send();
  });
};
