/**
 * The confusion matrix at the scenario's decision threshold, and the rates read off it.
 * Convention: the decision is positive when score >= threshold (a score exactly at the
 * threshold alerts), as for scikit-learn's `y_score >= t` binarisation.
 */
import { checkBinaryInput, type Labels, type Scores } from './ranked.ts';

export interface Confusion {
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  /** tp / (tp + fn), recall, true positive rate. NaN when there are no positives. */
  readonly sensitivity: number;
  /** tn / (tn + fp), true negative rate. NaN when there are no negatives. */
  readonly specificity: number;
  /** tp / (tp + fp), precision, positive predictive value. NaN when nothing was flagged. */
  readonly ppv: number;
  /** tn / (tn + fn), negative predictive value. NaN when everything was flagged. */
  readonly npv: number;
}

/**
 * Counts and rates at `threshold`. A rate whose denominator is 0 is NaN, never 0 or 1: it is
 * undefined on this sample, and the report shows it as not available.
 */
export function confusionAt(scores: Scores, labels: Labels, threshold: number): Confusion {
  checkBinaryInput(scores, labels);
  if (Number.isNaN(threshold)) throw new RangeError('threshold is NaN');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i]! >= threshold;
    if (labels[i] === 1) {
      if (flagged) tp++;
      else fn++;
    } else if (flagged) fp++;
    else tn++;
  }
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    sensitivity: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    ppv: ratio(tp, tp + fp),
    npv: ratio(tn, tn + fn),
  };
}

/** a / b, NaN when b is 0 (an undefined rate, not a perfect or a failed one). */
function ratio(a: number, b: number): number {
  return b === 0 ? NaN : a / b;
}
