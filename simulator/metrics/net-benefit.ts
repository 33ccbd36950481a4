/**
 * Net benefit and decision curves (Vickers & Elkin 2006, "Decision curve analysis").
 *
 * At a threshold probability t, acting on a flag is worth it when the patient's risk exceeds t,
 * which weighs a false positive as t / (1 − t) of a true positive. The net benefit of the model is
 *
 *     NB(t) = TP / n − FP / n · t / (1 − t)
 *
 * in true positives per patient, net of harm. It is compared with "treat all"
 * (prevalence − (1 − prevalence) · t / (1 − t)) and "treat none" (0): a model is useful at t only
 * where its curve lies above both. Flags follow the confusion-matrix convention of clinsim
 * (score >= t flags), as in Vickers' `dca` implementations, which count "risk >= threshold".
 *
 * t must lie in [0, 1): at t = 1 the exchange rate is infinite (RangeError). An empty sample gives
 * NaN.
 */
import { checkBinaryInput, type Labels, type Scores, type Weights } from './ranked.ts';

export interface NetBenefitPoint {
  readonly threshold: number;
  /** Net benefit of acting on the model's flags. */
  readonly model: number;
  /** Net benefit of treating everyone. */
  readonly treatAll: number;
  /** Net benefit of treating no one: always 0, kept so a curve can be drawn from the points alone. */
  readonly treatNone: 0;
}

/** Net benefit of the model's flags at threshold t. */
export function netBenefit(scores: Scores, labels: Labels, threshold: number): number {
  checkBinaryInput(scores, labels);
  return weightedNetBenefit(scores, labels, undefined, threshold);
}

/** Net benefit with case weights (bootstrap counts); weights omitted: all 1. */
export function weightedNetBenefit(scores: Scores, labels: Labels, w: Weights | undefined, threshold: number): number {
  const odds = thresholdOdds(threshold);
  let tp = 0;
  let fp = 0;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    total += wi;
    if (scores[i]! >= threshold) {
      if (labels[i] === 1) tp += wi;
      else fp += wi;
    }
  }
  return total === 0 ? NaN : tp / total - (fp / total) * odds;
}

/** The decision curve: model, treat-all and treat-none net benefit at each threshold. */
export function decisionCurve(scores: Scores, labels: Labels, thresholds: readonly number[]): NetBenefitPoint[] {
  checkBinaryInput(scores, labels);
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i]!;
  return thresholds.map((t) => {
    const odds = thresholdOdds(t);
    const prevalence = n === 0 ? NaN : positives / n;
    return {
      threshold: t,
      model: weightedNetBenefit(scores, labels, undefined, t),
      treatAll: prevalence - (1 - prevalence) * odds,
      treatNone: 0,
    };
  });
}

/** t / (1 − t), the harm of a false positive in units of the benefit of a true positive. */
function thresholdOdds(t: number): number {
  if (!(t >= 0 && t < 1)) throw new RangeError(`threshold ${t} is outside [0, 1)`);
  return t / (1 - t);
}
