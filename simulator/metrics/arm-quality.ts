/**
 * Score quality of one arm (report.json `metrics`) and its change vs the baseline arm (`delta`),
 * every figure with a percentile bootstrap CI that resamples whole cases (case-bootstrap.ts).
 * The figures are over the answered calls with a score and a 0/1 label; for a task whose answers
 * carry no score every figure is not available (null).
 */
import type { ArmAccumulator } from './arm-accumulator.ts';
import { weightedAurocRanked } from './auroc.ts';
import { weightedAveragePrecisionRanked } from './average-precision.ts';
import type { BootstrapOptions, Estimate as RawEstimate, WeightedMetric } from './bootstrap.ts';
import { calibrationBins, calibrationSlope, weightedEceBinned } from './calibration.ts';
import { bootstrapCases, memoByWeights, pairedBootstrapCases, slotSample } from './case-bootstrap.ts';
import { weightedNetBenefit } from './net-benefit.ts';
import { rankCases, type Labels, type Scores, type Weights } from './ranked.ts';
import { QualityMetricName, type Estimate, type QualityMetrics } from './report-types.ts';
import { weightedBrier, weightedSensitivity, weightedSpecificity } from './weighted.ts';

export const QUALITY_METRICS: readonly QualityMetricName[] = QualityMetricName.options;

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A bootstrap estimate as report.json holds it: NaN and infinities become null. */
export function toEstimate(e: RawEstimate): Estimate {
  const value = finiteOrNull(e.value);
  return {
    value,
    ci: value !== null && e.ci && Number.isFinite(e.ci[0]) && Number.isFinite(e.ci[1]) ? [e.ci[0], e.ci[1]] : null,
  };
}

export function toEstimates<K extends string>(raw: Record<K, RawEstimate>): Record<K, Estimate> {
  const out = {} as Record<K, Estimate>;
  for (const k of Object.keys(raw) as K[]) out[k] = toEstimate(raw[k]);
  return out;
}

/** Share of flagged (predicted = `flag`) cases whose label is `flag`: PPV for 1, NPV for 0. */
function weightedPredictive(scores: Scores, labels: Labels, w: Weights, threshold: number, flag: 0 | 1): number {
  let hit = 0;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    if ((scores[i]! >= threshold ? 1 : 0) !== flag) continue;
    total += w[i]!;
    if (labels[i] === flag) hit += w[i]!;
  }
  return total === 0 ? NaN : hit / total;
}

/** Every quality figure of the given scores and labels as a function of per-slot weights. */
export function qualityFunctions(scores: Float64Array, labels: Uint8Array, threshold: number): Record<QualityMetricName, WeightedMetric> {
  const ranked = rankCases(scores, labels);
  const bins = calibrationBins(scores);
  const fit = memoByWeights((w) => calibrationSlope(scores, labels, w));
  return {
    auroc: (w) => weightedAurocRanked(ranked, w),
    brier: (w) => weightedBrier(scores, labels, w),
    sensitivity: (w) => weightedSensitivity(scores, labels, w, threshold),
    specificity: (w) => weightedSpecificity(scores, labels, w, threshold),
    auprc: (w) => weightedAveragePrecisionRanked(ranked, w),
    ece: (w) => weightedEceBinned(bins, scores, labels, w),
    calibrationSlope: (w) => fit(w).slope,
    calibrationIntercept: (w) => fit(w).intercept,
    ppv: (w) => weightedPredictive(scores, labels, w, threshold, 1),
    npv: (w) => weightedPredictive(scores, labels, w, threshold, 0),
    netBenefit: (w) => weightedNetBenefit(scores, labels, w, threshold),
  };
}

function functionsOf(acc: ArmAccumulator, slots: Uint32Array, threshold: number): Record<QualityMetricName, WeightedMetric> {
  return qualityFunctions(
    Float64Array.from(slots, (s) => acc.scores[s]!),
    Uint8Array.from(slots, (s) => acc.labels[s]!),
    threshold,
  );
}

export interface ArmContext {
  readonly threshold: number;
  /** Seed and resamples; the key is added per figure group. */
  readonly bootstrap: Omit<BootstrapOptions, 'key'>;
  /** Names the scenario and arm in the bootstrap streams. */
  readonly key: readonly string[];
}

/** `metrics` and `delta` of an arm (delta null for the baseline arm itself or without one). */
export function armQuality(acc: ArmAccumulator, baseline: ArmAccumulator | undefined, ctx: ArmContext): { metrics: QualityMetrics; delta: QualityMetrics | null } {
  const slots: number[] = [];
  for (let s = 0; s < acc.scores.length; s++) if (acc.answered(s)) slots.push(s);
  const own = slotSample(slots, acc.repeats);
  const metrics = toEstimates(bootstrapCases(own, functionsOf(acc, own.slots, ctx.threshold), { ...ctx.bootstrap, key: [...ctx.key, 'quality'] }));
  if (!baseline || baseline === acc) return { metrics, delta: null };
  const paired = slotSample(
    slots.filter((s) => baseline.answered(s)),
    acc.repeats,
  );
  const delta = toEstimates(
    pairedBootstrapCases(paired, functionsOf(acc, paired.slots, ctx.threshold), functionsOf(baseline, paired.slots, ctx.threshold), {
      ...ctx.bootstrap,
      key: [...ctx.key, 'quality', 'delta'],
    }),
  );
  return { metrics, delta };
}
