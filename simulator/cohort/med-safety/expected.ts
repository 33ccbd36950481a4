import type { ExpectedStatistics } from '../expected.ts';
import { DEMOGRAPHIC_COLUMNS, NEVER_MISSING, within } from '../expected-figures.ts';

/**
 * Documented statistics of a default med-safety cohort (docs/cohorts.md, "Realised statistics"),
 * read through the tabular view: lab means are over the cases with the lab resulted, `missing` is
 * the share without it (basic panel ≈ 89% present, INR ≈ 16%). The label share is the default
 * prevalence 0.35; the rest are the model's figures measured on 400,000 patients
 * (`node --import tsx simulator/cohort/expected.ts measure med-safety 400000 1`). Tolerances: about
 * 4 standard errors of a 20,000-patient cohort, rounded up.
 */

export const MED_SAFETY_EXPECTED: ExpectedStatistics = {
  task: 'med-safety',
  basis:
    'Label share: the default prevalence (0.35). Other figures: the model measured on 400,000 patients (seed 1, default ' +
    'options). Tolerance: about 4 standard errors of a 20,000-patient cohort, rounded up; lab means are over the cases ' +
    'with the lab resulted.',
  truth: [{ column: 'label', equals: 1, ...within(0.35, 0.014) }],
  columns: {
    ...DEMOGRAPHIC_COLUMNS,
    active_rxnorm_count: { mean: within(1.477, 0.045), missing: NEVER_MISSING },
    allergy_count: { mean: within(0.457, 0.019), missing: NEVER_MISSING },
    potassium_mmol_l: { mean: within(4.276, 0.021), missing: within(0.112, 0.01) },
    inr: { mean: within(1.655, 0.06), missing: within(0.835, 0.011) },
    egfr: { mean: within(78.77, 0.98), missing: within(0.112, 0.01) },
    creatinine_mg_dl: { mean: within(1.205, 0.025), missing: within(0.112, 0.01) },
  },
};
