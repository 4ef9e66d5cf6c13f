import { describe, expect, it } from 'vitest';
import { minimise } from './optimise.ts';

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
