/**
 * Refusals: declined offers, lost tenders, cancelled orders and complaints, per account and for the
 * portfolio, and their numbers over time. Registered under /api/v1. Those who may change dossiers
 * read and change them (a KAM on their own accounts only); marketing does not see them.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { versionSchema } from '../../app/input.ts';
import {
  createRefusal,
  deleteRefusal,
  listPortfolioRefusals,
  listRefusals,
  portfolioRefusalListQuerySchema,
  refusalCreateSchema,
  refusalListQuerySchema,
  refusalPatchSchema,
  refusalStats,
  refusalStatsQuerySchema,
  updateRefusal,
} from '../../app/refusals.ts';
import { todayIn } from '../../app/clock.ts';
import { TREND_DIRECTIONS } from '../../core/trend.ts';
import { REFUSAL_KINDS, REFUSAL_REASONS } from '../../db/schema/index.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_WRITERS, ifMatchHeaders, optionalVersion, pageOf } from './accounts.routes.ts';
import { expectedVersion } from './users.routes.ts';

export const refusalSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  accountName: z.string(),
  kind: z.enum(REFUSAL_KINDS),
  reason: z.enum(REFUSAL_REASONS),
  direction: z.string().nullable().describe('The product line or department it concerns.'),
  note: z.string().nullable(),
  occurredOn: z.iso.date(),
  value: z.number().nullable().describe('The value at stake, in złote.'),
  tenderId: z.uuid().nullable(),
  tenderTitle: z.string().nullable(),
  competitorId: z.uuid().nullable(),
  competitorName: z.string().nullable(),
  createdBy: z.uuid().nullable().describe('Who recorded it; null for the system (the demo).'),
  createdByName: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});

const countOf = (what: string) => z.number().int().describe(`Refusals ${what}.`);
const share = z.number().describe('The share of the range\'s refusals, 0-1.');
const month = z.string().regex(/^\d{4}-\d{2}$/).describe('YYYY-MM.');

const trendSchema = z.object({
  slope: z.number().describe('The least-squares slope of the monthly counts: refusals a month, per month.'),
  mean: z.number().describe('The mean count a month over the trend\'s months.'),
  recent: z.number().int().describe('Refusals in the last three months.'),
  previous: z.number().int().describe('Refusals in the three months before those.'),
  direction: z.enum(TREND_DIRECTIONS).describe('rising, falling or flat (docs/analysis.md, "Refusals and their dynamics").'),
  months: z.array(month).describe('The twelve months up to the range\'s last, oldest first.'),
  counts: z.array(z.number().int()).describe('Their counts.'),
});

export const refusalStatsSchema = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  accountId: z.uuid().nullable(),
  ownerId: z.string().nullable().describe('The owner the statistics are limited to (a KAM: themselves); null: every account in scope.'),
  total: countOf('in the range'),
  value: z.number().describe('The sum of the values given, in złote.'),
  months: z.array(z.object({
    month,
    count: countOf('in the month'),
    byKind: z.object(Object.fromEntries(REFUSAL_KINDS.map((kind) => [kind, z.number().int()]))),
    byReason: z.object(Object.fromEntries(REFUSAL_REASONS.map((reason) => [reason, z.number().int()]))),
  })).describe('Every month of the range, oldest first, months without refusals included.'),
  kinds: z.array(z.object({ kind: z.enum(REFUSAL_KINDS), count: z.number().int(), share })).describe('Every kind, the most frequent first.'),
  reasons: z.array(z.object({ reason: z.enum(REFUSAL_REASONS), count: z.number().int(), share })).describe('Every reason, the most frequent first.'),
  directions: z.array(z.object({ direction: z.string().nullable().describe('Null: no direction given.'), count: z.number().int(), share }))
    .describe('The ten most frequent directions.'),
  trend: trendSchema,
  accounts: z.array(z.object({
    accountId: z.uuid(),
    accountName: z.string(),
    ownerName: z.string().nullable(),
    count: countOf('in the range'),
    lastOn: z.iso.date(),
    trend: trendSchema,
  })).describe('The ten accounts with the most refusals in the range, with their own trends; empty for one account\'s statistics.'),
});

const accountParams = z.object({ accountId: z.uuid('Expected an account id (a UUID).') });
const refusalParams = z.object({ refusalId: z.uuid('Expected a refusal id (a UUID).') });

export const refusalsRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database, config }) => {
  const { db } = database;

  app.get('/accounts/:accountId/refusals', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['refusals'],
      summary: 'List the refusals of an account (newest first)',
      params: accountParams,
      querystring: refusalListQuerySchema,
      response: { 200: pageOf(refusalSchema) },
    },
  }, async (request) => listRefusals(db, actorOf(request), request.params.accountId, request.query));

  app.post('/accounts/:accountId/refusals', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['refusals'],
      summary: 'Record a refusal: a declined offer, a lost tender, a cancelled order or a complaint',
      params: accountParams,
      body: refusalCreateSchema,
      response: { 201: refusalSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createRefusal(db, actorOf(request), request.params.accountId, request.body)));

  app.get('/refusals', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['refusals'],
      summary: 'List the refusals of every account you may see (newest first), with the accounts\' names',
      querystring: portfolioRefusalListQuerySchema,
      response: { 200: pageOf(refusalSchema) },
    },
  }, async (request) => listPortfolioRefusals(db, actorOf(request), request.query));

  app.get('/refusals/stats', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['refusals'],
      summary: 'Refusals by month, kind, reason and direction, their trend, and the accounts with the most',
      querystring: refusalStatsQuerySchema,
      response: { 200: refusalStatsSchema },
    },
  }, async (request) => refusalStats(db, actorOf(request), request.query, todayIn(config.timeZone, new Date())));

  app.patch('/refusals/:refusalId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['refusals'],
      summary: 'Change a refusal (409 with the current record when stale)',
      params: refusalParams,
      headers: ifMatchHeaders,
      body: refusalPatchSchema.extend({ version: versionSchema.optional() }),
      response: { 200: refusalSchema },
    },
  }, async (request) => {
    const { version, ...patch } = request.body;
    return updateRefusal(db, actorOf(request), request.params.refusalId, patch, expectedVersion(version, request.headers['if-match']));
  });

  app.delete('/refusals/:refusalId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['refusals'],
      summary: 'Delete a refusal',
      params: refusalParams,
      headers: ifMatchHeaders,
      response: { 204: z.undefined() },
    },
  }, async (request, reply) => {
    await deleteRefusal(db, actorOf(request), request.params.refusalId, optionalVersion(request.headers['if-match']));
    return reply.code(204).send();
  });
};
