/**
 * The activity rules: whether a client is active, slipping or lost, and why. The analysis
 * (src/core/analysis.ts) already decides by days (lost after more than `lostDays` days without a
 * purchase) and by the client's own rhythm (slipping when the time since the last purchase is more
 * than twice the median gap between its purchase days); the customer-alive model (BG/NBD,
 * src/core/customer-alive.ts) adds the probability that the client is still active, which the rules
 * here use for clients with enough history, and its change since the previous analysis run.
 *
 * BG/NBD gives a client without a repeat purchase (x = 0) a probability of 1 whatever its silence
 * (Fader, Hardie & Lee 2005, eq. 13: P(alive) = 1 when x = 0), so the probability rules apply only
 * from `minRepeatPurchases` repeat purchases; such a client is still lost by the days rule.
 */
import { KamertonError } from './errors.ts';
import { TIME_UNITS, type TimeUnit } from './customer-alive.ts';
import type { Activity } from './types.ts';

export type ActivityRules = {
  /** Lost after more than this many days without a purchase. */
  lostDays: number;
  /** Lost when the probability of being active is under this (0-1), for clients with enough history. */
  pAliveLost: number;
  /** Enough history for the probability rules: at least this many repeat purchases (purchase days after the first). */
  minRepeatPurchases: number;
  /** Slipping when the probability of being active fell by more than this (0-1) since the previous run. */
  pAliveDrop: number;
  /** The customer-alive model's time unit and its horizon (in that unit) for the expected purchases. */
  timeUnit: TimeUnit;
  horizon: number;
};

/**
 * The defaults, in force until the director sets rules:
 * - lostDays 180: the analysis's own default (`kamerton analyze --lost-days`), so that a company
 *   which never touches the rules sees the activity the analysis has always shown;
 * - minRepeatPurchases 2: three purchase days, the same history the unusual-gap rule needs (two gaps
 *   to take a median of). With fewer, the probability says more about the population's parameters
 *   than about the client's own rhythm, and with none it is 1 whatever the silence;
 * - pAliveLost 0.2: lost only on strong evidence, when the model rates the client's defection four
 *   times as likely as its activity; the days rule catches the rest;
 * - pAliveDrop 0.3: a fall of 30 points between two runs is no noise for a client who buys
 *   regularly (its probability stays near 1 while it keeps its rhythm), and it warns before the
 *   probability reaches the lost threshold;
 * - week and 52: the unit of the model's published fits (Fader, Hardie & Lee 2005 on CDNOW), and a
 *   year ahead, the horizon of a key-account plan.
 */
export const DEFAULT_ACTIVITY_RULES: Readonly<ActivityRules> = Object.freeze({
  lostDays: 180,
  pAliveLost: 0.2,
  minRepeatPurchases: 2,
  pAliveDrop: 0.3,
  timeUnit: 'week',
  horizon: 52,
});

/** Why a client has its activity, or why it changed; the same codes as the database's (src/db/schema/keeping.ts). */
export const ACTIVITY_REASONS = ['days-without-purchase', 'p-alive-below', 'unusual-gap', 'p-alive-drop', 'purchased-again'] as const;
export type ActivityReason = (typeof ACTIVITY_REASONS)[number];

/** The largest values the rules take: ten years, in days or in the time unit. */
export const ACTIVITY_RULE_LIMITS = { lostDays: 3650, minRepeatPurchases: 1000, horizon: { day: 3650, week: 520 } } as const;

/** Throws invalid-input naming the first field of `rules` out of its range; returns the rules otherwise. */
export function validateActivityRules(rules: ActivityRules): ActivityRules {
  const fail = (field: keyof ActivityRules, message: string): never => {
    throw new KamertonError('invalid-input', `${field}: ${message}`, { field, value: String(rules[field]) });
  };
  const whole = (field: 'lostDays' | 'minRepeatPurchases' | 'horizon', max: number): void => {
    const value = rules[field];
    if (!Number.isInteger(value) || value < 1 || value > max) fail(field, `expected a whole number from 1 to ${max}.`);
  };
  whole('lostDays', ACTIVITY_RULE_LIMITS.lostDays);
  if (!(rules.pAliveLost >= 0 && rules.pAliveLost <= 1)) fail('pAliveLost', 'expected a probability from 0 to 1.');
  whole('minRepeatPurchases', ACTIVITY_RULE_LIMITS.minRepeatPurchases);
  if (!(rules.pAliveDrop > 0 && rules.pAliveDrop <= 1)) fail('pAliveDrop', 'expected a fall of the probability above 0 and at most 1.');
  if (!TIME_UNITS.includes(rules.timeUnit)) fail('timeUnit', `expected one of ${TIME_UNITS.join(', ')}.`);
  whole('horizon', ACTIVITY_RULE_LIMITS.horizon[rules.timeUnit]);
  return rules;
}

/** What the rules look at for one client in one run. */
export type ActivityFacts = {
  /**
   * The analysis's activity by days and gaps, computed with the rules' `lostDays`: lost means more
   * than `lostDays` days without a purchase, slipping an unusual gap since the last purchase.
   */
  analysisActivity: Activity;
  /** Days from the last purchase to the as-of date; null without a purchase. */
  daysSinceLastPurchase: number | null;
  /** The model's repeat purchases (x) and probability of being active; null without a model for the client. */
  repeatPurchases: number | null;
  pAlive: number | null;
  /** The probability in the account's previous result (the latest earlier run that had one); null when none. */
  previousPAlive: number | null;
};

export type ActivityVerdict = { activity: Activity; reasons: ActivityReason[] };

/**
 * The client's activity and the reasons for it: lost by days or by a low probability (the latter
 * only with enough repeat purchases), else slipping by an unusual gap or a fall of the probability
 * since the previous run (the latter only with enough repeat purchases), else active. Lost wins over
 * slipping; the reasons are those of the activity given, in the order of ACTIVITY_REASONS.
 */
export function judgeActivity(facts: ActivityFacts, rules: ActivityRules): ActivityVerdict {
  const days = facts.daysSinceLastPurchase;
  const enoughHistory = facts.repeatPurchases !== null && facts.repeatPurchases >= rules.minRepeatPurchases && facts.pAlive !== null;
  const lost: ActivityReason[] = [];
  // The days rule does not trust the model: a client without repeat purchases has a probability of 1.
  if (facts.analysisActivity === 'lost' || days === null || days > rules.lostDays) lost.push('days-without-purchase');
  if (enoughHistory && facts.pAlive! < rules.pAliveLost) lost.push('p-alive-below');
  if (lost.length > 0) return { activity: 'lost', reasons: lost };
  const slipping: ActivityReason[] = [];
  if (facts.analysisActivity === 'slipping') slipping.push('unusual-gap');
  if (enoughHistory && facts.previousPAlive !== null && facts.previousPAlive - facts.pAlive! > rules.pAliveDrop) slipping.push('p-alive-drop');
  if (slipping.length > 0) return { activity: 'slipping', reasons: slipping };
  return { activity: 'active', reasons: [] };
}

/** An account's previous result, as a change of activity is measured from it. */
export type PreviousActivity = { activity: Activity; lastPurchase: string | null };

export type ActivityChange = { from: Activity | null; to: Activity; reasons: ActivityReason[] };

/**
 * The change of activity from the previous result to this one, or null when there is none to record.
 * A first result is recorded only when the client is not active (a first run over a large ledger
 * would otherwise write a row per active account). A return to active is "purchased again" when the
 * last purchase is later than the previous result's; without a new purchase (the rules were relaxed)
 * it has no reason.
 */
export function activityChange(previous: PreviousActivity | null, current: ActivityVerdict & { lastPurchase: string | null }): ActivityChange | null {
  if (previous === null) return current.activity === 'active' ? null : { from: null, to: current.activity, reasons: current.reasons };
  if (previous.activity === current.activity) return null;
  if (current.activity !== 'active') return { from: previous.activity, to: current.activity, reasons: current.reasons };
  // ISO dates compare as text.
  const purchasedAgain = current.lastPurchase !== null && (previous.lastPurchase === null || current.lastPurchase > previous.lastPurchase);
  return { from: previous.activity, to: 'active', reasons: purchasedAgain ? ['purchased-again'] : [] };
}
