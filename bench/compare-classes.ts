/**
 * The check that makes a timing count: client by client, the ABC and XYZ classes Kamerton gave (in
 * `kamerton analyze`'s JSON shape, which `kamerton analysis run --format json` shares) against the
 * DuckDB peer's, and every line of the ledger read with none rejected. A fast wrong answer does not count.
 */
import { readFileSync } from 'node:fs';
import type { AnalysisDocument } from '../src/app/analysis-document.ts';
import { parsePeerOutput, type PeerClient } from './duckdb-peer.ts';

export type ClassComparison = {
  /** Every disagreement, in words; empty when the two agree. */
  problems: string[];
  /** Clients in DuckDB's result, and in Kamerton's. */
  peerClients: number;
  clients: number;
};

/** The part of the document the check reads. */
export type ClassedDocument = {
  totals: Pick<AnalysisDocument['totals'], 'lines' | 'rejectedLines'>;
  clients: readonly Pick<AnalysisDocument['clients'][number], 'client' | 'abc' | 'xyz' | 'revenue' | 'cv'>[];
};

/** `name` is the program as the problems name it ("Kamerton", "the analysis run"). */
export function compareClasses(document: ClassedDocument, peer: readonly PeerClient[], ledgerLines: number, name = 'Kamerton'): ClassComparison {
  const byClient = new Map<string, PeerClient>(peer.map((c) => [c.client, c]));
  const problems: string[] = [];
  if (document.totals.lines !== ledgerLines || document.totals.rejectedLines !== 0) {
    problems.push(`${name} read ${document.totals.lines} lines with ${document.totals.rejectedLines} rejected; the ledger has ${ledgerLines}, all good`);
  }
  const seen = new Set<string>();
  for (const mine of document.clients) {
    seen.add(mine.client);
    const theirs = byClient.get(mine.client);
    if (theirs === undefined) {
      problems.push(`${mine.client}: only in ${name}'s result`);
    } else if (mine.abc !== theirs.abc || mine.xyz !== theirs.xyz) {
      problems.push(
        `${mine.client}: ${name} ${mine.abc}${mine.xyz} (revenue ${mine.revenue}, cv ${mine.cv}), ` +
          `DuckDB ${theirs.abc}${theirs.xyz} (revenue ${theirs.revenue}, cv ${theirs.cv})`,
      );
    }
  }
  for (const client of byClient.keys()) if (!seen.has(client)) problems.push(`${client}: only in DuckDB's result`);
  return { problems, peerClients: byClient.size, clients: document.clients.length };
}

/**
 * Compares Kamerton's JSON at `documentPath` with DuckDB's classes at `peerPath`, prints the outcome and
 * up to ten disagreements, and returns the number of disagreements.
 */
export function compareClassFiles(documentPath: string, peerPath: string, ledgerLines: number, log: (line: string) => void, name = 'Kamerton'): number {
  const document = JSON.parse(readFileSync(documentPath, 'utf8')) as AnalysisDocument;
  const peer = parsePeerOutput(readFileSync(peerPath, 'utf8'));
  const { problems, peerClients, clients } = compareClasses(document, peer, ledgerLines, name);
  log(`  classes: ${peerClients} clients from DuckDB, ${clients} from ${name}, ${problems.length} mismatches`);
  for (const problem of problems.slice(0, 10)) log(`    ${problem}`);
  return problems.length;
}
