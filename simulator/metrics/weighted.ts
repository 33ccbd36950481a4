/**
 * Case-weighted forms of the threshold and calibration metrics, for the bootstrap: with all weights
 * 1 they equal the plain metrics; with multinomial counts they are the metric of a resample.
 */
import type { Labels, Scores, Weights } from './ranked.ts';

export function weightedBrier(scores: Scores, labels: Labels, w: Weights): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const d = scores[i]! - labels[i]!;
    sum += w[i]! * d * d;
    total += w[i]!;
  }
  return total === 0 ? NaN : sum / total;
}

/** Share of cases with label `positive` whose decision (score >= threshold) matches it. */
function weightedRecall(scores: Scores, labels: Labels, w: Weights, threshold: number, positive: 0 | 1): number {
  let hit = 0;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== positive) continue;
    total += w[i]!;
    if ((scores[i]! >= threshold ? 1 : 0) === positive) hit += w[i]!;
  }
  return total === 0 ? NaN : hit / total;
}

export function weightedSensitivity(scores: Scores, labels: Labels, w: Weights, threshold: number): number {
  return weightedRecall(scores, labels, w, threshold, 1);
}

export function weightedSpecificity(scores: Scores, labels: Labels, w: Weights, threshold: number): number {
  return weightedRecall(scores, labels, w, threshold, 0);
}
