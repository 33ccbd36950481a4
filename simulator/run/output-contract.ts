import type { Prediction } from '../../adapters/adapter.ts';
import { isAlert } from '../../adapters/cds-card.ts';
import type { TaskName } from '../case.ts';
import { TRIAGE_CLASSES } from '../cohort/note-triage/index.ts';

/** What each task needs of a model's answer, and the decision read off it. */
export interface OutputContract {
  /** Why an answer is unusable for the task, or null when it is fine. */
  problem(output: Prediction): string | null;
  /** The decision the answer amounts to (what flips and invariance compare), or null. */
  decision(output: Prediction, threshold: number): string | null;
}

const CLASSES: readonly string[] = TRIAGE_CLASSES;

export const OUTPUT_CONTRACT: Record<TaskName, OutputContract> = {
  sepsis: {
    problem: (p) => (p.score === undefined ? 'the answer has no score' : null),
    decision: (p, threshold) => (p.score === undefined ? null : p.score >= threshold ? 'alert' : 'no-alert'),
  },
  'note-triage': {
    problem: (p) =>
      p.label !== undefined && CLASSES.includes(String(p.label)) ? null : `the answer's label must be one of ${CLASSES.join(', ')}`,
    decision: (p) => (p.label === undefined ? null : String(p.label)),
  },
  'med-safety': {
    problem: (p) => (p.cards === undefined && p.label === undefined ? 'the answer has neither cards nor a label' : null),
    // An explicit label wins; otherwise any warning or critical card is an alert.
    decision: (p) => (p.label !== undefined ? (Number(p.label) === 1 ? 'alert' : 'no-alert') : p.cards!.some(isAlert) ? 'alert' : 'no-alert'),
  },
};
