/**
 * Group fairness of a model's decisions, with Fairlearn's definitions (fairlearn.metrics), so a
 * committee can reproduce every figure with `MetricFrame` and the `*_difference` / `*_ratio`
 * functions (method 'between_groups'):
 *
 * - selection rate of a group: share of its cases flagged (decision 1);
 * - TPR (true positive rate) and FPR (false positive rate) of a group;
 * - demographic parity difference = max − min selection rate over groups; ratio = min / max;
 * - equalized odds difference = max(TPR difference, FPR difference), each difference max − min
 *   over groups; ratio = min(TPR ratio, FPR ratio);
 * - equal opportunity difference = TPR difference;
 * - four-fifths flag: the demographic parity ratio is below 0.8 (the EEOC "four-fifths rule"
 *   for adverse impact, 29 CFR 1607.4(D)).
 *
 * Where clinsim departs from Fairlearn, deliberately: a group with fewer than `minGroupSize`
 * cases (default 30) is marked too small to judge and left out of every difference and ratio,
 * and a group without positive cases (no TPR) or without negative cases (no FPR) is left out of
 * that rate's difference. Fairlearn would include them, and a tiny group's noisy rate (or a
 * 0/0) would then decide the disparity. Their figures are still reported, flagged. A difference
 * needs at least two judged groups; otherwise it is NaN (not available), as is a ratio whose
 * maximum is 0.
 */

export interface GroupFigures {
  readonly group: string;
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  /** Flagged / n. */
  readonly selectionRate: number;
  /** Flagged positives / positives; NaN without positives. */
  readonly tpr: number;
  /** Flagged negatives / negatives; NaN without negatives. */
  readonly fpr: number;
  /** Extra metrics evaluated on the group's cases (see {@link FairnessOptions.metrics}). */
  readonly metrics: Readonly<Record<string, number>>;
  /** False when n < minGroupSize: shown, but left out of the differences. */
  readonly judged: boolean;
}

export interface Disparity {
  /** max − min over the judged groups with a defined value; NaN with fewer than two. */
  readonly difference: number;
  /** min / max over the same groups; NaN with fewer than two or when max is 0. */
  readonly ratio: number;
  /** Groups that entered the comparison. */
  readonly groups: readonly string[];
}

export interface FairnessReport {
  readonly minGroupSize: number;
  readonly groups: readonly GroupFigures[];
  readonly demographicParity: Disparity;
  readonly truePositiveRate: Disparity;
  readonly falsePositiveRate: Disparity;
  /** max(TPR difference, FPR difference); NaN unless both are available. */
  readonly equalizedOddsDifference: number;
  /** min(TPR ratio, FPR ratio); NaN unless both are available. */
  readonly equalizedOddsRatio: number;
  /** Equal opportunity difference (= TPR difference). */
  readonly equalOpportunityDifference: number;
  /** Demographic parity ratio below 0.8; null when the ratio is not available. */
  readonly fourFifthsViolated: boolean | null;
  /** Disparity of each extra metric over the judged groups. */
  readonly metrics: Readonly<Record<string, Disparity>>;
}

export interface FairnessOptions {
  /** Smallest group that is judged (default 30). */
  readonly minGroupSize?: number;
  /**
   * Extra per-group metrics (e.g. AUROC), each a function of the case indices of a group; NaN
   * where undefined. Their disparity is max − min and min / max over the judged groups.
   */
  readonly metrics?: Readonly<Record<string, (indices: Uint32Array) => number>>;
}

export const FOUR_FIFTHS = 0.8;

/**
 * Per-group figures and disparities of 0/1 `decisions` against 0/1 `labels`, grouped by
 * `groups` (one attribute value per case, e.g. the `sex` of each journal record). Groups are
 * reported in order of first appearance.
 */
export function fairness(
  groups: readonly string[],
  labels: Uint8Array | readonly number[],
  decisions: Uint8Array | readonly number[],
  options: FairnessOptions = {},
): FairnessReport {
  const minGroupSize = options.minGroupSize ?? 30;
  if (!(Number.isInteger(minGroupSize) && minGroupSize >= 1)) throw new RangeError(`minGroupSize ${minGroupSize} must be a positive integer`);
  if (groups.length !== labels.length || groups.length !== decisions.length) {
    throw new RangeError(`groups, labels and decisions differ in length (${groups.length}, ${labels.length}, ${decisions.length})`);
  }
  const members = new Map<string, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const y = labels[i];
    const d = decisions[i];
    if (y !== 0 && y !== 1) throw new RangeError(`label ${i} is ${String(y)}, expected 0 or 1`);
    if (d !== 0 && d !== 1) throw new RangeError(`decision ${i} is ${String(d)}, expected 0 or 1`);
    const g = groups[i]!;
    let list = members.get(g);
    if (!list) members.set(g, (list = []));
    list.push(i);
  }
  const extra = options.metrics ?? {};
  const figures: GroupFigures[] = [...members].map(([group, list]) => {
    const indices = Uint32Array.from(list);
    let positives = 0;
    let flagged = 0;
    let flaggedPositives = 0;
    for (const i of indices) {
      positives += labels[i]!;
      flagged += decisions[i]!;
      flaggedPositives += labels[i]! * decisions[i]!;
    }
    const n = indices.length;
    const negatives = n - positives;
    return {
      group,
      n,
      positives,
      negatives,
      selectionRate: flagged / n,
      tpr: positives === 0 ? NaN : flaggedPositives / positives,
      fpr: negatives === 0 ? NaN : (flagged - flaggedPositives) / negatives,
      metrics: Object.fromEntries(Object.entries(extra).map(([name, f]) => [name, f(indices)])),
      judged: n >= minGroupSize,
    };
  });

  const judged = figures.filter((g) => g.judged);
  const demographicParity = disparity(judged, (g) => g.selectionRate);
  const truePositiveRate = disparity(judged, (g) => g.tpr);
  const falsePositiveRate = disparity(judged, (g) => g.fpr);
  const bothOdds = !Number.isNaN(truePositiveRate.difference) && !Number.isNaN(falsePositiveRate.difference);
  const bothRatios = !Number.isNaN(truePositiveRate.ratio) && !Number.isNaN(falsePositiveRate.ratio);
  return {
    minGroupSize,
    groups: figures,
    demographicParity,
    truePositiveRate,
    falsePositiveRate,
    equalizedOddsDifference: bothOdds ? Math.max(truePositiveRate.difference, falsePositiveRate.difference) : NaN,
    equalizedOddsRatio: bothRatios ? Math.min(truePositiveRate.ratio, falsePositiveRate.ratio) : NaN,
    equalOpportunityDifference: truePositiveRate.difference,
    fourFifthsViolated: Number.isNaN(demographicParity.ratio) ? null : demographicParity.ratio < FOUR_FIFTHS,
    metrics: Object.fromEntries(Object.keys(extra).map((name) => [name, disparity(judged, (g) => g.metrics[name]!)])),
  };
}

/** max − min and min / max of a figure over the groups where it is defined. */
function disparity(groups: readonly GroupFigures[], value: (g: GroupFigures) => number): Disparity {
  const defined = groups.filter((g) => !Number.isNaN(value(g)));
  if (defined.length < 2) return { difference: NaN, ratio: NaN, groups: defined.map((g) => g.group) };
  let min = Infinity;
  let max = -Infinity;
  for (const g of defined) {
    const v = value(g);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { difference: max - min, ratio: max === 0 ? NaN : min / max, groups: defined.map((g) => g.group) };
}
