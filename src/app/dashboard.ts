/**
 * The portfolio dashboard: one analysis run seen whole, for the company, for one KAM's portfolio or
 * for the accounts nobody owns. Every figure is aggregated by PostgreSQL, grouped, so that a run of
 * 100,000 accounts sends the server a few dozen rows, never the run's results: the matrix's nine
 * cells, the Pareto curve downsampled to some 200 points, counts by type and activity, the transition
 * matrix's 81 cells, and the top movers and growth leaders and decliners.
 *
 * Scope: a KAM sees the accounts they own or are on the team of (the accounts list's rule) and may
 * name no other owner (forbidden); the director, the administrator and marketing see the company, or
 * one owner's accounts (`ownerId`), or the unassigned ones. Marketing gets counts and shares of
 * clients, no money: no revenue, margin, money shares, Pareto curve, revenue changes or growth.
 *
 * Definitions follow docs/analysis.md; the movers mirror src/core/transitions.ts.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';
import { ACTIVITIES, KEY_CLIENT_TYPES, SEGMENTS, type Activity, type KeyClientType, type Segment } from '../core/types.ts';
import type { Db } from '../db/client.ts';
import { accessibleAccountsCondition, type Executor } from './access.ts';
import type { Actor } from './actor.ts';
import { parseInput } from './input.ts';
import { managesAccounts, seesFinancialFields } from './roles.ts';
import type { StoredParams } from './run-analysis.ts';

/** The usual share of revenue of the key clients (docs/analysis.md, "Key clients and the key-account band"). */
export const KEY_BAND: readonly [number, number] = [0.3, 0.55];
/** At most about this many points of the Pareto curve are sent: enough for a chart, whatever the run's size. */
export const PARETO_POINTS = 200;
/** How many movers, growth leaders and decliners the dashboard lists. */
export const TOP_MOVERS = 10;
export const TOP_GROWTH = 5;

export const dashboardQuerySchema = z.strictObject({
  runId: z.coerce.number().int().min(1).optional().describe('The analysis run; default: the latest.'),
  ownerId: z.union([z.uuid(), z.literal('unassigned')]).optional()
    .describe('Director, administrator, marketing: one owner\'s accounts, or "unassigned" for those without one. A KAM may name only themselves.'),
});
export type DashboardQuery = z.input<typeof dashboardQuerySchema>;

export const dashboardKamsQuerySchema = z.strictObject({
  runId: z.coerce.number().int().min(1).optional().describe('The analysis run; default: the latest.'),
});

export type DashboardRun = {
  id: number;
  createdAt: string;
  window: { from: string; to: string; period: string; periods: number; asOf: string };
  metric: 'revenue' | 'margin';
  /** ABC cut-offs as fractions of the cumulative share: [A below, B below]. */
  abc: [number, number];
};

export type MatrixCellView = {
  segment: Segment;
  clients: number;
  clientShare: number | null;
  revenue?: number;
  revenueShare?: number | null;
  margin?: number | null;
  marginShare?: number | null;
};

export type Mover = { accountId: string; accountName: string; from: Segment | null; to: Segment | null; revenueChange?: number | null };
export type GrowthEntry = { accountId: string; accountName: string; revenue: number; growth: number };

export type Dashboard = {
  run: DashboardRun | null;
  previousRunId: number | null;
  scope: { ownerId: string | null; accounts: number };
  totals: { clients: number; revenue?: number; margin?: number | null };
  matrix: MatrixCellView[];
  pareto: null | {
    points: { clientShare: number; valueShare: number }[];
    /** The ABC cut-offs on the value axis (the run's parameters, as fractions). */
    cuts: { a: number; b: number };
    /** Where the scope's A and B clients end on the client axis: the share of its clients in A, and in A or B. */
    clientCuts: { a: number; b: number };
  };
  keyClients: { count: number; valueShare?: number | null; band: [number, number] };
  types: Record<KeyClientType, number>;
  activity: Record<Activity, number>;
  transitions: null | {
    fromRunId: number;
    toRunId: number;
    matrix: Record<Segment, Record<Segment, number>>;
    entered: Record<Segment, number>;
    left: Record<Segment, number>;
    moved: number;
    stayed: number;
    movers: Mover[];
  };
  growth: null | { leaders: GrowthEntry[]; decliners: GrowthEntry[] };
};

export type KamRow = {
  /** Null: the accounts without an owner. */
  ownerId: string | null;
  name: string | null;
  accounts: number;
  revenue: number;
  revenueShare: number | null;
  margin: number | null;
  keyClients: number;
  aClients: number;
  slipping: number;
  lost: number;
};

type RunRow = { id: number; createdAt: Date; params: StoredParams; summary: { window: DashboardRun['window'] } };

/** The dashboard of `query.runId` (default the latest) over the actor's scope. */
export async function getDashboard(db: Db, actor: Actor, query: DashboardQuery = {}): Promise<Dashboard> {
  const q = parseInput(dashboardQuerySchema, query);
  const { scope, ownerId } = scopeOf(actor, q.ownerId);
  const money = seesFinancialFields(actor);
  // One snapshot for every read: a run committed meanwhile cannot make the transitions disagree with the matrix.
  return db.transaction(async (tx) => {
    const run = await loadRun(tx, q.runId);
    if (run === null) return emptyDashboard(ownerId, money);
    const previous = await previousRunOf(tx, run.id);
    const figures = await readFigures(tx, run.id, scope);
    const totalRevenue = figures.cells.reduce((sum, cell) => sum + cell.revenue, 0);
    const marginKnown = figures.cells.some((cell) => cell.margin !== null);
    const totalMargin = marginKnown ? figures.cells.reduce((sum, cell) => sum + (cell.margin ?? 0), 0) : null;
    const clients = figures.cells.reduce((sum, cell) => sum + cell.clients, 0);
    const share = (part: number, whole: number | null): number | null => (whole === null || whole <= 0 ? null : part / whole);
    const matrix = SEGMENTS.map((segment): MatrixCellView => {
      const cell = figures.cells.find((c) => c.segment === segment) ?? { segment, clients: 0, revenue: 0, margin: marginKnown ? 0 : null };
      const view: MatrixCellView = { segment, clients: cell.clients, clientShare: clients === 0 ? null : cell.clients / clients };
      if (!money) return view;
      return {
        ...view,
        revenue: cell.revenue,
        revenueShare: share(cell.revenue, totalRevenue),
        margin: cell.margin,
        marginShare: cell.margin === null ? null : share(cell.margin, totalMargin),
      };
    });
    const aClients = figures.cells.filter((c) => c.segment.startsWith('A')).reduce((sum, c) => sum + c.clients, 0);
    const abClients = aClients + figures.cells.filter((c) => c.segment.startsWith('B')).reduce((sum, c) => sum + c.clients, 0);
    const abc: [number, number] = [run.params.abc[0] / 100, run.params.abc[1] / 100];
    return {
      run: {
        id: run.id,
        createdAt: run.createdAt.toISOString(),
        window: run.summary.window,
        metric: run.params.metric,
        abc,
      },
      previousRunId: previous?.id ?? null,
      scope: { ownerId, accounts: figures.accounts },
      totals: money ? { clients, revenue: totalRevenue, margin: totalMargin } : { clients },
      matrix,
      pareto: money
        ? {
          points: await readPareto(tx, run.id, scope, run.params.metric),
          cuts: { a: abc[0], b: abc[1] },
          clientCuts: { a: clients === 0 ? 0 : aClients / clients, b: clients === 0 ? 0 : abClients / clients },
        }
        : null,
      keyClients: money
        ? { count: figures.keyCount, valueShare: share(figures.keyRevenue, totalRevenue), band: [...KEY_BAND] }
        : { count: figures.keyCount, band: [...KEY_BAND] },
      types: figures.types,
      activity: figures.activity,
      transitions: previous === null ? null : await readTransitions(tx, previous, run, scope, money),
      growth: money ? await readGrowth(tx, run.id, scope) : null,
    };
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

/**
 * Every owner's portfolio in the run, side by side, for those who manage every account: each KAM
 * (also those without accounts), any other owner, and the accounts without one (ownerId null).
 */
export async function getKamPortfolios(db: Db, actor: Actor, query: z.input<typeof dashboardKamsQuerySchema> = {}): Promise<{ items: KamRow[] }> {
  if (!managesAccounts(actor)) throw new KamertonError('forbidden', 'Only a director or an administrator compares the KAMs\' portfolios.');
  const q = parseInput(dashboardKamsQuerySchema, query);
  return db.transaction(async (tx) => {
    const run = await loadRun(tx, q.runId);
    const runId = run?.id ?? 0;
    const { rows } = await tx.execute<{
      owner_id: string | null; name: string | null; accounts: number; revenue: string; margin: string | null;
      key_clients: number; a_clients: number; slipping: number; lost: number; total: string | null;
    }>(sql`
      with by_owner as (
        select a.owner_id, count(*)::int as accounts, sum(r.revenue) as revenue, sum(r.margin) as margin,
               (count(*) filter (where r.is_key))::int as key_clients, (count(*) filter (where r.abc = 'A'))::int as a_clients,
               (count(*) filter (where r.activity = 'slipping'))::int as slipping, (count(*) filter (where r.activity = 'lost'))::int as lost
          from analysis_results r join accounts a on a.id = r.account_id
         where r.run_id = ${runId} and r.segment is not null
         group by a.owner_id
      ), owners as (
        select owner_id from by_owner
        union select id from users where role = 'kam' and active
      )
      select o.owner_id, u.name, coalesce(b.accounts, 0) as accounts, coalesce(b.revenue, 0)::text as revenue, b.margin::text as margin,
             coalesce(b.key_clients, 0) as key_clients, coalesce(b.a_clients, 0) as a_clients,
             coalesce(b.slipping, 0) as slipping, coalesce(b.lost, 0) as lost,
             (select sum(revenue) from by_owner)::text as total
        from owners o left join by_owner b on b.owner_id is not distinct from o.owner_id
        left join users u on u.id = o.owner_id
       order by o.owner_id is null, coalesce(b.revenue, 0) desc, u.name, o.owner_id`);
    return {
      items: rows.map((row) => {
        const revenue = Number(row.revenue);
        const total = row.total === null ? 0 : Number(row.total);
        return {
          ownerId: row.owner_id,
          name: row.name,
          accounts: row.accounts,
          revenue,
          revenueShare: total > 0 ? revenue / total : null,
          margin: row.margin === null ? null : Number(row.margin),
          keyClients: row.key_clients,
          aClients: row.a_clients,
          slipping: row.slipping,
          lost: row.lost,
        };
      }),
    };
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

/** A condition on `accounts` that keeps the scope's accounts; undefined for the whole company. */
type Scope = SQL | undefined;

/**
 * The condition on `accounts` that keeps the scope's accounts, and the owner the scope names. A KAM's
 * scope is the accounts list's (owned or on the team); naming another owner is refused rather than
 * ignored, so that a KAM never believes they see a colleague's figures.
 */
function scopeOf(actor: Actor, ownerId: string | undefined): { scope: Scope; ownerId: string | null } {
  if (actor.role === 'kam') {
    if (ownerId !== undefined && ownerId !== actor.userId) {
      throw new KamertonError('forbidden', 'A KAM sees the dashboard of their own accounts only.', { field: 'ownerId', value: ownerId });
    }
    return { scope: accessibleAccountsCondition(actor) ?? sql`true`, ownerId: actor.userId };
  }
  if (ownerId === undefined) return { scope: undefined, ownerId: null };
  if (ownerId === 'unassigned') return { scope: sql`accounts.owner_id is null`, ownerId };
  return { scope: sql`accounts.owner_id = ${ownerId}`, ownerId };
}

async function loadRun(tx: Executor, runId: number | undefined): Promise<RunRow | null> {
  const { rows: [row] } = await tx.execute<{ id: string; created_at: Date | string; params: StoredParams; summary: RunRow['summary'] }>(
    runId === undefined
      ? sql`select id, created_at, params, summary from analysis_runs order by id desc limit 1`
      : sql`select id, created_at, params, summary from analysis_runs where id = ${runId}`,
  );
  if (row === undefined) {
    if (runId !== undefined) throw new KamertonError('not-found', 'Analysis run not found.', { field: 'runId', value: String(runId) });
    return null;
  }
  return { id: Number(row.id), createdAt: new Date(row.created_at), params: row.params, summary: row.summary };
}

async function previousRunOf(tx: Executor, runId: number): Promise<RunRow | null> {
  const { rows: [row] } = await tx.execute<{ id: string | null }>(sql`select max(id) as id from analysis_runs where id < ${runId}`);
  return row === undefined || row.id === null ? null : loadRun(tx, Number(row.id));
}

/**
 * The scope's results in run `runId` (the columns `columns` of `analysis_results r`), joined to their
 * accounts only when the scope needs it: the whole company's read the run's rows alone, which saves a
 * join of every account (a third of the time with 100,000 of them).
 */
function scopedResults(runId: number, scope: Scope, columns: SQL): SQL {
  return scope === undefined
    ? sql`select ${columns} from analysis_results r where r.run_id = ${runId}`
    : sql`select ${columns} from analysis_results r join accounts on accounts.id = r.account_id where r.run_id = ${runId} and ${scope}`;
}

type Figures = {
  accounts: number;
  cells: { segment: Segment; clients: number; revenue: number; margin: number | null }[];
  keyCount: number;
  keyRevenue: number;
  types: Record<KeyClientType, number>;
  activity: Record<Activity, number>;
};

/**
 * The matrix, the key clients, the types and the activity in one pass over the scope's results,
 * grouped by segment (the prospects typed from their dossier are the group without one). The key
 * clients are counted among the run's clients (those with a segment), as the analysis counts them;
 * the types among all the scope's results, prospects included, so that a count equals the accounts
 * list its link opens (`/accounts?type=...`).
 */
async function readFigures(tx: Executor, runId: number, scope: Scope): Promise<Figures> {
  const typeCounts = sql.join(KEY_CLIENT_TYPES.map((type) => sql`(count(*) filter (where ${type} = any(types)))::int`), sql`, `);
  const activityCounts = sql.join(ACTIVITIES.map((activity) => sql`(count(*) filter (where activity = ${activity}))::int`), sql`, `);
  const { rows } = await tx.execute<{
    segment: Segment | null; clients: number; revenue: string; margin: string | null; key_count: number; key_revenue: string | null;
    types: number[]; activity: number[];
  }>(sql`
    select segment, count(*)::int as clients, sum(revenue)::text as revenue, sum(margin)::text as margin,
           (count(*) filter (where is_key))::int as key_count, (sum(revenue) filter (where is_key))::text as key_revenue,
           array[${typeCounts}] as types, array[${activityCounts}] as activity
      from (${scopedResults(runId, scope, sql`r.segment, r.revenue, r.margin, r.is_key, r.types, r.activity`)}) as scoped
     group by segment`);
  const types = Object.fromEntries(KEY_CLIENT_TYPES.map((type) => [type, 0])) as Record<KeyClientType, number>;
  const activity = Object.fromEntries(ACTIVITIES.map((a) => [a, 0])) as Record<Activity, number>;
  let accounts = 0;
  let keyCount = 0;
  let keyRevenue = 0;
  const cells: Figures['cells'] = [];
  for (const row of rows) {
    accounts += row.clients;
    KEY_CLIENT_TYPES.forEach((type, i) => { types[type] += row.types[i] ?? 0; });
    ACTIVITIES.forEach((a, i) => { activity[a] += row.activity[i] ?? 0; });
    if (row.segment === null) continue;
    keyCount += row.key_count;
    keyRevenue += Number(row.key_revenue ?? 0);
    cells.push({ segment: row.segment, clients: row.clients, revenue: Number(row.revenue), margin: row.margin === null ? null : Number(row.margin) });
  }
  return { accounts, cells, keyCount, keyRevenue, types, activity };
}

/**
 * The Pareto curve of the scope's clients in ABC rank order: after each client, the share of the
 * scope's clients so far and the share of the scope's positive metric so far (a client at zero or
 * below adds nothing, as in the ABC analysis). Downsampled in SQL to every k-th client, the last one
 * always included, and starting at (0, 0).
 */
async function readPareto(tx: Executor, runId: number, scope: Scope, metric: 'revenue' | 'margin'): Promise<{ clientShare: number; valueShare: number }[]> {
  if (scope === undefined) return readCompanyPareto(tx, runId);
  const value = metric === 'margin' ? sql`greatest(coalesce(r.margin, 0), 0)` : sql`greatest(r.revenue, 0)`;
  // One sort by rank for the running sum; the count and the total come from a plain aggregate.
  const { rows } = await tx.execute<{ client_share: number; value_share: number }>(sql`
    with scoped as materialized (${scopedResults(runId, scope, sql`r.rank, ${value} as value`)} and r.rank is not null),
         whole as (select count(*) as total, sum(value) as positive from scoped),
         ranked as (
           select row_number() over w as n, sum(value) over w as running from scoped
           window w as (order by rank rows between unbounded preceding and current row)
         )
    select n::float8 / total as client_share, case when positive > 0 then (running / positive)::float8 else 0 end as value_share
      from ranked, whole
     where n = total or n % greatest(1, ceil(total / ${PARETO_POINTS}::numeric))::int = 0
     order by n`);
  return rows.length === 0 ? [] : [{ clientShare: 0, valueShare: 0 }, ...rows.map((r) => ({ clientShare: r.client_share, valueShare: r.value_share }))];
}

/**
 * The whole company's curve is the run's own: ranks are 1 to n in ABC order and each client's
 * cumulative share is stored, so every k-th client is read without sorting the run (a client at zero
 * or below is stored with cumulative share 0, and on the curve sits where every positive value is
 * already counted).
 */
async function readCompanyPareto(tx: Executor, runId: number): Promise<{ clientShare: number; valueShare: number }[]> {
  const { rows } = await tx.execute<{ client_share: number; value_share: number }>(sql`
    with whole as (
      select count(*) as total, coalesce(bool_or(share > 0), false) as positive from analysis_results where run_id = ${runId} and rank is not null
    )
    select r.rank::float8 / total as client_share,
           case when r.share > 0 then r.cumulative_share when positive then 1 else 0 end as value_share
      from analysis_results r, whole
     where r.run_id = ${runId} and r.rank is not null
       and (r.rank = total or r.rank % greatest(1, ceil(total / ${PARETO_POINTS}::numeric))::int = 0)
     order by r.rank`);
  return rows.length === 0 ? [] : [{ clientShare: 0, valueShare: 0 }, ...rows.map((r) => ({ clientShare: r.client_share, valueShare: r.value_share }))];
}

/**
 * The transitions from the previous run to this one over the scope's accounts (as they are owned
 * now), with the meaning of src/core/transitions.ts: the 9 x 9 matrix of the accounts in both runs,
 * those that entered and left, and the movers by the size of their revenue change, those without one
 * (entered, left) last, ties by account id. Without money, the movers are ordered by the size of their
 * change of buying frequency instead (as GET /analysis-runs/compare orders them), so the order does
 * not betray revenue.
 */
async function readTransitions(tx: Executor, before: RunRow, after: RunRow, scope: Scope, money: boolean): Promise<NonNullable<Dashboard['transitions']>> {
  const columns = sql`r.account_id, r.segment, r.revenue, r.active_periods`;
  const order = money
    ? sql`abs(revenue_change) desc nulls last, account_id`
    : sql`abs(frequency_change) desc nulls last, account_id`;
  // The pairs once, then both the 81 + 18 counts and the top movers from them: the two runs are
  // joined once, whatever their size.
  const { rows } = await tx.execute<{
    kind: 'count' | 'mover'; account_id: string | null; name: string | null; from_segment: Segment | null; to_segment: Segment | null;
    n: number; revenue_change: string | null;
  }>(sql`
    with earlier as (${scopedResults(before.id, scope, columns)} and r.segment is not null),
         later as (${scopedResults(after.id, scope, columns)} and r.segment is not null),
         pairs as materialized (
           select coalesce(later.account_id, earlier.account_id) as account_id, earlier.segment as from_segment, later.segment as to_segment,
                  later.revenue - earlier.revenue as revenue_change,
                  later.active_periods::float8 / ${after.summary.window.periods} - earlier.active_periods::float8 / ${before.summary.window.periods} as frequency_change
             from earlier full join later on later.account_id = earlier.account_id
         )
    select 'count' as kind, null::uuid as account_id, null as name, from_segment, to_segment, count(*)::int as n, null as revenue_change
      from pairs group by from_segment, to_segment
    union all
    select 'mover', m.account_id, a.name, m.from_segment, m.to_segment, 0, m.revenue_change::text
      from (select * from pairs where from_segment is distinct from to_segment order by ${order} limit ${TOP_MOVERS}) as m
      join accounts a on a.id = m.account_id`);
  const counts = rows.filter((row) => row.kind === 'count');
  const movers = rows.filter((row) => row.kind === 'mover');
  const matrix = Object.fromEntries(SEGMENTS.map((from) => [from, Object.fromEntries(SEGMENTS.map((to) => [to, 0]))])) as Record<Segment, Record<Segment, number>>;
  const entered = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
  const left = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
  let moved = 0;
  let stayed = 0;
  for (const { from_segment: from, to_segment: to, n } of counts) {
    if (from !== null && to !== null) {
      matrix[from][to] += n;
      if (from === to) stayed += n;
      else moved += n;
    } else if (to !== null) entered[to] += n;
    else if (from !== null) left[from] += n;
  }
  return {
    fromRunId: before.id,
    toRunId: after.id,
    matrix,
    entered,
    left,
    moved,
    stayed,
    movers: movers.map((m) => {
      const mover: Mover = { accountId: m.account_id ?? '', accountName: m.name ?? '', from: m.from_segment, to: m.to_segment };
      return money ? { ...mover, revenueChange: m.revenue_change === null ? null : Number(m.revenue_change) } : mover;
    }),
  };
}

/**
 * The scope's clients with the largest growth and the largest decline (docs/analysis.md, "Growth"):
 * leaders grew (growth above 0), decliners shrank (below 0); clients without a growth figure are in
 * neither. Ties by ABC rank.
 */
async function readGrowth(tx: Executor, runId: number, scope: Scope): Promise<NonNullable<Dashboard['growth']>> {
  const { rows } = await tx.execute<{ side: 'leader' | 'decliner'; account_id: string; name: string; revenue: string; growth: number }>(sql`
    with scoped as (
      ${scopedResults(runId, scope, sql`r.account_id, r.revenue, r.growth, r.rank`)} and r.growth is not null and r.growth <> 0 and r.segment is not null
    )
    select s.side, s.account_id, a.name, s.revenue::text as revenue, s.growth
      from ((select 'leader' as side, * from scoped where growth > 0 order by growth desc, rank limit ${TOP_GROWTH})
            union all
            (select 'decliner' as side, * from scoped where growth < 0 order by growth asc, rank limit ${TOP_GROWTH})) as s
      join accounts a on a.id = s.account_id
     order by s.side desc, case when s.side = 'leader' then -s.growth else s.growth end, s.rank`);
  const entry = (r: (typeof rows)[number]): GrowthEntry => ({ accountId: r.account_id, accountName: r.name, revenue: Number(r.revenue), growth: r.growth });
  return { leaders: rows.filter((r) => r.side === 'leader').map(entry), decliners: rows.filter((r) => r.side === 'decliner').map(entry) };
}

function emptyDashboard(ownerId: string | null, money: boolean): Dashboard {
  return {
    run: null,
    previousRunId: null,
    scope: { ownerId, accounts: 0 },
    totals: money ? { clients: 0, revenue: 0, margin: null } : { clients: 0 },
    matrix: SEGMENTS.map((segment) => (money
      ? { segment, clients: 0, clientShare: null, revenue: 0, revenueShare: null, margin: null, marginShare: null }
      : { segment, clients: 0, clientShare: null })),
    pareto: null,
    keyClients: money ? { count: 0, valueShare: null, band: [...KEY_BAND] } : { count: 0, band: [...KEY_BAND] },
    types: Object.fromEntries(KEY_CLIENT_TYPES.map((type) => [type, 0])) as Record<KeyClientType, number>,
    activity: Object.fromEntries(ACTIVITIES.map((activity) => [activity, 0])) as Record<Activity, number>,
    transitions: null,
    growth: null,
  };
}
