import type { Comorbidities, Labs, Vitals } from './model.ts';

/**
 * The true risk of sepsis within the horizon, as a function of the patient's physiology: every
 * vital and lab as it would be measured (rounded as reported), whether or not it was ordered, and
 * the comorbidity Conditions. It never reads the latent infection. With every measurement present
 * it is the best score a model can reach from the bundle; a bundle without some labs (baseline
 * missingness, ordering.ts) carries less, so the best reachable score is below it. Terms follow qSOFA, SIRS and SOFA
 * (clinical-codes.md §3a); the weights are modelling assumptions, documented in docs/cohorts.md.
 *
 * risk = logistic(intercept + riskTerms(...)); the intercept is calibrated for a prevalence
 * (calibrate.ts).
 */

/** SOFA points, S3 Table 1. */
export function sofaCreatinine(mgdl: number): number {
  return mgdl < 1.2 ? 0 : mgdl < 2.0 ? 1 : mgdl < 3.5 ? 2 : mgdl < 5.0 ? 3 : 4;
}
export function sofaPlatelets(k: number): number {
  return k >= 150 ? 0 : k >= 100 ? 1 : k >= 50 ? 2 : k >= 20 ? 3 : 4;
}
export function sofaBilirubin(mgdl: number): number {
  return mgdl < 1.2 ? 0 : mgdl < 2.0 ? 1 : mgdl < 6.0 ? 2 : mgdl < 12.0 ? 3 : 4;
}
export function sofaGcs(gcs: number): number {
  return gcs >= 15 ? 0 : gcs >= 13 ? 1 : gcs >= 10 ? 2 : gcs >= 6 ? 3 : 4;
}

/** Weights of the linear predictor (log-odds per unit of each term). */
export const RISK_WEIGHTS = {
  /** × ln(lactate mmol/L): lactate 1 → 0, 2 → 1.0, 4 → 2.0 */
  logLactate: 2.1,
  /** × mmol/L above 2 (hyperlactataemia, Sepsis-3 shock criterion) */
  lactateExcess: 0.45,
  /** qSOFA: SBP ≤ 100 mmHg, plus per mmHg below 100 */
  hypotension: 0.75,
  hypotensionPerMmHg: 0.03,
  /** qSOFA: RR ≥ 22/min, plus per breath above 22 */
  tachypnoea: 0.55,
  tachypnoeaPerBreath: 0.04,
  /** qSOFA altered mentation (GCS < 15) plus SOFA CNS points */
  alteredMentation: 0.6,
  gcsPoint: 0.25,
  /** SIRS temperature > 38 or < 36 °C; hypothermia adds */
  temperature: 0.55,
  hypothermia: 0.3,
  /** SIRS HR > 90 */
  tachycardia: 0.35,
  /** SIRS WBC > 12 or < 4 ×10³/µL */
  wbc: 0.45,
  /** SpO2 < 92 % (respiratory dysfunction proxy) */
  hypoxaemia: 0.35,
  /** per acute SOFA point (points above the chronic baseline of CKD / cirrhosis) */
  creatininePoint: 0.3,
  plateletPoint: 0.3,
  bilirubinPoint: 0.25,
  /** cancer or immunodeficiency */
  immunosuppression: 0.45,
} as const;

const W = RISK_WEIGHTS;

/** The linear predictor without intercept. */
export function riskTerms(v: Vitals, l: Labs, c: Comorbidities): number {
  let x = W.logLactate * Math.log(l.lactate) + W.lactateExcess * Math.max(0, l.lactate - 2);
  if (v.systolicBp <= 100) x += W.hypotension + W.hypotensionPerMmHg * (100 - v.systolicBp);
  if (v.respiratoryRate >= 22) x += W.tachypnoea + W.tachypnoeaPerBreath * (v.respiratoryRate - 22);
  if (v.gcs < 15) x += W.alteredMentation + W.gcsPoint * sofaGcs(v.gcs);
  if (v.temperature > 38) x += W.temperature;
  else if (v.temperature < 36) x += W.temperature + W.hypothermia;
  if (v.heartRate > 90) x += W.tachycardia;
  if (l.wbc > 12 || l.wbc < 4) x += W.wbc;
  if (v.spo2 < 92) x += W.hypoxaemia;
  // Sepsis-3 counts the acute change in SOFA: chronic disease sets a baseline of 1 point.
  x += W.creatininePoint * Math.max(0, sofaCreatinine(l.creatinine) - (c.ckd ? 1 : 0));
  x += W.plateletPoint * Math.max(0, sofaPlatelets(l.platelets) - (c.cirrhosis ? 1 : 0));
  x += W.bilirubinPoint * Math.max(0, sofaBilirubin(l.bilirubin) - (c.cirrhosis ? 1 : 0));
  if (c.cancer || c.immunodeficiency) x += W.immunosuppression;
  return x;
}

export function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
