import type { ExpectedStatistics } from '../expected.ts';
import { DEMOGRAPHIC_COLUMNS, NEVER_MISSING, within } from '../expected-figures.ts';

/**
 * Documented statistics of a default note-triage cohort (docs/cohorts.md, "Realised statistics"),
 * read through the tabular view. The class mix is the design (25 / 45 / 30, model.ts); the vitals
 * are the model's figures measured on 400,000 patients
 * (`node --import tsx simulator/cohort/expected.ts measure note-triage 400000 1`). Every vital is
 * charted for every patient. Tolerances: about 4 standard errors of a 20,000-patient cohort.
 */

export const NOTE_TRIAGE_EXPECTED: ExpectedStatistics = {
  task: 'note-triage',
  basis:
    'Class mix: the design (emergent 0.25, the rest urgent : non-urgent 60 : 40). Vitals: the model measured on 400,000 ' +
    'patients (seed 1, default options). Tolerance: about 4 standard errors of a 20,000-patient cohort, rounded up.',
  truth: [
    { column: 'class', equals: 'emergent', ...within(0.25, 0.013) },
    { column: 'class', equals: 'urgent', ...within(0.45, 0.015) },
    { column: 'class', equals: 'non-urgent', ...within(0.3, 0.014) },
  ],
  columns: {
    ...DEMOGRAPHIC_COLUMNS,
    heart_rate: { mean: within(86.9, 0.42), missing: NEVER_MISSING },
    resp_rate: { mean: within(16.5, 0.08), missing: NEVER_MISSING },
    temp_c: { mean: within(37.13, 0.025), missing: NEVER_MISSING },
    sbp_mmhg: { mean: within(133.5, 0.62), missing: NEVER_MISSING },
    spo2_pct: { mean: within(97.51, 0.065), missing: NEVER_MISSING },
  },
};
