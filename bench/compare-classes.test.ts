import { describe, expect, it } from 'vitest';
import { compareClasses, type ClassedDocument } from './compare-classes.ts';
import type { PeerClient } from './duckdb-peer.ts';

const peer: PeerClient[] = [
  { client: 'a', revenue: 900, abc: 'A', cv: 0.05, xyz: 'X' },
  { client: 'b', revenue: 80, abc: 'B', cv: 0.2, xyz: 'Y' },
  { client: 'c', revenue: 20, abc: 'C', cv: 1, xyz: 'Z' },
];

function documentOf(clients: ClassedDocument['clients'], lines = 10, rejectedLines = 0): ClassedDocument {
  return { totals: { lines, rejectedLines }, clients };
}

describe('compareClasses', () => {
  it('finds nothing when every client has the same classes and every line was read', () => {
    const result = compareClasses(documentOf(peer), peer, 10);
    expect(result).toEqual({ problems: [], peerClients: 3, clients: 3 });
  });

  it('names a class that differs, a client on one side only, and lines not all read', () => {
    const mine = [{ ...peer[0]!, xyz: 'Y' as const }, peer[1]!, { client: 'd', revenue: 20, abc: 'C' as const, cv: 1, xyz: 'Z' as const }];
    const { problems } = compareClasses(documentOf(mine, 9, 1), peer, 10, 'the analysis run');
    expect(problems).toEqual([
      'the analysis run read 9 lines with 1 rejected; the ledger has 10, all good',
      'a: the analysis run AY (revenue 900, cv 0.05), DuckDB AX (revenue 900, cv 0.05)',
      "d: only in the analysis run's result",
      "c: only in DuckDB's result",
    ]);
  });
});
