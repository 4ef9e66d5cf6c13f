import { describe, expect, it } from 'vitest';
import {
  describeWaves,
  formatDashboardTable,
  groupIntoWaves,
  manifestMatches,
  summariseRounds,
  type Manifest,
  type Round,
} from './dashboard-bench.ts';

describe('the waves of the page\'s calls', () => {
  it('puts calls sent together in one wave, and a call sent after they all answered in the next', () => {
    // The app's start: the session and the setup together; then the page's two queries together.
    const waves = groupIntoWaves([
      { path: '/api/v1/dashboard', startMs: 410, endMs: 900 },
      { path: '/api/v1/auth/session', startMs: 300, endMs: 340 },
      { path: '/api/v1/setup', startMs: 301, endMs: 335 },
      { path: '/api/v1/dashboard/kams', startMs: 412, endMs: 700 },
    ]);
    expect(waves).toEqual([['/api/v1/auth/session', '/api/v1/setup'], ['/api/v1/dashboard', '/api/v1/dashboard/kams']]);
  });

  it('keeps a call in the wave while any call of it is still running, even after the first answered', () => {
    const waves = groupIntoWaves([
      { path: '/a', startMs: 0, endMs: 100 },
      { path: '/b', startMs: 5, endMs: 500 },
      { path: '/c', startMs: 200, endMs: 300 },
      { path: '/d', startMs: 500, endMs: 600 },
    ]);
    expect(waves).toEqual([['/a', '/b', '/c'], ['/d']]);
  });

  it('refuses a call with no answer time rather than guess its wave', () => {
    expect(() => groupIntoWaves([{ path: '/a', startMs: 0, endMs: Number.NaN }])).toThrow(/\/a has no answer time/);
  });

  it('are described without the prefix, in a fixed order within a wave', () => {
    expect(describeWaves([['/api/v1/setup', '/api/v1/auth/session'], ['/api/v1/dashboard']])).toBe('/auth/session + /setup, then /dashboard');
  });
});

describe('the table', () => {
  const round = (user: Round['user'], pageMs: number, peerMs: number): Round => ({
    user, view: 'dashboard', pageMs, wallMs: pageMs + 50, firstCallMs: 200, pageApiMs: peerMs + 10, peerMs, errors: 0,
  });

  it('gives the medians, their ranges, the ratio of the medians and the range of each round\'s ratio', () => {
    const [row] = summariseRounds([round('kam', 1000, 100), round('kam', 1200, 300), round('kam', 900, 200)]);
    expect(row).toMatchObject({
      user: 'kam', view: 'dashboard', runs: 3,
      page: { median: 1000, min: 900, max: 1200 },
      peer: { median: 200, min: 100, max: 300 },
      ratio: 5, roundRatios: { min: 4, max: 10 }, wall: 1050, firstCall: 200, pageApi: 210, errors: 0,
    });
  });

  it('lists the director before the KAM and leaves out what was not measured', () => {
    const rows = summariseRounds([round('kam', 1000, 100), round('director', 2000, 400)]);
    expect(rows.map((row) => `${row.user}/${row.view}`)).toEqual(['director/dashboard', 'kam/dashboard']);
    const table = formatDashboardTable(rows, new Map([['kam/dashboard', '/dashboard']]));
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('| KAM | /dashboard until the ABC-XYZ matrix | /dashboard | 1 | 1000 | 1000-1000 | 1050 | 200 | 110 | 100 | 100-100 | 10.00x | 10.00-10.00x |');
  });
});

describe('a loaded database', () => {
  const wanted: Manifest = {
    loader: 1, generator: 2, kams: 20, schema: 'abc',
    ledger: { lines: 1_000_000, clients: 20_000, seed: 1, from: '2023-01-01', to: '2025-12-31' },
  };

  it('is reused only when its comment is the manifest wanted', () => {
    expect(manifestMatches(JSON.stringify(wanted), wanted)).toBe(true);
    expect(manifestMatches(JSON.stringify({ ...wanted, loader: 0 }), wanted)).toBe(false);
    expect(manifestMatches(JSON.stringify({ ...wanted, ledger: { ...wanted.ledger, lines: 10_000_000 } }), wanted)).toBe(false);
  });

  it('is loaded again when it has no comment or another one', () => {
    expect(manifestMatches(null, wanted)).toBe(false);
    expect(manifestMatches('made by hand', wanted)).toBe(false);
  });
});
