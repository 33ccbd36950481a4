import { complete, LACTATE_TERMS, TERM_NAMES, type CompleteMeasurements, type Measurements, type Variant } from './features.ts';
import { sigmoid } from './logistic.ts';
import { FLAWED_LACTATE_IMPUTATION, linearPredictor, loadCoefficients, MODEL_NAME, type Coefficients, type Flag, type SepsisScore } from './model.ts';
import type { TabularModel } from '../protocols/tabular-model.ts';
import type { Measure } from './units.ts';

/**
 * The sepsis model's tabular entry: the same coefficients, imputation, clipping and flaws as
 * `predict(bundle)` (model.ts), applied to one row of flat features instead of a FHIR Bundle. This
 * is what the KServe V2 and MLflow routes of the reference server score.
 *
 * The row is the model's input signature, `SEPSIS_ROW_INPUTS`: the columns of the sepsis task's
 * tabular view (`clinsim generate --task sepsis --format csv`, docs/cohorts.md), each a number or
 * null (missing). Given the measurements a bundle carries, the row entry computes exactly what the
 * bundle entry computes (test/integration/model-tabular-protocols.test.ts checks it bit for bit).
 *
 * What a row cannot carry, and so where scores from a row and from the bundle it was read from
 * differ (measured in models/README.md, "Tabular protocols"):
 * - age: the row has completed years (`age_years`), the bundle entry uses the exact age;
 * - units: each column has one unit, and the client that builds the row converts into it. Flaw (b)
 *   (lactate read as mmol/L whatever the unit says) has nothing to misread in a row: the row entry
 *   reads `lactate_mmol_l` as mmol/L, which it is. A lactate in mg/dL converted by the client
 *   arrives correct and is scored like the baseline;
 * - codes: the row's lactate column also holds whole-blood and arterial lactate, so flaw (c) does
 *   not show either.
 * Flaw (a) does: a missing `lactate_mmol_l` is read as a normal 1.0 mmol/L by the flawed variant,
 * silently, exactly as a bundle without a lactate.
 */

/** Input columns in order, with the measurement each one feeds (training units = column units). */
const MEASURE_OF_COLUMN = {
  heart_rate: 'hr',
  resp_rate: 'rr',
  temp_c: 'temp',
  sbp_mmhg: 'sbp',
  spo2_pct: 'spo2',
  gcs: 'gcs',
  lactate_mmol_l: 'lactate',
  wbc_10e9_l: 'wbc',
  creatinine_mg_dl: 'creatinine',
  platelets_10e9_l: 'platelets',
  bilirubin_mg_dl: 'bilirubin',
} as const satisfies Record<string, Measure>;

type MeasurementColumn = keyof typeof MEASURE_OF_COLUMN;

/** The model's input signature: feature names in order. */
export const SEPSIS_ROW_INPUTS = ['age_years', 'sex_female', ...(Object.keys(MEASURE_OF_COLUMN) as MeasurementColumn[])] as const;
export type SepsisRowInput = (typeof SEPSIS_ROW_INPUTS)[number];

/** One case as the model's row: every input present, null where the value is missing. */
export type SepsisRow = Readonly<Record<SepsisRowInput, number | null>>;

/** Why a finite number cannot be an input's cell (missing cells are null), or undefined when it can. */
export function cellProblem(input: string, value: number): string | undefined {
  if (input === 'sex_female' && value !== 0 && value !== 1) return 'sex_female must be 1 (female), 0 (male) or null';
  return undefined;
}

/** The measurements a row carries, in the shape the bundle entry extracts them. */
export function measurementsOfRow(row: SepsisRow): Measurements {
  const m: Measurements = {};
  if (row.age_years !== null) m.ageYears = row.age_years;
  if (row.sex_female !== null) m.male = row.sex_female === 1 ? 0 : 1;
  for (const [column, measure] of Object.entries(MEASURE_OF_COLUMN) as [MeasurementColumn, Measure][]) {
    const value = row[column];
    if (value !== null) m[measure] = value;
  }
  return m;
}

export interface SepsisRowModel {
  readonly name: typeof MODEL_NAME;
  readonly version: string;
  readonly variant: Variant;
  readonly threshold: number;
  /** Scores one row whose cells passed `cellProblem`. */
  predictRow(row: SepsisRow): SepsisScore;
  /** The same scoring from measurements, the step both entries share. */
  predictMeasurements(m: Measurements): SepsisScore;
}

const NO_LACTATE_TERMS = TERM_NAMES.filter((t) => !LACTATE_TERMS.includes(t));

export function createSepsisRowModel(options: { flawFree?: boolean; coefficients?: Coefficients } = {}): SepsisRowModel {
  const c = options.coefficients ?? loadCoefficients();
  const variant: Variant = options.flawFree ? 'flaw-free' : 'flawed';
  const impute = c.imputation as CompleteMeasurements;
  const decide = (eta: number, flags: Flag[]): SepsisScore => {
    const score = sigmoid(eta);
    return { score, label: score >= c.threshold ? 1 : 0, flags };
  };

  // The two variants' rules, as model.ts applies them to what it extracts from a bundle.
  const predictMeasurements = (m: Measurements): SepsisScore => {
    if (variant === 'flawed') {
      // Flaw (a): no flag, no fallback model: a missing lactate becomes a normal one.
      const filled = complete({ ...m, lactate: m.lactate ?? FLAWED_LACTATE_IMPUTATION }, impute);
      return decide(linearPredictor(c.withLactate, filled, TERM_NAMES), []);
    }
    if (m.lactate === undefined) return decide(linearPredictor(c.withoutLactate, complete(m, impute), NO_LACTATE_TERMS), ['lactate-missing']);
    return decide(linearPredictor(c.withLactate, complete(m, impute), TERM_NAMES), []);
  };

  return {
    name: MODEL_NAME,
    version: c.version,
    variant,
    threshold: c.threshold,
    predictMeasurements,
    predictRow: (row) => predictMeasurements(measurementsOfRow(row)),
  };
}

/** The row model as the tabular protocol routes serve it (models/protocols/). */
export function sepsisTabularModel(model: SepsisRowModel, name = 'sepsis'): TabularModel {
  return {
    name,
    version: model.version,
    inputs: SEPSIS_ROW_INPUTS,
    cellProblem,
    // rowsOf (tabular-model.ts) has checked that the row holds exactly SEPSIS_ROW_INPUTS.
    score: (row) => model.predictRow(row as SepsisRow),
  };
}
