import type { Case } from '../../case.ts';
import { patientStream } from '../../random.ts';
import { groupOf } from '../group.ts';
import type { CohortOptions, PatientOverrides, TaskDefinition } from '../task.ts';
import { sepsisBundle } from './bundle.ts';
import { DEFAULT_PREVALENCE, interceptFor } from './calibrate.ts';
import { drawSepsisPatient } from './model.ts';
import { triageNote } from './note.ts';
import { sepsisTable } from './table.ts';
import { logistic, riskTerms } from './risk.ts';

/**
 * The `sepsis` task: an adult ED encounter snapshot at prediction time, truth = sepsis within the
 * horizon. Patient `index` is a pure function of (seed, 'sepsis', index) and the overrides; the
 * prevalence changes only the intercept of the true risk (and so risk and label), never the data.
 */
export function generateSepsis(options: CohortOptions, index: number, overrides?: PatientOverrides): Case {
  const patient = drawSepsisPatient(patientStream(options.seed, 'sepsis', index), overrides);
  const intercept = interceptFor(options.prevalence ?? DEFAULT_PREVALENCE);
  // The truth reads the full physiology, whether or not a lab was ordered (the bundle shows only ordered labs).
  const risk = logistic(intercept + riskTerms(patient.physiology.vitals, patient.physiology.labs, patient.comorbidities));
  return {
    task: 'sepsis',
    index,
    bundle: sepsisBundle(patient, triageNote(patient)),
    truth: { label: patient.labelDraw < risk ? 1 : 0, risk },
  };
}

export const sepsisTask: TaskDefinition = {
  name: 'sepsis',
  /** At the default prevalence the true risk alerts on ~13% of patients: sensitivity ~0.7, specificity ~0.92. */
  defaultThreshold: 0.1,
  generate: generateSepsis,
  groupOf,
  table: sepsisTable,
};
