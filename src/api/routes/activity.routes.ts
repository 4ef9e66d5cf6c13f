/**
 * Activity: the director's rules for slipping and lost clients, the latest run's slipping and lost
 * accounts with their reasons, and one account's activity over the runs. Registered under /api/v1.
 * Marketing gets none of it (the figures are the sales ledger's); a KAM sees their own accounts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  activityAccountsQuerySchema, activityRulesInputSchema, activityRulesSchema, getAccountActivity, getActivityRules,
  listActivityAccounts, setActivityRules,
} from '../../app/activity.ts';
import { ACTIVITY_REASONS } from '../../core/activity.ts';
import { ACTIVITIES, SEGMENTS } from '../../core/types.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_MANAGERS, DOSSIER_WRITERS } from './accounts.routes.ts';

const reason = z.enum(ACTIVITY_REASONS);
const timeUnit = z.enum(['day', 'week']);

const rulesViewSchema = z.object({
  inForce: activityRulesSchema.extend({ id: z.number().int().nullable().describe('Null: the defaults, no version was set.') }),
  defaults: activityRulesSchema,
  versions: z.array(activityRulesSchema.extend({
    id: z.number().int(),
    note: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.uuid().nullable(),
    createdByName: z.string().nullable(),
  })).describe('Every version, newest first; the newest is in force.'),
});

const activityAccountSchema = z.object({
  accountId: z.uuid(),
  accountName: z.string(),
  ownerId: z.uuid().nullable(),
  ownerName: z.string().nullable(),
  status: z.string().describe('The lifecycle status: prospect, active, lost or won-back.'),
  segment: z.enum(SEGMENTS).nullable(),
  isKey: z.boolean(),
  lastPurchase: z.string().nullable(),
  daysSinceLastPurchase: z.number().int().nullable(),
  medianGap: z.number().nullable().describe('The median gap in days between purchase days up to the run\'s as-of date.'),
  repeatPurchases: z.number().int().nullable(),
  pAlive: z.number().nullable().describe('P(active) at the run\'s as-of date; null without the model.'),
  previousPAlive: z.number().nullable().describe('P(active) in the account\'s previous result.'),
  expectedPurchases: z.number().nullable().describe('Expected purchase days over the model\'s horizon.'),
  reasons: z.array(reason),
  since: z.string().nullable().describe('The as-of date of the run that recorded the account\'s entry into this activity.'),
});

const activityAccountsSchema = z.object({
  run: z.object({
    id: z.number().int(),
    asOf: z.string(),
    model: z.object({ timeUnit, horizon: z.number().int() }).nullable(),
  }).nullable().describe('The latest analysis run; null before the first.'),
  rules: activityRulesSchema.describe('The rules that run applied.'),
  activity: z.enum(['slipping', 'lost']),
  counts: z.object({
    slipping: z.number().int(),
    lost: z.number().int(),
    reasons: z.record(reason, z.number().int()).describe('Accounts of the activity asked for, per reason.'),
  }),
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  items: z.array(activityAccountSchema),
});

const accountActivitySchema = z.object({
  accountId: z.uuid(),
  status: z.string(),
  series: z.array(z.object({
    runId: z.number().int(),
    asOf: z.string(),
    activity: z.enum(ACTIVITIES),
    daysSinceLastPurchase: z.number().int().nullable(),
    repeatPurchases: z.number().int().nullable(),
    pAlive: z.number().nullable(),
    expectedPurchases: z.number().nullable(),
    expectedRevenue: z.number().nullable().describe('In złote, over the horizon.'),
    timeUnit: timeUnit.nullable(),
    horizon: z.number().int().nullable(),
    reasons: z.array(reason),
  })).describe('The account\'s result in every run that gave it an activity, oldest first.'),
  changes: z.array(z.object({
    id: z.number().int(),
    runId: z.number().int(),
    changedOn: z.string().describe('The as-of date of the run that found the change.'),
    from: z.enum(ACTIVITIES).nullable(),
    to: z.enum(ACTIVITIES),
    reasons: z.array(reason),
    details: z.record(z.string(), z.unknown()).describe('The figures the rules saw, and the rules.'),
  })).describe('Newest first.'),
});

export const activityRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  const { db } = database;

  app.get('/activity-rules', {
    config: { access: DOSSIER_WRITERS },
    schema: { tags: ['activity'], summary: 'The activity rules in force, their defaults and every version', response: { 200: rulesViewSchema } },
  }, async () => getActivityRules(db));

  app.put('/activity-rules', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['activity'],
      summary: 'Set the activity rules (the director or the administrator): adds a version, applied from the next analysis run',
      body: activityRulesInputSchema,
      response: { 200: rulesViewSchema },
    },
  }, async (request) => setActivityRules(db, actorOf(request), request.body));

  app.get('/activity/accounts', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['activity'],
      summary: 'The latest run\'s slipping or lost accounts in the caller\'s scope, with the reasons and their figures',
      querystring: activityAccountsQuerySchema,
      response: { 200: activityAccountsSchema },
    },
  }, async (request) => listActivityAccounts(db, actorOf(request), request.query));

  app.get('/accounts/:accountId/activity', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['activity'],
      summary: 'The account\'s activity, P(active) and expected purchases over the runs, and its changes of activity',
      params: z.object({ accountId: z.uuid('Expected an account id (a UUID).') }),
      response: { 200: accountActivitySchema },
    },
  }, async (request) => getAccountActivity(db, actorOf(request), request.params.accountId));
};
