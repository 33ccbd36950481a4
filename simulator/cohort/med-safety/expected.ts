import type { ExpectedStatistics } from '../expected.ts';

/**
 * Documented statistics of a default med-safety cohort (docs/cohorts.md, "Realised statistics"),
 * read through the tabular view: lab means are over the cases with the lab resulted, `missing` is
 * the share without it (basic panel ≈ 89% present, INR ≈ 16%). The label share is the default
 * prevalence 0.35; the rest are the model's figures measured on 400,000 patients
 * (`node --import tsx simulator/cohort/expected.ts measure med-safety 400000 1`). Tolerances: about
 * 4 standard errors of a 20,000-patient cohort, rounded up.
 */
const f = (expected: number, tolerance: number) => ({ expected, tolerance });
const always = f(0, 0);

export const MED_SAFETY_EXPECTED: ExpectedStatistics = {
  task: 'med-safety',
  basis:
    'Label share: the default prevalence (0.35). Other figures: the model measured on 400,000 patients (seed 1, default ' +
    'options). Tolerance: about 4 standard errors of a 20,000-patient cohort, rounded up; lab means are over the cases ' +
    'with the lab resulted.',
  truth: [{ column: 'label', equals: 1, ...f(0.35, 0.014) }],
  columns: {
    age_years: { mean: f(50.7, 0.6), missing: always },
    sex_female: { mean: f(0.54, 0.015), missing: always },
    active_rxnorm_count: { mean: f(1.477, 0.045), missing: always },
    allergy_count: { mean: f(0.457, 0.019), missing: always },
    potassium_mmol_l: { mean: f(4.276, 0.021), missing: f(0.112, 0.01) },
    inr: { mean: f(1.655, 0.06), missing: f(0.835, 0.011) },
    egfr: { mean: f(78.77, 0.98), missing: f(0.112, 0.01) },
    creatinine_mg_dl: { mean: f(1.205, 0.025), missing: f(0.112, 0.01) },
  },
};
