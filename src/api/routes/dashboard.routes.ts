/**
 * The portfolio dashboard's aggregates. Registered under /api/v1. Everyone reads the dashboard of
 * their scope (src/app/dashboard.ts): a KAM their own accounts (naming another owner is forbidden),
 * the director and the administrator the company or any owner's accounts, marketing the company
 * without money; the KAMs side by side are for the director and the administrator.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dashboardKamsQuerySchema, dashboardQuerySchema, getDashboard, getKamPortfolios } from '../../app/dashboard.ts';
import { ACTIVITIES, KEY_CLIENT_TYPES, SEGMENTS } from '../../core/types.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_MANAGERS, DOSSIER_READERS } from './accounts.routes.ts';

const segment = z.enum(SEGMENTS);
const share = z.number().nullable().describe('A fraction from 0 to 1; null when the whole is zero or less.');
const absentForMarketing = (schema: z.ZodType, what: string) => schema.optional().describe(`${what} Absent for marketing.`);

const countsBySegment = z.record(segment, z.number().int());

const dashboardSchema = z.object({
  run: z.object({
    id: z.number().int(),
    createdAt: z.string(),
    window: z.object({ from: z.string(), to: z.string(), period: z.string(), periods: z.number().int(), asOf: z.string() }),
    metric: z.enum(['revenue', 'margin']).describe('What ABC ranked by.'),
    abc: z.tuple([z.number(), z.number()]).describe('The ABC cut-offs as fractions: [A below, B below].'),
  }).nullable().describe('Null before the first analysis run.'),
  previousRunId: z.number().int().nullable().describe('The run before this one, which the transitions compare with.'),
  scope: z.object({
    ownerId: z.string().nullable().describe('Null: the company; an owner\'s id; or "unassigned".'),
    accounts: z.number().int().describe('Accounts with a result in the run within the scope (prospects typed from their dossier included).'),
  }),
  totals: z.object({
    clients: z.number().int().describe('Accounts with a segment in the run within the scope.'),
    revenue: absentForMarketing(z.number(), 'In złote.'),
    margin: absentForMarketing(z.number().nullable(), 'In złote; null without a cost or margin column.'),
  }),
  matrix: z.array(z.object({
    segment,
    clients: z.number().int(),
    clientShare: share,
    revenue: absentForMarketing(z.number(), 'In złote.'),
    revenueShare: absentForMarketing(share, 'Of the scope\'s revenue.'),
    margin: absentForMarketing(z.number().nullable(), 'In złote.'),
    marginShare: absentForMarketing(share, 'Of the scope\'s margin.'),
  })).describe('The nine ABC-XYZ cells, AX to CZ.'),
  pareto: z.object({
    points: z.array(z.object({ clientShare: z.number(), valueShare: z.number() }))
      .describe('The cumulative share of the metric after each client in rank order, downsampled to about 200 points.'),
    cuts: z.object({ a: z.number(), b: z.number() }).describe('The ABC cut-offs on the value axis.'),
    clientCuts: z.object({ a: z.number(), b: z.number() }).describe('The share of the scope\'s clients in A, and in A or B.'),
  }).nullable().describe('Null for marketing and before the first run.'),
  keyClients: z.object({
    count: z.number().int(),
    valueShare: absentForMarketing(share, 'The key clients\' share of the scope\'s revenue.'),
    band: z.tuple([z.number(), z.number()]).describe('The usual share of the key clients: 30-55%.'),
  }),
  types: z.record(z.enum(KEY_CLIENT_TYPES), z.number().int()),
  activity: z.record(z.enum(ACTIVITIES), z.number().int()),
  transitions: z.object({
    fromRunId: z.number().int(),
    toRunId: z.number().int(),
    matrix: z.record(segment, countsBySegment).describe('From the previous run\'s segment (rows) to this run\'s (columns).'),
    entered: countsBySegment,
    left: countsBySegment,
    moved: z.number().int(),
    stayed: z.number().int(),
    movers: z.array(z.object({
      accountId: z.uuid(),
      accountName: z.string(),
      from: segment.nullable(),
      to: segment.nullable(),
      revenueChange: absentForMarketing(z.number().nullable(), 'In złote; null for an account that entered or left.'),
    })).describe('The top 10 by the size of the revenue change (marketing: of the frequency change).'),
  }).nullable().describe('Null without a previous run.'),
  growth: z.object({
    leaders: z.array(z.object({ accountId: z.uuid(), accountName: z.string(), revenue: z.number(), growth: z.number() })),
    decliners: z.array(z.object({ accountId: z.uuid(), accountName: z.string(), revenue: z.number(), growth: z.number() })),
  }).nullable().describe('The top 5 by growth, and the 5 with the largest decline; null for marketing.'),
});

const kamsSchema = z.object({
  items: z.array(z.object({
    ownerId: z.uuid().nullable().describe('Null: the accounts without an owner.'),
    name: z.string().nullable(),
    accounts: z.number().int(),
    revenue: z.number(),
    revenueShare: share,
    margin: z.number().nullable(),
    keyClients: z.number().int(),
    aClients: z.number().int(),
    slipping: z.number().int(),
    lost: z.number().int(),
  })),
});

export const dashboardRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  const { db } = database;

  app.get('/dashboard', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['dashboard'],
      summary: 'The portfolio dashboard of an analysis run: matrix, Pareto curve, key clients, activity, transitions, growth',
      querystring: dashboardQuerySchema,
      response: { 200: dashboardSchema },
    },
  }, async (request) => getDashboard(db, actorOf(request), request.query));

  app.get('/dashboard/kams', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['dashboard'],
      summary: 'Every owner\'s portfolio in an analysis run, side by side',
      querystring: dashboardKamsQuerySchema,
      response: { 200: kamsSchema },
    },
  }, async (request) => getKamPortfolios(db, actorOf(request), request.query));
};
