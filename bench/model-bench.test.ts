import { describe, expect, it } from 'vitest';
import { fitBgNbd } from '../src/core/bgnbd.ts';
import { formatModelTable, parsePeerOutput, seededRandom, simulate } from './model-bench.ts';

describe('the model benchmark', () => {
  it('simulates the same clients from the same seed, with histories a ledger can give', () => {
    const a = simulate(2000, 7);
    const b = simulate(2000, 7);
    expect(a.data).toEqual(b.data);
    expect(a.ledger.days).toEqual(b.ledger.days);
    const { x, tx, T } = a.data;
    for (let i = 0; i < x.length; i++) {
      expect(tx[i]).toBeLessThanOrEqual(T[i]!);
      // x distinct purchase days after the first fit in t_x days.
      expect(x[i]).toBeLessThanOrEqual(tx[i]!);
      if (x[i] === 0) expect(tx[i]).toBe(0);
      expect(a.ledger.offsets[i + 1]! - a.ledger.offsets[i]!).toBe(x[i]! + 1);
    }
    expect(seededRandom(1)()).toBe(seededRandom(1)());
  });

  it('recovers the true parameters roughly from 20,000 simulated clients', () => {
    const fit = fitBgNbd(simulate(20_000, 11).data);
    expect(fit.converged).toBe(true);
    expect(fit.params.r).toBeGreaterThan(0.2);
    expect(fit.params.r).toBeLessThan(0.3);
    expect(fit.params.alpha).toBeGreaterThan(22);
    expect(fit.params.alpha).toBeLessThan(40);
  });

  it('reads the peer’s JSON and refuses anything else', () => {
    const line = '{"seconds": 1.5, "r": 0.25, "alpha": 30, "a": 0.8, "b": 2.5, "logLikelihood": -100, "converged": true, "iterations": 10, "evaluations": 20}';
    expect(parsePeerOutput(line)).toMatchObject({ seconds: 1.5, converged: true });
    expect(() => parsePeerOutput('Traceback')).toThrow(/printed no JSON/);
    expect(() => parsePeerOutput(line.replace('"r": 0.25', '"r": "x"'))).toThrow(/r is not a finite number/);
  });

  it('gives each fit its time against SciPy’s', () => {
    const params = { r: 0.25, alpha: 30, a: 0.8, b: 2.5 };
    const table = formatModelTable(
      [
        { label: 'ours', seconds: [1, 2, 3], params, logLikelihood: -10, converged: true, note: '' },
        { label: 'scipy', seconds: [40], params, logLikelihood: -10, converged: true, note: '' },
      ],
      'scipy',
    );
    expect(table).toContain('| ours | 3 | 2.000 | 0.2500 | 30.000 | 0.8000 | 2.5000 | -10.00 | yes | 0.050x |');
  });
});
