/**
 * Bootstrap over CASES for figures computed over (case, repeat) slots.
 *
 * A scenario with `repeats > 1` asks each patient several times; the repeats of one patient are
 * not independent observations, so a resample must take or leave all of them together. The
 * resampler draws multinomial counts over the distinct cases of a sample (bootstrap.ts, one draw
 * per resample for all metrics via `bootstrapMany`), and each slot gets the count of its case: a
 * case drawn twice contributes every one of its repeats twice. With one repeat per case this is the
 * plain case bootstrap (the counts are used as they are).
 */
import { bootstrapMany, type BootstrapOptions, type Estimate, type WeightedMetric } from './bootstrap.ts';

/** Slots (case · repeats + repeat) of one sample, in ascending order, and the case of each. */
export interface SlotSample {
  /** The journal slots, ascending. */
  readonly slots: Uint32Array;
  /** Compact case index (0 .. cases − 1) of each slot, in slot order. */
  readonly caseOf: Uint32Array;
  /** Distinct cases. */
  readonly cases: number;
  /** True when every case has exactly one slot here: the case weights are the slot weights. */
  readonly oneSlotPerCase: boolean;
}

/** Groups ascending slots by case (slot / repeats). */
export function slotSample(slots: readonly number[] | Uint32Array, repeats: number): SlotSample {
  const sorted = Uint32Array.from(slots);
  for (let i = 1; i < sorted.length; i++) {
    if (!(sorted[i]! > sorted[i - 1]!)) throw new RangeError('slots must be distinct and ascending');
  }
  const caseOf = new Uint32Array(sorted.length);
  let cases = 0;
  let previous = -1;
  for (let i = 0; i < sorted.length; i++) {
    const c = Math.floor(sorted[i]! / repeats);
    if (c !== previous) {
      cases++;
      previous = c;
    }
    caseOf[i] = cases - 1;
  }
  return { slots: sorted, caseOf, cases, oneSlotPerCase: cases === sorted.length };
}

/** A metric over slot weights as a metric over case weights (each slot takes its case's count). */
export function perCase(sample: SlotSample, metric: WeightedMetric): WeightedMetric {
  if (sample.oneSlotPerCase) return metric;
  const slotWeights = new Float64Array(sample.slots.length);
  const { caseOf } = sample;
  return (caseWeights) => {
    for (let i = 0; i < caseOf.length; i++) slotWeights[i] = caseWeights[caseOf[i]!]!;
    return metric(slotWeights);
  };
}

/** Percentile bootstrap CIs of several slot metrics, resampling whole cases. */
export function bootstrapCases<K extends string>(
  sample: SlotSample,
  metrics: Readonly<Record<K, WeightedMetric>>,
  options: BootstrapOptions,
): Record<K, Estimate> {
  const lifted = {} as Record<K, WeightedMetric>;
  for (const name of Object.keys(metrics) as K[]) lifted[name] = perCase(sample, metrics[name]);
  return bootstrapMany(sample.cases, lifted, options);
}

/**
 * Paired differences a − b of slot metrics evaluated on the same slots (index i of `a` and `b`
 * is the same (case, repeat) in both arms), with paired CIs: each resample applies the same case
 * counts to both arms.
 */
export function pairedBootstrapCases<K extends string>(
  sample: SlotSample,
  a: Readonly<Record<K, WeightedMetric>>,
  b: Readonly<Record<K, WeightedMetric>>,
  options: BootstrapOptions,
): Record<K, Estimate> {
  const differences = {} as Record<K, WeightedMetric>;
  for (const name of Object.keys(a) as K[]) differences[name] = (w) => a[name](w) - b[name](w);
  return bootstrapCases(sample, differences, options);
}

/**
 * Memoises a costly weighted computation shared by several metrics (e.g. the logistic
 * recalibration fit behind both the calibration slope and intercept): the last weights are kept
 * and compared, so the second metric of a resample reuses the fit whatever order the metrics are
 * evaluated in. The comparison is one pass without transcendental functions.
 */
export function memoByWeights<T>(compute: (w: Float64Array) => T): (w: Float64Array) => T {
  let last: Float64Array | undefined;
  let value: T;
  return (w) => {
    if (last && last.length === w.length) {
      let same = true;
      for (let i = 0; i < w.length; i++) {
        if (last[i] !== w[i]) {
          same = false;
          break;
        }
      }
      if (same) return value;
    }
    value = compute(w);
    if (!last || last.length !== w.length) last = new Float64Array(w.length);
    last.set(w);
    return value;
  };
}
