import { stream } from '../../random.ts';
import { drawSepsisPatient } from './model.ts';
import { logistic, riskTerms } from './risk.ts';

/**
 * Intercept of the true-risk model for a target prevalence. It is solved by bisection so that the
 * mean risk over a fixed internal sample of the default population (no overrides) equals the
 * prevalence. The sample has its own stream key, independent of any scenario seed, so the
 * intercept for a given prevalence is a constant of the tool version.
 */

export const DEFAULT_PREVALENCE = 0.07;
export const CALIBRATION_SAMPLE = 32_768;

let sampleTerms: Float64Array | undefined;
const intercepts = new Map<number, number>();

function calibrationTerms(): Float64Array {
  if (!sampleTerms) {
    sampleTerms = new Float64Array(CALIBRATION_SAMPLE);
    for (let i = 0; i < CALIBRATION_SAMPLE; i++) {
      const p = drawSepsisPatient(stream('calibration', 'sepsis', i));
      sampleTerms[i] = riskTerms(p.physiology.vitals, p.physiology.labs, p.comorbidities);
    }
  }
  return sampleTerms;
}

function meanRisk(terms: Float64Array, intercept: number): number {
  let sum = 0;
  for (let i = 0; i < terms.length; i++) sum += logistic(intercept + terms[i]!);
  return sum / terms.length;
}

/** Intercept whose expected prevalence (over the default population) is `prevalence`; cached. */
export function interceptFor(prevalence: number = DEFAULT_PREVALENCE): number {
  if (!(prevalence > 0 && prevalence < 1)) throw new RangeError(`prevalence must be in (0, 1), got ${prevalence}`);
  const cached = intercepts.get(prevalence);
  if (cached !== undefined) return cached;
  const terms = calibrationTerms();
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (meanRisk(terms, mid) < prevalence) lo = mid;
    else hi = mid;
  }
  const intercept = (lo + hi) / 2;
  intercepts.set(prevalence, intercept);
  return intercept;
}
