import { describe, expect, it } from 'vitest';
import { COLUMN_WIDTH, layoutForest, ROW_HEIGHT } from './layout.ts';

describe('the decision map layout', () => {
  it('puts managers above their reports, centred over them, and every person once', () => {
    const positions = layoutForest([
      { id: 'ceo', reportsToId: null },
      { id: 'cfo', reportsToId: 'ceo' },
      { id: 'cto', reportsToId: 'ceo' },
      { id: 'buyer', reportsToId: 'cfo' },
      { id: 'engineer', reportsToId: 'cto' },
      { id: 'outsider', reportsToId: null },
    ]);
    expect(positions.size).toBe(6);
    expect(positions.get('ceo')!.y).toBe(0);
    expect(positions.get('cfo')!.y).toBe(ROW_HEIGHT);
    expect(positions.get('buyer')!.y).toBe(2 * ROW_HEIGHT);
    expect(positions.get('ceo')!.x).toBe((positions.get('cfo')!.x + positions.get('cto')!.x) / 2);
    const xs = [...positions.values()].filter((p) => p.depth === 2).map((p) => p.x);
    expect(new Set(xs).size).toBe(xs.length);
    expect(positions.get('outsider')!.x).toBeGreaterThanOrEqual(2 * COLUMN_WIDTH);
  });

  it('places people on a loop or under a missing manager instead of losing them', () => {
    const positions = layoutForest([
      { id: 'a', reportsToId: 'b' },
      { id: 'b', reportsToId: 'a' },
      { id: 'c', reportsToId: 'gone' },
      { id: 'd', reportsToId: 'd' },
    ]);
    expect([...positions.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
