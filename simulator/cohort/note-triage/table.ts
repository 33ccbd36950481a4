import type { Bundle } from 'fhir/r4.js';
import type { Truth } from '../../case.ts';
import { bundleResources, quantityCells, type QuantityColumn } from '../../fhir/observation-value.ts';
import { ageAt } from '../group.ts';
import type { Cell, TabularView } from '../task.ts';
import { LOINC_HEART_RATE, LOINC_RESP_RATE, LOINC_SBP, LOINC_SPO2, LOINC_TEMPERATURE } from './codes.ts';

/**
 * The note-triage tabular view (docs/cohorts.md, "note-triage"): demographics, the five triage
 * vitals and the note length, read from the (possibly perturbed, possibly malformed) bundle; what
 * is missing or unreadable is null. Vitals follow the shared reading rules of
 * fhir/observation-value.ts (as the sepsis table does): a value in another UCUM unit of the same
 * quantity, such as a temperature charted in [degF], is converted to the column's unit and
 * precision; an unknown unit or a unitless value is null, never a misread number.
 */

export const NOTE_TRIAGE_VITAL_COLUMNS = {
  heart_rate: { loinc: [LOINC_HEART_RATE], unit: '/min', decimals: 0 },
  resp_rate: { loinc: [LOINC_RESP_RATE], unit: '/min', decimals: 0 },
  temp_c: { loinc: [LOINC_TEMPERATURE], unit: 'Cel', decimals: 1 },
  sbp_mmhg: { loinc: [LOINC_SBP], unit: 'mm[Hg]', decimals: 0 },
  spo2_pct: { loinc: [LOINC_SPO2], unit: '%', decimals: 0 },
} as const satisfies Record<string, QuantityColumn>;

const VITAL_NAMES = Object.keys(NOTE_TRIAGE_VITAL_COLUMNS) as (keyof typeof NOTE_TRIAGE_VITAL_COLUMNS)[];
const VITALS: readonly QuantityColumn[] = VITAL_NAMES.map((k) => NOTE_TRIAGE_VITAL_COLUMNS[k]);

export const NOTE_TRIAGE_FEATURES = ['age_years', 'sex_female', ...VITAL_NAMES, 'note_chars'] as const;
export const NOTE_TRIAGE_TRUTH = ['class', 'label'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Completed years at Bundle.timestamp, and 1/0 for female/male; null when unreadable. */
function demographicCells(bundle: unknown, resources: readonly Record<string, unknown>[]): [Cell, Cell] {
  const patient = resources.find((r) => r.resourceType === 'Patient');
  if (!patient) return [null, null];
  const timestamp = isRecord(bundle) && typeof bundle.timestamp === 'string' ? bundle.timestamp : undefined;
  const birthDate = typeof patient.birthDate === 'string' ? patient.birthDate : undefined;
  return [ageAt(birthDate, timestamp) ?? null, patient.gender === 'female' ? 1 : patient.gender === 'male' ? 0 : null];
}

/** Length in Unicode code points of the first DocumentReference's first attachment (base64 UTF-8). */
function noteChars(resources: readonly Record<string, unknown>[]): Cell {
  const doc = resources.find((r) => r.resourceType === 'DocumentReference');
  const first: unknown = doc && Array.isArray(doc.content) ? doc.content[0] : undefined;
  const data = isRecord(first) && isRecord(first.attachment) ? first.attachment.data : undefined;
  if (typeof data !== 'string') return null;
  let n = 0;
  for (const _ of Buffer.from(data, 'base64').toString('utf8')) n++;
  return n;
}

export const noteTriageTable: TabularView = {
  features: NOTE_TRIAGE_FEATURES,
  truth: NOTE_TRIAGE_TRUTH,
  featuresOf(bundle: Bundle): Cell[] {
    const resources = bundleResources(bundle);
    return [...demographicCells(bundle, resources), ...quantityCells(bundle, VITALS), noteChars(resources)];
  },
  truthOf(truth: Truth): Cell[] {
    return [truth.class ?? null, truth.label ?? null];
  },
};
