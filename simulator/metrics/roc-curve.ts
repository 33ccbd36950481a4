/**
 * The ROC curve of a scored binary sample, for the report's chart: one point per distinct score
 * (cases at or above it flagged), from (0, 0) to (1, 1), as scikit-learn's `roc_curve` with
 * `drop_intermediate=False`. Ties move the curve diagonally, as they count half in the AUROC.
 */
import { rankCases, type Labels, type Scores } from './ranked.ts';

export interface RocPoint {
  /** False-positive rate: flagged negatives / negatives. */
  readonly fpr: number;
  /** True-positive rate (sensitivity): flagged positives / positives. */
  readonly tpr: number;
  /** Lowest score flagged at this point; Infinity for the (0, 0) start. */
  readonly threshold: number;
}

/** Every operating point; null when the sample lacks positives or negatives (the curve is undefined). */
export function rocCurve(scores: Scores, labels: Labels): RocPoint[] | null {
  const ranked = rankCases(scores, labels);
  const { n, positives, order, sortedLabels, groupEnds } = ranked;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Number.POSITIVE_INFINITY }];
  let tp = 0;
  let fp = 0;
  // Walk the tie groups from the highest score down: each group is flagged at once.
  for (let g = groupEnds.length - 1; g >= 0; g--) {
    const start = g === 0 ? 0 : groupEnds[g - 1]!;
    for (let p = start; p < groupEnds[g]!; p++) {
      if (sortedLabels[p] === 1) tp++;
      else fp++;
    }
    points.push({ fpr: fp / negatives, tpr: tp / positives, threshold: scores[order[start]!]! });
  }
  return points;
}

/**
 * At most about `2 · budget` points of a curve for drawing: a point is kept when it lies at least
 * 1/budget (in either rate) from the last kept one; the first and last points are always kept. The
 * curve is monotone, so what is dropped is detail smaller than a pixel of a chart of that size.
 */
export function thinCurve(points: readonly RocPoint[], budget = 150): RocPoint[] {
  if (points.length <= 2) return [...points];
  const step = 1 / budget;
  const kept: RocPoint[] = [points[0]!];
  for (let i = 1; i < points.length - 1; i++) {
    const last = kept[kept.length - 1]!;
    const p = points[i]!;
    if (p.fpr - last.fpr >= step || p.tpr - last.tpr >= step) kept.push(p);
  }
  kept.push(points[points.length - 1]!);
  return kept;
}
