/**
 * A small local UCUM table: for each measurement the model uses, the factor (or affine map) from a
 * UCUM code to the unit the model was trained in. Both variants convert vitals and the other labs
 * with it; only the flaw-free variant converts lactate (the flawed one reads lactate as mmol/L
 * whatever the unit says: flaw b in models/README.md).
 *
 * Sources: /work/shared/reference/clinical-codes.md §1–2 (lactate MW 90.08 g/mol, so
 * 1 mmol/L = 9.008 mg/dL; creatinine MW 113.1179 and bilirubin MW 584.6621; °F affine; SpO2 `1` is a
 * fraction; `/uL` counts are 1000 × `10*3/uL`).
 */

export type Measure =
  | 'hr'
  | 'rr'
  | 'temp'
  | 'sbp'
  | 'spo2'
  | 'gcs'
  | 'lactate'
  | 'wbc'
  | 'creatinine'
  | 'platelets'
  | 'bilirubin';

/** Molar mass of lactic acid, g/mol: mmol/L × 90.08 / 10 = mg/dL. */
export const LACTATE_MW = 90.08;
export const LACTATE_MG_DL_PER_MMOL_L = LACTATE_MW / 10;
/** NLM-FS molar masses (clinical-codes.md §2): 1 µmol/L = MW / 10 000 mg/dL (≈ ÷88.4, ÷17.1). */
const CREATININE_MW = 113.1179;
const BILIRUBIN_MW = 584.6621;

type Convert = (value: number) => number;
const same: Convert = (v) => v;
const times =
  (factor: number): Convert =>
  (v) =>
    v * factor;

/** UCUM code → converter to the training unit, per measure. The first key is the training unit. */
export const UNIT_TABLE: Record<Measure, Readonly<Record<string, Convert>>> = {
  hr: { '/min': same, '{beats}/min': same, '{beat}/min': same },
  rr: { '/min': same, '{breaths}/min': same, '{breath}/min': same },
  temp: { Cel: same, '[degF]': (f) => ((f - 32) * 5) / 9, K: (k) => k - 273.15 },
  sbp: { 'mm[Hg]': same, kPa: times(7.500_62) },
  spo2: { '%': same, '1': times(100) },
  gcs: { '{score}': same, '1': same },
  lactate: {
    'mmol/L': same,
    'mg/dL': times(1 / LACTATE_MG_DL_PER_MMOL_L),
    'mg/L': times(1 / (LACTATE_MG_DL_PER_MMOL_L * 10)),
    'umol/L': times(1 / 1000),
    'meq/L': same, // lactate is monovalent: 1 mEq/L = 1 mmol/L
  },
  wbc: { '10*3/uL': same, '10*9/L': same, '10*3/mm3': same, '/nL': same, '/uL': times(1 / 1000) },
  creatinine: { 'mg/dL': same, 'umol/L': times(CREATININE_MW / 10_000), 'mmol/L': times(CREATININE_MW / 10) },
  platelets: { '10*3/uL': same, '10*9/L': same, '10*3/mm3': same, '/nL': same, '/uL': times(1 / 1000) },
  bilirubin: { 'mg/dL': same, 'umol/L': times(BILIRUBIN_MW / 10_000) },
};

/**
 * The value in the training unit, or undefined when the unit is unknown for the measure. A value
 * without a unit is taken to be in the training unit (what most feeds that drop units mean).
 */
export function toTrainingUnit(measure: Measure, value: number, unit: string | undefined): number | undefined {
  if (unit === undefined) return value;
  const convert = UNIT_TABLE[measure][unit];
  return convert ? convert(value) : undefined;
}
