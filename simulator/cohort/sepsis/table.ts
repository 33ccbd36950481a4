import type { Bundle } from 'fhir/r4.js';
import type { Truth } from '../../case.ts';
import { bundleResources, quantityCells, type QuantityColumn } from '../../fhir/observation-value.ts';
import { ageAt } from '../group.ts';
import type { Cell, TabularView } from '../task.ts';

/**
 * The sepsis task's flat feature table (docs/cohorts.md, "Tabular view"): one row per patient,
 * read from the (possibly perturbed) bundle.
 *
 * Columns: `case`, then the features below, then `label`, `risk`. Every measurement is in the
 * column's unit: a value reported in another UCUM unit the project's table knows (perturb/ucum.ts)
 * is converted back and rounded to the column's precision, so a correctly converted unit change is
 * invisible here; a unit it does not know makes the cell empty (missing), never a wrong number.
 * WBC and platelets are in 10*3/uL, numerically the same as the 10*9/L of the column names.
 */

/** Measurement columns: LOINC codes (main code first, then other specimens of the same quantity), unit, precision. */
export const SEPSIS_MEASUREMENT_COLUMNS = {
  heart_rate: { loinc: ['8867-4'], unit: '/min', decimals: 0 },
  resp_rate: { loinc: ['9279-1'], unit: '/min', decimals: 0 },
  temp_c: { loinc: ['8310-5'], unit: 'Cel', decimals: 1 },
  sbp_mmhg: { loinc: ['8480-6'], unit: 'mm[Hg]', decimals: 0 },
  spo2_pct: { loinc: ['59408-5'], unit: '%', decimals: 0 },
  gcs: { loinc: ['9269-2'], unit: '{score}', decimals: 0 },
  lactate_mmol_l: { loinc: ['2524-7', '32693-4', '2518-9'], unit: 'mmol/L', decimals: 1 },
  wbc_10e9_l: { loinc: ['6690-2', '26464-8'], unit: '10*3/uL', decimals: 1 },
  creatinine_mg_dl: { loinc: ['2160-0'], unit: 'mg/dL', decimals: 2 },
  platelets_10e9_l: { loinc: ['777-3', '26515-7'], unit: '10*3/uL', decimals: 0 },
  bilirubin_mg_dl: { loinc: ['1975-2'], unit: 'mg/dL', decimals: 1 },
} as const satisfies Record<string, QuantityColumn>;

type MeasurementColumn = keyof typeof SEPSIS_MEASUREMENT_COLUMNS;

const MEASUREMENT_NAMES = Object.keys(SEPSIS_MEASUREMENT_COLUMNS) as MeasurementColumn[];
const MEASUREMENTS: readonly QuantityColumn[] = MEASUREMENT_NAMES.map((k) => SEPSIS_MEASUREMENT_COLUMNS[k]);

export const SEPSIS_FEATURES = ['age_years', 'sex_female', ...MEASUREMENT_NAMES] as const;
export const SEPSIS_TRUTH = ['label', 'risk'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `age_years`: completed years from Patient.birthDate to Bundle.timestamp (UTC dates), empty when
 * either is missing; `sex_female`: 1 for gender female, 0 for male, empty otherwise.
 */
function demographicCells(bundle: unknown): [Cell, Cell] {
  const patient = bundleResources(bundle).find((r) => r.resourceType === 'Patient');
  if (!patient) return [null, null];
  const timestamp = isRecord(bundle) && typeof bundle.timestamp === 'string' ? bundle.timestamp : undefined;
  const birthDate = typeof patient.birthDate === 'string' ? patient.birthDate : undefined;
  const age = ageAt(birthDate, timestamp);
  const sex = patient.gender === 'female' ? 1 : patient.gender === 'male' ? 0 : null;
  return [age ?? null, sex];
}

export const sepsisTable: TabularView = {
  features: SEPSIS_FEATURES,
  truth: SEPSIS_TRUTH,
  featuresOf(bundle: Bundle): Cell[] {
    return [...demographicCells(bundle), ...quantityCells(bundle, MEASUREMENTS)];
  },
  truthOf(truth: Truth): Cell[] {
    return [truth.label ?? null, truth.risk ?? null];
  },
};
