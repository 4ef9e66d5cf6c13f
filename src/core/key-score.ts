/**
 * The key-client score: how well an account meets the six key-client criteria of Kamerton's KAM
 * method (profit, payment reliability, long-term plans, influence on growth, new revenue
 * opportunities, reputation influence), as one number from 0 to 100 with its breakdown.
 *
 * Each criterion is first brought to a common 0..1 scale (the normalisations below), then the six are
 * combined by a weighted sum with weights the sales director can change: the simple additive
 * weighting (SAW) of multi-criteria decision analysis (P. C. Fishburn, "Additive Utilities with
 * Incomplete Product Set: Applications to Priorities and Assignments", Operations Research Society of
 * America, Baltimore, 1967; C.-L. Hwang and K. Yoon, "Multiple Attribute Decision Making: Methods and
 * Applications", Lecture Notes in Economics and Mathematical Systems 186, Springer, 1981). An
 * additive score is one a director can reason about: each criterion's points are visible and add up
 * to the total.
 *
 * A criterion without data scores nothing and is reported as such, and `coverage` says how much of
 * the weight had data. The total is divided by the sum of all the weights, not only of the known
 * ones, so an account we know little about cannot outrank a well-documented one on the strength of
 * a single good figure; the low coverage tells the user why it scored low.
 *
 * Definitions: docs/analysis.md, "Key-client score".
 */
import { KamertonError } from './errors.ts';

export const KEY_CRITERIA = ['profit', 'reliability', 'longTermPlans', 'growth', 'opportunities', 'reputation'] as const;
export type KeyCriterion = (typeof KEY_CRITERIA)[number];

/** A weight per criterion: each finite and zero or more, and their sum positive. Only their ratios matter. */
export type KeyScoreWeights = Record<KeyCriterion, number>;

/**
 * Profit carries twice the weight of each of the middle four because it is the criterion the KAM
 * method lists first and the only one that measures what the account is worth today (it is also the
 * one the breadwinner type rests on). Payment reliability, long-term plans, growth and new revenue
 * opportunities weigh the same, 15 each, since the method gives no order among them. Reputation
 * weighs least, 10, because it is a manager's 1-5 judgement rather than a measured figure, and the
 * image-maker type already singles out the accounts for which reputation is the point. The weights
 * sum to 100, so each one reads as the points the criterion can bring.
 */
export const DEFAULT_KEY_SCORE_WEIGHTS: Readonly<KeyScoreWeights> = Object.freeze({
  profit: 30,
  reliability: 15,
  longTermPlans: 15,
  growth: 15,
  opportunities: 15,
  reputation: 10,
});

/**
 * Payment reliability falls to 0 at this many days late on average. Sixty days late is twice a usual
 * 30-day term, and 60 days is also the longest payment term EU law lets businesses agree without an
 * express justification (Directive 2011/7/EU on late payment, article 3(5)): an account that late has
 * in effect granted itself a second term on the supplier's money.
 */
export const LATE_DAYS_AT_ZERO = 60;

/**
 * Long-term plans score in full from a cooperation horizon of this many months. Three years is the
 * usual span of a strategic account plan; a longer horizon says no more about commitment.
 */
export const HORIZON_MONTHS_AT_FULL = 36;

/**
 * The least long-term plans score when the dossier records plans. Written plans are evidence of
 * commitment even when nobody has put a horizon on them, but a quarter of the scale leaves room for
 * a stated horizon to count for more.
 */
export const PLANS_WITHOUT_HORIZON = 0.25;

export type KeyScoreInput = {
  /** The account's identifier, echoed back. */
  account: string;
  /** The account's margin in the window, in major units, or its revenue when the ledger has no margin; null when unknown. */
  profit: number | null;
  /**
   * The revenue-weighted average days paid late, from the ledger's due and paid dates or the dossier;
   * null when unknown. A negative figure (paid early) is accepted, as the dossier allows it, and
   * scores as paying on time.
   */
  paymentDaysLate: number | null;
  /** How many months ahead cooperation is planned (the dossier); null when not entered. */
  cooperationHorizonMonths: number | null;
  /** Whether the dossier records long-term plans (its text is present). */
  hasLongTermPlans: boolean;
  /** The analysis's growth, current 12 months / previous 12 months - 1 (a fraction); null when unknown. */
  growth: number | null;
  /** Distinct product groups the account bought in the window; null when the ledger has no group column. */
  productGroups: number | null;
  /** The account's influence on its market's opinion, 1 to 5 (the dossier); null when not entered. */
  reputationInfluence: number | null;
};

export type KeyScoreContext = {
  /** Distinct product groups sold to anyone in the window; 0 when the ledger has no group column. */
  productGroups: number;
};

export type CriterionScore = {
  criterion: KeyCriterion;
  /**
   * The input the criterion was scored from: profit, paymentDaysLate, cooperationHorizonMonths,
   * growth, productGroups or reputationInfluence; null when it was not known.
   */
  value: number | null;
  /** The criterion on the 0..1 scale; null when there was no data for it. */
  score: number | null;
  /** The weight as given (not normalised). */
  weight: number;
  /** Points of the 0..100 total: 100 * weight / (sum of the weights) * score, 0 without data. */
  contribution: number;
};

export type KeyScore = {
  account: string;
  /** 0..100: the sum of the criteria's contributions. */
  score: number;
  /** The share of the weight whose criterion had data, 0..1. */
  coverage: number;
  /** One entry per criterion, in the order of KEY_CRITERIA. */
  criteria: CriterionScore[];
};

/**
 * Scores every account, in the order of `inputs`. Profit is ranked among the inputs, so an account's
 * profit score depends on the others it is scored with: pass the whole portfolio, not one account.
 */
export function scoreKeyClients(
  inputs: readonly KeyScoreInput[],
  weights: KeyScoreWeights,
  context: KeyScoreContext,
): KeyScore[] {
  validateKeyScoreWeights(weights);
  const contextGroups = context.productGroups;
  if (!Number.isSafeInteger(contextGroups) || contextGroups < 0) {
    fail('productGroups', `The window's product groups must be a whole number, zero or more (got ${String(contextGroups)}).`, {});
  }
  inputs.forEach((input, index) => validateInput(input, index, contextGroups));

  // Summed in the order of KEY_CRITERIA, the same order the known weights are summed in below, so
  // that an account with every criterion known has a coverage of exactly 1.
  let totalWeight = 0;
  for (const criterion of KEY_CRITERIA) totalWeight += weights[criterion];

  const profitRank = profitRanker(inputs);
  return inputs.map((input) => {
    let score = 0;
    let knownWeight = 0;
    const criteria = KEY_CRITERIA.map((criterion): CriterionScore => {
      const { value, score: s } = scoreCriterion(criterion, input, contextGroups, profitRank);
      const weight = weights[criterion];
      // The weight is divided first: w / W is at most 1, so this neither overflows with huge
      // weights nor loses digits with tiny ones.
      const contribution = s === null ? 0 : 100 * (weight / totalWeight) * s;
      // The total is the running sum of the contributions in this order, so the breakdown adds up
      // to the score exactly, not merely to within a rounding error.
      score += contribution;
      if (s !== null) knownWeight += weight;
      return { criterion, value, score: s, weight, contribution };
    });
    return { account: input.account, score, coverage: knownWeight / totalWeight, criteria };
  });
}

/**
 * Checks a set of weights as `scoreKeyClients` needs them, so that a use-case saving the director's
 * weights can refuse bad ones before they are stored. Unknown keys are refused too, since a
 * misspelt criterion would otherwise be silently ignored.
 */
export function validateKeyScoreWeights(weights: KeyScoreWeights): void {
  if (typeof weights !== 'object' || weights === null) {
    fail('weights', 'The key-score weights must be an object with a weight per criterion.', {});
  }
  for (const key of Object.keys(weights)) {
    if (!(KEY_CRITERIA as readonly string[]).includes(key)) {
      fail(`weights.${key}`, `"${key}" is not a key-client criterion; the criteria are ${KEY_CRITERIA.join(', ')}.`, {});
    }
  }
  let sum = 0;
  for (const criterion of KEY_CRITERIA) {
    const weight: unknown = weights[criterion];
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      fail(`weights.${criterion}`, `The weight of ${criterion} must be a finite number, zero or more (got ${String(weight)}).`, {
        value: String(weight),
      });
    }
    sum += weight;
  }
  if (!(sum > 0)) fail('weights', 'At least one key-score weight must be above zero.', {});
  if (!Number.isFinite(sum)) fail('weights', 'The key-score weights are too large to be added up.', {});
}

type Scored = { value: number | null; score: number | null };

function scoreCriterion(
  criterion: KeyCriterion,
  input: KeyScoreInput,
  contextGroups: number,
  profitRank: (profit: number) => number,
): Scored {
  switch (criterion) {
    case 'profit': {
      // A percentile rank rather than profit / the largest profit: one very large account would
      // otherwise squeeze every other one towards 0, and the rank is also free of the currency and
      // of whether the ledger gives margin or only revenue. An account that makes no profit is not
      // a key client on this criterion however it ranks among other loss-makers.
      const profit = input.profit;
      if (profit === null) return { value: null, score: null };
      return { value: profit, score: profit <= 0 ? 0 : profitRank(profit) };
    }
    case 'reliability': {
      // Linear from on time (1) to LATE_DAYS_AT_ZERO days late (0): each day late costs the same,
      // and paying early earns nothing extra over paying on time.
      const late = input.paymentDaysLate;
      if (late === null) return { value: null, score: null };
      return { value: late, score: Math.min(1, Math.max(0, 1 - late / LATE_DAYS_AT_ZERO)) };
    }
    case 'longTermPlans': {
      // The horizon measures the plans; written plans without one still say something, hence the
      // floor. Neither a horizon nor plans is no data rather than a zero, since a blank dossier
      // does not mean the account has no plans.
      const horizon = input.cooperationHorizonMonths;
      if (horizon === null) {
        return { value: null, score: input.hasLongTermPlans ? PLANS_WITHOUT_HORIZON : null };
      }
      const fromHorizon = Math.min(1, horizon / HORIZON_MONTHS_AT_FULL);
      return { value: horizon, score: input.hasLongTermPlans ? Math.max(PLANS_WITHOUT_HORIZON, fromHorizon) : fromHorizon };
    }
    case 'growth': {
      // Centred on flat sales (0.5), symmetric in the fraction: losing all of last year's revenue
      // scores 0 and doubling it scores 1; beyond either end says no more.
      const growth = input.growth;
      if (growth === null) return { value: null, score: null };
      return { value: growth, score: Math.min(1, Math.max(0, 0.5 + growth / 2)) };
    }
    case 'opportunities': {
      // Breadth of the range bought, as a share of the groups the company sold in the window: an
      // account already buying across the range is one where new products find a buyer, and the
      // share needs no threshold that would differ between a narrow and a wide catalogue. Without
      // a group column, or for an account with no grouped purchase in the window, there is nothing
      // to measure.
      const groups = input.productGroups;
      if (groups === null || groups === 0 || contextGroups === 0) return { value: groups, score: null };
      return { value: groups, score: groups / contextGroups };
    }
    case 'reputation': {
      // The dossier's 1-5 scale mapped linearly onto 0..1.
      const reputation = input.reputationInfluence;
      if (reputation === null) return { value: null, score: null };
      return { value: reputation, score: (reputation - 1) / 4 };
    }
  }
}

/**
 * The mid-rank percentile of a profit among the known profits of the inputs: (r - 1) / (n - 1) with
 * r the profit's average rank from the bottom (tied values share the mean of the ranks they span),
 * that is (number below + 0.5 * number equal - 0.5) / (n - 1); 1 when only one profit is known.
 * Mid-ranks keep equal profits equal and the scale symmetric: the lowest scores 0, the highest 1.
 */
function profitRanker(inputs: readonly KeyScoreInput[]): (profit: number) => number {
  const known: number[] = [];
  for (const input of inputs) if (input.profit !== null) known.push(input.profit);
  const sorted = Float64Array.from(known).sort();
  const n = sorted.length;
  return (profit) => {
    if (n === 1) return 1;
    const below = lowerBound(sorted, profit);
    const equal = lowerBound(sorted, profit, true) - below;
    return (below + 0.5 * equal - 0.5) / (n - 1);
  };
}

/** The first index whose value is not below `x` (or, with `after`, is above it). */
function lowerBound(sorted: Float64Array, x: number, after = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as number;
    if (v < x || (after && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The inputs are checked here because they are assembled from the ledger and the dossier by callers
 * this module cannot see, and a NaN would otherwise pass silently into every total.
 */
function validateInput(input: KeyScoreInput, index: number, contextGroups: number): void {
  const where = { account: input.account, index };
  const who = `account ${input.account}`;
  const finite = (field: keyof KeyScoreInput, value: number | null): void => {
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
      fail(field, `The ${field} of ${who} must be a finite number or null (got ${String(value)}).`, { ...where, value: String(value) });
    }
  };
  finite('profit', input.profit);
  finite('paymentDaysLate', input.paymentDaysLate);
  finite('cooperationHorizonMonths', input.cooperationHorizonMonths);
  finite('growth', input.growth);
  finite('productGroups', input.productGroups);
  finite('reputationInfluence', input.reputationInfluence);
  const horizon = input.cooperationHorizonMonths;
  if (horizon !== null && horizon < 0) {
    fail('cooperationHorizonMonths', `The cooperation horizon of ${who} cannot be negative (got ${horizon}).`, { ...where, value: String(horizon) });
  }
  const groups = input.productGroups;
  if (groups !== null && (!Number.isSafeInteger(groups) || groups < 0)) {
    fail('productGroups', `The product groups of ${who} must be a whole number, zero or more (got ${groups}).`, { ...where, value: String(groups) });
  }
  if (groups !== null && groups > contextGroups) {
    // The account's groups are a subset of the window's, so more of them means the two counts
    // were taken from different data.
    fail('productGroups', `${who} bought ${groups} product groups, more than the ${contextGroups} sold in the window.`, { ...where, value: String(groups) });
  }
  const reputation = input.reputationInfluence;
  if (reputation !== null && (reputation < 1 || reputation > 5)) {
    fail('reputationInfluence', `The reputation influence of ${who} must be from 1 to 5 (got ${reputation}).`, { ...where, value: String(reputation) });
  }
}

function fail(field: string, message: string, details: Record<string, unknown>): never {
  throw new KamertonError('invalid-input', message, { ...details, field });
}
