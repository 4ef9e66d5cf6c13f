/**
 * Analysis runs over the stored ledger. Registered under /api/v1. The director and the administrator
 * run an analysis; everyone reads the runs, each as their role allows (src/app/analysis-runs.ts): a
 * KAM the results of their own accounts, marketing no money.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  analysisParamsSchema,
  compareAnalysisRuns,
  compareQuerySchema,
  getRun,
  listRunResults,
  listRuns,
  resultQuerySchema,
  runListQuerySchema,
  toAnalysisParams,
} from '../../app/analysis-runs.ts';
import { runAnalysis } from '../../app/run-analysis.ts';
import { ACTIVITIES, KEY_CLIENT_TYPES, SEGMENTS } from '../../core/types.ts';
import type { RoutePluginOptions } from '../app.ts';
import { actorOf } from '../plugins/auth.plugin.ts';
import { DOSSIER_MANAGERS, DOSSIER_READERS, pageOf } from './accounts.routes.ts';

const segment = z.enum(SEGMENTS);
const money = z.number().nullable().optional();

const runSchema = z.object({
  id: z.number().int(),
  createdAt: z.string(),
  userId: z.uuid().nullable(),
  importId: z.number().int().nullable().describe('The last import the run saw.'),
  params: z.record(z.string(), z.unknown()).describe('The parameters of the run (analysisParams).'),
  window: z.object({ from: z.string(), to: z.string(), period: z.string(), periods: z.number().int(), asOf: z.string() }),
  segments: z.record(segment, z.object({ clients: z.number().int(), revenue: z.number().optional(), margin: money, revenueShare: money }))
    .describe('Accounts per segment; money for the director and the administrator only.'),
  totals: z.record(z.string(), z.unknown()).optional().describe('Director and administrator only.'),
  keyClients: z.record(z.string(), z.unknown()).optional().describe('Director and administrator only.'),
});

const resultSchema = z.object({
  accountId: z.uuid(),
  accountName: z.string(),
  ownerId: z.uuid().nullable(),
  client: z.string().describe('The ERP code the analysis named the account by.'),
  rank: z.number().int(),
  segment,
  abc: z.string(),
  xyz: z.string(),
  types: z.array(z.enum(KEY_CLIENT_TYPES)),
  isKey: z.boolean(),
  activity: z.enum(ACTIVITIES),
  activePeriods: z.number().int(),
  firstPurchase: z.string().nullable(),
  lastPurchase: z.string().nullable(),
  daysSinceLastPurchase: z.number().int().nullable(),
  revenue: z.number().optional().describe('Absent for marketing; so are margin, shares, cv and growth.'),
  margin: money,
  share: z.number().optional(),
  cumulativeShare: z.number().optional(),
  cv: money,
  growth: money,
});

const moverSchema = z.object({
  account: z.uuid(),
  from: segment.nullable(),
  to: segment.nullable(),
  revenueBefore: z.number().nullable(),
  revenueAfter: z.number().nullable(),
  revenueChange: z.number().nullable(),
  frequencyBefore: z.number().nullable(),
  frequencyAfter: z.number().nullable(),
  frequencyChange: z.number().nullable(),
});

const comparisonSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  matrix: z.record(segment, z.record(segment, z.number().int())).describe('Accounts in both runs: from the earlier segment (rows) to the later (columns).'),
  entered: z.record(segment, z.number().int()),
  left: z.record(segment, z.number().int()),
  stayed: z.number().int(),
  moved: z.number().int(),
  movers: z.array(moverSchema),
});

const runParams = z.object({ runId: z.coerce.number().int().min(1) });

export const analysisRoutes: FastifyPluginAsyncZod<RoutePluginOptions> = async (app, { database }) => {
  const { db, pool } = database;

  app.post('/analysis-runs', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['analysis'],
      summary: 'Run the analysis over the stored ledger and keep it',
      body: analysisParamsSchema,
      response: { 201: runSchema },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const run = await runAnalysis(pool, actor, toAnalysisParams(request.body));
    return reply.code(201).send(await getRun(db, actor, run.id));
  });

  app.get('/analysis-runs', {
    config: { access: DOSSIER_READERS },
    schema: { tags: ['analysis'], summary: 'The analysis runs, newest first', querystring: runListQuerySchema, response: { 200: pageOf(runSchema) } },
  }, async (request) => listRuns(db, actorOf(request), request.query));

  app.get('/analysis-runs/compare', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['analysis'],
      summary: 'The transition matrix between two runs, with every account that changed segment',
      querystring: compareQuerySchema,
      response: { 200: comparisonSchema },
    },
  }, async (request) => compareAnalysisRuns(db, actorOf(request), request.query));

  app.get('/analysis-runs/:runId', {
    config: { access: DOSSIER_READERS },
    schema: { tags: ['analysis'], summary: 'One analysis run', params: runParams, response: { 200: runSchema } },
  }, async (request) => getRun(db, actorOf(request), request.params.runId));

  app.get('/analysis-runs/:runId/results', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['analysis'],
      summary: 'The accounts\' results of a run, in ABC rank order, filtered',
      params: runParams,
      querystring: resultQuerySchema,
      response: { 200: pageOf(resultSchema) },
    },
  }, async (request) => listRunResults(db, actorOf(request), request.params.runId, request.query));
};
