import { describe, expect, it } from 'vitest';
import { brier } from '../../simulator/metrics/brier.ts';

describe('brier', () => {
  it('is the mean squared error of score against label', () => {
    expect(brier([1, 0, 1], [1, 0, 1])).toBe(0);
    expect(brier([0.5, 0.5], [0, 1])).toBe(0.25);
    expect(brier([0.1, 0.9, 0.8, 0.3], [0, 1, 1, 0])).toBeCloseTo((0.01 + 0.01 + 0.04 + 0.09) / 4, 15);
    expect(brier(Float64Array.of(0, 1), Uint8Array.of(1, 0))).toBe(1);
  });

  it('is NaN on an empty sample and rejects bad input', () => {
    expect(brier([], [])).toBeNaN();
    expect(() => brier([0.2], [0, 1])).toThrow(RangeError);
    expect(() => brier([NaN], [0])).toThrow(RangeError);
  });

  it('does not lose precision on long sums', () => {
    // 10^6 terms of 0.01: a naive running sum drifts in the last digits, the compensated one does not.
    const n = 1_000_000;
    expect(brier(new Float64Array(n).fill(0.1), new Uint8Array(n))).toBe(0.1 * 0.1);
  });
});
