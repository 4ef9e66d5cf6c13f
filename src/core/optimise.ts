/**
 * The minimisers for the model fits. The fits use `minimiseQuasiNewton` (BFGS on an analytic
 * gradient, below) first, and `minimise`, derivative-free, as the fallback when it does not converge:
 * on the benchmark's 100,000 clients BFGS takes 25 iterations (about as many evaluations of the
 * likelihood and its gradient) where Nelder-Mead took over 300 iterations, for the same optimum (a
 * closer one, in fact: the polish's central differences left Gamma-Gamma's gradient at about 2e-7 per
 * client, where BFGS reaches 1e-11; the parameters differ by about 1e-6, relatively).
 *
 * `minimise`: Nelder-Mead with restarts, then a few BFGS steps on central-difference gradients to
 * polish the optimum.
 *
 * - Nelder-Mead (J. A. Nelder and R. Mead, "A simplex method for function minimization", The
 *   Computer Journal 7, 1965), with the standard coefficients and the tie-breaking and acceptance
 *   rules of J. C. Lagarias et al., "Convergence properties of the Nelder-Mead simplex method in low
 *   dimensions", SIAM J. Optim. 9, 1998. It needs no gradient and survives a cost that is +Infinity
 *   in part of the space (a likelihood that underflows, or parameters where it is undefined).
 * - The simplex can collapse without being at a minimum (McKinnon 1998), so a converged run is
 *   restarted from its best point with a fresh simplex until a restart no longer improves the cost.
 * - Nelder-Mead converges slowly at the end; BFGS (Nocedal & Wright, "Numerical Optimization",
 *   2nd ed., algorithm 6.1 with a backtracking Armijo line search) takes the last digits quickly.
 *
 * A cost that is NaN, -Infinity or +Infinity is treated as +Infinity: a likelihood that cannot be
 * evaluated there is no better than any finite one.
 */

export type MinimiseOptions = {
  /** The simplex's initial edge along each axis. Default 0.5 (a factor e^0.5 when x holds log-parameters). */
  initialStep?: number;
  /** The simplex has converged when its vertices are within this distance of the best (max norm) ... */
  xTolerance?: number;
  /** ... and their costs within this much of the best cost. */
  fTolerance?: number;
  /** The most Nelder-Mead iterations over all restarts. */
  maxIterations?: number;
  /** The most restarts after the first convergence. */
  maxRestarts?: number;
  /** BFGS polishing iterations after Nelder-Mead (0: none). */
  polishIterations?: number;
  /** The polish stops when the gradient's max norm is below this, and the result counts as converged only below gradientTolerance * 1000. */
  gradientTolerance?: number;
};

export type MinimiseResult = {
  x: number[];
  value: number;
  /** True when the simplex converged within maxIterations, a restart no longer improved it, and the gradient is small. */
  converged: boolean;
  /** Nelder-Mead iterations plus BFGS iterations. */
  iterations: number;
  evaluations: number;
  /** The gradient's max norm at the result (central differences). */
  gradientNorm: number;
};

const DEFAULTS: Required<MinimiseOptions> = {
  initialStep: 0.5,
  xTolerance: 1e-7,
  fTolerance: 1e-11,
  maxIterations: 5000,
  maxRestarts: 5,
  polishIterations: 50,
  gradientTolerance: 1e-9,
};

function checkOptions(options: MinimiseOptions): Required<MinimiseOptions> {
  const merged = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options) as [keyof MinimiseOptions, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULTS)) throw new RangeError(`minimise: unknown option ${key}`);
    const whole = key === 'maxIterations' || key === 'maxRestarts' || key === 'polishIterations';
    if (typeof value !== 'number' || !Number.isFinite(value) || (whole ? !Number.isInteger(value) || value < 0 : value <= 0)) {
      throw new RangeError(`minimise: ${key} must be ${whole ? 'a whole number from 0' : 'a positive finite number'}, got ${String(value)}`);
    }
    merged[key] = value;
  }
  if (merged.maxIterations < 1) throw new RangeError('minimise: maxIterations must be at least 1');
  return merged;
}

/** Minimises `cost` from `start`. Throws RangeError for bad options or a start whose cost is not finite. */
export function minimise(cost: (x: readonly number[]) => number, start: readonly number[], options: MinimiseOptions = {}): MinimiseResult {
  const settings = checkOptions(options);
  const n = start.length;
  if (n === 0) throw new RangeError('minimise: start must have at least one coordinate');
  if (!start.every(Number.isFinite)) throw new RangeError(`minimise: start must be finite, got [${start.join(', ')}]`);
  let evaluations = 0;
  const f = (x: readonly number[]): number => {
    evaluations++;
    const value = cost(x);
    return Number.isFinite(value) ? value : Infinity;
  };
  let best = [...start];
  let bestValue = f(best);
  if (bestValue === Infinity) throw new RangeError(`minimise: the cost at the start [${start.join(', ')}] is not finite`);

  let iterations = 0;
  let converged = false;
  for (let restart = 0; restart <= settings.maxRestarts && iterations < settings.maxIterations; restart++) {
    const run = nelderMead(f, best, bestValue, settings, settings.maxIterations - iterations);
    iterations += run.iterations;
    const improvement = bestValue - run.value;
    best = run.x;
    bestValue = run.value;
    // The first run always restarts once; after that, stop when a restart found nothing better.
    if (run.converged && restart > 0 && improvement <= settings.fTolerance) {
      converged = true;
      break;
    }
    if (!run.converged) break;
  }

  let gradient = centralGradient(f, best, bestValue);
  if (settings.polishIterations > 0 && bestValue < Infinity) {
    const polished = polishBfgs(f, best, bestValue, gradient, settings);
    iterations += polished.iterations;
    best = polished.x;
    bestValue = polished.value;
    gradient = polished.gradient;
  }
  const gradientNorm = Math.max(...gradient.map(Math.abs));
  return {
    x: best,
    value: bestValue,
    converged: converged && gradientNorm <= settings.gradientTolerance * 1000,
    iterations,
    evaluations,
    gradientNorm,
  };
}

/** One Nelder-Mead run from `start` until the simplex converges or `budget` iterations are spent. */
function nelderMead(
  f: (x: readonly number[]) => number,
  start: number[],
  startValue: number,
  settings: Required<MinimiseOptions>,
  budget: number,
): { x: number[]; value: number; converged: boolean; iterations: number } {
  const n = start.length;
  // Lagarias et al.'s coefficients: reflection 1, expansion 2, contraction 1/2, shrink 1/2.
  const simplex: number[][] = [start];
  const values: number[] = [startValue];
  for (let i = 0; i < n; i++) {
    const vertex = [...start];
    vertex[i]! += settings.initialStep;
    simplex.push(vertex);
    values.push(f(vertex));
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const point = (from: number[], towards: number[], t: number): number[] => from.map((v, i) => v + t * (towards[i]! - v));
  for (let iteration = 0; iteration < budget; iteration++) {
    // Sort best first; a stable sort keeps the older vertex first on ties, as Lagarias et al. ask.
    // (Comparisons, not a difference: two +Infinity costs would give NaN.)
    order.sort((i, j) => (values[i]! < values[j]! ? -1 : values[i]! > values[j]! ? 1 : 0));
    const sortedSimplex = order.map((i) => simplex[i]!);
    const sortedValues = order.map((i) => values[i]!);
    for (let i = 0; i <= n; i++) {
      simplex[i] = sortedSimplex[i]!;
      values[i] = sortedValues[i]!;
      order[i] = i;
    }
    const bestValue = values[0]!;
    let size = 0;
    let spread = 0;
    for (let i = 1; i <= n; i++) {
      for (let k = 0; k < n; k++) size = Math.max(size, Math.abs(simplex[i]![k]! - simplex[0]![k]!));
      spread = Math.max(spread, values[i]! - bestValue);
    }
    if (size <= settings.xTolerance && spread <= settings.fTolerance) {
      return { x: simplex[0]!, value: bestValue, converged: true, iterations: iteration };
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) centroid[k]! += simplex[i]![k]! / n;
    const worst = simplex[n]!;
    const worstValue = values[n]!;
    const secondWorstValue = values[n - 1]!;
    const reflected = point(centroid, worst, -1);
    const reflectedValue = f(reflected);
    if (reflectedValue < bestValue) {
      const expanded = point(centroid, worst, -2);
      const expandedValue = f(expanded);
      if (expandedValue < reflectedValue) {
        simplex[n] = expanded;
        values[n] = expandedValue;
      } else {
        simplex[n] = reflected;
        values[n] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < secondWorstValue) {
      simplex[n] = reflected;
      values[n] = reflectedValue;
      continue;
    }
    // Contract: outside when the reflection beat the worst vertex, inside otherwise.
    const outside = reflectedValue < worstValue;
    const contracted = outside ? point(centroid, worst, -0.5) : point(centroid, worst, 0.5);
    const contractedValue = f(contracted);
    if (contractedValue <= (outside ? reflectedValue : worstValue) && contractedValue < Infinity) {
      simplex[n] = contracted;
      values[n] = contractedValue;
      continue;
    }
    // Shrink every vertex halfway towards the best.
    for (let i = 1; i <= n; i++) {
      simplex[i] = point(simplex[0]!, simplex[i]!, 0.5);
      values[i] = f(simplex[i]!);
    }
  }
  let bestIndex = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[bestIndex]!) bestIndex = i;
  return { x: simplex[bestIndex]!, value: values[bestIndex]!, converged: false, iterations: budget };
}

/**
 * The gradient by central differences, with steps of about the cube root of the machine epsilon
 * relative to each coordinate (balancing truncation against rounding; Nocedal & Wright, section 8.1).
 * Where a neighbour's cost is not finite it falls back to the one-sided difference.
 */
function centralGradient(f: (x: readonly number[]) => number, x: readonly number[], value: number): number[] {
  const gradient: number[] = [];
  for (let k = 0; k < x.length; k++) {
    const h = 6e-6 * Math.max(1, Math.abs(x[k]!));
    const up = [...x];
    const down = [...x];
    up[k]! += h;
    down[k]! -= h;
    const fUp = f(up);
    const fDown = f(down);
    if (fUp < Infinity && fDown < Infinity) gradient.push((fUp - fDown) / (2 * h));
    else if (fUp < Infinity) gradient.push((fUp - value) / h);
    else if (fDown < Infinity) gradient.push((value - fDown) / h);
    else gradient.push(0);
  }
  return gradient;
}

/** BFGS with an Armijo backtracking line search; a step is taken only when it lowers the cost. */
function polishBfgs(
  f: (x: readonly number[]) => number,
  start: number[],
  startValue: number,
  startGradient: number[],
  settings: Required<MinimiseOptions>,
): { x: number[]; value: number; gradient: number[]; iterations: number } {
  const n = start.length;
  let x = start;
  let value = startValue;
  let gradient = startGradient;
  // The inverse Hessian approximation starts as the identity.
  let inverse: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let iterations = 0;
  for (; iterations < settings.polishIterations; iterations++) {
    if (Math.max(...gradient.map(Math.abs)) <= settings.gradientTolerance) break;
    let direction = inverse.map((row) => -row.reduce((sum, h, j) => sum + h * gradient[j]!, 0));
    let slope = direction.reduce((sum, d, i) => sum + d * gradient[i]!, 0);
    if (!(slope < 0)) {
      // Not a descent direction (the approximation lost positive definiteness): steepest descent.
      inverse = inverse.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
      direction = gradient.map((g) => -g);
      slope = -gradient.reduce((sum, g) => sum + g * g, 0);
    }
    let step = 1;
    let next: number[] | null = null;
    let nextValue = value;
    for (let halving = 0; halving < 40; halving++) {
      const candidate = x.map((v, i) => v + step * direction[i]!);
      const candidateValue = f(candidate);
      if (candidateValue <= value + 1e-4 * step * slope && candidateValue < value) {
        next = candidate;
        nextValue = candidateValue;
        break;
      }
      step /= 2;
    }
    if (next === null) break;
    const nextGradient = centralGradient(f, next, nextValue);
    const s = next.map((v, i) => v - x[i]!);
    const y = nextGradient.map((g, i) => g - gradient[i]!);
    const sy = s.reduce((sum, v, i) => sum + v * y[i]!, 0);
    if (sy > 1e-300) {
      if (iterations === 0) {
        // Scale the identity by s'y / y'y before the first update (Nocedal & Wright eq. 6.20), so that
        // the first steps are of the problem's size, not of the gradient's.
        const yy = y.reduce((sum, v) => sum + v * v, 0);
        inverse = inverse.map((row) => row.map((h) => (h * sy) / yy));
      }
      // H+ = (I - rho s y^T) H (I - rho y s^T) + rho s s^T (Nocedal & Wright eq. 6.17).
      const rho = 1 / sy;
      const hy = inverse.map((row) => row.reduce((sum, h, j) => sum + h * y[j]!, 0));
      const yhy = y.reduce((sum, v, i) => sum + v * hy[i]!, 0);
      inverse = inverse.map((row, i) =>
        row.map((h, j) => h - rho * (hy[i]! * s[j]! + s[i]! * hy[j]!) + (rho * rho * yhy + rho) * s[i]! * s[j]!),
      );
    }
    x = next;
    value = nextValue;
    gradient = nextGradient;
  }
  return { x, value, gradient, iterations };
}

/** A minimiser's answer, as the fits compare them across start values. */
export type Optimum = { x: number[]; value: number; converged: boolean };

/** The better of two optimiser results: the lower cost, or the converged one when their costs tie. */
export function betterOf(best: Optimum | null, result: Optimum): Optimum {
  if (best === null || result.value < best.value - 1e-12 || (result.converged && !best.converged && result.value <= best.value + 1e-9)) {
    return { x: result.x, value: result.value, converged: result.converged };
  }
  return best;
}

/** A cost that also writes its gradient at x into `gradient` (of x's length) and returns its value. */
export type CostWithGradient = (x: readonly number[], gradient: number[]) => number;

export type QuasiNewtonOptions = {
  /** The most BFGS iterations. */
  maxIterations?: number;
  /** Stop when the gradient's max norm is below this; the result counts as converged below gradientTolerance * 1000, as minimise's does. */
  gradientTolerance?: number;
};

const QUASI_NEWTON_DEFAULTS: Required<QuasiNewtonOptions> = { maxIterations: 200, gradientTolerance: 1e-11 };

/** The sufficient-decrease (Armijo) and curvature constants of the strong Wolfe conditions: Nocedal & Wright's usual choice for quasi-Newton methods (section 3.1). */
const WOLFE_DECREASE = 1e-4;
const WOLFE_CURVATURE = 0.9;

type LinePoint = { step: number; value: number; slope: number; x: number[]; gradient: number[] };

/**
 * Minimises a cost with an analytic gradient by BFGS (Nocedal & Wright, "Numerical Optimization",
 * 2nd ed., algorithm 6.1) with a line search for the strong Wolfe conditions (their algorithms 3.5
 * and 3.6, with the safeguarded cubic interpolation of their eq. 3.59). The strong Wolfe conditions
 * guarantee s'y > 0, so every update keeps the inverse Hessian positive definite; the identity is
 * scaled by s'y / y'y before the first update (their eq. 6.20).
 *
 * With an exact gradient it needs tens of evaluations where Nelder-Mead needs hundreds, but it has no
 * answer to a cost that is not finite along its path except to shorten the step, and it trusts the
 * gradient: callers keep Nelder-Mead (`minimise`) as the fallback when this does not converge.
 * Throws RangeError for bad options or a start whose cost or gradient is not finite.
 */
export function minimiseQuasiNewton(cost: CostWithGradient, start: readonly number[], options: QuasiNewtonOptions = {}): MinimiseResult {
  const settings = { ...QUASI_NEWTON_DEFAULTS };
  for (const [key, value] of Object.entries(options) as [keyof QuasiNewtonOptions, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in QUASI_NEWTON_DEFAULTS)) throw new RangeError(`minimiseQuasiNewton: unknown option ${key}`);
    const whole = key === 'maxIterations';
    if (typeof value !== 'number' || !Number.isFinite(value) || (whole ? !Number.isInteger(value) || value < 1 : value <= 0)) {
      throw new RangeError(`minimiseQuasiNewton: ${key} must be ${whole ? 'a whole number from 1' : 'a positive finite number'}, got ${String(value)}`);
    }
    settings[key] = value;
  }
  const n = start.length;
  if (n === 0) throw new RangeError('minimiseQuasiNewton: start must have at least one coordinate');
  if (!start.every(Number.isFinite)) throw new RangeError(`minimiseQuasiNewton: start must be finite, got [${start.join(', ')}]`);
  let evaluations = 0;
  const evaluate = (x: number[]): { value: number; gradient: number[] } => {
    evaluations++;
    const gradient = new Array<number>(n).fill(0);
    const value = cost(x, gradient);
    // A point where the cost or its gradient cannot be evaluated is no better than any finite one.
    return Number.isFinite(value) && gradient.every(Number.isFinite) ? { value, gradient } : { value: Infinity, gradient };
  };
  let x = [...start];
  let { value, gradient } = evaluate(x);
  if (value === Infinity) throw new RangeError(`minimiseQuasiNewton: the cost or its gradient at the start [${start.join(', ')}] is not finite`);
  const maxNorm = (v: readonly number[]): number => v.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
  let inverse: number[][] = identity(n);
  let iterations = 0;
  for (; iterations < settings.maxIterations; iterations++) {
    if (maxNorm(gradient) <= settings.gradientTolerance) break;
    let direction = inverse.map((row) => -dot(row, gradient));
    if (!(dot(direction, gradient) < 0)) {
      // Rounding can cost the approximation its positive definiteness: restart from steepest descent.
      inverse = identity(n);
      direction = gradient.map((g) => -g);
    }
    // Before the first update the direction has the gradient's size, not the problem's: cap the first
    // trial step at a unit move in the largest coordinate (later steps start at the Newton step, 1).
    const initial = iterations === 0 ? Math.min(1, 1 / maxNorm(direction)) : 1;
    const next = strongWolfeSearch(evaluate, x, value, gradient, direction, initial);
    if (next === null) break;
    const s = next.x.map((v, i) => v - x[i]!);
    const y = next.gradient.map((g, i) => g - gradient[i]!);
    const sy = dot(s, y);
    if (sy > 0) {
      if (iterations === 0) {
        const yy = dot(y, y);
        inverse = inverse.map((row) => row.map((h) => (h * sy) / yy));
      }
      // H+ = (I - rho s y^T) H (I - rho y s^T) + rho s s^T (Nocedal & Wright eq. 6.17).
      const rho = 1 / sy;
      const hy = inverse.map((row) => dot(row, y));
      const yhy = dot(y, hy);
      inverse = inverse.map((row, i) => row.map((h, j) => h - rho * (hy[i]! * s[j]! + s[i]! * hy[j]!) + (rho * rho * yhy + rho) * s[i]! * s[j]!));
    }
    x = next.x;
    value = next.value;
    gradient = next.gradient;
  }
  const gradientNorm = maxNorm(gradient);
  return { x, value, converged: gradientNorm <= settings.gradientTolerance * 1000, iterations, evaluations, gradientNorm };
}

function dot(u: readonly number[], v: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < u.length; i++) sum += u[i]! * v[i]!;
  return sum;
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

/**
 * A step along `direction` that satisfies the strong Wolfe conditions (Nocedal & Wright algorithm
 * 3.5: bracket, then zoom with algorithm 3.6), or null when none is found (the search is then at the
 * rounding floor of the cost, or the direction is useless). A non-finite cost at a trial step counts
 * as a step too long.
 *
 * The sufficient-decrease test allows for the cost's own rounding error, 1e-12 of |f(x)|, in the
 * spirit of the "approximate Wolfe" conditions of W. W. Hager and H. Zhang ("A new conjugate
 * gradient method with guaranteed descent and an efficient line search", SIAM J. Optim. 16, 2005,
 * who allow 1e-6): a likelihood summed over 10^5 clients is exact to only about 1e-14 of its value,
 * while near the minimum the decrease a step can make (of the order of the gradient squared) is far
 * smaller. Without the allowance a step whose curvature test passes fails on noise, and the search
 * stalls with a gradient 100 times larger than the exact gradient lets it reach.
 */
function strongWolfeSearch(
  evaluate: (x: number[]) => { value: number; gradient: number[] },
  x: readonly number[],
  value: number,
  gradient: readonly number[],
  direction: readonly number[],
  initialStep: number,
): LinePoint | null {
  const slope0 = dot(gradient, direction);
  const noise = 1e-12 * Math.abs(value);
  const at = (step: number): LinePoint => {
    const point = x.map((v, i) => v + step * direction[i]!);
    const evaluated = evaluate(point);
    return { step, value: evaluated.value, slope: dot(evaluated.gradient, direction), x: point, gradient: evaluated.gradient };
  };
  const decreases = (p: LinePoint): boolean => p.value <= value + WOLFE_DECREASE * p.step * slope0 + noise;
  const flat = (p: LinePoint): boolean => Math.abs(p.slope) <= -WOLFE_CURVATURE * slope0;
  const origin: LinePoint = { step: 0, value, slope: slope0, x: [...x], gradient: [...gradient] };

  const zoom = (lowStart: LinePoint, highStart: LinePoint): LinePoint | null => {
    let low = lowStart;
    let high = highStart;
    for (let j = 0; j < 40; j++) {
      const step = interpolate(low, high);
      const trial = at(step);
      if (trial.value === Infinity || !decreases(trial) || trial.value >= low.value + noise) {
        high = trial;
      } else {
        if (flat(trial)) return trial;
        if (trial.slope * (high.step - low.step) >= 0) high = low;
        low = trial;
      }
      if (Math.abs(high.step - low.step) <= 1e-12 * Math.max(1, Math.abs(low.step))) break;
    }
    // The interval collapsed: a step with sufficient decrease is still progress, if not a Wolfe point.
    return low.step > 0 && low.value < value ? low : null;
  };

  let previous = origin;
  let step = initialStep;
  for (let i = 0; i < 40; i++) {
    const trial = at(step);
    if (trial.value === Infinity || !decreases(trial) || (i > 0 && trial.value >= previous.value)) return zoom(previous, trial);
    if (flat(trial)) return trial;
    if (trial.slope >= 0) return zoom(trial, previous);
    previous = trial;
    step *= 4;
  }
  return null;
}

/**
 * The minimiser of the cubic through two line points' values and slopes (Nocedal & Wright eq. 3.59),
 * kept at least a tenth of the interval away from either end; the midpoint when the cubic has no
 * minimum there or an end's cost is not finite.
 */
function interpolate(low: LinePoint, high: LinePoint): number {
  const lo = Math.min(low.step, high.step);
  const hi = Math.max(low.step, high.step);
  const width = hi - lo;
  const middle = (low.step + high.step) / 2;
  if (high.value === Infinity || !Number.isFinite(high.slope)) return middle;
  const d1 = low.slope + high.slope - (3 * (low.value - high.value)) / (low.step - high.step);
  const discriminant = d1 * d1 - low.slope * high.slope;
  if (!(discriminant >= 0)) return middle;
  const d2 = Math.sign(high.step - low.step) * Math.sqrt(discriminant);
  const step = high.step - (high.step - low.step) * ((high.slope + d2 - d1) / (high.slope - low.slope + 2 * d2));
  if (!Number.isFinite(step)) return middle;
  return Math.min(hi - 0.1 * width, Math.max(lo + 0.1 * width, step));
}

/**
 * The minimum of a cost from several starts, as the model fits want it: BFGS on the gradient from
 * each start in turn, stopping at the first that converges (tens of evaluations where Nelder-Mead
 * takes hundreds, to the same tolerance); when none does, Nelder-Mead, which needs no gradient and
 * survives a cost that cannot be evaluated in part of the space, from each start until one converges,
 * keeping the best. Starts where the cost or its gradient is not finite are skipped. `best` is null
 * when no start can be evaluated; `iterations` counts every attempt's.
 */
export function minimiseFromStarts(
  cost: (x: readonly number[]) => number, costWithGradient: CostWithGradient, starts: readonly (readonly number[])[],
): { best: Optimum | null; iterations: number } {
  const usable = starts.filter((start) => Number.isFinite(cost(start)));
  let iterations = 0;
  for (const start of usable) {
    const gradient = start.map(() => 0);
    if (!(Number.isFinite(costWithGradient(start, gradient)) && gradient.every(Number.isFinite))) continue;
    const result = minimiseQuasiNewton(costWithGradient, start);
    iterations += result.iterations;
    if (result.converged) return { best: betterOf(null, result), iterations };
  }
  let best: Optimum | null = null;
  for (const start of usable) {
    const result = minimise(cost, start);
    iterations += result.iterations;
    best = betterOf(best, result);
    if (best.converged) break;
  }
  return { best, iterations };
}
