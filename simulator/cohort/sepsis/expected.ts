import type { ExpectedStatistics } from '../expected.ts';
import { DEMOGRAPHIC_COLUMNS, NEVER_MISSING, within } from '../expected-figures.ts';

/**
 * Documented statistics of a default sepsis cohort (docs/cohorts.md, "Realised statistics"), read
 * through the tabular view: what the bundle shows, so lab means are over the patients who had the
 * lab ordered and `missing` is the baseline missingness of ordering.ts. The prevalence and mean
 * risk are the calibration target (calibrate.ts); the rest are the model's figures measured on
 * 400,000 patients (`node --import tsx simulator/cohort/expected.ts measure sepsis 400000 1`).
 * Tolerances: about 4 standard errors of a 20,000-patient cohort, rounded up.
 */

export const SEPSIS_EXPECTED: ExpectedStatistics = {
  task: 'sepsis',
  basis:
    'Prevalence and mean risk: the calibration target (0.07). Other figures: the model measured on 400,000 patients ' +
    '(seed 1, default options). Tolerance: about 4 standard errors of a 20,000-patient cohort, rounded up; lab means ' +
    'are over the patients with the lab in the bundle.',
  truth: [
    { column: 'label', equals: 1, ...within(0.07, 0.008) },
    { column: 'risk', ...within(0.07, 0.006) },
  ],
  columns: {
    ...DEMOGRAPHIC_COLUMNS,
    heart_rate: { mean: within(83.6, 0.55), missing: NEVER_MISSING },
    resp_rate: { mean: within(16.8, 0.12), missing: NEVER_MISSING },
    temp_c: { mean: within(37.02, 0.02), missing: NEVER_MISSING },
    sbp_mmhg: { mean: within(125.5, 0.6), missing: NEVER_MISSING },
    spo2_pct: { mean: within(97.1, 0.07), missing: NEVER_MISSING },
    gcs: { mean: within(14.84, 0.03), missing: within(0.083, 0.009) },
    lactate_mmol_l: { mean: within(1.7, 0.075), missing: within(0.633, 0.015) },
    wbc_10e9_l: { mean: within(8.74, 0.12), missing: within(0.146, 0.011) },
    creatinine_mg_dl: { mean: within(1.112, 0.025), missing: within(0.146, 0.011) },
    platelets_10e9_l: { mean: within(250.1, 2.5), missing: within(0.146, 0.011) },
    bilirubin_mg_dl: { mean: within(0.715, 0.03), missing: within(0.695, 0.014) },
  },
};
