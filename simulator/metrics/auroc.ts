/**
 * Area under the ROC curve, as the Mann–Whitney statistic: AUROC = U / (n1 · n0), where U counts,
 * over all (positive, negative) pairs, 1 when the positive scores higher and 1/2 when they tie.
 * This is the same number as scikit-learn's `roc_auc_score` (trapezoidal area under the ROC curve
 * with ties as diagonal segments), which the fixtures check to 1e-12.
 *
 * When the sample has only one class, U / (n1 · n0) is 0/0: the functions return NaN, and the
 * report shows the figure as not available (`null`) rather than inventing 0.5.
 */
import { rankCases, type Labels, type RankedCases, type Scores, type Weights } from './ranked.ts';

/** AUROC of raw scores and 0/1 labels (sorts once; see {@link aurocRanked}). */
export function auroc(scores: Scores, labels: Labels): number {
  return aurocRanked(rankCases(scores, labels));
}

/**
 * AUROC by midranks: each tie group spanning sorted positions [start, end) gets the mean rank
 * (start + 1 + end) / 2; U = R1 - n1(n1 + 1)/2 where R1 is the positives' rank sum.
 *
 * Every intermediate is an integer or a half-integer, so it is exact in a double while
 * R1 < 2^53 (n up to about 10^8); the one division at the end is the only rounding.
 */
export function aurocRanked(ranked: RankedCases): number {
  const { n, positives: n1, sortedLabels, groupEnds } = ranked;
  const n0 = n - n1;
  if (n1 === 0 || n0 === 0) return NaN;
  let rankSum = 0;
  let start = 0;
  for (let g = 0; g < groupEnds.length; g++) {
    const end = groupEnds[g]!;
    let pos = 0;
    for (let p = start; p < end; p++) pos += sortedLabels[p]!;
    if (pos > 0) rankSum += (pos * (start + 1 + end)) / 2;
    start = end;
  }
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  return u / (n1 * n0);
}

/**
 * Weighted AUROC in one pass over the pre-sorted order, for the bootstrap (weights = how many
 * times each case was drawn). A pair (i, j) with i positive and j negative counts w_i · w_j when
 * i scores higher and w_i · w_j / 2 when they tie, divided by W1 · W0 (total positive weight times
 * total negative weight). Walking tie groups upwards with the negative weight seen so far, each
 * group adds wPos · (negBelow + wNeg / 2).
 *
 * With all weights 1 this is exactly {@link aurocRanked}: both compute the same integer or
 * half-integer U exactly and make the same final division.
 */
export function weightedAurocRanked(ranked: RankedCases, weights: Weights): number {
  const { order, sortedLabels, groupEnds } = ranked;
  if (weights.length !== ranked.n) {
    throw new RangeError(`weights length ${weights.length} differs from ${ranked.n} cases`);
  }
  let negBelow = 0;
  let posTotal = 0;
  let u = 0;
  let p = 0;
  for (let g = 0; g < groupEnds.length; g++) {
    const end = groupEnds[g]!;
    let wPos = 0;
    let wNeg = 0;
    for (; p < end; p++) {
      const w = weights[order[p]!]!;
      if (sortedLabels[p] === 1) wPos += w;
      else wNeg += w;
    }
    if (wPos !== 0) u += wPos * (negBelow + wNeg / 2);
    negBelow += wNeg;
    posTotal += wPos;
  }
  if (posTotal === 0 || negBelow === 0) return NaN;
  return u / (posTotal * negBelow);
}
