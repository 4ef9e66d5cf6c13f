/**
 * Win-back: saved lists of lost clients, the actions planned to win them back, and the win-back rate.
 * Registered under /api/v1. Those who change dossiers use them (a KAM within their own accounts);
 * marketing does not.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { versionSchema } from '../../app/input.ts';
import {
  ACTION_STATES,
  createWinBackAction,
  createWinBackList,
  deleteWinBackAction,
  deleteWinBackList,
  getWinBackList,
  listWinBackActions,
  listWinBackLists,
  listWinBackMembers,
  updateWinBackAction,
  updateWinBackList,
  winBackActionCreateSchema,
  winBackActionListQuerySchema,
  winBackActionPatchSchema,
  winBackCriteriaSchema,
  winBackListCreateSchema,
  winBackListPatchSchema,
  winBackMembersQuerySchema,
  winBackRates,
  winBackRatesQuerySchema,
} from '../../app/win-back.ts';
import { ACCOUNT_STATUSES, OFFER_TYPES, WIN_BACK_OUTCOMES } from '../../db/schema/index.ts';
import { todayIn } from '../../app/clock.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_WRITERS, ifMatchHeaders, optionalVersion, pageOf } from './accounts.routes.ts';
import { expectedVersion } from './users.routes.ts';

export const winBackListSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  criteria: winBackCriteriaSchema,
  createdBy: z.uuid().nullable(),
  createdByName: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
  refreshedAt: z.date().nullable().describe('When the members were last recomputed (by an analysis run or a save).'),
  refreshedRunId: z.number().int().nullable().describe('The analysis run the members come from.'),
  members: z.number().int().describe('Members the caller may see.'),
  editable: z.boolean().describe('Whether the caller may change or delete the list.'),
});

const openActionSchema = z.object({
  id: z.uuid(),
  offerType: z.enum(OFFER_TYPES),
  discountPercent: z.number().nullable(),
  dueOn: z.iso.date(),
  ownerId: z.uuid(),
  ownerName: z.string().nullable(),
});

export const winBackMemberSchema = z.object({
  accountId: z.uuid(),
  name: z.string(),
  code: z.string().nullable().describe('The account\'s first ERP client code.'),
  ownerId: z.uuid().nullable(),
  ownerName: z.string().nullable(),
  status: z.enum(ACCOUNT_STATUSES),
  activity: z.string().nullable().describe('The activity in the run the list was refreshed from.'),
  lostSince: z.iso.date().nullable().describe('The as-of date of the first run of the latest series in which the account was lost.'),
  lastSegment: z.string().nullable().describe('The segment of the account\'s latest result that had one.'),
  wasAbc: z.string().nullable().describe('The ABC class before the account slipped away.'),
  refusals: z.number().int().describe('Refusals over the list\'s refusalMonths (default 12) before the run\'s as-of date, and any since.'),
  revenueBeforeLoss: z.number().nullable().describe('Revenue in złote in the 12 months up to the last purchase.'),
  addedAt: z.date(),
  openAction: openActionSchema.nullable().describe('The latest action without an outcome, if any.'),
});

export const winBackActionSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  accountName: z.string(),
  accountStatus: z.enum(ACCOUNT_STATUSES),
  listId: z.uuid().nullable(),
  listName: z.string().nullable(),
  offerType: z.enum(OFFER_TYPES),
  discountPercent: z.number().nullable(),
  offer: z.string().nullable(),
  ownerId: z.uuid(),
  ownerName: z.string().nullable(),
  dueOn: z.iso.date(),
  outcome: z.enum(WIN_BACK_OUTCOMES).nullable(),
  outcomeOn: z.iso.date().nullable(),
  wonBackOn: z.iso.date().nullable().describe('The first purchase day after the action was created, when the account bought again.'),
  segment: z.string().nullable().describe('The account\'s segment when the action was created.'),
  note: z.string().nullable(),
  state: z.enum(ACTION_STATES).describe('open, overdue (no outcome, due before today) or closed (with an outcome).'),
  createdBy: z.uuid().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
});

const rateRowSchema = z.object({
  key: z.string().describe('The offer type, the segment (\'none\' without one) or \'all\'.'),
  actions: z.number().int(),
  open: z.number().int(),
  wonBack: z.number().int(),
  declined: z.number().int(),
  noAnswer: z.number().int(),
  rate: z.number().nullable().describe('Won back among the actions with an outcome (0-1).'),
  openShare: z.number().nullable().describe('The share of the actions still without an outcome (0-1).'),
  medianDaysToPurchase: z.number().nullable().describe('Median days from the action to the purchase that won the account back.'),
});

export const winBackRatesSchema = z.object({
  from: z.iso.date().nullable(),
  to: z.iso.date().nullable(),
  total: rateRowSchema,
  byOfferType: z.array(rateRowSchema),
  bySegment: z.array(rateRowSchema),
});

const listParams = z.object({ listId: z.uuid('Expected a win-back list id (a UUID).') });
const actionParams = z.object({ actionId: z.uuid('Expected a win-back action id (a UUID).') });

export const winBackRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database, config }) => {
  const { db } = database;
  // What is overdue depends on the company's day (KAMERTON_TIME_ZONE), not the server's.
  const today = (): string => todayIn(config.timeZone, new Date());
  const tags = ['win-back'];

  app.get('/win-back/lists', {
    config: { access: DOSSIER_WRITERS },
    schema: { tags, summary: 'List the win-back lists', response: { 200: z.object({ items: z.array(winBackListSchema) }) } },
  }, async (request) => listWinBackLists(db, actorOf(request)));

  app.post('/win-back/lists', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags,
      summary: 'Save a win-back list (its members are computed from the latest analysis run)',
      body: winBackListCreateSchema,
      response: { 201: winBackListSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createWinBackList(db, actorOf(request), request.body)));

  app.get('/win-back/lists/:listId', {
    config: { access: DOSSIER_WRITERS },
    schema: { tags, summary: 'Read a win-back list', params: listParams, response: { 200: winBackListSchema } },
  }, async (request) => getWinBackList(db, actorOf(request), request.params.listId));

  app.patch('/win-back/lists/:listId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags,
      summary: 'Change a win-back list\'s name or criteria (a KAM: their own lists; 409 with the current list when stale)',
      params: listParams,
      headers: ifMatchHeaders,
      body: winBackListPatchSchema.extend({ version: versionSchema.optional() }),
      response: { 200: winBackListSchema },
    },
  }, async (request) => {
    const { version, ...patch } = request.body;
    return updateWinBackList(db, actorOf(request), request.params.listId, patch, expectedVersion(version, request.headers['if-match']));
  });

  app.delete('/win-back/lists/:listId', {
    config: { access: DOSSIER_WRITERS },
    schema: { tags, summary: 'Delete a win-back list (its actions stay)', params: listParams, headers: ifMatchHeaders, response: { 204: z.undefined() } },
  }, async (request, reply) => {
    await deleteWinBackList(db, actorOf(request), request.params.listId, optionalVersion(request.headers['if-match']));
    return reply.code(204).send();
  });

  app.get('/win-back/lists/:listId/members', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags,
      summary: 'The accounts on a win-back list that the caller may see (latest lost first)',
      params: listParams,
      querystring: winBackMembersQuerySchema,
      response: { 200: pageOf(winBackMemberSchema) },
    },
  }, async (request) => listWinBackMembers(db, actorOf(request), request.params.listId, request.query));

  app.get('/win-back/actions', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags,
      summary: 'List win-back actions (by due date)',
      querystring: winBackActionListQuerySchema,
      response: { 200: pageOf(winBackActionSchema) },
    },
  }, async (request) => listWinBackActions(db, actorOf(request), request.query, { today: today() }));

  app.post('/win-back/actions', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags,
      summary: 'Plan a win-back action on an account',
      body: winBackActionCreateSchema,
      response: { 201: winBackActionSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createWinBackAction(db, actorOf(request), request.body, { today: today() })));

  app.patch('/win-back/actions/:actionId', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags,
      summary: 'Change a win-back action or set its outcome (409 with the current action when stale)',
      params: actionParams,
      headers: ifMatchHeaders,
      body: winBackActionPatchSchema.extend({ version: versionSchema.optional() }),
      response: { 200: winBackActionSchema },
    },
  }, async (request) => {
    const { version, ...patch } = request.body;
    const expected = expectedVersion(version, request.headers['if-match']);
    return updateWinBackAction(db, actorOf(request), request.params.actionId, patch, expected, { today: today() });
  });

  app.delete('/win-back/actions/:actionId', {
    config: { access: DOSSIER_WRITERS },
    schema: { tags, summary: 'Delete a win-back action', params: actionParams, headers: ifMatchHeaders, response: { 204: z.undefined() } },
  }, async (request, reply) => {
    await deleteWinBackAction(db, actorOf(request), request.params.actionId, optionalVersion(request.headers['if-match']));
    return reply.code(204).send();
  });

  app.get('/win-back/rates', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags,
      summary: 'The win-back rate by offer type and by segment, over the caller\'s accounts',
      querystring: winBackRatesQuerySchema,
      response: { 200: winBackRatesSchema },
    },
  }, async (request) => winBackRates(db, actorOf(request), request.query, config.timeZone));
};
