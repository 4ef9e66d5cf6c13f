import { describe, expect, it } from 'vitest';
import {
  activityChange, DEFAULT_ACTIVITY_RULES, judgeActivity, validateActivityRules, type ActivityFacts, type ActivityRules,
} from './activity.ts';
import { analyzeLedger } from './analysis.ts';
import { parseIsoDay } from './calendar.ts';
import { DailyLedgerBuilder } from './daily-ledger.ts';
import { isKamertonError } from './errors.ts';
import { DEFAULT_ANALYSIS_PARAMS } from './types.ts';

const rules: ActivityRules = { ...DEFAULT_ACTIVITY_RULES };

function facts(overrides: Partial<ActivityFacts>): ActivityFacts {
  return { analysisActivity: 'active', daysSinceLastPurchase: 10, repeatPurchases: 5, pAlive: 0.9, previousPAlive: null, ...overrides };
}

function day(iso: string): number {
  const d = parseIsoDay(iso);
  if (d === null) throw new Error(`bad test date ${iso}`);
  return d;
}

describe('judgeActivity', () => {
  it('keeps a client active when no rule fires', () => {
    expect(judgeActivity(facts({}), rules)).toEqual({ activity: 'active', reasons: [] });
  });

  it('loses a client after more than lostDays days without a purchase, and not at exactly lostDays', () => {
    expect(judgeActivity(facts({ daysSinceLastPurchase: 181 }), rules)).toEqual({ activity: 'lost', reasons: ['days-without-purchase'] });
    expect(judgeActivity(facts({ daysSinceLastPurchase: 180 }), rules).activity).toBe('active');
    expect(judgeActivity(facts({ daysSinceLastPurchase: null, repeatPurchases: null, pAlive: null }), rules).reasons).toEqual(['days-without-purchase']);
  });

  it('loses a client without repeat purchases by days, whatever its probability of 1 says', () => {
    // BG/NBD gives x = 0 a probability of 1: the days rule must still see 200 silent days.
    expect(judgeActivity(facts({ daysSinceLastPurchase: 200, repeatPurchases: 0, pAlive: 1 }), rules))
      .toEqual({ activity: 'lost', reasons: ['days-without-purchase'] });
  });

  it('loses a client with enough history whose probability is under the threshold', () => {
    expect(judgeActivity(facts({ pAlive: 0.12 }), rules)).toEqual({ activity: 'lost', reasons: ['p-alive-below'] });
    expect(judgeActivity(facts({ pAlive: 0.2 }), rules).activity).toBe('active');
    // Both lost rules at once give both reasons.
    expect(judgeActivity(facts({ pAlive: 0.05, daysSinceLastPurchase: 300 }), rules).reasons).toEqual(['days-without-purchase', 'p-alive-below']);
  });

  it('ignores the probability of a client with fewer repeat purchases than minRepeatPurchases', () => {
    expect(judgeActivity(facts({ repeatPurchases: 1, pAlive: 0.01 }), rules).activity).toBe('active');
    expect(judgeActivity(facts({ repeatPurchases: 1, pAlive: 0.1, previousPAlive: 0.9 }), rules).activity).toBe('active');
    expect(judgeActivity(facts({ repeatPurchases: 2, pAlive: 0.01 }), rules).activity).toBe('lost');
  });

  it('calls a client slipping on an unusual gap or a fall of the probability by more than pAliveDrop', () => {
    expect(judgeActivity(facts({ analysisActivity: 'slipping' }), rules)).toEqual({ activity: 'slipping', reasons: ['unusual-gap'] });
    expect(judgeActivity(facts({ pAlive: 0.42, previousPAlive: 0.81 }), rules)).toEqual({ activity: 'slipping', reasons: ['p-alive-drop'] });
    // A fall of exactly 0.3 is not more than 0.3; a rise is no fall.
    expect(judgeActivity(facts({ pAlive: 0.5, previousPAlive: 0.8 }), { ...rules, pAliveDrop: 0.5 }).activity).toBe('active');
    expect(judgeActivity(facts({ pAlive: 0.9, previousPAlive: 0.3 }), rules).activity).toBe('active');
    expect(judgeActivity(facts({ analysisActivity: 'slipping', pAlive: 0.3, previousPAlive: 0.95 }), rules).reasons).toEqual(['unusual-gap', 'p-alive-drop']);
  });

  it('lets lost win over slipping', () => {
    expect(judgeActivity(facts({ analysisActivity: 'slipping', pAlive: 0.1, previousPAlive: 0.9 }), rules))
      .toEqual({ activity: 'lost', reasons: ['p-alive-below'] });
  });

  it('judges the clients of a hand-made ledger with the analysis\'s days and gaps', () => {
    // As of 2024-12-31. REG buys every 10 days up to 12-21: active. GAP bought every 10 days up to
    // 11-01 (60 days ago, more than twice its 10): slipping by its gap. ONE bought once, 200 days
    // ago: x = 0 and a probability of 1, lost by days. OLD bought every 30 days up to 2024-04-30: lost by days.
    const builder = new DailyLedgerBuilder(false);
    const add = (client: string, from: string, count: number, step: number): void => {
      for (let k = 0; k < count; k++) builder.add(client, null, day(from) + k * step, 10_000, 0);
    };
    add('REG', '2024-10-02', 9, 10);
    add('GAP', '2024-09-22', 5, 10);
    add('ONE', '2024-06-14', 1, 1);
    add('OLD', '2024-01-01', 5, 30);
    const ledger = builder.build();
    const result = analyzeLedger(ledger, { ...DEFAULT_ANALYSIS_PARAMS, asOf: day('2024-12-31'), lostDays: rules.lostDays });
    const model: Record<string, { x: number; p: number }> = { REG: { x: 8, p: 0.99 }, GAP: { x: 4, p: 0.6 }, ONE: { x: 0, p: 1 }, OLD: { x: 4, p: 0.3 } };
    const verdicts = Object.fromEntries(result.clients.map((c) => [c.client, judgeActivity({
      analysisActivity: c.activity, daysSinceLastPurchase: c.daysSinceLastPurchase,
      repeatPurchases: model[c.client]!.x, pAlive: model[c.client]!.p, previousPAlive: null,
    }, rules)]));
    expect(result.clients.find((c) => c.client === 'ONE')!.daysSinceLastPurchase).toBe(200);
    expect(verdicts).toEqual({
      REG: { activity: 'active', reasons: [] },
      GAP: { activity: 'slipping', reasons: ['unusual-gap'] },
      ONE: { activity: 'lost', reasons: ['days-without-purchase'] },
      OLD: { activity: 'lost', reasons: ['days-without-purchase'] },
    });
  });
});

describe('activityChange', () => {
  const verdict = (activity: 'active' | 'slipping' | 'lost', lastPurchase: string | null = '2024-06-01') =>
    ({ activity, reasons: activity === 'active' ? [] : (['days-without-purchase'] as const).slice(), lastPurchase });

  it('records a first result only when it is not active', () => {
    expect(activityChange(null, verdict('active'))).toBeNull();
    expect(activityChange(null, verdict('lost'))).toEqual({ from: null, to: 'lost', reasons: ['days-without-purchase'] });
  });

  it('records nothing when the activity stays', () => {
    expect(activityChange({ activity: 'lost', lastPurchase: '2024-01-01' }, verdict('lost'))).toBeNull();
  });

  it('gives a return to active the reason purchased-again only after a new purchase', () => {
    expect(activityChange({ activity: 'lost', lastPurchase: '2024-01-01' }, verdict('active', '2024-06-01')))
      .toEqual({ from: 'lost', to: 'active', reasons: ['purchased-again'] });
    expect(activityChange({ activity: 'slipping', lastPurchase: '2024-06-01' }, verdict('active', '2024-06-01')))
      .toEqual({ from: 'slipping', to: 'active', reasons: [] });
  });
});

describe('validateActivityRules', () => {
  it('accepts the defaults', () => {
    expect(validateActivityRules({ ...DEFAULT_ACTIVITY_RULES })).toEqual(DEFAULT_ACTIVITY_RULES);
  });

  it.each([
    [{ lostDays: 0 }, 'lostDays'], [{ lostDays: 1.5 }, 'lostDays'], [{ pAliveLost: 1.2 }, 'pAliveLost'], [{ pAliveLost: Number.NaN }, 'pAliveLost'],
    [{ minRepeatPurchases: 0 }, 'minRepeatPurchases'], [{ pAliveDrop: 0 }, 'pAliveDrop'], [{ pAliveDrop: 1.01 }, 'pAliveDrop'],
    [{ timeUnit: 'month' }, 'timeUnit'], [{ horizon: 0 }, 'horizon'], [{ horizon: 600 }, 'horizon'],
  ])('rejects %o and names the field %s', (change, field) => {
    try {
      validateActivityRules({ ...DEFAULT_ACTIVITY_RULES, ...change } as ActivityRules);
    } catch (error) {
      expect(isKamertonError(error) && error.code === 'invalid-input' && error.details.field).toBe(field);
      return;
    }
    throw new Error(`expected invalid-input on ${field}`);
  });
});
