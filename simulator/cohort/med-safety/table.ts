import type { Bundle } from 'fhir/r4.js';
import type { Truth } from '../../case.ts';
import { ageAt } from '../group.ts';
import type { Cell, TabularView } from '../task.ts';
import { LOINC_CREATININE, LOINC_EGFR, LOINC_INR, LOINC_POTASSIUM } from './codes.ts';
import { CONFLICT_KINDS, isSignificant } from './conflicts.ts';
import { activeRxnorm, allergiesOf, draftRxnorm, labValue } from './read.ts';

/**
 * The med-safety feature table: one row per patient, read from the (possibly perturbed) bundle.
 * Lab values are the latest resulted Observation's value as written (a unit perturbation shows
 * through); anything missing is null.
 */

export const MED_SAFETY_FEATURES = [
  'age_years',
  'sex_female',
  'draft_rxnorm',
  'active_rxnorm_count',
  'allergy_count',
  'potassium_mmol_l',
  'inr',
  'egfr',
  'creatinine_mg_dl',
] as const;

export const MED_SAFETY_TRUTH = ['label', 'conflict_kinds'] as const;

function patientOf(bundle: Bundle): { birthDate?: unknown; gender?: unknown } | undefined {
  if (!Array.isArray(bundle?.entry)) return undefined;
  for (const e of bundle.entry) if (e?.resource?.resourceType === 'Patient') return e.resource;
  return undefined;
}

function featuresOf(bundle: Bundle): Cell[] {
  const patient = patientOf(bundle);
  const birthDate = typeof patient?.birthDate === 'string' ? patient.birthDate : undefined;
  const timestamp = typeof bundle?.timestamp === 'string' ? bundle.timestamp : undefined;
  const age = ageAt(birthDate, timestamp);
  const gender = patient?.gender;
  return [
    age ?? null,
    gender === 'female' ? 1 : gender === 'male' ? 0 : null,
    draftRxnorm(bundle) ?? null,
    activeRxnorm(bundle).length,
    allergiesOf(bundle).count,
    labValue(bundle, LOINC_POTASSIUM) ?? null,
    labValue(bundle, LOINC_INR) ?? null,
    labValue(bundle, LOINC_EGFR) ?? null,
    labValue(bundle, LOINC_CREATININE) ?? null,
  ];
}

/**
 * `label` as given (null when absent); `conflict_kinds` = the distinct kinds of the clinically
 * significant conflicts (contraindicated or major), in the order allergy;interaction;drug-lab —
 * '' exactly when label is 0 (a caution or moderate conflict is in truth.conflicts, not here);
 * null when the truth has no conflict list.
 */
function truthOf(truth: Truth): Cell[] {
  const label = truth.label ?? null;
  if (!truth.conflicts) return [label, null];
  const kinds = CONFLICT_KINDS.filter((k) => truth.conflicts!.some((c) => c.kind === k && isSignificant(c.severity)));
  return [label, kinds.join(';')];
}

export const medSafetyTable: TabularView = {
  features: MED_SAFETY_FEATURES,
  truth: MED_SAFETY_TRUTH,
  featuresOf,
  truthOf,
};
