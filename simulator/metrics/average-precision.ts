/**
 * AUPRC as average precision, scikit-learn's `average_precision_score`:
 *
 *     AP = Σ_k (R_k − R_{k−1}) · P_k
 *
 * over the distinct score thresholds in decreasing order, where P_k and R_k are the precision and
 * recall when every case scoring at or above the k-th threshold is flagged (R_0 = 0). Tied scores
 * form one threshold, so a group of ties enters as a single step; this is the step-wise sum, not
 * the trapezoidal area, which is optimistic for PR curves (Davis & Goadrich 2006).
 *
 * With no positive case recall is 0/0: scikit-learn warns and returns 0 (as -0.0); clinsim
 * returns NaN (not available), like AUROC. With no negative case every precision is 1 and AP = 1.
 * Computed on the shared sorted order of ranked.ts, so the bootstrap's weighted form is one O(n)
 * walk per resample.
 */
import { rankCases, type Labels, type RankedCases, type Scores, type Weights } from './ranked.ts';

/** Average precision of raw scores and 0/1 labels (sorts once). */
export function averagePrecision(scores: Scores, labels: Labels): number {
  return averagePrecisionRanked(rankCases(scores, labels));
}

/** Average precision from the sorted order; same arithmetic as the weighted form with unit weights. */
export function averagePrecisionRanked(ranked: RankedCases): number {
  return walk(ranked, undefined);
}

/**
 * Average precision of a resample given per-case weights (bootstrap counts): a case of weight w
 * counts as w copies of itself in every true- and false-positive count. With all weights 1 it
 * is exactly {@link averagePrecisionRanked}.
 */
export function weightedAveragePrecisionRanked(ranked: RankedCases, weights: Weights): number {
  if (weights.length !== ranked.n) throw new RangeError(`weights length ${weights.length} differs from ${ranked.n} cases`);
  return walk(ranked, weights);
}

function walk(ranked: RankedCases, weights: Weights | undefined): number {
  const { order, sortedLabels, groupEnds } = ranked;
  // Total positive weight first: recall steps are fractions of it.
  let positives = 0;
  for (let p = 0; p < ranked.n; p++) {
    if (sortedLabels[p] === 1) positives += weights === undefined ? 1 : weights[order[p]!]!;
  }
  if (positives === 0) return NaN;
  // Walk the tie groups from the highest score down, accumulating flagged positives and negatives.
  let tp = 0;
  let fp = 0;
  let sum = 0;
  for (let g = groupEnds.length - 1; g >= 0; g--) {
    const start = g === 0 ? 0 : groupEnds[g - 1]!;
    const end = groupEnds[g]!;
    let pos = 0;
    let neg = 0;
    for (let p = start; p < end; p++) {
      const w = weights === undefined ? 1 : weights[order[p]!]!;
      if (sortedLabels[p] === 1) pos += w;
      else neg += w;
    }
    tp += pos;
    fp += neg;
    if (pos !== 0) sum += (pos / positives) * (tp / (tp + fp));
  }
  return sum;
}
