import { describe, expect, it } from 'vitest';
import { latencySummary, percentiles } from '../../simulator/metrics/percentile.ts';

describe('percentiles (numpy default, type 7)', () => {
  it('interpolates linearly between closest ranks', () => {
    expect(percentiles([4, 1, 3, 2], [0, 25, 50, 75, 100])).toEqual([1, 1.75, 2.5, 3.25, 4]);
    expect(percentiles([10, 20], [90])).toEqual([19]);
    expect(percentiles([7], [0, 50, 99])).toEqual([7, 7, 7]);
  });

  it('does not modify its input', () => {
    const values = [3, 1, 2];
    percentiles(values, [50]);
    expect(values).toEqual([3, 1, 2]);
  });

  it('is NaN on an empty sample and rejects bad input', () => {
    expect(percentiles([], [50])).toEqual([NaN]);
    expect(() => percentiles([1, NaN], [50])).toThrow(RangeError);
    expect(() => percentiles([1, 2], [101])).toThrow(RangeError);
    expect(() => percentiles([1, 2], [-1])).toThrow(RangeError);
  });

  it('summarises latency as p50, p90, p95, p99 and max', () => {
    const values = Array.from({ length: 101 }, (_, i) => 100 - i);
    expect(latencySummary(values)).toEqual({ p50: 50, p90: 90, p95: 95, p99: 99, max: 100 });
    expect(latencySummary([])).toEqual({ p50: NaN, p90: NaN, p95: NaN, p99: NaN, max: NaN });
  });
});
