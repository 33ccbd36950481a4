import type { ExpectedStatistics } from '../expected.ts';

/**
 * Documented statistics of a default sepsis cohort (docs/cohorts.md, "Realised statistics"), read
 * through the tabular view: what the bundle shows, so lab means are over the patients who had the
 * lab ordered and `missing` is the baseline missingness of ordering.ts. The prevalence and mean
 * risk are the calibration target (calibrate.ts); the rest are the model's figures measured on
 * 400,000 patients (`node --import tsx simulator/cohort/expected.ts measure sepsis 400000 1`).
 * Tolerances: about 4 standard errors of a 20,000-patient cohort, rounded up.
 */
const f = (expected: number, tolerance: number) => ({ expected, tolerance });
const always = f(0, 0);

export const SEPSIS_EXPECTED: ExpectedStatistics = {
  task: 'sepsis',
  basis:
    'Prevalence and mean risk: the calibration target (0.07). Other figures: the model measured on 400,000 patients ' +
    '(seed 1, default options). Tolerance: about 4 standard errors of a 20,000-patient cohort, rounded up; lab means ' +
    'are over the patients with the lab in the bundle.',
  truth: [
    { column: 'label', equals: 1, ...f(0.07, 0.008) },
    { column: 'risk', ...f(0.07, 0.006) },
  ],
  columns: {
    age_years: { mean: f(50.7, 0.6), missing: always },
    sex_female: { mean: f(0.54, 0.015), missing: always },
    heart_rate: { mean: f(83.6, 0.55), missing: always },
    resp_rate: { mean: f(16.8, 0.12), missing: always },
    temp_c: { mean: f(37.02, 0.02), missing: always },
    sbp_mmhg: { mean: f(125.5, 0.6), missing: always },
    spo2_pct: { mean: f(97.1, 0.07), missing: always },
    gcs: { mean: f(14.84, 0.03), missing: f(0.083, 0.009) },
    lactate_mmol_l: { mean: f(1.7, 0.075), missing: f(0.633, 0.015) },
    wbc_10e9_l: { mean: f(8.74, 0.12), missing: f(0.146, 0.011) },
    creatinine_mg_dl: { mean: f(1.112, 0.025), missing: f(0.146, 0.011) },
    platelets_10e9_l: { mean: f(250.1, 2.5), missing: f(0.146, 0.011) },
    bilirubin_mg_dl: { mean: f(0.715, 0.03), missing: f(0.695, 0.014) },
  },
};
