/**
 * Analysis runs over the stored ledger. Registered under /api/v1. The director and the administrator
 * run an analysis; everyone reads the runs, each as their role allows (src/app/analysis-runs.ts): a
 * KAM the results of their own accounts, marketing no money.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import {
  analysisDefaults,
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
import { getAccountKeyScore, getKeyScoreWeights, keyScoreWeightsSchema, setKeyScoreWeights } from '../../app/key-scores.ts';
import { runAnalysis } from '../../app/run-analysis.ts';
import { runReport, XLSX_CONTENT_TYPE } from '../../app/run-report.ts';
import { KEY_CRITERIA, type KeyCriterion } from '../../core/key-score.ts';
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
  userName: z.string().nullable().describe('Who ran it; null for the system (the demo, the command line).'),
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
  client: z.string().nullable().describe('The ERP code the analysis named the account by.'),
  rank: z.number().int().nullable().describe('Null (with segment, classes and activity) for an account without purchases typed from its dossier.'),
  segment: segment.nullable(),
  abc: z.string().nullable(),
  xyz: z.string().nullable(),
  types: z.array(z.enum(KEY_CLIENT_TYPES)),
  isKey: z.boolean(),
  activity: z.enum(ACTIVITIES).nullable(),
  activePeriods: z.number().int(),
  firstPurchase: z.string().nullable(),
  lastPurchase: z.string().nullable(),
  daysSinceLastPurchase: z.number().int().nullable(),
  keyScore: z.number().nullable().describe('The key-client score, 0 to 100, with the current weights.'),
  revenue: z.number().optional().describe('Absent for marketing; so are margin, shares, cv and growth.'),
  margin: money,
  share: money,
  cumulativeShare: money,
  cv: money,
  growth: money,
});

const moverSchema = z.object({
  account: z.uuid(),
  accountName: z.string(),
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
  moversTotal: z.number().int().describe('The movers the segment filters select, before moversOffset and moversLimit.'),
  movers: z.array(moverSchema).describe('Null revenues for marketing, ordered then by the frequency change.'),
});

const defaultsSchema = z.object({
  params: analysisParamsSchema.extend({ lostDays: z.number().int() })
    .describe('Every parameter as a new run takes it when left out: the defaults of `kamerton analyze`, and lostDays the activity rules\'.'),
  options: z.object({
    period: z.array(z.string()),
    metric: z.array(z.string()),
    xyzMode: z.array(z.string()),
    keySegments: z.array(segment),
  }).describe('The values each choice takes.'),
});

const runParams = z.object({ runId: z.coerce.number().int().min(1) });

const weightsSchema = z.object(Object.fromEntries(KEY_CRITERIA.map((c) => [c, z.number()])) as Record<KeyCriterion, z.ZodNumber>);

const weightsViewSchema = z.object({ weights: weightsSchema, updatedAt: z.string().nullable(), updatedBy: z.uuid().nullable() });

const keyScoreSchema = z.object({
  account: z.uuid(),
  runId: z.number().int(),
  score: z.number().describe('0 to 100: the sum of the criteria\'s contributions.'),
  coverage: z.number().describe('The share of the weight whose criteria had data.'),
  weights: weightsSchema,
  criteria: z.array(z.object({
    criterion: z.enum(KEY_CRITERIA),
    value: z.number().nullable().describe('The input (profit in złote, days late, months, growth, groups, 1-5); null without data, or hidden from marketing for money.'),
    score: z.number().nullable().describe('0 to 1; null without data.'),
    weight: z.number(),
    contribution: z.number().describe('Points of the 0-100 score.'),
  })),
});

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

  app.get('/analysis-runs/defaults', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['analysis'],
      summary: 'The parameters of a new run with their defaults, and the values of each choice',
      response: { 200: defaultsSchema },
    },
  }, async () => analysisDefaults(pool));

  app.get('/analysis-runs/:runId/report.xlsx', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['analysis'],
      summary: 'The run\'s workbook, as `kamerton analyze --format xlsx` writes it (the director or the administrator)',
      description: 'The sheets Summary, Clients, Lost and slipping and Rejected lines (empty: the stored ledger keeps accepted lines only), ' +
        'made from the stored run. Text is neutralised against spreadsheet formulas.',
      params: runParams,
      response: {
        200: {
          description: 'The workbook, as an attachment named kamerton-analysis-<runId>-<asOf>.xlsx.',
          content: { [XLSX_CONTENT_TYPE]: { schema: z.string().meta({ format: 'binary' }) } },
        },
      },
    },
  }, async (request, reply) => {
    const report = await runReport(db, pool, actorOf(request), request.params.runId);
    // The response schema documents the file as text for the OpenAPI document; the payload is a
    // stream of its bytes, which Fastify sends as it is, never through the serialiser.
    const untyped: FastifyReply = reply;
    return untyped
      .header('content-type', report.contentType)
      .header('content-disposition', `attachment; filename="${report.fileName}"`)
      .send(report.stream);
  });

  app.get('/analysis-runs/compare', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['analysis'],
      summary: 'The transition matrix between two runs, with the accounts that changed segment (all, or one cell\'s, paged)',
      querystring: compareQuerySchema,
      response: { 200: comparisonSchema },
    },
  }, async (request) => compareAnalysisRuns(db, actorOf(request), request.query));

  app.get('/analysis-runs/:runId', {
    config: { access: DOSSIER_READERS },
    schema: { tags: ['analysis'], summary: 'One analysis run', params: runParams, response: { 200: runSchema } },
  }, async (request) => getRun(db, actorOf(request), request.params.runId));

  app.get('/accounts/:accountId/key-score', {
    config: { access: DOSSIER_READERS },
    schema: {
      tags: ['analysis'],
      summary: 'The account\'s key-client score in the latest run that included it, with its breakdown by criterion',
      params: z.object({ accountId: z.uuid('Expected an account id (a UUID).') }),
      response: { 200: keyScoreSchema },
    },
  }, async (request) => getAccountKeyScore(db, actorOf(request), request.params.accountId));

  app.get('/settings/key-score-weights', {
    config: { access: DOSSIER_READERS },
    schema: { tags: ['analysis'], summary: 'The weights of the key-client score\'s six criteria', response: { 200: weightsViewSchema } },
  }, async () => getKeyScoreWeights(db));

  app.put('/settings/key-score-weights', {
    config: { access: DOSSIER_MANAGERS },
    schema: {
      tags: ['analysis'],
      summary: 'Set the weights of the key-client score (the director or the administrator)',
      body: keyScoreWeightsSchema,
      response: { 200: weightsViewSchema },
    },
  }, async (request) => setKeyScoreWeights(db, actorOf(request), request.body));

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
