/**
 * eGFR ↔ serum creatinine by the race-free CKD-EPI 2021 creatinine equation (Inker et al.,
 * N Engl J Med 2021;385:1737-49), the equation LOINC 98979-8 names:
 *
 *   eGFR = 142 × min(Scr/κ, 1)^α × max(Scr/κ, 1)^−1.200 × 0.9938^age × (1.012 if female)
 *   κ = 0.7 (female) / 0.9 (male), α = −0.241 (female) / −0.302 (male), Scr in mg/dL.
 *
 * The generator draws a kidney function (an eGFR), derives the creatinine it implies, rounds it as
 * reported (2 decimals), and reports the eGFR of the rounded creatinine (integer), so the two
 * Observations of a bundle agree exactly under the equation.
 */

export type SexAtBirth = 'female' | 'male';

function constants(sex: SexAtBirth): { kappa: number; alpha: number; factor: number } {
  return sex === 'female' ? { kappa: 0.7, alpha: -0.241, factor: 1.012 } : { kappa: 0.9, alpha: -0.302, factor: 1 };
}

/** eGFR (mL/min/1.73 m², unrounded) from creatinine (mg/dL). */
export function ckdEpi2021(creatinineMgDl: number, ageYears: number, sex: SexAtBirth): number {
  const { kappa, alpha, factor } = constants(sex);
  const r = creatinineMgDl / kappa;
  return 142 * Math.pow(Math.min(r, 1), alpha) * Math.pow(Math.max(r, 1), -1.2) * Math.pow(0.9938, ageYears) * factor;
}

/** Creatinine (mg/dL, unrounded) at which ckdEpi2021 gives `egfr`: the inverse of the equation. */
export function creatinineFor(egfr: number, ageYears: number, sex: SexAtBirth): number {
  const { kappa, alpha, factor } = constants(sex);
  // eGFR at r = 1 (creatinine = κ); above it the max() branch applies, below it the min() branch.
  const atKappa = 142 * Math.pow(0.9938, ageYears) * factor;
  const q = egfr / atKappa;
  const r = q <= 1 ? Math.pow(q, -1 / 1.2) : Math.pow(q, 1 / alpha);
  return r * kappa;
}
