/**
 * Multi-class quality, for tasks whose answer is a class (note-triage urgency): confusion matrix,
 * per-class recall, precision and F1, macro-F1, and the triage-specific under- and over-triage
 * rates for ordered classes.
 *
 * Conventions (scikit-learn's, so any figure can be checked with it):
 * - The confusion matrix has the true class on rows and the predicted class on columns, in the
 *   declared class order (`confusion_matrix(y_true, y_pred, labels=classes)`).
 * - F1 of a class is 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall.
 * - Macro-F1 is the unweighted mean of the per-class F1 over the classes that occur in the truth
 *   or in the predictions, which is what `f1_score(average='macro')` averages with its default
 *   labels. A declared class that occurs in neither has F1 0/0 and is left out; a class that is
 *   predicted but never true (or true but never predicted) counts with F1 0.
 * - A per-class rate whose denominator is 0 is NaN (not available): recall of a class with no
 *   true case, precision of a class never predicted. scikit-learn returns 0 there with a warning.
 */
import type { Weights } from './ranked.ts';

export interface ClassFigures {
  readonly class: string;
  /** Cases whose true class is this one. */
  readonly support: number;
  /** Cases predicted as this class. */
  readonly predicted: number;
  /** TP / (TP + FN); NaN without support. */
  readonly recall: number;
  /** TP / (TP + FP); NaN when never predicted. */
  readonly precision: number;
  /** 2TP / (2TP + FP + FN); NaN when the class occurs neither in truth nor in predictions. */
  readonly f1: number;
}

export interface ClassMetrics {
  readonly classes: readonly string[];
  /** confusion[i][j]: cases of true class i predicted as class j. */
  readonly confusion: readonly (readonly number[])[];
  readonly perClass: readonly ClassFigures[];
  /** Mean F1 over the classes present in truth or predictions; NaN for an empty sample. */
  readonly macroF1: number;
  /** Share of cases predicted as their true class; NaN for an empty sample. */
  readonly accuracy: number;
}

/**
 * Maps class names to their index in `classes`. An unknown class is a caller bug (an answer
 * outside the task's classes is an `invalid` outcome and never reaches the metrics): RangeError.
 */
export function classIndices(values: readonly string[], classes: readonly string[]): Uint8Array {
  if (classes.length > 255) throw new RangeError(`${classes.length} classes; at most 255 are supported`);
  if (new Set(classes).size !== classes.length) throw new RangeError('class names repeat');
  const index = new Map(classes.map((c, i) => [c, i]));
  return Uint8Array.from(values, (v, i) => {
    const k = index.get(v);
    if (k === undefined) throw new RangeError(`value ${i} is "${v}", not one of ${classes.join(', ')}`);
    return k;
  });
}

/** Confusion matrix and per-class figures of `predicted` against `truth`. */
export function classMetrics(truth: readonly string[], predicted: readonly string[], classes: readonly string[]): ClassMetrics {
  if (truth.length !== predicted.length) throw new RangeError(`truth and predictions differ in length (${truth.length} vs ${predicted.length})`);
  return weightedClassMetrics(classIndices(truth, classes), classIndices(predicted, classes), classes, undefined);
}

/** Same figures from class indices, with case weights (bootstrap counts); weights omitted: all 1. */
export function weightedClassMetrics(
  truth: Uint8Array,
  predicted: Uint8Array,
  classes: readonly string[],
  w: Weights | undefined,
): ClassMetrics {
  const k = classes.length;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let total = 0;
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    m[truth[i]!]![predicted[i]!]! += wi;
    total += wi;
    if (truth[i] === predicted[i]) correct += wi;
  }
  const perClass = classes.map((name, c) => {
    let support = 0;
    let predictedAs = 0;
    for (let j = 0; j < k; j++) {
      support += m[c]![j]!;
      predictedAs += m[j]![c]!;
    }
    const tp = m[c]![c]!;
    const fn = support - tp;
    const fp = predictedAs - tp;
    return {
      class: name,
      support,
      predicted: predictedAs,
      recall: support === 0 ? NaN : tp / support,
      precision: predictedAs === 0 ? NaN : tp / predictedAs,
      f1: 2 * tp + fp + fn === 0 ? NaN : (2 * tp) / (2 * tp + fp + fn),
    };
  });
  const present = perClass.filter((c) => !Number.isNaN(c.f1));
  return {
    classes,
    confusion: m,
    perClass,
    macroF1: present.length === 0 ? NaN : present.reduce((s, c) => s + c.f1, 0) / present.length,
    accuracy: total === 0 ? NaN : correct / total,
  };
}

/** Macro-F1 alone, for the bootstrap (one pass, no per-class objects kept). */
export function weightedMacroF1(truth: Uint8Array, predicted: Uint8Array, classes: readonly string[], w: Weights | undefined): number {
  return weightedClassMetrics(truth, predicted, classes, w).macroF1;
}

export interface TriageErrors {
  /** Share of all cases assigned a less urgent class than their true class. NaN for no cases. */
  readonly underTriage: number;
  /** Share of all cases assigned a more urgent class than their true class. NaN for no cases. */
  readonly overTriage: number;
  /**
   * Per true class (all but the least urgent): share of its cases assigned a less urgent class.
   * For the most urgent class this is the safety-critical miss rate. NaN for a class with no case.
   */
  readonly underTriageByClass: Readonly<Record<string, number>>;
}

/**
 * Under- and over-triage for classes ordered by urgency, most urgent first (for note-triage:
 * ['emergent', 'urgent', 'non-urgent']). Under-triage is the error that delays care; the overall
 * rate is over all cases (the usual emergency-department definition, e.g. in ESI validation
 * studies), and the per-class rates give the miss rate among patients who needed each level.
 */
export function triageErrors(truth: readonly string[], predicted: readonly string[], urgencyOrder: readonly string[]): TriageErrors {
  if (truth.length !== predicted.length) throw new RangeError(`truth and predictions differ in length (${truth.length} vs ${predicted.length})`);
  return weightedTriageErrors(classIndices(truth, urgencyOrder), classIndices(predicted, urgencyOrder), urgencyOrder, undefined);
}

/** Triage errors from class indices (0 = most urgent) with case weights; weights omitted: all 1. */
export function weightedTriageErrors(
  truth: Uint8Array,
  predicted: Uint8Array,
  urgencyOrder: readonly string[],
  w: Weights | undefined,
): TriageErrors {
  const k = urgencyOrder.length;
  const classTotal = new Float64Array(k);
  const classUnder = new Float64Array(k);
  let total = 0;
  let under = 0;
  let over = 0;
  for (let i = 0; i < truth.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    const t = truth[i]!;
    const p = predicted[i]!;
    total += wi;
    classTotal[t]! += wi;
    if (p > t) {
      under += wi;
      classUnder[t]! += wi;
    } else if (p < t) over += wi;
  }
  const underTriageByClass: Record<string, number> = {};
  for (let c = 0; c < k - 1; c++) underTriageByClass[urgencyOrder[c]!] = classTotal[c] === 0 ? NaN : classUnder[c]! / classTotal[c]!;
  return {
    underTriage: total === 0 ? NaN : under / total,
    overTriage: total === 0 ? NaN : over / total,
    underTriageByClass,
  };
}
