/**
 * The benchmark's peer: DuckDB reading the ledger with `read_csv` and classing every client by ABC
 * (revenue) and XYZ (coefficient of variation per month) with the definitions of docs/analysis.md, in
 * plain SQL. Money is summed exactly (DECIMAL read, integer minor units summed as HUGEINT), and both
 * cut-off rules are decided in integer arithmetic, so a client at a tie or exactly at a cut-off gets
 * the class Kamerton gives it and the two can be compared client by client.
 *
 * Run as a script (`node --import tsx bench/duckdb-peer.ts LEDGER.csv OUT.jsonl`) it writes one JSON
 * object per client, `{client, revenue, abc, cv, xyz}`, to OUT.jsonl; the benchmark runs it in a child
 * process of its own so that DuckDB's time and memory are measured apart from everything else.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { pathToFileURL } from 'node:url';

export type PeerThresholds = {
  /** ABC cut-offs in percent: A while the share ranked before is under abc[0], B under abc[1]. */
  abc: [number, number];
  /** XYZ cut-offs on the coefficient of variation in percent: X up to xyz[0], Y up to xyz[1]. */
  xyz: [number, number];
};

export const PEER_DEFAULTS: PeerThresholds = { abc: [80, 95], xyz: [10, 25] };

/** One client as the peer classes it. */
export type PeerClient = { client: string; revenue: number; abc: 'A' | 'B' | 'C'; cv: number | null; xyz: 'X' | 'Y' | 'Z' };

/** Reads the peer's output file: the clients in ABC rank order. */
export function parsePeerOutput(text: string): PeerClient[] {
  return text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as PeerClient);
}

/** A string literal for DuckDB SQL. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function wholePercent(value: number): number {
  // The cut-off tests below multiply by these in integer arithmetic; a fraction would need rationals.
  if (!Number.isInteger(value) || value < 0 || value > 100) throw new Error(`the DuckDB peer takes whole percents, got ${value}`);
  return value;
}

/**
 * The query that classes every client of the ledger at `ledgerPath`, one row per client in ABC rank
 * order: `client, revenue` (major units, exact), `abc`, `cv` (a double, for reading only; null when the
 * mean is zero or less) and `xyz`.
 *
 * The window is Kamerton's default: months from the month of the first line to the month of the last
 * date, every line counted. With n months, S1 the client's revenue and S2 the sum of its squared
 * monthly revenues (months without lines add nothing), the population variance is (n*S2 - S1^2) / n^2
 * and the mean S1 / n, so cv <= t/100 exactly when (n*S2 - S1^2) * 100^2 <= t^2 * S1^2 for S1 > 0.
 * Ties in revenue are ranked by client identifier in DuckDB's default collation, which compares the
 * UTF-8 bytes, that is code-point order, like Kamerton.
 */
export function classifySql(ledgerPath: string, thresholds: PeerThresholds = PEER_DEFAULTS): string {
  const [a, b] = thresholds.abc.map(wholePercent) as [number, number];
  const [x, y] = thresholds.xyz.map(wholePercent) as [number, number];
  return `
WITH lines AS (
  SELECT date, client_id, revenue
  FROM read_csv(${sqlString(ledgerPath)}, header = true, delim = ',', quote = '"',
    columns = {'date': 'DATE', 'client_id': 'VARCHAR', 'product_id': 'VARCHAR', 'quantity': 'DOUBLE',
               'revenue': 'DECIMAL(18,2)', 'cost': 'DECIMAL(18,2)'})
),
monthly AS (
  SELECT client_id, date_trunc('month', date) AS month, CAST(sum(revenue) * 100 AS HUGEINT) AS minor
  FROM lines
  GROUP BY client_id, month
),
window_months AS (
  SELECT CAST(datediff('month', min(date), max(date)) + 1 AS HUGEINT) AS n FROM lines
),
per_client AS (
  SELECT client_id, sum(minor) AS s1, sum(minor * minor) AS s2
  FROM monthly
  GROUP BY client_id
),
ranked AS (
  SELECT client_id, s1, s2,
    coalesce(sum(s1) OVER (ORDER BY s1 DESC, client_id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before,
    row_number() OVER (ORDER BY s1 DESC, client_id) AS rank
  FROM per_client
),
positive AS (
  SELECT coalesce(sum(s1) FILTER (WHERE s1 > 0), 0) AS p FROM per_client
)
SELECT
  client_id AS client,
  CAST(s1 AS DECIMAL(38,0)) / 100 AS revenue,
  CASE WHEN s1 <= 0 THEN 'C'
       WHEN before * 100 < ${a} * p THEN 'A'
       WHEN before * 100 < ${b} * p THEN 'B'
       ELSE 'C' END AS abc,
  CASE WHEN s1 <= 0 THEN NULL
       ELSE sqrt(CAST(n * s2 - s1 * s1 AS DOUBLE)) / CAST(s1 AS DOUBLE) END AS cv,
  CASE WHEN s1 <= 0 THEN 'Z'
       WHEN (n * s2 - s1 * s1) * 10000 <= ${x * x} * s1 * s1 THEN 'X'
       WHEN (n * s2 - s1 * s1) * 10000 <= ${y * y} * s1 * s1 THEN 'Y'
       ELSE 'Z' END AS xyz
FROM ranked, positive, window_months
ORDER BY rank`;
}

/** Classes the ledger's clients with DuckDB and writes them to `outPath`, a JSON object per line in rank order. */
export async function classifyWithDuckDb(ledgerPath: string, outPath: string, thresholds: PeerThresholds = PEER_DEFAULTS): Promise<void> {
  // Default settings, threads included: DuckDB uses every core, as a user running it would.
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (${classifySql(ledgerPath, thresholds)}) TO ${sqlString(outPath)} (FORMAT json)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [ledgerPath, outPath] = process.argv.slice(2);
  if (!ledgerPath || !outPath) {
    console.error('usage: node --import tsx bench/duckdb-peer.ts LEDGER.csv OUT.jsonl');
    process.exit(2);
  }
  await classifyWithDuckDb(ledgerPath, outPath);
}
