/**
 * The demo company, one click away on a fresh server: GET says whether it can be loaded (the database
 * has no account yet; public, so that the web app can offer it right after the first-run setup),
 * POST loads it (an administrator; 409 once any account exists). The demo's users share one password,
 * made afresh by each load and returned only here: whoever loads the demo should remove or deactivate
 * those users before Kamerton is used for real.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { demoAvailable, loadDemo } from '../../app/demo.ts';
import { ACCOUNT_STATUSES, ROLES } from '../../db/schema/index.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';

const count = z.number().int().min(0);

export const demoSummarySchema = z.object({
  seed: z.number().int().describe('The seed the demo was generated from: the same seed gives the same companies and people.'),
  password: z.string().describe('The one password of every demo user, made for this load. Remove or deactivate the demo users before real use.'),
  users: z.array(z.object({
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    accounts: count.describe('Accounts the user owns.'),
  })),
  accounts: count,
  accountsByStatus: z.object(Object.fromEntries(ACCOUNT_STATUSES.map((status) => [status, count])) as Record<(typeof ACCOUNT_STATUSES)[number], typeof count>),
  contacts: count,
  competitors: count,
  competitorEntries: count.describe('Competitors working on an account.'),
  tenders: count,
  refusals: count,
  historyRows: count.describe('History rows written: one "create" per record, by the system.'),
  ledger: z.object({
    lines: count,
    documents: count,
    importId: z.number().int().describe('The import that loaded the demo\'s sales ledger (three years of invoices).'),
    analysisRunId: z.number().int().describe('The analysis run made over it.'),
  }),
});

export const demoRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  app.get('/demo', {
    config: { access: 'public' },
    schema: {
      tags: ['demo'],
      summary: 'Whether the demo company can be loaded (the database has no account yet)',
      response: { 200: z.object({ available: z.boolean() }) },
    },
  }, async () => ({ available: await demoAvailable(database.db) }));

  app.post('/demo', {
    config: { access: ['admin'] },
    schema: {
      tags: ['demo'],
      summary: 'Load the demo company: users, about 300 accounts with contacts, competitors, tenders and three years of sales ledger, analysed (409 once any account exists)',
      description: 'The demo users share the password in the response; remove or deactivate them before Kamerton is used for real.',
      response: { 201: demoSummarySchema },
    },
  }, async (request, reply) => {
    const summary = await loadDemo(database, actorOf(request));
    return reply.code(201).send(summary);
  });
};
