/**
 * The published result of `kamerton analyze --format json` (schema: docs/analysis-result.schema.json).
 * The server's analysis runs print the same shape, so that a run over the stored ledger can be
 * compared line for line with the file's analysis.
 */
import type { AnalysisResult } from '../core/types.ts';
import type { RowError } from '../ingest/types.ts';

export type AnalysisDocument = {
  window: AnalysisResult['window'];
  totals: {
    /** Data lines read, the header not counted, good and bad. */
    lines: number;
    rejectedLines: number;
    linesOutsideWindow: number;
    clients: number;
    revenue: number;
    margin: number | null;
  };
  matrix: AnalysisResult['matrix'];
  keyClients: AnalysisResult['keyClients'];
  clients: AnalysisResult['clients'];
  /** The first 1,000 rejected lines, in line order. */
  errors: RowError[];
};

/**
 * The published document of an analysis: the core's result with how many lines were read and which
 * were rejected (a file's reading, or the stored ledger's lines and none).
 */
export function toDocument(result: AnalysisResult, read: { lines: number; rejectedLines: number; errors: RowError[] }): AnalysisDocument {
  return {
    window: result.window,
    totals: {
      lines: read.lines,
      rejectedLines: read.rejectedLines,
      linesOutsideWindow: result.totals.linesOutsideWindow,
      clients: result.totals.clients,
      revenue: result.totals.revenue,
      margin: result.totals.margin,
    },
    matrix: result.matrix,
    keyClients: result.keyClients,
    clients: result.clients,
    errors: read.errors,
  };
}
