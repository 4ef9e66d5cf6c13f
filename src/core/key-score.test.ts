import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { KeyScore, KeyScoreInput, KeyScoreWeights } from './key-score.ts';
import { DEFAULT_KEY_SCORE_WEIGHTS, KEY_CRITERIA, scoreKeyClients, validateKeyScoreWeights } from './key-score.ts';
import { thrown } from '../../test/fixtures/errors.ts';

const blank: Omit<KeyScoreInput, 'account'> = {
  profit: null,
  paymentDaysLate: null,
  cooperationHorizonMonths: null,
  hasLongTermPlans: false,
  growth: null,
  productGroups: null,
  reputationInfluence: null,
};

function account(id: string, fields: Partial<KeyScoreInput> = {}): KeyScoreInput {
  return { ...blank, account: id, ...fields };
}

/** The 0..1 score of one criterion of one result. */
function criterion(result: KeyScore | undefined, name: string): number | null {
  const entry = result?.criteria.find((c) => c.criterion === name);
  if (entry === undefined) throw new Error(`no criterion ${name}`);
  return entry.score;
}

/** Scores one account on its own with the default weights and a window of 10 product groups. */
function scoreOne(fields: Partial<KeyScoreInput>): KeyScore {
  const [result] = scoreKeyClients([account('K', fields)], DEFAULT_KEY_SCORE_WEIGHTS, { productGroups: 10 });
  if (result === undefined) throw new Error('no result');
  return result;
}


describe('DEFAULT_KEY_SCORE_WEIGHTS', () => {
  it('gives profit 30, reputation 10 and the other four 15 each, summing to 100', () => {
    expect(DEFAULT_KEY_SCORE_WEIGHTS).toEqual({
      profit: 30, reliability: 15, longTermPlans: 15, growth: 15, opportunities: 15, reputation: 10,
    });
    expect(KEY_CRITERIA.reduce((sum, c) => sum + DEFAULT_KEY_SCORE_WEIGHTS[c], 0)).toBe(100);
    expect(Object.isFrozen(DEFAULT_KEY_SCORE_WEIGHTS)).toBe(true);
  });
});

describe('scoreKeyClients: a hand-computed portfolio', () => {
  // Default weights (sum 100, so a weight is the points a criterion can bring); 10 groups in the window.
  // Known profits 500, 100, -50 (n = 3), sorted -50 < 100 < 500: mid-ranks 0, 0.5, 1.
  const inputs: KeyScoreInput[] = [
    // profit 1 -> 30; on time 1 -> 15; 36 months 1 -> 15; growth 0.2 -> 0.6 -> 9; 5/10 groups -> 7.5;
    // reputation 5 -> 1 -> 10. Total 86.5, coverage 1.
    account('A', {
      profit: 500, paymentDaysLate: 0, cooperationHorizonMonths: 36, hasLongTermPlans: true, growth: 0.2, productGroups: 5, reputationInfluence: 5,
    }),
    // profit 0.5 -> 15; 30 days late 0.5 -> 7.5; 6 months 1/6 -> 2.5; growth -0.5 -> 0.25 -> 3.75;
    // 2/10 -> 3; reputation 3 -> 0.5 -> 5. Total 36.75, coverage 1.
    account('B', {
      profit: 100, paymentDaysLate: 30, cooperationHorizonMonths: 6, growth: -0.5, productGroups: 2, reputationInfluence: 3,
    }),
    // profit <= 0 -> 0; 90 days late -> 0; plans without a horizon -> 0.25 -> 3.75; growth 1.5 -> 1 -> 15;
    // groups and reputation unknown. Total 18.75, coverage (30 + 15 + 15 + 15) / 100 = 0.75.
    account('C', { profit: -50, paymentDaysLate: 90, hasLongTermPlans: true, growth: 1.5 }),
    // Nothing known: 0 points, coverage 0.
    account('D'),
  ];
  const results = scoreKeyClients(inputs, DEFAULT_KEY_SCORE_WEIGHTS, { productGroups: 10 });

  it('returns one score per input, in the order of the inputs', () => {
    expect(results.map((r) => r.account)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('scores each account as computed by hand', () => {
    expect(results[0]?.score).toBeCloseTo(86.5, 12);
    expect(results[1]?.score).toBeCloseTo(36.75, 12);
    expect(results[2]?.score).toBeCloseTo(18.75, 12);
    expect(results[3]?.score).toBe(0);
    expect(results.map((r) => r.coverage)).toEqual([1, 1, 0.75, 0]);
  });

  it('shows the breakdown: the input, its 0..1 score, the weight and the points of each criterion', () => {
    const b = results[1]?.criteria ?? [];
    expect(b.map((c) => c.criterion)).toEqual([...KEY_CRITERIA]);
    expect(b.map((c) => c.value)).toEqual([100, 30, 6, -0.5, 2, 3]);
    expect(b.map((c) => c.weight)).toEqual([30, 15, 15, 15, 15, 10]);
    const expected = [[0.5, 15], [0.5, 7.5], [1 / 6, 2.5], [0.25, 3.75], [0.2, 3], [0.5, 5]];
    b.forEach((c, i) => {
      expect(c.score).toBeCloseTo(expected[i]?.[0] as number, 14);
      expect(c.contribution).toBeCloseTo(expected[i]?.[1] as number, 12);
    });
  });

  it('reports missing criteria as null with no points, and their inputs as null', () => {
    const c = results[2]?.criteria ?? [];
    expect(c.map((x) => x.score === null)).toEqual([false, false, false, false, true, true]);
    expect(c.slice(4).map((x) => [x.value, x.contribution])).toEqual([[null, 0], [null, 0]]);
    // Plans without a horizon score, but the horizon itself stays unknown.
    expect(c[2]).toMatchObject({ value: null, score: 0.25 });
    const d = results[3]?.criteria ?? [];
    expect(d.every((x) => x.score === null && x.value === null && x.contribution === 0)).toBe(true);
  });
});

describe('scoreKeyClients: profit', () => {
  function profitScores(profits: (number | null)[]): (number | null)[] {
    const inputs = profits.map((profit, i) => account(`K${i}`, { profit }));
    return scoreKeyClients(inputs, DEFAULT_KEY_SCORE_WEIGHTS, { productGroups: 0 }).map((r) => criterion(r, 'profit'));
  }

  it('ranks by mid-rank percentile, tied profits sharing the mean of their ranks', () => {
    // Sorted 10 < 20 = 20 < 30, n = 4: 10 -> 0; 20 -> (1 + 0.5 * 2 - 0.5) / 3 = 0.5; 30 -> 3 / 3 = 1.
    expect(profitScores([20, 10, 30, 20])).toEqual([0.5, 0, 1, 0.5]);
    // All equal: (0 + 0.5 * 3 - 0.5) / 2 = 0.5 each.
    expect(profitScores([7, 7, 7])).toEqual([0.5, 0.5, 0.5]);
    // Five distinct: 0, 0.25, 0.5, 0.75, 1.
    expect(profitScores([5, 4, 3, 2, 1])).toEqual([1, 0.75, 0.5, 0.25, 0]);
  });

  it('ranks among the known profits only, and gives 1 to a lone known profit', () => {
    expect(profitScores([null, 40, null])).toEqual([null, 1, null]);
    // Known 10 and 30 (n = 2): 0 and 1; the unknown one is not counted below anybody.
    expect(profitScores([30, null, 10])).toEqual([1, null, 0]);
  });

  it('gives 0 to a profit of zero or less however it ranks', () => {
    // Sorted -100 < -50 < 0 < 10: -50 would rank 1/3 and 0 would rank 2/3, but neither is a profit.
    expect(profitScores([-100, -50, 0, 10])).toEqual([0, 0, 0, 1]);
    expect(profitScores([0])).toEqual([0]);
    expect(profitScores([-5])).toEqual([0]);
  });
});

describe('scoreKeyClients: the other criteria', () => {
  it('scores reliability 1 on time, falling linearly to 0 at 60 days late', () => {
    expect(criterion(scoreOne({ paymentDaysLate: 0 }), 'reliability')).toBe(1);
    expect(criterion(scoreOne({ paymentDaysLate: 15 }), 'reliability')).toBe(0.75);
    expect(criterion(scoreOne({ paymentDaysLate: 45 }), 'reliability')).toBe(0.25);
    expect(criterion(scoreOne({ paymentDaysLate: 60 }), 'reliability')).toBe(0);
    expect(criterion(scoreOne({ paymentDaysLate: 400 }), 'reliability')).toBe(0);
  });

  it('scores a client paying early as paying on time', () => {
    expect(criterion(scoreOne({ paymentDaysLate: -3.5 }), 'reliability')).toBe(1);
  });

  it('scores long-term plans by horizon up to 36 months, with a floor of 0.25 for recorded plans', () => {
    expect(criterion(scoreOne({ cooperationHorizonMonths: 0 }), 'longTermPlans')).toBe(0);
    expect(criterion(scoreOne({ cooperationHorizonMonths: 9 }), 'longTermPlans')).toBe(0.25);
    expect(criterion(scoreOne({ cooperationHorizonMonths: 18 }), 'longTermPlans')).toBe(0.5);
    expect(criterion(scoreOne({ cooperationHorizonMonths: 72 }), 'longTermPlans')).toBe(1);
    // Plans raise a short horizon to the floor but do not lower a longer one.
    expect(criterion(scoreOne({ cooperationHorizonMonths: 3, hasLongTermPlans: true }), 'longTermPlans')).toBe(0.25);
    expect(criterion(scoreOne({ cooperationHorizonMonths: 0, hasLongTermPlans: true }), 'longTermPlans')).toBe(0.25);
    expect(criterion(scoreOne({ cooperationHorizonMonths: 12, hasLongTermPlans: true }), 'longTermPlans')).toBeCloseTo(1 / 3, 15);
    expect(criterion(scoreOne({ hasLongTermPlans: true }), 'longTermPlans')).toBe(0.25);
    expect(criterion(scoreOne({ hasLongTermPlans: false }), 'longTermPlans')).toBeNull();
  });

  it('scores growth 0 at -100%, 0.5 when flat and 1 from doubling', () => {
    expect(criterion(scoreOne({ growth: -1 }), 'growth')).toBe(0);
    expect(criterion(scoreOne({ growth: -1.7 }), 'growth')).toBe(0);
    expect(criterion(scoreOne({ growth: 0 }), 'growth')).toBe(0.5);
    expect(criterion(scoreOne({ growth: 0.5 }), 'growth')).toBe(0.75);
    expect(criterion(scoreOne({ growth: 1 }), 'growth')).toBe(1);
    expect(criterion(scoreOne({ growth: 4 }), 'growth')).toBe(1);
  });

  it('scores opportunities as the share of the window\'s product groups the account bought', () => {
    expect(criterion(scoreOne({ productGroups: 10 }), 'opportunities')).toBe(1);
    expect(criterion(scoreOne({ productGroups: 3 }), 'opportunities')).toBe(0.3);
    // No grouped purchase, or no group column: nothing to measure.
    expect(criterion(scoreOne({ productGroups: 0 }), 'opportunities')).toBeNull();
    const [noColumn] = scoreKeyClients([account('K', { productGroups: 0 })], DEFAULT_KEY_SCORE_WEIGHTS, { productGroups: 0 });
    expect(criterion(noColumn, 'opportunities')).toBeNull();
  });

  it('maps reputation 1..5 onto 0..1', () => {
    expect([1, 2, 3, 4, 5, 2.5].map((r) => criterion(scoreOne({ reputationInfluence: r }), 'reputation'))).toEqual([0, 0.25, 0.5, 0.75, 1, 0.375]);
  });
});

describe('scoreKeyClients: weights', () => {
  it('divides by every weight, so missing data lowers the score rather than being ignored', () => {
    // Only reputation known, at 1: 10 of 100 points, coverage 0.1.
    const result = scoreOne({ reputationInfluence: 5 });
    expect(result.score).toBe(10);
    expect(result.coverage).toBe(0.1);
  });

  it('uses the director\'s weights, and a zero weight takes the criterion out', () => {
    const weights: KeyScoreWeights = { profit: 0, reliability: 1, longTermPlans: 0, growth: 0, opportunities: 0, reputation: 3 };
    // (1 * 0.5 + 3 * 0.75) / 4 = 0.6875 -> 68.75; profit (weight 0) changes neither score nor coverage.
    const [result] = scoreKeyClients(
      [account('K', { profit: 1_000, paymentDaysLate: 30, reputationInfluence: 4 })], weights, { productGroups: 0 },
    );
    expect(result?.score).toBe(68.75);
    expect(result?.coverage).toBe(1);
    expect(result?.criteria.map((c) => c.contribution)).toEqual([0, 12.5, 0, 0, 0, 56.25]);
    const [without] = scoreKeyClients([account('K', { paymentDaysLate: 30, reputationInfluence: 4 })], weights, { productGroups: 0 });
    expect(without?.coverage).toBe(1);
  });

  it('returns an empty list for no accounts', () => {
    expect(scoreKeyClients([], DEFAULT_KEY_SCORE_WEIGHTS, { productGroups: 0 })).toEqual([]);
  });
});

describe('validation', () => {
  const valid = { ...DEFAULT_KEY_SCORE_WEIGHTS };

  it('rejects a negative, infinite or non-numeric weight and names it', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number, null as unknown as number]) {
      const error = thrown(() => validateKeyScoreWeights({ ...valid, growth: bad }));
      expect(error.code).toBe('invalid-input');
      expect(error.details.field).toBe('weights.growth');
    }
  });

  it('rejects a missing or an unknown criterion', () => {
    const { reputation: _reputation, ...missing } = valid;
    expect(thrown(() => validateKeyScoreWeights(missing as KeyScoreWeights)).details.field).toBe('weights.reputation');
    const typo = { ...valid, reputaton: 5 } as KeyScoreWeights;
    expect(thrown(() => validateKeyScoreWeights(typo)).details.field).toBe('weights.reputaton');
  });

  it('rejects weights that are all zero or whose sum overflows', () => {
    const zero: KeyScoreWeights = { profit: 0, reliability: 0, longTermPlans: 0, growth: 0, opportunities: 0, reputation: 0 };
    expect(thrown(() => validateKeyScoreWeights(zero)).details.field).toBe('weights');
    const huge = { ...valid, profit: Number.MAX_VALUE, growth: Number.MAX_VALUE };
    expect(thrown(() => validateKeyScoreWeights(huge)).details.field).toBe('weights');
  });

  it('checks the weights when scoring too', () => {
    expect(thrown(() => scoreKeyClients([], { ...valid, profit: -2 }, { productGroups: 0 })).details.field).toBe('weights.profit');
  });

  it('rejects an input that is not a finite number and names the field and the account', () => {
    const fields = ['profit', 'paymentDaysLate', 'cooperationHorizonMonths', 'growth', 'productGroups', 'reputationInfluence'] as const;
    for (const field of fields) {
      const error = thrown(() => scoreKeyClients(
        [account('OK'), account('K7', { [field]: Number.NaN })], DEFAULT_KEY_SCORE_WEIGHTS, { productGroups: 10 },
      ));
      expect(error.code).toBe('invalid-input');
      expect(error.details).toMatchObject({ field, account: 'K7', index: 1 });
      expect(error.message).toContain('K7');
    }
  });

  it('rejects out-of-range inputs', () => {
    const cases: [Partial<KeyScoreInput>, string][] = [
      [{ cooperationHorizonMonths: -1 }, 'cooperationHorizonMonths'],
      [{ productGroups: -1 }, 'productGroups'],
      [{ productGroups: 2.5 }, 'productGroups'],
      [{ productGroups: 11 }, 'productGroups'],
      [{ reputationInfluence: 0 }, 'reputationInfluence'],
      [{ reputationInfluence: 6 }, 'reputationInfluence'],
    ];
    for (const [fields, field] of cases) {
      expect(thrown(() => scoreOne(fields)).details.field).toBe(field);
    }
  });

  it('rejects a window product-group count that is not a whole number, zero or more', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(thrown(() => scoreKeyClients([], DEFAULT_KEY_SCORE_WEIGHTS, { productGroups: bad })).details.field).toBe('productGroups');
    }
  });
});

describe('scoreKeyClients: properties', () => {
  const CONTEXT_GROUPS = 12;
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
  const inputArb = (id: string): fc.Arbitrary<KeyScoreInput> => fc.record({
    account: fc.constant(id),
    // Small integers make ties in profit common; doubles cover the rest.
    profit: maybe(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -1e9, max: 1e9, noNaN: true }))),
    paymentDaysLate: maybe(fc.double({ min: -30, max: 200, noNaN: true })),
    cooperationHorizonMonths: maybe(fc.integer({ min: 0, max: 120 })),
    hasLongTermPlans: fc.boolean(),
    growth: maybe(fc.double({ min: -3, max: 5, noNaN: true })),
    productGroups: maybe(fc.integer({ min: 0, max: CONTEXT_GROUPS })),
    reputationInfluence: maybe(fc.integer({ min: 1, max: 5 })),
  });
  const inputsArb = fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => inputArb(`K${i}`))));
  const weightArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }));
  const weightsArb: fc.Arbitrary<KeyScoreWeights> = fc.record({
    profit: weightArb, reliability: weightArb, longTermPlans: weightArb, growth: weightArb, opportunities: weightArb, reputation: weightArb,
  }).filter((w) => KEY_CRITERIA.some((c) => w[c] > 0));

  it('makes the contributions add up to the score exactly, and to 100 * sum(w * s) / sum(w)', () => {
    fc.assert(fc.property(inputsArb, weightsArb, (inputs, weights) => {
      const total = KEY_CRITERIA.reduce((sum, c) => sum + weights[c], 0);
      for (const result of scoreKeyClients(inputs, weights, { productGroups: CONTEXT_GROUPS })) {
        expect(result.criteria.reduce((sum, c) => sum + c.contribution, 0)).toBe(result.score);
        const weighted = result.criteria.reduce((sum, c) => sum + c.weight * (c.score ?? 0), 0);
        expect(Math.abs(result.score - (100 * weighted) / total)).toBeLessThanOrEqual(1e-9);
      }
    }));
  });

  it('keeps every score within its range: criteria 0..1, total 0..100, coverage 0..1, total at most 100 * coverage', () => {
    fc.assert(fc.property(inputsArb, weightsArb, (inputs, weights) => {
      const results = scoreKeyClients(inputs, weights, { productGroups: CONTEXT_GROUPS });
      expect(results.map((r) => r.account)).toEqual(inputs.map((i) => i.account));
      for (const result of results) {
        for (const c of result.criteria) {
          if (c.score !== null) {
            expect(c.score).toBeGreaterThanOrEqual(0);
            expect(c.score).toBeLessThanOrEqual(1);
          }
          expect(c.contribution).toBeGreaterThanOrEqual(0);
        }
        expect(result.score).toBeGreaterThanOrEqual(0);
        // Within a rounding error: the contributions are rounded one by one.
        expect(result.score).toBeLessThanOrEqual(100 + 1e-9);
        expect(result.coverage).toBeGreaterThanOrEqual(0);
        expect(result.coverage).toBeLessThanOrEqual(1);
        expect(result.score).toBeLessThanOrEqual(100 * result.coverage + 1e-9);
        const allKnown = result.criteria.every((c) => c.score !== null);
        if (allKnown) expect(result.coverage).toBe(1);
      }
    }));
  });

  it('scores the same whatever the order of the inputs', () => {
    fc.assert(fc.property(inputsArb.chain((inputs) => fc.tuple(fc.constant(inputs), fc.shuffledSubarray(inputs, { minLength: inputs.length }))), weightsArb, ([inputs, shuffled], weights) => {
      const byAccount = new Map(scoreKeyClients(inputs, weights, { productGroups: CONTEXT_GROUPS }).map((r) => [r.account, r]));
      for (const result of scoreKeyClients(shuffled, weights, { productGroups: CONTEXT_GROUPS })) {
        expect(result).toEqual(byAccount.get(result.account));
      }
    }));
  });

  it('never gives a larger profit a lower profit score', () => {
    fc.assert(fc.property(inputsArb, (inputs) => {
      const results = scoreKeyClients(inputs, DEFAULT_KEY_SCORE_WEIGHTS, { productGroups: CONTEXT_GROUPS });
      const known = inputs.flatMap((input, i) => (input.profit === null ? [] : [[input.profit, criterion(results[i], 'profit') as number] as const]));
      for (const [p, s] of known) {
        for (const [q, t] of known) {
          if (p < q) expect(s).toBeLessThanOrEqual(t);
          if (p === q) expect(s).toBe(t);
        }
      }
    }));
  });

  it('does not change when every weight is multiplied by the same factor', () => {
    fc.assert(fc.property(inputsArb, weightsArb, fc.constantFrom(0.5, 3, 1_000), (inputs, weights, factor) => {
      const scaled = Object.fromEntries(KEY_CRITERIA.map((c) => [c, weights[c] * factor])) as KeyScoreWeights;
      const a = scoreKeyClients(inputs, weights, { productGroups: CONTEXT_GROUPS });
      const b = scoreKeyClients(inputs, scaled, { productGroups: CONTEXT_GROUPS });
      a.forEach((r, i) => {
        expect(Math.abs(r.score - (b[i]?.score as number))).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(r.coverage - (b[i]?.coverage as number))).toBeLessThanOrEqual(1e-12);
      });
    }));
  });

  it('never lowers the coverage when a missing figure becomes known', () => {
    fc.assert(fc.property(inputArb('K'), weightsArb, fc.integer({ min: 1, max: 5 }), (input, weights, r) => {
      const [before] = scoreKeyClients([{ ...input, reputationInfluence: null }], weights, { productGroups: CONTEXT_GROUPS });
      const [after] = scoreKeyClients([{ ...input, reputationInfluence: r }], weights, { productGroups: CONTEXT_GROUPS });
      expect(after?.coverage).toBeGreaterThanOrEqual(before?.coverage as number);
    }));
  });
});
