import { describe, expect, it } from 'vitest';
import { normalQuantile, safetyRate, safetyRates, wilsonInterval, Z_95 } from '../../simulator/metrics/safety-rates.ts';

/*
 * Reference values: the Wilson formula with z = scipy.stats.norm.ppf(1 - alpha/2) (scipy 1.17),
 * the same as statsmodels proportion_confint(k, n, alpha, method="wilson").
 */
const WILSON: [number, number, number, [number, number]][] = [
  [0, 10, 0.95, [0, 0.2775327998628892]],
  [1, 10, 0.95, [0.017876213095072868, 0.4041500267952385]],
  [5, 10, 0.95, [0.236593090512564, 0.7634069094874361]],
  [10, 10, 0.95, [0.7224672001371107, 1]],
  [3, 250, 0.95, [0.004089319880534296, 0.03468078042701961]],
  [17, 40, 0.9, [0.3052341369801568, 0.5542688803166618]],
  [1, 1, 0.95, [0.20654931437723745, 1]],
  [0, 1, 0.95, [0, 0.7934506856227626]],
  [2, 1000, 0.99, [0.00039055837185737307, 0.01017424187193583]],
];

describe('wilsonInterval', () => {
  it.each(WILSON)('%i of %i at %f', (k, n, level, [lo, hi]) => {
    const [a, b] = wilsonInterval(k, n, level);
    expect(a).toBeCloseTo(lo, 12);
    expect(b).toBeCloseTo(hi, 12);
  });

  it('is exactly 0 at no failures and exactly 1 at all failures, and contains the rate', () => {
    expect(wilsonInterval(0, 37)[0]).toBe(0);
    expect(wilsonInterval(37, 37)[1]).toBe(1);
    for (let n = 1; n <= 60; n++) {
      for (let k = 0; k <= n; k++) {
        const [lo, hi] = wilsonInterval(k, n);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(hi).toBeLessThanOrEqual(1);
        expect(lo).toBeLessThanOrEqual(k / n);
        expect(hi).toBeGreaterThanOrEqual(k / n);
        // Symmetric: the interval of k failures mirrors that of n - k.
        const [lo2, hi2] = wilsonInterval(n - k, n);
        expect(lo).toBeCloseTo(1 - hi2, 12);
        expect(hi).toBeCloseTo(1 - lo2, 12);
      }
    }
  });

  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0, 0)).toThrow(/at least one trial/);
    expect(() => wilsonInterval(1, 2, 1)).toThrow(/level/);
  });
});

describe('normalQuantile', () => {
  it('matches scipy.stats.norm.ppf to double precision', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(Z_95, 14);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489004, 13);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 13);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 15);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('safetyRate', () => {
  it('gives the count, denominator, rate and Wilson interval', () => {
    expect(safetyRate(1, 10)).toEqual({ count: 1, applied: 10, rate: 0.1, ci: wilsonInterval(1, 10) });
    expect(safetyRate(17, 40, { level: 0.9 }).ci).toEqual(wilsonInterval(17, 40, 0.9));
  });

  it('has no rate or interval when the check never applied', () => {
    expect(safetyRate(0, 0)).toEqual({ count: 0, applied: 0, rate: null, ci: null });
    expect(() => safetyRate(1, 0)).toThrow(RangeError);
  });

  it('builds every applied check from the accumulator maps', () => {
    const applied = new Map([
      ['invariance', 4],
      ['schema', 10],
    ]);
    const failures = new Map([['invariance', 2]]);
    expect(safetyRates(applied, failures)).toEqual({
      invariance: safetyRate(2, 4),
      schema: { count: 0, applied: 10, rate: 0, ci: [0, wilsonInterval(0, 10)[1]] },
    });
    expect(() => safetyRates(applied, new Map([['crash', 1]]))).toThrow(/crash/);
  });
});
