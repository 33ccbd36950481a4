/**
 * The shared sorted-order representation of a scored binary sample.
 *
 * AUROC and its bootstrap only need to know, for each group of tied scores, which cases are in it
 * and which of them are positive. Sorting is the only O(n log n) step, so it is done once here and
 * every later pass (the plain AUROC, each bootstrap resample, each arm of a paired comparison) is
 * a single O(n) walk over this structure.
 */

/** Scores as they come from the journal: a typed array or a plain array. */
export type Scores = Float64Array | readonly number[];
/** Binary truth, 1 = positive (the event happened), 0 = negative. */
export type Labels = Uint8Array | readonly number[];
/** Per-case weights indexed by case (the bootstrap passes multinomial counts). */
export type Weights = Float64Array | Uint32Array | readonly number[];

export interface RankedCases {
  /** Number of cases. */
  readonly n: number;
  /** Number of positive cases (label 1). */
  readonly positives: number;
  /** Case indices in ascending score order; ties are kept in case order so the layout is deterministic. */
  readonly order: Uint32Array;
  /** Label of the case at each sorted position (labels[order[p]]), laid out for a sequential walk. */
  readonly sortedLabels: Uint8Array;
  /**
   * Exclusive end position of each tie group in `order`: group g spans
   * [groupEnds[g - 1] ?? 0, groupEnds[g]). Equal scores (=== comparison, so -0 ties +0) share a group.
   */
  readonly groupEnds: Uint32Array;
}

/**
 * Checks that scores and labels describe the same cases and are usable: a NaN score cannot be
 * ranked, and any label other than 0/1 means the caller passed the wrong field. Both are caller
 * bugs, so they throw rather than silently produce a number.
 */
export function checkBinaryInput(scores: Scores, labels: Labels): void {
  if (scores.length !== labels.length) {
    throw new RangeError(`scores and labels differ in length (${scores.length} vs ${labels.length})`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`score ${i} is NaN`);
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`label ${i} is ${String(y)}, expected 0 or 1`);
  }
}

/**
 * Sorts the cases once by score (ascending, ties by case index) and records the tie groups.
 * Infinite scores are accepted: they rank like any other value.
 */
export function rankCases(scores: Scores, labels: Labels): RankedCases {
  checkBinaryInput(scores, labels);
  const n = scores.length;
  const s = scores instanceof Float64Array ? scores : Float64Array.from(scores);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Explicit comparisons instead of subtraction: Infinity - Infinity is NaN and would corrupt the sort.
  order.sort((a, b) => {
    const sa = s[a]!;
    const sb = s[b]!;
    return sa < sb ? -1 : sa > sb ? 1 : a - b;
  });

  const sortedLabels = new Uint8Array(n);
  const ends: number[] = [];
  let positives = 0;
  for (let p = 0; p < n; p++) {
    const i = order[p]!;
    const y = labels[i] as 0 | 1;
    sortedLabels[p] = y;
    positives += y;
    if (p > 0 && s[i] !== s[order[p - 1]!]) ends.push(p);
  }
  if (n > 0) ends.push(n);
  return { n, positives, order, sortedLabels, groupEnds: Uint32Array.from(ends) };
}
