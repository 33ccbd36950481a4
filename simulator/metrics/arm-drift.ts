/**
 * Input drift (report.json `drift`, and `clinsim drift`): every feature of the task's tabular view,
 * a reference sample against a current one, with drift.ts (Evidently's tests and defaults). In a
 * run the reference is the baseline arm's inputs and the current sample a perturbed arm's, both
 * from the journal's `features`.
 *
 * A feature is categorical when any of its values (either side) is text, numeric otherwise; a
 * categorical feature's numbers are read as text so `5` and `"5"` are one category.
 */
import type { ArmAccumulator } from './arm-accumulator.ts';
import { categoricalDrift, driftShare, numericDrift, type FeatureDrift } from './drift.ts';
import type { FeatureValue } from './feature-columns.ts';
import type { DriftReport, FeatureDriftReport } from './report-types.ts';

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** One feature's drift in report form: NaN (not available) as null, numeric-only figures null for categories. */
export function featureDriftReport(f: FeatureDrift): FeatureDriftReport {
  const numeric = f.kind === 'numeric';
  return {
    name: f.feature,
    kind: f.kind,
    n: { reference: f.referenceN, current: f.currentN },
    missing: { reference: f.referenceMissing, current: f.currentMissing },
    test: f.test,
    score: nullIfNaN(f.score),
    threshold: nullIfNaN(f.threshold),
    drift: f.drifted,
    psi: nullIfNaN(f.psi),
    jensenShannon: nullIfNaN(f.jensenShannon),
    ks: numeric ? { statistic: nullIfNaN(f.ksStatistic), pValue: nullIfNaN(f.ksPValue) } : null,
    wasserstein: numeric ? nullIfNaN(f.wassersteinNormed) : null,
  };
}

/** Drift of one column given as cells (null = missing). */
export function columnDrift(name: string, reference: readonly FeatureValue[], current: readonly FeatureValue[]): FeatureDrift {
  const categorical = reference.some((v) => typeof v === 'string') || current.some((v) => typeof v === 'string');
  if (categorical) {
    const text = (values: readonly FeatureValue[]) => values.map((v) => (v === null ? null : String(v)));
    return categoricalDrift(name, text(reference), text(current));
  }
  const numbers = (values: readonly FeatureValue[]) => Float64Array.from(values, (v) => (typeof v === 'number' ? v : NaN));
  return numericDrift(name, numbers(reference), numbers(current));
}

export interface TableDrift {
  readonly features: FeatureDriftReport[];
  readonly driftShare: number | null;
  readonly drifted: number;
  readonly decided: number;
  readonly notAvailable: number;
  readonly datasetDrift: boolean | null;
}

/** Drift of every named column; `reference(name)` and `current(name)` give a column's cells. */
export function tableDrift(
  names: readonly string[],
  reference: (name: string) => readonly FeatureValue[],
  current: (name: string) => readonly FeatureValue[],
): TableDrift {
  const computed = names.map((name) => columnDrift(name, reference(name), current(name)));
  const share = driftShare(computed);
  return {
    features: computed.map(featureDriftReport),
    driftShare: nullIfNaN(share.share),
    drifted: share.drifted,
    decided: share.features,
    notAvailable: share.notAvailable,
    datasetDrift: share.datasetDrift,
  };
}

/**
 * Drift of an arm's inputs against the baseline arm's; null for the baseline itself, without a
 * baseline, or when either arm's records carry no `features` (journals written before them).
 */
export function armDrift(acc: ArmAccumulator, baseline: ArmAccumulator | undefined): DriftReport | null {
  if (!baseline || baseline === acc || !acc.features || !baseline.features) return null;
  const ref = baseline.features;
  const cur = acc.features;
  const names = [...ref.names, ...cur.names.filter((n) => !ref.names.includes(n))];
  return { reference: baseline.name, ...tableDrift(names, (n) => ref.values(n), (n) => cur.values(n)) };
}
