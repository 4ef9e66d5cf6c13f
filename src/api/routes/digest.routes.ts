/**
 * The daily digest ("Na dziś") in the web app. Registered under /api/v1. A KAM reads their own; the
 * director and the administrator anyone's (a KAM's, to see what they were sent); marketing looks
 * after no accounts and has none. Definitions: src/app/digest.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { digestQuerySchema, getDigest } from '../../app/digest.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_WRITERS } from './accounts.routes.ts';

const reasons = z.array(z.string()).describe('Why the account has its activity: codes among days-without-purchase, p-alive-below, unusual-gap, p-alive-drop.');

const accountFacts = {
  accountId: z.uuid(),
  accountName: z.string(),
  segment: z.string().nullable().describe('ABC-XYZ segment in the latest run.'),
  reasons,
  daysSinceLastPurchase: z.number().int().nullable(),
  lastPurchase: z.string().nullable().describe('YYYY-MM-DD.'),
  pAlive: z.number().nullable().describe('The probability of being active at the run\'s as-of date, 0-1; null without enough history.'),
};

export const digestSchema = z.object({
  user: z.object({ id: z.uuid(), name: z.string(), email: z.string(), role: z.string() }),
  day: z.string().describe('The day of the digest, YYYY-MM-DD, in the company\'s time zone.'),
  run: z.object({ id: z.number().int(), asOf: z.string().nullable(), createdAt: z.string() }).nullable()
    .describe('The latest analysis run, which the activity comes from; null before the first.'),
  slipping: z.array(z.object(accountFacts)).describe('The user\'s key clients slipping in the latest run, the lowest probability of being active first.'),
  newlyLost: z.array(z.object({
    ...accountFacts,
    fromActivity: z.enum(['active', 'slipping']).describe('The activity in the run before the loss.'),
    changedOn: z.string().describe('The as-of date of the run that found the loss, YYYY-MM-DD.'),
    runId: z.number().int(),
  })).describe('The user\'s key clients that went from active or slipping to lost in the 7 days up to the day and are lost in the latest run.'),
  overdue: z.array(z.object({
    actionId: z.uuid(),
    accountId: z.uuid(),
    accountName: z.string(),
    offerType: z.enum(['special-offer', 'gift', 'discount', 'other']),
    discountPercent: z.number().nullable(),
    offer: z.string().nullable(),
    dueOn: z.string().describe('YYYY-MM-DD.'),
    daysOverdue: z.number().int(),
  })).describe('The user\'s own open win-back actions due before the day, the oldest first.'),
  counts: z.object({ slipping: z.number().int(), newlyLost: z.number().int(), overdue: z.number().int(), total: z.number().int() }),
});

export const digestRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database, config }) => {
  app.get('/digest', {
    config: { access: DOSSIER_WRITERS },
    schema: {
      tags: ['digest'],
      summary: 'The daily digest of a user: slipping and newly lost key clients, overdue win-back actions',
      querystring: digestQuerySchema,
      response: { 200: digestSchema },
    },
  }, async (request) => getDigest(database.db, actorOf(request), request.query, { timeZone: config.timeZone }));
};
