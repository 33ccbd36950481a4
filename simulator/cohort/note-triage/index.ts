import type { Case } from '../../case.ts';
import { patientStream } from '../../random.ts';
import { groupOf } from '../group.ts';
import type { CohortOptions, PatientOverrides, TaskDefinition } from '../task.ts';
import { noteTriageBundle } from './bundle.ts';
import { DEFAULT_EMERGENT_SHARE, drawNoteTriagePatient, triageVitalsOf } from './model.ts';
import { triageNote } from './note.ts';
import { noteTriageTable } from './table.ts';
import { triageClassOf } from './triage.ts';

export { triageClassOf, triageLevelOf, inDangerZone, TRIAGE_CLASSES, type TriageClass, type TriageVitals } from './triage.ts';
export { FINDINGS, RESOURCES, type FindingId, type FindingState, type TriageFindings } from './findings.ts';
export { classOfNote, findingSpans, flipFinding, readTriageNote, vitalsOfNote, type FindingSpan } from './read-note.ts';

/**
 * The `note-triage` task: an emergency-department triage note whose urgency class (emergent ESI 1–2,
 * urgent ESI 3, non-urgent ESI 4–5) follows from what the note says. Patient `index` is a pure
 * function of (seed, 'note-triage', index), the overrides and `prevalence` (the share of emergent
 * notes, default 0.25).
 */

/** The emergent share of a cohort: CohortOptions.prevalence, or the default mix. */
export function emergentShareOf(options: CohortOptions): number {
  const p = options.prevalence ?? DEFAULT_EMERGENT_SHARE;
  if (!Number.isFinite(p) || p < 0 || p > 1) throw new RangeError(`note-triage prevalence (emergent share) must be in [0, 1], got ${p}`);
  return p;
}

export function generateNoteTriage(options: CohortOptions, index: number, overrides?: PatientOverrides): Case {
  const patient = drawNoteTriagePatient(patientStream(options.seed, 'note-triage', index), emergentShareOf(options), overrides);
  const cls = triageClassOf(patient.findings, triageVitalsOf(patient));
  return {
    task: 'note-triage',
    index,
    bundle: noteTriageBundle(patient, triageNote(patient)),
    truth: { class: cls, label: cls === 'emergent' ? 1 : 0 },
  };
}

export const noteTriageTask: TaskDefinition = {
  name: 'note-triage',
  /** A score, where a model gives one, is P(emergent). */
  defaultThreshold: 0.5,
  generate: generateNoteTriage,
  groupOf,
  table: noteTriageTable,
};
