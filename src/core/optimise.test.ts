import { describe, expect, it } from 'vitest';
import { betterOf, minimise, minimiseQuasiNewton } from './optimise.ts';

const rosenbrock = ([x, y]: readonly number[]): number => 100 * (y! - x! * x!) ** 2 + (1 - x!) ** 2;

describe('minimise', () => {
  it('finds the minimum of Rosenbrock’s banana from the classic start (−1.2, 1)', () => {
    const result = minimise(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.x[1]).toBeCloseTo(1, 7);
    expect(result.value).toBeLessThan(1e-14);
    expect(result.iterations).toBeGreaterThan(0);
    expect(result.evaluations).toBeGreaterThan(result.iterations);
  });

  it('minimises a badly scaled quadratic in four dimensions', () => {
    const scales = [1, 100, 1e-2, 10];
    const centre = [3, -1, 0.5, 2];
    const result = minimise((x) => x.reduce((sum, v, i) => sum + scales[i]! * (v - centre[i]!) ** 2, 0), [0, 0, 0, 0]);
    expect(result.converged).toBe(true);
    result.x.forEach((v, i) => expect(v).toBeCloseTo(centre[i]!, 5));
  });

  it('treats NaN, −Infinity and +Infinity costs as the worst, and still converges inside the valid region', () => {
    // Defined only for x > 0 (like a likelihood in a parameter that must be positive); the minimum is at 1.
    const cost = ([x]: readonly number[]): number => (x! <= 0 ? (x! < -1 ? -Infinity : NaN) : x! - Math.log(x!));
    const result = minimise(cost, [4], { initialStep: 8 });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
  });

  it('reports no convergence when the iterations run out', () => {
    const result = minimise(rosenbrock, [-1.2, 1], { maxIterations: 5, polishIterations: 0 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(5);
  });

  it('rejects bad options and starts, naming them', () => {
    expect(() => minimise(rosenbrock, [0, 0], { maxIterations: 0 })).toThrow(/maxIterations must be at least 1/);
    expect(() => minimise(rosenbrock, [0, 0], { maxIterations: 2.5 })).toThrow(/maxIterations must be a whole number/);
    expect(() => minimise(rosenbrock, [0, 0], { xTolerance: -1 })).toThrow(/xTolerance must be a positive finite number/);
    expect(() => minimise(rosenbrock, [0, 0], { initialStep: NaN })).toThrow(/initialStep/);
    expect(() => minimise(rosenbrock, [0, 0], { speed: 1 } as never)).toThrow(/unknown option speed/);
    expect(() => minimise(rosenbrock, [])).toThrow(/at least one coordinate/);
    expect(() => minimise(rosenbrock, [NaN, 0])).toThrow(/start must be finite/);
    expect(() => minimise(() => NaN, [0, 0])).toThrow(/cost at the start .* is not finite/);
  });
});

/** Rosenbrock's banana with its exact gradient. */
const rosenbrockWithGradient = ([x, y]: readonly number[], gradient: number[]): number => {
  gradient[0] = -400 * x! * (y! - x! * x!) - 2 * (1 - x!);
  gradient[1] = 200 * (y! - x! * x!);
  return rosenbrock([x!, y!]);
};

describe('minimiseQuasiNewton', () => {
  it('finds the minimum of Rosenbrock’s banana in far fewer evaluations than Nelder-Mead', () => {
    const result = minimiseQuasiNewton(rosenbrockWithGradient, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 9);
    expect(result.x[1]).toBeCloseTo(1, 9);
    expect(result.gradientNorm).toBeLessThanOrEqual(1e-8);
    expect(result.evaluations).toBeLessThan(minimise(rosenbrock, [-1.2, 1]).evaluations / 3);
  });

  it('minimises a badly scaled quadratic in four dimensions', () => {
    const scales = [1, 100, 1e-2, 10];
    const centre = [3, -1, 0.5, 2];
    const result = minimiseQuasiNewton((x, gradient) => {
      let sum = 0;
      x.forEach((v, i) => {
        gradient[i] = 2 * scales[i]! * (v - centre[i]!);
        sum += scales[i]! * (v - centre[i]!) ** 2;
      });
      return sum;
    }, [0, 0, 0, 0]);
    expect(result.converged).toBe(true);
    result.x.forEach((v, i) => expect(v).toBeCloseTo(centre[i]!, 8));
  });

  it('shortens a step into a region where the cost is not finite, and still converges', () => {
    // x − ln x: defined only for x > 0, minimum at 1; the first step from 20 overshoots below 0.
    const cost = ([x]: readonly number[], gradient: number[]): number => {
      gradient[0] = 1 - 1 / x!;
      return x! <= 0 ? NaN : x! - Math.log(x!);
    };
    const result = minimiseQuasiNewton(cost, [20]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 8);
  });

  it('reports no convergence when the iterations run out', () => {
    const result = minimiseQuasiNewton(rosenbrockWithGradient, [-1.2, 1], { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(3);
  });

  it('rejects bad options and starts, naming them', () => {
    expect(() => minimiseQuasiNewton(rosenbrockWithGradient, [0, 0], { maxIterations: 0 })).toThrow(/maxIterations must be a whole number from 1/);
    expect(() => minimiseQuasiNewton(rosenbrockWithGradient, [0, 0], { gradientTolerance: 0 })).toThrow(/gradientTolerance must be a positive finite number/);
    expect(() => minimiseQuasiNewton(rosenbrockWithGradient, [0, 0], { speed: 1 } as never)).toThrow(/unknown option speed/);
    expect(() => minimiseQuasiNewton(rosenbrockWithGradient, [])).toThrow(/at least one coordinate/);
    expect(() => minimiseQuasiNewton(rosenbrockWithGradient, [Infinity, 0])).toThrow(/start must be finite/);
    expect(() => minimiseQuasiNewton((_, gradient) => ((gradient[0] = NaN), 0), [0])).toThrow(/cost or its gradient at the start/);
  });
});

describe('betterOf', () => {
  it('keeps the lower cost, and prefers a converged result when the costs tie', () => {
    const a = { x: [1], value: 2, converged: false };
    const b = { x: [2], value: 1, converged: false };
    expect(betterOf(null, a)).toEqual(a);
    expect(betterOf(a, b)).toEqual(b);
    expect(betterOf(b, a)).toEqual(b);
    expect(betterOf(b, { x: [3], value: 1 + 1e-10, converged: true })).toEqual({ x: [3], value: 1 + 1e-10, converged: true });
  });
});
