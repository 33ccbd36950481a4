/**
 * Percentiles with numpy.percentile's default definition ("linear", Hyndman & Fan type 7):
 * the p-th percentile of n sorted values sits at virtual index h = (n - 1) · p / 100 and is
 * interpolated linearly between the values at floor(h) and floor(h) + 1. The arithmetic mirrors
 * numpy's (including its two-sided lerp) so the fixtures agree to far better than 1e-9.
 */

export type Values = Float64Array | readonly number[];

/** The latency block of report.json, in the unit of the input (milliseconds in the journal). */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Sorts once and reads every requested percentile (0..100) off the sorted copy; the input is
 * not modified. Values must be finite (a NaN latency is a recording bug). An empty input gives
 * NaN for every percentile (numpy raises): the report shows it as not available.
 */
export function percentiles(values: Values, ps: readonly number[]): number[] {
  return percentilesSorted(sortedCopy(values), ps);
}

/** Percentiles of values already sorted ascending (see {@link percentiles}). */
export function percentilesSorted(sorted: Float64Array, ps: readonly number[]): number[] {
  return ps.map((p) => percentileOfSorted(sorted, p));
}

/** p50, p90, p95, p99 and max of a latency sample, from one sort. */
export function latencySummary(values: Values): LatencySummary {
  const sorted = sortedCopy(values);
  const [p50, p90, p95, p99] = percentilesSorted(sorted, [50, 90, 95, 99]) as [number, number, number, number];
  const max = sorted.length === 0 ? NaN : sorted[sorted.length - 1]!;
  return { p50, p90, p95, p99, max };
}

function sortedCopy(values: Values): Float64Array {
  const sorted = Float64Array.from(values);
  for (let i = 0; i < sorted.length; i++) {
    if (!Number.isFinite(sorted[i]!)) throw new RangeError(`value ${i} is not finite (${sorted[i]})`);
  }
  return sorted.sort(); // typed-array sort is numeric
}

function percentileOfSorted(sorted: Float64Array, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside [0, 100]`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * (p / 100);
  if (h >= n - 1) return sorted[n - 1]!;
  const lo = Math.floor(h);
  const gamma = h - lo;
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  const diff = b - a;
  // numpy interpolates from the nearer end, which keeps the result inside [a, b] exactly.
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}
