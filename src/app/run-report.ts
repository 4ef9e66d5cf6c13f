/**
 * A kept analysis run as the workbook `kamerton analyze --format xlsx` writes (src/app/report-xlsx.ts):
 * the same sheets and columns, made from what the run stored, so that a manager downloads last
 * month's run and gets the figures that run gave, not a new analysis.
 *
 * The run's document is put back together from the run's summary (window, totals, matrix, key
 * clients) and its per-account results, in rank order, each named by the ERP code the analysis named
 * it by and the ledger's name for that code (account_codes.ledger_name, which is what the analysis
 * read). What a stored run cannot give: the rejected lines (an import keeps its own; the stored ledger
 * holds only accepted lines, so the run rejected none), and the ledger file's name, for which the
 * summary names the stored ledger and the last import the run saw. Accounts without purchases that
 * the dossier typed (rows without a rank) are not clients of the analysis and are left out, as the
 * run's JSON document leaves them out of `clients`.
 *
 * The workbook holds the whole company's money, so only those who manage every account get it. It is
 * written to a temporary file by the streaming writer and streamed from there: 100,000 clients cost
 * their rows in memory once (the document) and a few thousand rows of sheet XML, never the workbook.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type pg from 'pg';
import { dayFromCivil, formatDay, parseIsoDay } from '../core/calendar.ts';
import { KamertonError } from '../core/errors.ts';
import type { Activity, AnalysisParams, AbcClass, AnalysisResult, ClientResult, KeyClientType, Segment, XyzClass } from '../core/types.ts';
import type { Db } from '../db/client.ts';
import { analysisRuns, imports } from '../db/schema/index.ts';
import type { Actor } from './actor.ts';
import type { AnalysisDocument } from './analysis-document.ts';
import { writeXlsxReport } from './report-xlsx.ts';
import { assertManagesAccounts } from './roles.ts';
import type { StoredParams } from './run-analysis.ts';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type StoredSummary = Pick<AnalysisResult, 'window' | 'matrix' | 'keyClients'> & {
  totals: AnalysisResult['totals'] & { lines: number };
};

/** A stored run, back in the shape of `kamerton analyze`'s document, with the report's meta data. */
export type StoredRunDocument = { doc: AnalysisDocument; params: AnalysisParams; file: string; asOf: string };

/** The run's parameters with their days as the analysis takes them. */
export function analysisParamsOf(stored: StoredParams): AnalysisParams {
  return { ...stored, asOf: stored.asOf === null ? null : parseIsoDay(stored.asOf), from: stored.from === null ? null : parseIsoDay(stored.from) };
}

/** Reads a kept run back as its analysis document (see the module comment for what cannot be restored). */
export async function readRunDocument(db: Db, pool: pg.Pool, runId: number): Promise<StoredRunDocument> {
  const [run] = await db.select().from(analysisRuns).where(eq(analysisRuns.id, runId));
  if (run === undefined) throw new KamertonError('not-found', 'Analysis run not found.', { field: 'runId', value: String(runId) });
  const summary = run.summary as StoredSummary;
  const importRecord = run.importId === null
    ? undefined
    : (await db.select({ fileName: imports.fileName }).from(imports).where(eq(imports.id, run.importId)))[0];
  // Money comes back as text and is turned into numbers here: numeric(18,2) printed by PostgreSQL
  // parses to the same double the analysis computed.
  const { rows } = await pool.query<{
    client: string; name: string | null; revenue: string; margin: string | null; share: number; cumulative_share: number;
    abc: AbcClass; cv: number | null; active_periods: number; xyz: XyzClass; segment: Segment; types: KeyClientType[];
    is_key: boolean; first_purchase: string | null; last_purchase: string | null; days_since_last_purchase: number | null;
    activity: Activity; growth: number | null;
  }>(
    `select r.client, c.ledger_name as name, r.revenue::text as revenue, r.margin::text as margin, r.share, r.cumulative_share,
            r.abc, r.cv, r.active_periods, r.xyz, r.segment, r.types, r.is_key, to_char(r.first_purchase, 'YYYY-MM-DD') as first_purchase,
            to_char(r.last_purchase, 'YYYY-MM-DD') as last_purchase, r.days_since_last_purchase, r.activity, r.growth
       from analysis_results r left join account_codes c on c.code = r.client
      where r.run_id = $1 and r.rank is not null
      order by r.rank`,
    [runId],
  );
  const clients: ClientResult[] = rows.map((r) => ({
    client: r.client,
    name: r.name,
    revenue: Number(r.revenue),
    margin: r.margin === null ? null : Number(r.margin),
    share: r.share,
    cumulativeShare: r.cumulative_share,
    abc: r.abc,
    cv: r.cv,
    activePeriods: r.active_periods,
    xyz: r.xyz,
    segment: r.segment,
    types: r.types,
    isKey: r.is_key,
    firstPurchase: r.first_purchase,
    lastPurchase: r.last_purchase,
    daysSinceLastPurchase: r.days_since_last_purchase,
    activity: r.activity,
    growth: r.growth,
  }));
  const doc: AnalysisDocument = {
    window: summary.window,
    totals: {
      lines: summary.totals.lines,
      rejectedLines: 0,
      linesOutsideWindow: summary.totals.linesOutsideWindow,
      clients: summary.totals.clients,
      revenue: summary.totals.revenue,
      margin: summary.totals.margin,
    },
    matrix: summary.matrix,
    keyClients: summary.keyClients,
    clients,
    errors: [],
  };
  const file = run.importId === null
    ? `the stored ledger (analysis run ${runId})`
    : `the stored ledger as of import ${run.importId}${importRecord === undefined ? '' : ` (${importRecord.fileName})`} (analysis run ${runId})`;
  return { doc, params: analysisParamsOf(run.params as StoredParams), file, asOf: summary.window.asOf };
}

export type RunReport = { fileName: string; contentType: string; stream: ReadStream };

/**
 * The run's workbook as a stream of its temporary file, which is deleted once the stream closes
 * (sent, or abandoned by a client that went away). `generatedOn` is the caller's date (no clock here).
 */
export async function runReport(db: Db, pool: pg.Pool, actor: Actor, runId: number, generatedOn: string = today()): Promise<RunReport> {
  assertManagesAccounts(actor, 'download an analysis run\'s report (it holds the whole company\'s money)');
  const stored = await readRunDocument(db, pool, runId);
  const dir = await mkdtemp(join(tmpdir(), 'kamerton-report-'));
  const path = join(dir, 'report.xlsx');
  try {
    await writeXlsxReport(path, stored.doc, { file: stored.file, params: stored.params, generatedOn });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const stream = createReadStream(path);
  stream.once('close', () => {
    void rm(dir, { recursive: true, force: true });
  });
  return { fileName: `kamerton-analysis-${runId}-${stored.asOf}.xlsx`, contentType: XLSX_CONTENT_TYPE, stream };
}

/** The server's date, as the command line dates its reports (the machine's time zone). */
function today(): string {
  const now = new Date();
  return formatDay(dayFromCivil(now.getFullYear(), now.getMonth() + 1, now.getDate()));
}
