/**
 * Reading the kept analysis runs: the list, one run's summary, its per-account results, and the
 * comparison of two runs. What each role sees follows the server's rules: the director and the
 * administrator everything; a KAM the results of their own accounts (and the run's segment counts,
 * which name no account and no money); marketing segments, types and activity without money.
 */
import { and, desc, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';
import { compareRuns, type Mover, type Transitions } from '../core/transitions.ts';
import {
  ACTIVITIES, DEFAULT_ANALYSIS_PARAMS, KEY_CLIENT_TYPES, SEGMENTS,
  type Activity, type AnalysisResult, type KeyClientType, type Segment,
} from '../core/types.ts';
import { parseIsoDay } from '../core/calendar.ts';
import type { Db } from '../db/client.ts';
import { accounts, analysisResults, analysisRuns, users } from '../db/schema/index.ts';
import { accessibleAccountsCondition } from './access.ts';
import { managesAccounts, seesFinancialFields } from './roles.ts';
import { queryFlag } from './accounts.ts';
import type { Actor } from './actor.ts';
import { parseInput, type Page } from './input.ts';
import { scoreRun } from './key-scores.ts';
import type { RunParams, StoredParams } from './run-analysis.ts';
import { readRulesInForce } from './run-activity.ts';
import type pg from 'pg';

const percentPair = z.tuple([z.number().int().min(0).max(100), z.number().int().min(0).max(100)]);
const isoDay = z.iso.date().refine((text) => parseIsoDay(text) !== null, 'Not a real date.');

/** The parameters of a new run, each defaulting as `kamerton analyze`'s flags do (docs/analysis.md). */
export const analysisParamsSchema = z.strictObject({
  period: z.enum(['week', 'month', 'quarter']).default(DEFAULT_ANALYSIS_PARAMS.period),
  asOf: isoDay.nullable().default(null).describe('The analysis date; null: the last date in the ledger.'),
  from: isoDay.nullable().default(null).describe('The first day of the window; null: the first date in the ledger.'),
  metric: z.enum(['revenue', 'margin']).default(DEFAULT_ANALYSIS_PARAMS.metric),
  abc: percentPair.default([...DEFAULT_ANALYSIS_PARAMS.abc]).describe('ABC cut-offs in percent of the cumulative share: [A below, B below].'),
  xyzMode: z.enum(['frequency', 'cv']).default(DEFAULT_ANALYSIS_PARAMS.xyzMode),
  xyzFreq: percentPair.default([...DEFAULT_ANALYSIS_PARAMS.xyzFreq]),
  xyz: z.tuple([z.number().int().min(0), z.number().int().min(0)]).default([...DEFAULT_ANALYSIS_PARAMS.xyz]),
  breadwinner: z.number().int().min(0).max(100).default(DEFAULT_ANALYSIS_PARAMS.breadwinner),
  keySegments: z.array(z.enum(SEGMENTS)).default([...DEFAULT_ANALYSIS_PARAMS.keySegments]),
  lostDays: z.number().int().min(1).max(3650).optional()
    .describe('Lost after more than this many days without a purchase; left out: the lostDays of the activity rules in force.'),
});

/** The options of the parameters that take one of a few values: the web form's choices. */
export const ANALYSIS_PARAM_OPTIONS = {
  period: analysisParamsSchema.shape.period.unwrap().options,
  metric: analysisParamsSchema.shape.metric.unwrap().options,
  xyzMode: analysisParamsSchema.shape.xyzMode.unwrap().options,
  keySegments: SEGMENTS,
} as const;

export type AnalysisDefaults = {
  /** What each parameter is when a new run leaves it out: `kamerton analyze`'s defaults, and lostDays the activity rules'. */
  params: z.output<typeof analysisParamsSchema> & { lostDays: number };
  options: { period: string[]; metric: string[]; xyzMode: string[]; keySegments: Segment[] };
};

/**
 * The parameters' defaults and choices, read from the schema, so that a form never copies them; the
 * days after which a client is lost are the activity rules' (src/app/run-activity.ts), as a run
 * without them applies.
 */
export async function analysisDefaults(pool: pg.Pool): Promise<AnalysisDefaults> {
  const o = ANALYSIS_PARAM_OPTIONS;
  const { rules } = await readRulesInForce(pool);
  return { params: { ...analysisParamsSchema.parse({}), lostDays: rules.lostDays }, options: { period: [...o.period], metric: [...o.metric], xyzMode: [...o.xyzMode], keySegments: [...o.keySegments] } };
}

export function toAnalysisParams(input: unknown): RunParams {
  const p = parseInput(analysisParamsSchema, input ?? {});
  const asOf = p.asOf === null ? null : parseIsoDay(p.asOf);
  const from = p.from === null ? null : parseIsoDay(p.from);
  if (asOf !== null && from !== null && from > asOf) {
    throw new KamertonError('invalid-input', 'from: after asOf', { field: 'from', value: p.from });
  }
  return { ...p, asOf, from };
}

type Summary = Pick<AnalysisResult, 'window' | 'totals' | 'matrix' | 'keyClients'>;

export type RunView = {
  id: number;
  createdAt: string;
  userId: string | null;
  /** The name of the user who ran it; null for the system (the demo, the command line). */
  userName: string | null;
  importId: number | null;
  params: StoredParams;
  window: AnalysisResult['window'];
  /** Clients per segment, for everyone; money per segment and the totals for those who see money. */
  segments: Record<Segment, { clients: number; revenue?: number; margin?: number | null; revenueShare?: number | null }>;
  totals?: Summary['totals'];
  keyClients?: Summary['keyClients'];
};

function viewRun(actor: Actor, row: typeof analysisRuns.$inferSelect, userName: string | null): RunView {
  const summary = row.summary as Summary;
  // Whole-company figures are for those who manage every account.
  const money = managesAccounts(actor);
  const segments = Object.fromEntries(SEGMENTS.map((segment) => {
    const cell = summary.matrix[segment];
    return [segment, money ? { clients: cell.clients, revenue: cell.revenue, margin: cell.margin, revenueShare: cell.revenueShare } : { clients: cell.clients }];
  })) as RunView['segments'];
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    userId: row.userId,
    userName,
    importId: row.importId,
    params: row.params as StoredParams,
    window: summary.window,
    segments,
    ...(money ? { totals: summary.totals, keyClients: summary.keyClients } : {}),
  };
}


export const runListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export async function listRuns(db: Db, actor: Actor, query: z.input<typeof runListQuerySchema>): Promise<Page<RunView>> {
  const q = parseInput(runListQuerySchema, query);
  const total = await db.$count(analysisRuns);
  const rows = await db.select({ run: analysisRuns, userName: users.name }).from(analysisRuns).leftJoin(users, eq(users.id, analysisRuns.userId))
    .orderBy(desc(analysisRuns.id)).limit(q.pageSize).offset((q.page - 1) * q.pageSize);
  return { items: rows.map(({ run, userName }) => viewRun(actor, run, userName)), total, page: q.page, pageSize: q.pageSize };
}

async function loadRun(db: Db, id: number): Promise<typeof analysisRuns.$inferSelect> {
  const [row] = await db.select().from(analysisRuns).where(eq(analysisRuns.id, id));
  if (row === undefined) throw new KamertonError('not-found', 'Analysis run not found.', { field: 'runId', value: String(id) });
  return row;
}

export async function getRun(db: Db, actor: Actor, id: number): Promise<RunView> {
  const [row] = await db.select({ run: analysisRuns, userName: users.name }).from(analysisRuns).leftJoin(users, eq(users.id, analysisRuns.userId))
    .where(eq(analysisRuns.id, id));
  if (row === undefined) throw new KamertonError('not-found', 'Analysis run not found.', { field: 'runId', value: String(id) });
  return viewRun(actor, row.run, row.userName);
}

export const resultQuerySchema = z.object({
  segment: z.enum(SEGMENTS).optional(),
  type: z.enum(KEY_CLIENT_TYPES).optional(),
  activity: z.enum(ACTIVITIES).optional(),
  key: queryFlag.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});

/** A result; rank, segment, classes and activity are null for an account without purchases (a prospect with a type). */
export type ResultView = {
  accountId: string;
  accountName: string;
  ownerId: string | null;
  client: string | null;
  rank: number | null;
  segment: Segment | null;
  abc: string | null;
  xyz: string | null;
  types: KeyClientType[];
  isKey: boolean;
  activity: Activity | null;
  activePeriods: number;
  firstPurchase: string | null;
  lastPurchase: string | null;
  daysSinceLastPurchase: number | null;
  /** The key-client score, 0 to 100, with the current weights (GET /accounts/{id}/key-score has its breakdown). */
  keyScore: number | null;
  revenue?: number;
  margin?: number | null;
  share?: number | null;
  cumulativeShare?: number | null;
  cv?: number | null;
  growth?: number | null;
};

/** One run's results, in ABC rank order, of the accounts the actor may see, filtered and paged. */
export async function listRunResults(db: Db, actor: Actor, runId: number, query: z.input<typeof resultQuerySchema>): Promise<Page<ResultView>> {
  const q = parseInput(resultQuerySchema, query);
  await loadRun(db, runId);
  const filters: (SQL | undefined)[] = [eq(analysisResults.runId, runId), accessibleAccountsCondition(actor)];
  if (q.segment !== undefined) filters.push(eq(analysisResults.segment, q.segment));
  if (q.type !== undefined) filters.push(sql`${q.type} = any(${analysisResults.types})`);
  if (q.activity !== undefined) filters.push(eq(analysisResults.activity, q.activity));
  if (q.key !== undefined) filters.push(eq(analysisResults.isKey, q.key));
  const where = and(...filters);
  const [counted] = await db.select({ total: sql<number>`count(*)::int` }).from(analysisResults)
    .innerJoin(accounts, eq(accounts.id, analysisResults.accountId)).where(where);
  const rows = await db.select({ result: analysisResults, accountName: accounts.name, ownerId: accounts.ownerId }).from(analysisResults)
    .innerJoin(accounts, eq(accounts.id, analysisResults.accountId)).where(where)
    .orderBy(sql`${analysisResults.rank} asc nulls last`, accounts.name, accounts.id).limit(q.pageSize).offset((q.page - 1) * q.pageSize);
  const money = seesFinancialFields(actor);
  const { scores } = await scoreRun(db, runId);
  const items = rows.map(({ result: r, accountName, ownerId }) => {
    const view: ResultView = {
      accountId: r.accountId, accountName, ownerId, client: r.client, rank: r.rank, segment: r.segment as Segment | null, abc: r.abc,
      xyz: r.xyz, types: r.types as KeyClientType[], isKey: r.isKey, activity: r.activity as Activity | null, activePeriods: r.activePeriods,
      firstPurchase: r.firstPurchase, lastPurchase: r.lastPurchase, daysSinceLastPurchase: r.daysSinceLastPurchase,
      keyScore: scores.get(r.accountId)?.score ?? null,
    };
    return money
      ? { ...view, revenue: r.revenue, margin: r.margin, share: r.share, cumulativeShare: r.cumulativeShare, cv: r.cv, growth: r.growth }
      : view;
  });
  return { items, total: counted?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

/** A segment of one side of a comparison, or `none`: the account was not in that run (it entered or left). */
const SIDE_SEGMENTS = [...SEGMENTS, 'none'] as const;

export const compareQuerySchema = z.object({
  from: z.coerce.number().int().min(1).optional().describe('The earlier run; default: the run before `to`.'),
  to: z.coerce.number().int().min(1).optional().describe('The later run; default: the latest.'),
  fromSegment: z.enum(SIDE_SEGMENTS).optional()
    .describe('Only the movers from this segment of the earlier run; `none`: those that entered (not in the earlier run).'),
  toSegment: z.enum(SIDE_SEGMENTS).optional()
    .describe('Only the movers to this segment of the later run; `none`: those that left (not in the later run).'),
  moversOffset: z.coerce.number().int().min(0).default(0).describe('Movers to skip, after the filters.'),
  moversLimit: z.coerce.number().int().min(1).max(1000).optional().describe('At most this many movers; default: every one.'),
});

export type ComparisonMover = Mover & { accountName: string };

export type Comparison = Omit<Transitions, 'movers'> & {
  from: number;
  to: number;
  /** The movers that the segment filters select, before the page is cut from them. */
  moversTotal: number;
  movers: ComparisonMover[];
};

/**
 * The transition matrix between two runs (src/core/transitions.ts) over the accounts the actor may
 * see; marketing's movers carry the frequency change but no revenue. The matrix always covers every
 * account; the movers can be narrowed to one cell of it (`fromSegment`, `toSegment`) and paged, so a
 * page shows one cell's movers without receiving tens of thousands.
 */
export async function compareAnalysisRuns(db: Db, actor: Actor, query: z.input<typeof compareQuerySchema>): Promise<Comparison> {
  const q = parseInput(compareQuerySchema, query);
  const latest = await db.select({ id: analysisRuns.id }).from(analysisRuns)
    .where(q.to === undefined ? undefined : sql`${analysisRuns.id} <= ${q.to}`).orderBy(desc(analysisRuns.id)).limit(2);
  const to = q.to ?? latest[0]?.id;
  const from = q.from ?? latest.find((run) => run.id !== to)?.id;
  if (to === undefined || from === undefined) {
    throw new KamertonError('invalid-input', 'Two analysis runs are needed to compare; run another analysis first.', { field: 'from' });
  }
  const names = new Map<string, string>();
  const entries = async (runId: number) => {
    const run = await loadRun(db, runId);
    const periods = (run.summary as Summary).window.periods;
    const rows = await db.select({
      accountId: analysisResults.accountId, accountName: accounts.name, segment: analysisResults.segment,
      revenue: analysisResults.revenue, activePeriods: analysisResults.activePeriods,
    })
      .from(analysisResults).innerJoin(accounts, eq(accounts.id, analysisResults.accountId))
      .where(and(eq(analysisResults.runId, runId), isNotNull(analysisResults.segment), accessibleAccountsCondition(actor)));
    for (const r of rows) names.set(r.accountId, r.accountName);
    return rows.map((r) => ({ account: r.accountId, segment: r.segment as Segment, revenue: r.revenue, activePeriods: r.activePeriods, periods }));
  };
  const transitions = compareRuns(await entries(from), await entries(to));
  let movers = transitions.movers;
  if (!seesFinancialFields(actor)) {
    // Without money, and in an order that does not betray it: the largest change of frequency first.
    movers = movers
      .map((m) => ({ ...m, revenueBefore: null, revenueAfter: null, revenueChange: null }))
      .sort((a, b) => Math.abs(b.frequencyChange ?? -1) - Math.abs(a.frequencyChange ?? -1) || (a.account < b.account ? -1 : 1));
  }
  const matches = (side: Segment | null, wanted: (typeof SIDE_SEGMENTS)[number] | undefined) =>
    wanted === undefined || (wanted === 'none' ? side === null : side === wanted);
  const selected = movers.filter((m) => matches(m.from, q.fromSegment) && matches(m.to, q.toSegment));
  const page = selected.slice(q.moversOffset, q.moversLimit === undefined ? undefined : q.moversOffset + q.moversLimit);
  return {
    ...transitions,
    from,
    to,
    moversTotal: selected.length,
    movers: page.map((m) => ({ ...m, accountName: names.get(m.account) ?? '' })),
  };
}
