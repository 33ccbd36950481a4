import type { Bundle, Extension, Patient } from 'fhir/r4.js';
import type { Group } from '../case.ts';
import { US_CORE_ETHNICITY, US_CORE_RACE } from './demographics.ts';

export const UNKNOWN = 'unknown';

export type AgeBand = '18-39' | '40-64' | '65-79' | '80+';

/** Age band of an age in completed years; '<18' for the (out-of-model) minors a perturbation may produce. */
export function ageBandOf(ageYears: number): AgeBand | '<18' {
  if (ageYears < 18) return '<18';
  if (ageYears < 40) return '18-39';
  if (ageYears < 65) return '40-64';
  if (ageYears < 80) return '65-79';
  return '80+';
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * Completed years between a FHIR birthDate (YYYY[-MM[-DD]]) and an instant, compared on UTC calendar
 * dates. Undefined when either is missing or unparseable.
 */
export function ageAt(birthDate: string | undefined, instant: string | undefined): number | undefined {
  if (!birthDate || !instant) return undefined;
  const b = DATE.exec(birthDate.length === 4 ? `${birthDate}-01-01` : birthDate.length === 7 ? `${birthDate}-01` : birthDate);
  const t = new Date(instant);
  if (!b || Number.isNaN(t.getTime())) return undefined;
  const by = Number(b[1]);
  const bm = Number(b[2]);
  const bd = Number(b[3]);
  const ty = t.getUTCFullYear();
  const tm = t.getUTCMonth() + 1;
  const td = t.getUTCDate();
  const age = ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
  return age >= 0 ? age : undefined;
}

function extension(patient: Patient, url: string): Extension | undefined {
  if (!Array.isArray(patient.extension)) return undefined;
  return patient.extension.find((e) => e?.url === url);
}

/** The first Patient, tolerating the malformed shapes a fuzz perturbation may produce. */
function findPatient(bundle: Bundle): Patient | undefined {
  if (!Array.isArray(bundle?.entry)) return undefined;
  for (const entry of bundle.entry) {
    const r = entry?.resource;
    if (r && typeof r === 'object' && r.resourceType === 'Patient') return r;
  }
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Display of a us-core-race / us-core-ethnicity extension: the single ombCategory's display (or
 * code), else the `text` sub-extension (e.g. several categories), else unknown.
 */
function categoryDisplay(ext: Extension | undefined): string {
  if (!Array.isArray(ext?.extension)) return UNKNOWN;
  const omb = ext.extension.filter((e) => e?.url === 'ombCategory');
  if (omb.length === 1) {
    const coding = omb[0]!.valueCoding;
    const label = str(coding?.display) ?? str(coding?.code);
    if (label) return label;
  }
  const text = str(ext.extension.find((e) => e?.url === 'text')?.valueString);
  return text || UNKNOWN;
}

/**
 * Subgroup attributes of a bundle, read from its Patient: sex from gender, age band at the
 * prediction time (Bundle.timestamp), race and ethnicity from the US Core extensions. Anything
 * missing (perturbed bundles may lack the Patient, the timestamp or an extension) is 'unknown'.
 */
export function groupOf(bundle: Bundle): Group {
  const patient = findPatient(bundle);
  if (!patient) return { sex: UNKNOWN, ageBand: UNKNOWN, race: UNKNOWN, ethnicity: UNKNOWN };
  const age = ageAt(str(patient.birthDate), str(bundle.timestamp));
  return {
    sex: str(patient.gender) || UNKNOWN,
    ageBand: age === undefined ? UNKNOWN : ageBandOf(age),
    race: categoryDisplay(extension(patient, US_CORE_RACE)),
    ethnicity: categoryDisplay(extension(patient, US_CORE_ETHNICITY)),
  };
}
