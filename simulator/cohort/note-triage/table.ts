import type { Bundle } from 'fhir/r4.js';
import type { Case } from '../../case.ts';
import { LOINC } from '../../fhir/bundle-access.ts';
import { ageAt } from '../group.ts';
import type { Cell, TabularView } from '../task.ts';
import { FAHRENHEIT, LOINC_HEART_RATE, LOINC_RESP_RATE, LOINC_SBP, LOINC_SPO2, LOINC_TEMPERATURE } from './codes.ts';

/**
 * The note-triage tabular view: demographics, the five triage vitals and the note length, read from
 * the (possibly perturbed, possibly malformed) bundle; anything missing or unreadable is null. Values
 * in another UCUM unit of the same quantity are converted to the canonical one (temperature from
 * [degF] to Cel; also kPa → mm[Hg] and the fraction `1` → %); a unit the view does not know gives
 * null, never a silently misread number.
 */

export const NOTE_TRIAGE_FEATURES = [
  'age_years',
  'sex_female',
  'heart_rate',
  'resp_rate',
  'temp_c',
  'sbp_mmhg',
  'spo2_pct',
  'note_chars',
] as const;
export const NOTE_TRIAGE_TRUTH_COLUMNS = ['class', 'label'] as const;

type Convert = (value: number) => number;
const same: Convert = (v) => v;
/** Canonical value of each unit code, per LOINC; the first unit is the canonical one. */
const UNITS: Readonly<Record<string, Readonly<Record<string, Convert>>>> = {
  [LOINC_HEART_RATE]: { '/min': same, '{beats}/min': same },
  [LOINC_RESP_RATE]: { '/min': same, '{breaths}/min': same },
  [LOINC_TEMPERATURE]: { Cel: same, [FAHRENHEIT]: (f) => ((f - 32) * 5) / 9 },
  [LOINC_SBP]: { 'mm[Hg]': same, kPa: (kpa) => kpa / 0.133322 },
  [LOINC_SPO2]: { '%': same, '1': (x) => x * 100 },
};

const round2 = (x: number): number => Math.round(x * 100) / 100;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function resourcesOf(bundle: Bundle): Record<string, unknown>[] {
  const entries: unknown = (bundle as unknown as Record<string, unknown> | null)?.entry;
  if (!Array.isArray(entries)) return [];
  const out: Record<string, unknown>[] = [];
  for (const e of entries) if (isObject(e) && isObject(e.resource)) out.push(e.resource);
  return out;
}

function hasLoinc(r: Record<string, unknown>, loinc: string): boolean {
  const coding = isObject(r.code) ? r.code.coding : undefined;
  return Array.isArray(coding) && coding.some((c) => isObject(c) && c.system === LOINC && c.code === loinc);
}

/** Value of the first Observation with the LOINC code, in the canonical unit; null when unusable. */
function vital(resources: readonly Record<string, unknown>[], loinc: string): Cell {
  for (const r of resources) {
    if (r.resourceType !== 'Observation' || !hasLoinc(r, loinc)) continue;
    const q = r.valueQuantity;
    if (!isObject(q) || typeof q.value !== 'number' || !Number.isFinite(q.value)) return null;
    const unit = typeof q.code === 'string' ? q.code : typeof q.unit === 'string' ? q.unit : undefined;
    const units = UNITS[loinc]!;
    const convert = unit === undefined ? same : units[unit];
    if (!convert) return null;
    return convert === same ? q.value : round2(convert(q.value));
  }
  return null;
}

function noteChars(resources: readonly Record<string, unknown>[]): Cell {
  for (const r of resources) {
    if (r.resourceType !== 'DocumentReference') continue;
    const content = r.content;
    const first: unknown = Array.isArray(content) ? content[0] : undefined;
    const data = isObject(first) && isObject(first.attachment) ? first.attachment.data : undefined;
    if (typeof data !== 'string') return null;
    let n = 0;
    for (const _ of Buffer.from(data, 'base64').toString('utf8')) n++;
    return n;
  }
  return null;
}

/** One row of features of a bundle, in NOTE_TRIAGE_FEATURES order. */
export function noteTriageFeatures(bundle: Case['bundle']): Cell[] {
  const resources = resourcesOf(bundle);
  const patient = resources.find((r) => r.resourceType === 'Patient');
  const birthDate = typeof patient?.birthDate === 'string' ? patient.birthDate : undefined;
  const timestamp = typeof bundle?.timestamp === 'string' ? bundle.timestamp : undefined;
  const gender = patient?.gender;
  return [
    ageAt(birthDate, timestamp) ?? null,
    gender === 'female' ? 1 : gender === 'male' ? 0 : null,
    vital(resources, LOINC_HEART_RATE),
    vital(resources, LOINC_RESP_RATE),
    vital(resources, LOINC_TEMPERATURE),
    vital(resources, LOINC_SBP),
    vital(resources, LOINC_SPO2),
    noteChars(resources),
  ];
}

export const noteTriageTable: TabularView = {
  features: NOTE_TRIAGE_FEATURES,
  truth: NOTE_TRIAGE_TRUTH_COLUMNS,
  featuresOf: noteTriageFeatures,
  truthOf: (truth) => [truth.class ?? null, truth.label ?? null],
};
