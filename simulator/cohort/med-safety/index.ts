import type { Case } from '../../case.ts';
import { patientStream } from '../../random.ts';
import { groupOf } from '../group.ts';
import type { CohortOptions, PatientOverrides, TaskDefinition } from '../task.ts';
import { medSafetyBundle } from './bundle.ts';
import { DRUGS, LOINC_CREATININE, LOINC_EGFR, LOINC_INR, LOINC_POTASSIUM } from './codes.ts';
import { findConflicts, labelOf } from './conflicts.ts';
import { DEFAULT_PREVALENCE, drawMedSafetyPatient, type MedSafetyPatient } from './model.ts';
import { medSafetyTable } from './table.ts';

export { draftOrderOf, medicationContextOf, conflictsOfBundle } from './read.ts';
export { CONFLICT_TABLE, findConflicts, isSignificant, labelOf } from './conflicts.ts';
export { DEFAULT_PREVALENCE } from './model.ts';

/**
 * The `med-safety` task: a medication order being signed (a draft MedicationRequest) in context —
 * allergies, active medications, labs, conditions — as a CDS Hooks `order-sign` call would carry it.
 * Truth: `conflicts` = every conflict of the draft with the context per the conflict table
 * (conflicts.ts); `label` = 1 when any is contraindicated or major.
 *
 * Patient `index` is a pure function of (seed, 'med-safety', index), the prevalence and the
 * overrides. The prevalence is the probability a case is built as a conflict case, so the realised
 * share of label 1 is Bernoulli(prevalence) per patient; unlike the sepsis task, it changes the data
 * of the patients whose label it changes (same situation, the other variant).
 */

function checkPrevalence(prevalence: number): number {
  if (!(prevalence >= 0 && prevalence <= 1)) throw new RangeError(`prevalence must be in [0, 1], got ${prevalence}`);
  return prevalence;
}

/** Truth of a drawn patient: the table applied to exactly what the bundle shows. */
export function truthOfPatient(p: MedSafetyPatient): Case['truth'] {
  const labs: Record<string, number | undefined> = {
    [LOINC_POTASSIUM]: p.labs.potassium ?? undefined,
    [LOINC_EGFR]: p.labs.egfr ?? undefined,
    [LOINC_CREATININE]: p.labs.creatinine ?? undefined,
    [LOINC_INR]: p.labs.inr ?? undefined,
  };
  const conflicts = findConflicts({
    draft: DRUGS[p.draft.drug].rxnorm,
    active: p.medications.map((m) => DRUGS[m.drug].rxnorm),
    allergies: p.allergies.map((a) => DRUGS[a.substance].rxnorm),
    labs,
  });
  return { label: labelOf(conflicts), conflicts };
}

export function generateMedSafety(options: CohortOptions, index: number, overrides?: PatientOverrides): Case {
  const prevalence = checkPrevalence(options.prevalence ?? DEFAULT_PREVALENCE);
  const patient = drawMedSafetyPatient(patientStream(options.seed, 'med-safety', index), prevalence, overrides);
  return { task: 'med-safety', index, bundle: medSafetyBundle(patient), truth: truthOfPatient(patient) };
}

export const medSafetyTask: TaskDefinition = {
  name: 'med-safety',
  /** A CDS service's score (or card indicator mapped to a score) above 0.5 counts as an alert. */
  defaultThreshold: 0.5,
  generate: generateMedSafety,
  groupOf,
  table: medSafetyTable,
};
