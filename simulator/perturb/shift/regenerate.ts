import type { Extension } from 'fhir/r4.js';
import type { Case, Truth } from '../../case.ts';
import { US_CORE_ETHNICITY, US_CORE_RACE } from '../../cohort/demographics.ts';
import { ageAt } from '../../cohort/group.ts';
import type { PatientOverrides } from '../../cohort/task.ts';
import { patientOf } from '../../fhir/bundle-access.ts';
import type { Change } from '../perturbation.ts';

/**
 * What the regenerating kinds (shift.age, shift.sex, shift.raceEthnicity, shift.prevalence) share:
 * reading a case's demographics back from its Patient, and the provenance of a regenerated case.
 */

export interface CaseDemographics {
  /** Completed years at Bundle.timestamp. */
  readonly ageYears: number | undefined;
  readonly sex: 'female' | 'male' | undefined;
  /** OMB race code of the us-core-race extension (its single ombCategory). */
  readonly race: string | undefined;
  /** OMB ethnicity code of the us-core-ethnicity extension. */
  readonly ethnicity: string | undefined;
}

function ombCode(extensions: readonly Extension[] | undefined, url: string): string | undefined {
  const ext = extensions?.find((e) => e.url === url);
  const omb = ext?.extension?.filter((e) => e.url === 'ombCategory') ?? [];
  return omb.length === 1 ? omb[0]!.valueCoding?.code : undefined;
}

/** Demographics of a case as its Patient shows them (undefined where the Patient does not say). */
export function demographicsOf(c: Case): CaseDemographics {
  const patient = patientOf(c.bundle);
  const gender = patient?.gender;
  return {
    ageYears: ageAt(patient?.birthDate, c.bundle.timestamp),
    sex: gender === 'female' || gender === 'male' ? gender : undefined,
    race: ombCode(patient?.extension, US_CORE_RACE),
    ethnicity: ombCode(patient?.extension, US_CORE_ETHNICITY),
  };
}

/**
 * Overrides that keep a case's current demographics, with `changed` on top. A demographic kind
 * regenerates the patient with its own variable changed and the others as the case shows them; on
 * a generated case those equal the drawn values, and an override equal to the drawn value gives the
 * same patient (docs/cohorts.md), so the only difference is the shifted variable.
 */
export function keepDemographics(c: Case, changed: PatientOverrides): PatientOverrides {
  const d = demographicsOf(c);
  const out: PatientOverrides = {};
  if (d.ageYears !== undefined) out.ageYears = d.ageYears;
  if (d.sex !== undefined) out.sex = d.sex;
  if (d.race !== undefined) out.race = d.race;
  if (d.ethnicity !== undefined) out.ethnicity = d.ethnicity;
  return { ...out, ...changed };
}

/**
 * Provenance of a truth that may have changed: `truth.label`, `truth.risk` and `truth.class`, each
 * recorded when either side has it (null on the side that does not). Recorded even when equal, so
 * the realized label and risk distributions of an arm can be read from its provenance.
 */
export function truthChanges(before: Truth, after: Truth): Change[] {
  const out: Change[] = [];
  for (const key of ['label', 'risk', 'class'] as const) {
    if (before[key] === undefined && after[key] === undefined) continue;
    out.push({ path: `truth.${key}`, before: before[key] ?? null, after: after[key] ?? null });
  }
  return out;
}
