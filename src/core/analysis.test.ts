import { describe, expect, it } from 'vitest';
import { analyzeLedger } from './analysis.ts';
import { parseIsoDay } from './calendar.ts';
import { DailyLedgerBuilder } from './daily-ledger.ts';
import { isKamertonError } from './errors.ts';
import type { AnalysisParams, AnalysisResult, ClientResult, DailyLedger, DossierFacts } from './types.ts';
import { DEFAULT_ANALYSIS_PARAMS } from './types.ts';

/** A ledger line: client, ISO date, revenue and margin in grosze. */
type Line = [client: string, date: string, revenue: number, margin?: number];

function day(iso: string): number {
  const d = parseIsoDay(iso);
  if (d === null) throw new Error(`bad test date ${iso}`);
  return d;
}

function ledgerOf(lines: Line[], hasMargin = true): DailyLedger {
  const builder = new DailyLedgerBuilder(hasMargin);
  for (const [client, date, revenue, margin] of lines) builder.add(client, null, day(date), revenue, margin ?? 0);
  return builder.build();
}

function params(overrides: Partial<AnalysisParams> = {}): AnalysisParams {
  return { ...DEFAULT_ANALYSIS_PARAMS, ...overrides };
}

function byClient(result: AnalysisResult): Map<string, ClientResult> {
  return new Map(result.clients.map((c) => [c.client, c]));
}

function client(result: AnalysisResult, code: string): ClientResult {
  const found = byClient(result).get(code);
  if (found === undefined) throw new Error(`no client ${code} in the result`);
  return found;
}

function expectInvalid(run: () => unknown, field: string): void {
  try {
    run();
  } catch (error) {
    expect(isKamertonError(error)).toBe(true);
    if (isKamertonError(error)) {
      expect(error.code).toBe('invalid-input');
      expect(error.details.field).toBe(field);
    }
    return;
  }
  throw new Error(`expected invalid-input on ${field}`);
}

describe('analyzeLedger: ABC', () => {
  it('ranks ties by client code point and classes a client exactly at the 80% and 95% cut-offs by the rule', () => {
    // One month; revenue (grosze): X1 700, X3 100, X2 100, X5 50, X4 50, Z0 0, R -30 (a return only).
    // Rank: X1, X2, X3 (tie by code point), X4, X5, Z0, R. P = 1000.
    // before / P: X1 0 -> A; X2 70% -> A; X3 80% (not under 80) -> B; X4 90% -> B; X5 95% -> C.
    // Z0 (0) and R (-30) are C with share 0. Total revenue 1000 - 30 = 970 grosze = 9.70.
    const result = analyzeLedger(ledgerOf([
      ['X1', '2024-03-04', 700], ['X3', '2024-03-05', 100], ['X2', '2024-03-06', 100],
      ['X5', '2024-03-07', 50], ['X4', '2024-03-08', 50], ['Z0', '2024-03-09', 0], ['R', '2024-03-10', -30],
    ]), params());
    expect(result.clients.map((c) => [c.client, c.abc])).toEqual([
      ['X1', 'A'], ['X2', 'A'], ['X3', 'B'], ['X4', 'B'], ['X5', 'C'], ['Z0', 'C'], ['R', 'C'],
    ]);
    expect(result.clients.map((c) => c.share)).toEqual([0.7, 0.1, 0.1, 0.05, 0.05, 0, 0]);
    expect(result.clients.map((c) => c.cumulativeShare)).toEqual([0.7, 0.8, 0.9, 0.95, 1, 0, 0]);
    expect(result.totals.revenue).toBe(9.7);
    expect(client(result, 'X1').revenue).toBe(7);
  });

  it('uses plain code-point order for ties, not the locale', () => {
    // Equal revenue: 'B' (U+0042) < 'a' (U+0061) < 'Ą' (U+0104); a locale would put a first.
    const result = analyzeLedger(ledgerOf([['a', '2024-01-02', 100], ['Ą', '2024-01-02', 100], ['B', '2024-01-02', 100]]), params());
    expect(result.clients.map((c) => c.client)).toEqual(['B', 'a', 'Ą']);
  });

  it('classes by margin with negative margins as C with share 0', () => {
    // Margins: M1 600, M2 400, N1 -500 (sold at a loss), N2 0. P = 600 + 400 = 1000.
    // M1 before 0 -> A (share 0.6); M2 before 60% -> A (0.4, cumulative 1); N2 and N1 are C, share 0.
    // Ranking by margin puts N2 (0) before N1 (-500) although N1 has more revenue.
    const result = analyzeLedger(ledgerOf([
      ['M1', '2024-01-10', 1_000, 600], ['M2', '2024-01-10', 2_000, 400],
      ['N1', '2024-01-10', 5_000, -500], ['N2', '2024-01-10', 100, 0],
    ]), params({ metric: 'margin' }));
    expect(result.clients.map((c) => [c.client, c.abc, c.share, c.cumulativeShare])).toEqual([
      ['M1', 'A', 0.6, 0.6], ['M2', 'A', 0.4, 1], ['N2', 'C', 0, 0], ['N1', 'C', 0, 0],
    ]);
    // Total margin 600 + 400 - 500 + 0 = 500 grosze.
    expect(result.totals.margin).toBe(5);
    expect(client(result, 'N1').margin).toBe(-5);
  });
});

describe('analyzeLedger: window and periods', () => {
  it('runs from the start of the first period to the end of the as-of period, which counts even when partial', () => {
    // Lines from 2024-01-15 to 2024-03-10: from 2024-01-01, to 2024-03-31, 3 months; as-of is the last line.
    const result = analyzeLedger(ledgerOf([['K', '2024-01-15', 100], ['K', '2024-03-10', 100]]), params());
    expect(result.window).toEqual({ from: '2024-01-01', to: '2024-03-31', period: 'month', periods: 3, asOf: '2024-03-10' });
    // February has no purchase: 2 of 3 periods = 66.7% -> Y (X needs 90%, Y 50%).
    expect(client(result, 'K').activePeriods).toBe(2);
    expect(client(result, 'K').xyz).toBe('Y');
    // cv over 100, 0, 100: mean 200/3; SSD = (100/3)^2 + (200/3)^2 + (100/3)^2 = 60000/9;
    // SD = sqrt(SSD / 3) = sqrt(20000) / 3 = 47.14; cv = 47.14 / 66.67 = sqrt(2) / 2.
    expect(client(result, 'K').cv).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('starts weeks on Monday and leaves lines outside --from and --as-of out, counting them', () => {
    // 2023-12-31 is a Sunday, 2024-01-01 a Monday. --from 2024-01-03 (Wednesday) snaps to Monday 2024-01-01.
    // --as-of 2024-01-10 (Wednesday): to = Sunday 2024-01-14, 2 weeks, the second partial.
    // Outside: W's Sunday line (before from), and two lines on 2024-01-11 (after asOf). Late has no
    // line in the window, so it is not in the result at all.
    const result = analyzeLedger(ledgerOf([
      ['W', '2023-12-31', 400], ['W', '2024-01-01', 100], ['W', '2024-01-08', 100], ['W', '2024-01-11', 999],
      ['Late', '2024-01-11', 500],
    ]), params({ period: 'week', from: day('2024-01-03'), asOf: day('2024-01-10') }));
    expect(result.window).toEqual({ from: '2024-01-01', to: '2024-01-14', period: 'week', periods: 2, asOf: '2024-01-10' });
    expect(result.totals).toEqual({ clients: 1, revenue: 2, margin: 0, linesInWindow: 2, linesOutsideWindow: 3 });
    expect(result.clients.map((c) => c.client)).toEqual(['W']);
    // Both weeks have a purchase: 2/2 -> X; cv of 100, 100 is 0. History reaches before --from.
    expect(client(result, 'W')).toMatchObject({ activePeriods: 2, xyz: 'X', cv: 0, firstPurchase: '2023-12-31' });
  });

  it('makes quarters of three calendar months', () => {
    // Lines 2024-02-15 and 2024-07-01, as-of 2024-08-15: from 2024-01-01 to 2024-09-30, 3 quarters.
    // Q2 is empty: activePeriods 2 of 3 -> Y; per quarter 300, 0, 600: mean 300,
    // SD sqrt((0 + 300^2 + 300^2) / 3) = sqrt(60000) = 244.95, cv = 0.8165 = sqrt(2/3).
    const result = analyzeLedger(ledgerOf([['Q', '2024-02-15', 300], ['Q', '2024-07-01', 600]]), params({ period: 'quarter', asOf: day('2024-08-15') }));
    expect(result.window).toEqual({ from: '2024-01-01', to: '2024-09-30', period: 'quarter', periods: 3, asOf: '2024-08-15' });
    expect(client(result, 'Q')).toMatchObject({ activePeriods: 2, xyz: 'Y' });
    expect(client(result, 'Q').cv).toBeCloseTo(Math.sqrt(2 / 3), 12);
  });

  it('handles a one-period window', () => {
    // Everything in January: 1 period; a client who bought is 1/1 = 100% -> X, cv 0 (one value).
    const result = analyzeLedger(ledgerOf([['A', '2024-01-05', 100], ['A', '2024-01-20', 50], ['B', '2024-01-31', 10]]), params({ xyzMode: 'cv' }));
    expect(result.window.periods).toBe(1);
    expect(result.clients.map((c) => [c.client, c.activePeriods, c.cv, c.xyz])).toEqual([['A', 1, 0, 'X'], ['B', 1, 0, 'X']]);
  });

  it('counts returns in revenue but not as purchases', () => {
    // January: purchase 1000; February: a return of -300 only; March: a day with 500 and a -200 return.
    // Revenue 1000 - 300 + 300 = 1000 grosze = 10; purchase days 2024-01-05 and 2024-03-08, so
    // activePeriods 2 of 3 (February holds no purchase day) and lastPurchase 2024-03-08.
    const result = analyzeLedger(ledgerOf([
      ['K', '2024-01-05', 1_000], ['K', '2024-02-10', -300], ['K', '2024-03-08', 500], ['K', '2024-03-08', -200],
    ]), params());
    expect(client(result, 'K')).toMatchObject({
      revenue: 10, activePeriods: 2, firstPurchase: '2024-01-05', lastPurchase: '2024-03-08', daysSinceLastPurchase: 0,
    });
    // cv over 1000, -300, 300: S1 = 1000, mean 1000/3; SSD = (2000/3)^2 + (1900/3)^2 + (100/3)^2 = 7,620,000/9;
    // cv = sqrt(SSD / 3) / mean = sqrt(7,620,000 / 27) / (1000/3) = 1.5937.
    expect(client(result, 'K').cv).toBeCloseTo(Math.sqrt(7_620_000 / 27) / (1000 / 3), 12);
    expect(result.totals.linesInWindow).toBe(4);
  });

  it('classes a client exactly at an XYZ cut-off in both modes', () => {
    // Frequency: ten months, 2024-01 to 2024-10 (the last line sets the as-of date).
    // F9 buys in 9 months (90% -> X), F5 in 5 (50% -> Y), F4 in 4 (40% -> Z).
    const months = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'];
    const lines: Line[] = [];
    months.slice(0, 9).forEach((m) => lines.push(['F9', `2024-${m}-15`, 100]));
    months.slice(0, 5).forEach((m) => lines.push(['F5', `2024-${m}-15`, 100]));
    months.slice(0, 4).forEach((m) => lines.push(['F4', `2024-${m}-15`, 100]));
    lines.push(['Last', '2024-10-31', 1]);
    const frequency = analyzeLedger(ledgerOf(lines), params());
    expect(frequency.window.periods).toBe(10);
    expect([client(frequency, 'F9').xyz, client(frequency, 'F5').xyz, client(frequency, 'F4').xyz]).toEqual(['X', 'Y', 'Z']);
    expect(client(frequency, 'F9').activePeriods).toBe(9);

    // cv mode over two months: 1100, 900 -> cv = 100 / 1000 = 10% exactly -> X;
    // 1250, 750 -> 250 / 1000 = 25% -> Y; 1300, 700 -> 30% -> Z. A client with no purchase in
    // the second month: 500, 0 -> cv 1 -> Z. Frequency mode reports the same cv.
    const cvLedger = ledgerOf([
      ['C10', '2024-01-10', 1_100], ['C10', '2024-02-10', 900],
      ['C25', '2024-01-10', 1_250], ['C25', '2024-02-10', 750],
      ['C30', '2024-01-10', 1_300], ['C30', '2024-02-10', 700],
      ['C0', '2024-01-10', 500],
    ]);
    const cv = analyzeLedger(cvLedger, params({ xyzMode: 'cv' }));
    expect(['C10', 'C25', 'C30', 'C0'].map((c) => client(cv, c).xyz)).toEqual(['X', 'Y', 'Z', 'Z']);
    expect(client(cv, 'C10').cv).toBeCloseTo(0.1, 15);
    expect(client(cv, 'C0').cv).toBe(1);
    const sameInFrequency = analyzeLedger(cvLedger, params());
    expect(client(sameInFrequency, 'C25').cv).toBe(client(cv, 'C25').cv);
    // In frequency mode C0 bought in 1 of 2 months: 50% -> Y exactly at the Y cut-off.
    expect(client(sameInFrequency, 'C0').xyz).toBe('Y');
  });

  it('gives a client with revenue zero or less per period cv null and class Z in cv mode', () => {
    // January 500, February -500: mean 0 -> cv null -> Z.
    const result = analyzeLedger(ledgerOf([['K', '2024-01-10', 500], ['K', '2024-02-10', -500]]), params({ xyzMode: 'cv' }));
    expect(client(result, 'K')).toMatchObject({ cv: null, xyz: 'Z', activePeriods: 1 });
  });
});

describe('analyzeLedger: matrix and key clients', () => {
  it('fills all nine cells with clients, money and shares', () => {
    // One month. Revenue: A1 600 (margin 200), A2 300 (margin 50), B1 100 (margin -50). P = 1000.
    // A1 before 0 -> A, A2 before 60% -> A, B1 before 90% -> B. All bought in the one month -> X.
    // Total margin 200 + 50 - 50 = 200: AX holds 250/200 of it, BX -50/200.
    const result = analyzeLedger(ledgerOf([['A1', '2024-01-02', 600, 200], ['A2', '2024-01-03', 300, 50], ['B1', '2024-01-04', 100, -50]]), params());
    expect(result.matrix.AX).toEqual({ clients: 2, revenue: 9, margin: 2.5, revenueShare: 0.9, marginShare: 1.25 });
    expect(result.matrix.BX).toEqual({ clients: 1, revenue: 1, margin: -0.5, revenueShare: 0.1, marginShare: -0.25 });
    expect(result.matrix.BY).toEqual({ clients: 0, revenue: 0, margin: 0, revenueShare: 0, marginShare: 0 });
    expect(Object.keys(result.matrix)).toEqual(['AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ']);
  });

  it('makes a client with exactly 10% of the positive margin a breadwinner', () => {
    // Margins: BIG 800, TEN 100, NINE 99, ONE 1, LOSS -300. Positive total 1000.
    // TEN: 100 * 100 >= 10 * 1000 -> breadwinner; NINE: 9900 < 10000 -> not. LOSS is never one.
    // Revenue shares: everybody bought in the only month, so segments are ?X.
    const result = analyzeLedger(ledgerOf([
      ['BIG', '2023-01-10', 1, 0], ['BIG', '2024-01-10', 5_000, 800], ['TEN', '2023-01-10', 1, 0], ['TEN', '2024-01-10', 1_000, 100],
      ['NINE', '2023-01-10', 1, 0], ['NINE', '2024-01-10', 1_000, 99], ['ONE', '2023-01-10', 1, 0], ['ONE', '2024-01-10', 10, 1],
      ['LOSS', '2023-01-10', 1, 0], ['LOSS', '2024-01-10', 3_000, -300],
    ]), params({ from: day('2024-01-01') }));
    // The 2023 lines put every first purchase more than 180 days back, so nobody is promising.
    expect(result.clients.filter((c) => c.types.includes('breadwinner')).map((c) => c.client)).toEqual(['BIG', 'TEN']);
    expect(result.clients.every((c) => !c.types.includes('promising'))).toBe(true);
    expect(result.totals.linesOutsideWindow).toBe(5);
  });

  it('uses revenue for the breadwinner when the ledger has no margin, and reports no margins', () => {
    // Revenue 900, 100: P = 1000; both reach 10% -> both breadwinners.
    const result = analyzeLedger(ledgerOf([['K1', '2024-01-10', 900, 500], ['K2', '2024-01-10', 100, 7]], false), params());
    expect(result.clients.map((c) => c.types.includes('breadwinner'))).toEqual([true, true]);
    expect(result.clients.map((c) => c.margin)).toEqual([null, null]);
    expect(result.totals.margin).toBeNull();
    expect(result.keyClients.marginShare).toBeNull();
    for (const cell of Object.values(result.matrix)) {
      expect(cell.margin).toBeNull();
      expect(cell.marginShare).toBeNull();
    }
    expectInvalid(() => analyzeLedger(ledgerOf([['K1', '2024-01-10', 900]], false), params({ metric: 'margin' })), 'metric');
  });

  /**
   * Promising, as-of 2024-06-30, window 2024-01-01 to 2024-06-30 (W = 182 days). The A clients
   * bought first in 2023 (outside the window), so they are not new. The median A window revenue is
   * 18,200 grosze, an average month of 18,200 / (182 / 30.4375) = 3,043.75.
   *  - N60 first bought 2024-05-01 (60 days back) and has 6,000 since: 6,000 / (60 / 30.4375) = 3,043.75 -> promising.
   *  - N60b: 5,999 -> 3,043.24 -> not.
   *  - N10 first bought 2024-06-20 (10 days, under a month, so divided by 1): 3,044 -> promising; N10b 3,043 -> not.
   */
  const newcomers: Line[] = [
    ['N60', '2024-05-01', 4_000], ['N60', '2024-06-15', 2_000],
    ['N60b', '2024-05-01', 5_999],
    ['N10', '2024-06-20', 3_044], ['N10b', '2024-06-20', 3_043],
  ];
  const promisingParams = params({ from: day('2024-01-01'), asOf: day('2024-06-30') });

  it('finds promising clients against the median of an odd number of A clients', () => {
    // A: 60,000, 18,200, 10,000 (median 18,200). P = 88,200 + 18,086 = 106,286: the third A client has
    // 78,200 before it (73.6%), N60 has 88,200 before it (83.0%) and is B.
    const result = analyzeLedger(ledgerOf([
      ['A1', '2023-12-15', 100], ['A1', '2024-03-01', 60_000],
      ['A2', '2023-12-15', 100], ['A2', '2024-03-01', 18_200],
      ['A3', '2023-12-15', 100], ['A3', '2024-03-01', 10_000],
      ...newcomers,
    ]), promisingParams);
    expect(result.clients.filter((c) => c.abc === 'A').map((c) => c.client)).toEqual(['A1', 'A2', 'A3']);
    expect(result.clients.filter((c) => c.types.includes('promising')).map((c) => c.client).sort()).toEqual(['N10', 'N60']);
    expect(client(result, 'N60').isKey).toBe(true);
  });

  it('takes the mean of the two middle A clients as the median of an even count', () => {
    // A: 26,400 and 10,000: median (26,400 + 10,000) / 2 = 18,200. With --abc 50,95 and
    // P = 36,400 + 18,086 = 54,486: the second A client has 48.5% before it, N60 66.8% (B).
    const result = analyzeLedger(ledgerOf([
      ['A1', '2023-12-15', 100], ['A1', '2024-03-01', 26_400],
      ['A2', '2023-12-15', 100], ['A2', '2024-03-01', 10_000],
      ...newcomers,
    ]), { ...promisingParams, abc: [50, 95] });
    expect(result.clients.filter((c) => c.abc === 'A').map((c) => c.client)).toEqual(['A1', 'A2']);
    expect(result.clients.filter((c) => c.types.includes('promising')).map((c) => c.client).sort()).toEqual(['N10', 'N60']);
  });

  it('counts a first purchase exactly 180 days back as new, and 181 not', () => {
    // --abc 1,95 makes only the top client (BIG, 18,200 in the window, first bought in 2023) A: median 18,200.
    // P1 first bought 2024-01-02, 180 days before 2024-06-30: 18,000 / (180 / 30.4375) = 3,043.75 -> promising.
    // P2 first bought 2024-01-01, 181 days back: 18,100 / (181 / 30.4375) = 3,043.75 too, but too old.
    const result = analyzeLedger(ledgerOf([
      ['BIG', '2023-06-01', 100], ['BIG', '2024-02-01', 18_200], ['P1', '2024-01-02', 18_000], ['P2', '2024-01-01', 18_100],
    ]), { ...promisingParams, abc: [1, 95] });
    expect(result.clients.filter((c) => c.abc === 'A').map((c) => c.client)).toEqual(['BIG']);
    expect(client(result, 'P1').types).toEqual(['promising']);
    expect(client(result, 'P2').types).toEqual([]);
  });

  it('finds nobody promising when there is no A client', () => {
    const result = analyzeLedger(ledgerOf([['N', '2024-06-01', 1_000]]), params({ abc: [0, 95] }));
    expect(client(result, 'N').abc).toBe('B');
    expect(client(result, 'N').types).not.toContain('promising');
  });

  /**
   * Key-client band: twelve months of 2023, every client buying on the 15th of each month (X, first
   * purchase 350 days before the as-of date, so nobody is promising). --abc 1,95 makes the top
   * client the only A, --key-segments AX makes it the only segment key, and --breadwinner 100 keeps
   * the breadwinner rule out (no client has all the margin).
   */
  function bandOf(top: number, others: number[]): AnalysisResult {
    const lines: Line[] = [];
    for (let m = 1; m <= 12; m++) {
      const date = `2023-${String(m).padStart(2, '0')}-15`;
      lines.push(['TOP', date, top]);
      others.forEach((v, k) => lines.push([`O${k}`, date, v]));
    }
    return analyzeLedger(ledgerOf(lines, false), params({ abc: [1, 95], keySegments: ['AX'], breadwinner: 100, asOf: day('2023-12-31') }));
  }

  it('judges the key clients against the 30-55% band, both bounds inclusive', () => {
    // 30 of 100 = 30% exactly -> within; 55 of 100 -> within; 2,999 of 10,000 -> below; 5,501 of 10,000 -> above.
    const at30 = bandOf(30, [10, 10, 10, 10, 10, 10, 10]);
    expect(at30.keyClients).toEqual({ count: 1, revenueShare: 0.3, marginShare: null, band: 'within' });
    expect(bandOf(55, [15, 15, 15]).keyClients.band).toBe('within');
    expect(bandOf(2_999, [1_001, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000]).keyClients.band).toBe('below');
    expect(bandOf(5_501, [1_500, 1_500, 1_499]).keyClients.band).toBe('above');
    expect(at30.clients.map((c) => c.isKey)).toEqual([true, false, false, false, false, false, false, false]);
  });

  it('has no band when the total revenue is zero or less', () => {
    const result = analyzeLedger(ledgerOf([['K', '2024-01-10', -100]]), params());
    expect(result.keyClients).toEqual({ count: 0, revenueShare: null, marginShare: null, band: null });
    expect(result.matrix.CZ.revenueShare).toBeNull();
  });
});

describe('analyzeLedger: activity', () => {
  it('finds lost, slipping and active clients', () => {
    // As-of 2024-12-31, --lost-days 180.
    //  LOST:  last purchase 2024-07-03, 181 days back -> lost.
    //  EDGE:  last purchase 2024-07-04, 180 days back, one purchase day -> active.
    //  SLIP:  purchases 10-01, 10-11, 10-21 (gaps 10, 10; a return on 10-15 is not a purchase day):
    //         71 days since > 2 * 10 -> slipping.
    //  HOLD:  purchases 11-21, 12-01, 12-11: 20 days since, not more than 2 * 10 -> active.
    //  EVEN:  gaps 4, 10, 20, 30 (median 15): 27 days since <= 30 -> active.
    //  EVEN2: the same gaps shifted 4 days earlier: 31 days since > 30 -> slipping.
    //  ODD:   gaps 2, 9, 30 (median 9): 19 days since > 18 -> slipping.
    //  ODD2:  the same gaps a day later: 18 days since -> active.
    //  TWO:   two purchase days only -> never slipping.
    //  RET:   returns only -> no purchase day -> lost, no dates.
    const lines: Line[] = [
      ['LOST', '2024-07-03', 100], ['EDGE', '2024-07-04', 100],
      ['SLIP', '2024-10-01', 100], ['SLIP', '2024-10-11', 100], ['SLIP', '2024-10-15', -50], ['SLIP', '2024-10-21', 100],
      ['HOLD', '2024-11-21', 100], ['HOLD', '2024-12-01', 100], ['HOLD', '2024-12-11', 100],
      ['EVEN', '2024-10-01', 100], ['EVEN', '2024-10-05', 100], ['EVEN', '2024-10-15', 100], ['EVEN', '2024-11-04', 100], ['EVEN', '2024-12-04', 100],
      ['EVEN2', '2024-09-27', 100], ['EVEN2', '2024-10-01', 100], ['EVEN2', '2024-10-11', 100], ['EVEN2', '2024-10-31', 100], ['EVEN2', '2024-11-30', 100],
      ['ODD', '2024-11-01', 100], ['ODD', '2024-11-03', 100], ['ODD', '2024-11-12', 100], ['ODD', '2024-12-12', 100],
      ['ODD2', '2024-11-02', 100], ['ODD2', '2024-11-04', 100], ['ODD2', '2024-11-13', 100], ['ODD2', '2024-12-13', 100],
      ['TWO', '2024-08-01', 100], ['TWO', '2024-08-02', 100],
      ['RET', '2024-12-01', -100],
    ];
    const result = analyzeLedger(ledgerOf(lines), params({ asOf: day('2024-12-31') }));
    const activity = Object.fromEntries(result.clients.map((c) => [c.client, c.activity]));
    expect(activity).toEqual({
      LOST: 'lost', EDGE: 'active', SLIP: 'slipping', HOLD: 'active', EVEN: 'active', EVEN2: 'slipping',
      ODD: 'slipping', ODD2: 'active', TWO: 'active', RET: 'lost',
    });
    expect(client(result, 'LOST').daysSinceLastPurchase).toBe(181);
    expect(client(result, 'SLIP').daysSinceLastPurchase).toBe(71);
    expect(client(result, 'RET')).toMatchObject({ firstPurchase: null, lastPurchase: null, daysSinceLastPurchase: null });
  });

  it('follows --lost-days', () => {
    // 10 days since the last purchase: lost with --lost-days 9, not with 10.
    const ledger = ledgerOf([['K', '2024-03-01', 100], ['Other', '2024-03-11', 1]]);
    expect(client(analyzeLedger(ledger, params({ lostDays: 9 })), 'K').activity).toBe('lost');
    expect(client(analyzeLedger(ledger, params({ lostDays: 10 })), 'K').activity).toBe('active');
  });
});

describe('analyzeLedger: growth', () => {
  it('compares the 12 months up to the as-of date with the 12 before when the data reaches back 24 months', () => {
    // As-of 2024-06-30: current year (2023-06-30, 2024-06-30], previous (2022-06-30, 2023-06-30].
    // G: previous 1000 (2022-07-01) + 1000 (2023-06-30) = 2000; current 3000 + 1000 = 4000; growth 4000/2000 - 1 = 1.
    // The ledger starts 2022-07-01 = addMonths(asOf, -24) + 1: just far enough back.
    // NOPREV bought only in the current year: previous 0 -> growth null.
    const lines: Line[] = [
      ['G', '2022-07-01', 1_000], ['G', '2023-06-30', 1_000], ['G', '2023-07-01', 3_000], ['G', '2024-06-30', 1_000],
      ['NOPREV', '2024-01-10', 500],
    ];
    const result = analyzeLedger(ledgerOf(lines), params());
    expect(client(result, 'G').growth).toBe(1);
    expect(client(result, 'NOPREV').growth).toBeNull();
    // One day short of 24 months: growth is not available for anybody.
    const short = analyzeLedger(ledgerOf(lines.map(([c, d, r]) => [c, d === '2022-07-01' ? '2022-07-02' : d, r] as Line)), params());
    expect(client(short, 'G').growth).toBeNull();
  });

  it('counts lines before --from in growth', () => {
    // As-of 2024-04-30: previous year (2022-04-30, 2023-04-30], current (2023-04-30, 2024-04-30].
    // The window starts 2024-01-01, but growth uses all lines up to as-of: previous 2000 (2023-03-01;
    // the line of 2022-04-30 is on the excluded bound), current 1000 -> 1000 / 2000 - 1 = -0.5.
    const result = analyzeLedger(ledgerOf([
      ['K', '2022-04-30', 1], ['K', '2023-03-01', 2_000], ['K', '2024-03-01', 1_000],
    ]), params({ from: day('2024-01-01'), asOf: day('2024-04-30') }));
    expect(client(result, 'K').growth).toBe(-0.5);
    expect(client(result, 'K').revenue).toBe(10);
  });
});

describe('analyzeLedger: bad input', () => {
  const ledger = ledgerOf([['K', '2024-01-10', 100]]);

  it('rejects an empty ledger', () => {
    expectInvalid(() => analyzeLedger(new DailyLedgerBuilder(true).build(), params()), 'ledger');
  });

  it('rejects a window without lines or upside down', () => {
    expectInvalid(() => analyzeLedger(ledger, params({ from: day('2024-02-01'), asOf: day('2024-01-31') })), 'from');
    expectInvalid(() => analyzeLedger(ledger, params({ asOf: day('2023-12-31') })), 'asOf');
    expectInvalid(() => analyzeLedger(ledger, params({ asOf: day('2024-01-09') })), 'asOf');
  });

  it('rejects bad parameters, naming the field', () => {
    const bad: [Partial<AnalysisParams>, string][] = [
      [{ abc: [96, 95] }, 'abc'], [{ abc: [80, 101] }, 'abc'], [{ abc: [80.5, 95] }, 'abc'], [{ abc: [-1, 95] }, 'abc'],
      [{ xyzFreq: [50, 90] }, 'xyzFreq'], [{ xyz: [25, 10] }, 'xyz'], [{ xyz: [10, Number.NaN] }, 'xyz'],
      [{ breadwinner: 101 }, 'breadwinner'], [{ lostDays: -1 }, 'lostDays'], [{ lostDays: 1.5 }, 'lostDays'],
      [{ keySegments: ['AX', 'QQ' as never] }, 'keySegments'], [{ period: 'year' as never }, 'period'],
      [{ metric: 'profit' as never }, 'metric'], [{ xyzMode: 'std' as never }, 'xyzMode'], [{ asOf: 1.5 }, 'asOf'],
    ];
    for (const [overrides, field] of bad) expectInvalid(() => analyzeLedger(ledger, params(overrides)), field);
  });
});

describe('analyzeLedger: key-client types from the dossier', () => {
  // A year, 2024: BIG buys 10,000.00 a month (120,000.00 a year), MID 5,000.00 a month (60,000.00).
  // ABC by revenue: BIG 120k of 182.5k -> A (0 before), MID 65.8% before -> A; the A clients' median
  // window revenue is (120,000 + 60,000) / 2 = 90,000.00 over 366 days, i.e. 90,000 * 365.25 / 366 =
  // 89,815.57 a year. NEW first buys on 2024-12-01 (30 days before the as-of date), 500.00 a time:
  // too little to be promising by the ledger's pace rule. OLD bought in January only.
  const lines: Line[] = [];
  for (let m = 1; m <= 12; m++) {
    const mm = String(m).padStart(2, '0');
    lines.push(['BIG', `2024-${mm}-10`, 1_000_000], ['MID', `2024-${mm}-12`, 500_000]);
  }
  lines.push(['NEW', '2024-12-01', 50_000], ['NEW', '2024-12-31', 50_000], ['OLD', '2024-01-15', 150_000]);
  const ledger = ledgerOf(lines, false);
  const budget = (zloty: number): DossierFacts => ({ imageMaker: false, expert: false, budget: Math.round(zloty * 100) });

  it('makes a new client promising when its yearly budget reaches the A clients\' median yearly revenue, exactly', () => {
    const without = analyzeLedger(ledger, params());
    expect(client(without, 'NEW').types).toEqual([]);
    expect(without.prospects).toEqual([]);
    // 89,815.57377... a year: 89,815.58 reaches it, 89,815.57 does not.
    const reaches = analyzeLedger(ledger, params(), new Map([['NEW', budget(89_815.58)]]));
    expect(client(reaches, 'NEW')).toMatchObject({ types: ['promising'], isKey: true });
    expect(reaches.keyClients.count).toBe(without.keyClients.count + 1);
    const short = analyzeLedger(ledger, params(), new Map([['NEW', budget(89_815.57)]]));
    expect(client(short, 'NEW').types).toEqual([]);
    // An old client is not new, whatever its budget.
    expect(client(analyzeLedger(ledger, params(), new Map([['OLD', budget(1_000_000)]])), 'OLD').types).toEqual([]);
  });

  it('adds image-maker and expert as the dossier marks them, and makes those clients key', () => {
    const result = analyzeLedger(ledger, params(), new Map<string, DossierFacts>([
      ['OLD', { imageMaker: true, expert: false, budget: null }],
      ['MID', { imageMaker: false, expert: true, budget: null }],
    ]));
    expect(client(result, 'OLD')).toMatchObject({ types: ['image-maker'], isKey: true });
    expect(client(result, 'MID').types).toEqual(['breadwinner', 'expert']);
  });

  it('returns the dossier entries without purchases that have a type, as prospects', () => {
    const result = analyzeLedger(ledger, params(), new Map<string, DossierFacts>([
      ['P-RICH', budget(100_000)],
      ['P-POOR', budget(1_000)],
      ['P-FAMOUS', { imageMaker: true, expert: true, budget: null }],
    ]));
    expect(result.prospects).toEqual([
      { client: 'P-FAMOUS', types: ['image-maker', 'expert'] },
      { client: 'P-RICH', types: ['promising'] },
    ]);
  });
});
