/**
 * Percentile bootstrap confidence intervals with a seeded resampler.
 *
 * A resample draws n cases with replacement, represented as multinomial counts (n uniform
 * draws into a count array: O(n)). The draws come from a fast generator seeded from the named
 * stream (see resample.ts), so they cost a few nanoseconds each and the resample's cost is the
 * metric's weighted pass. A metric is then evaluated as a function of those per-case
 * weights, so nothing is copied or re-sorted: for AUROC one O(n) pass over the order sorted once
 * up front ({@link weightedAurocRanked}). The interval is [q(alpha/2), q(1 - alpha/2)] of the
 * resampled values, with the same percentile definition as the latency figures (numpy's default).
 *
 * Resamples on which the metric is undefined (NaN, e.g. a resample with no positive case) are
 * left out, the usual practice for bootstrapped AUROC; with very few positives the interval then
 * describes the resamples that contain both classes. The interval is null when the point estimate
 * itself is undefined or no resample is usable.
 */
import { aurocRanked, weightedAurocRanked } from './auroc.ts';
import { percentilesSorted } from './percentile.ts';
import type { RankedCases } from './ranked.ts';
import { IndexSource } from './resample.ts';
import { stream } from '../random.ts';

export interface BootstrapOptions {
  /** The scenario seed; the draws come from stream('bootstrap', seed, ...key). */
  readonly seed: number;
  /** Key parts naming what is being resampled (e.g. arm and metric), to separate streams. */
  readonly key?: ReadonlyArray<string | number>;
  /** Number of resamples B (default 1000). */
  readonly resamples?: number;
  /** Two-sided level: the interval covers 1 - alpha (default 0.05). */
  readonly alpha?: number;
}

/** A point estimate and its percentile bootstrap interval ([lo, hi], or null when undefined). */
export interface Estimate {
  readonly value: number;
  readonly ci: readonly [number, number] | null;
}

/** A metric as a function of per-case weights (indexed by case); all-ones weights give the point estimate. */
export type WeightedMetric = (weights: Float64Array) => number;

/** Bootstrap CI of any metric over n cases. */
export function bootstrapCi(n: number, metric: WeightedMetric, options: BootstrapOptions): Estimate {
  return resample(n, options, metric);
}

/**
 * Paired bootstrap CI of metricA - metricB, for two arms evaluated on the same n cases (aligned
 * by index): each resample applies the same case counts to both arms, so case-to-case variation
 * shared by the arms cancels out of the difference.
 */
export function pairedBootstrapCi(
  n: number,
  metricA: WeightedMetric,
  metricB: WeightedMetric,
  options: BootstrapOptions,
): Estimate {
  return resample(n, options, (w) => metricA(w) - metricB(w));
}

/** AUROC with its bootstrap CI; the point estimate is the plain (midrank) AUROC. */
export function aurocCi(ranked: RankedCases, options: BootstrapOptions): Estimate {
  const ci = bootstrapCi(ranked.n, (w) => weightedAurocRanked(ranked, w), options);
  return { value: aurocRanked(ranked), ci: ci.ci };
}

/**
 * AUROC(a) - AUROC(b) with a paired bootstrap CI. Both must be ranked over the same cases in the
 * same index order (case i of a is case i of b); labels may differ only if the arm changes them.
 */
export function aurocDifferenceCi(a: RankedCases, b: RankedCases, options: BootstrapOptions): Estimate {
  if (a.n !== b.n) throw new RangeError(`paired arms differ in case count (${a.n} vs ${b.n})`);
  const ci = pairedBootstrapCi(a.n, (w) => weightedAurocRanked(a, w), (w) => weightedAurocRanked(b, w), options);
  return { value: aurocRanked(a) - aurocRanked(b), ci: ci.ci };
}

/**
 * Several metrics of the same cases from one set of resamples: each resample draws the case
 * counts once and evaluates every metric on them, so B resamples cost B draws instead of B per
 * metric, and the intervals describe the same resamples (useful when figures are read together).
 * Each metric's NaN resamples are left out of its own interval only. The draws come from
 * stream('bootstrap', seed, ...key) as for {@link bootstrapCi}; with a single metric the result
 * equals bootstrapCi's with the same options.
 */
export function bootstrapMany<K extends string>(
  n: number,
  metrics: Readonly<Record<K, WeightedMetric>>,
  options: BootstrapOptions,
): Record<K, Estimate> {
  const names = Object.keys(metrics) as K[];
  const { resamples, alpha } = checkOptions(n, options);
  const counts = new Float64Array(n).fill(1);
  const values = names.map((m) => (n === 0 ? NaN : metrics[m](counts)));
  const kept = names.map(() => new Float64Array(resamples));
  const k = names.map(() => 0);
  if (values.some((v) => !Number.isNaN(v))) {
    const source = new IndexSource(stream('bootstrap', options.seed, ...(options.key ?? [])));
    for (let b = 0; b < resamples; b++) {
      source.fillCounts(counts);
      for (let j = 0; j < names.length; j++) {
        if (Number.isNaN(values[j]!)) continue;
        const v = metrics[names[j]!](counts);
        if (!Number.isNaN(v)) kept[j]![k[j]!++] = v;
      }
    }
  }
  const out = {} as Record<K, Estimate>;
  names.forEach((m, j) => {
    out[m] = interval(values[j]!, kept[j]!.subarray(0, k[j]!), alpha);
  });
  return out;
}

function checkOptions(n: number, options: BootstrapOptions): { resamples: number; alpha: number } {
  const resamples = options.resamples ?? 1000;
  const alpha = options.alpha ?? 0.05;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`case count ${n} is not a count`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples ${resamples} must be a positive integer`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha ${alpha} is outside (0, 1)`);
  return { resamples, alpha };
}

function interval(value: number, kept: Float64Array, alpha: number): Estimate {
  if (Number.isNaN(value) || kept.length === 0) return { value, ci: null };
  const [lo, hi] = percentilesSorted(kept.sort(), [50 * alpha, 100 - 50 * alpha]) as [number, number];
  return { value, ci: [lo, hi] };
}

function resample(n: number, options: BootstrapOptions, metric: WeightedMetric): Estimate {
  const { resamples, alpha } = checkOptions(n, options);
  const counts = new Float64Array(n).fill(1);
  const value = n === 0 ? NaN : metric(counts);
  if (Number.isNaN(value)) return { value, ci: null };

  const source = new IndexSource(stream('bootstrap', options.seed, ...(options.key ?? [])));
  const kept = new Float64Array(resamples);
  let k = 0;
  for (let b = 0; b < resamples; b++) {
    source.fillCounts(counts);
    const v = metric(counts);
    if (!Number.isNaN(v)) kept[k++] = v;
  }
  return interval(value, kept.subarray(0, k), alpha);
}
