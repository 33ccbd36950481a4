import type { ExpectedStatistics } from '../expected.ts';

/**
 * Documented statistics of a default note-triage cohort (docs/cohorts.md, "Realised statistics"),
 * read through the tabular view. The class mix is the design (25 / 45 / 30, model.ts); the vitals
 * are the model's figures measured on 400,000 patients
 * (`node --import tsx simulator/cohort/expected.ts measure note-triage 400000 1`). Every vital is
 * charted for every patient. Tolerances: about 4 standard errors of a 20,000-patient cohort.
 */
const f = (expected: number, tolerance: number) => ({ expected, tolerance });
const always = f(0, 0);

export const NOTE_TRIAGE_EXPECTED: ExpectedStatistics = {
  task: 'note-triage',
  basis:
    'Class mix: the design (emergent 0.25, the rest urgent : non-urgent 60 : 40). Vitals: the model measured on 400,000 ' +
    'patients (seed 1, default options). Tolerance: about 4 standard errors of a 20,000-patient cohort, rounded up.',
  truth: [
    { column: 'class', equals: 'emergent', ...f(0.25, 0.013) },
    { column: 'class', equals: 'urgent', ...f(0.45, 0.015) },
    { column: 'class', equals: 'non-urgent', ...f(0.3, 0.014) },
  ],
  columns: {
    age_years: { mean: f(50.7, 0.6), missing: always },
    sex_female: { mean: f(0.54, 0.015), missing: always },
    heart_rate: { mean: f(86.9, 0.42), missing: always },
    resp_rate: { mean: f(16.5, 0.08), missing: always },
    temp_c: { mean: f(37.13, 0.025), missing: always },
    sbp_mmhg: { mean: f(133.5, 0.62), missing: always },
    spo2_pct: { mean: f(97.51, 0.065), missing: always },
  },
};
