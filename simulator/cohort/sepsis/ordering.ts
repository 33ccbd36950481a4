import type { Comorbidities, Vitals } from './model.ts';

/**
 * Baseline missingness of the sepsis bundle: which labs were ordered and whether the GCS was
 * documented, decided the way an ED team decides at triage. Documented in docs/cohorts.md
 * ("Baseline missingness"); every coefficient is a modelling assumption (clinical-codes.md §3c:
 * lactate missingness in ED cohorts was not found).
 *
 * Missing at random (MAR): each decision is a function of data the bundle shows — the triage
 * vitals, the documented GCS, the age, the comorbidity Conditions and the note's chief complaint —
 * and of one uniform of the patient's own. It never reads the latent infection, the label or an
 * unmeasured value. Four uniforms are drawn for every patient whatever the outcome (stream
 * discipline), and the true risk is computed from the full physiology, ordered or not.
 *
 * Decisions, in order (log-odds; `k` = triage flags, `older` = age ≥ 65):
 * 1. GCS not documented: −2.0 − 0.9 k′ − 0.6 older (k′: the flags without the GCS one).
 * 2. Blood work, i.e. CBC (WBC, platelets) and BMP (creatinine), drawn together:
 *    1.2 + 0.9 k + 0.8 older + 0.5 any chronic condition.
 * 3. Lactate, only with blood work: −1.2 + 1.4 k + 0.5 older + 0.5 immunosuppressed.
 * 4. Liver tests (total bilirubin), only with blood work: −1.3 + 0.4 k + 0.3 older
 *    + 1.5 abdominal complaint + 1.5 cirrhosis.
 */

export const ORDERING = {
  /** Age from which a patient counts as `older`. */
  olderAge: 65,
  gcsNotDocumented: { intercept: -2.0, perFlag: -0.9, older: -0.6 },
  bloodWork: { intercept: 1.2, perFlag: 0.9, older: 0.8, chronic: 0.5 },
  lactate: { intercept: -1.2, perFlag: 1.4, older: 0.5, immunosuppressed: 0.5 },
  liver: { intercept: -1.3, perFlag: 0.4, older: 0.3, abdominal: 1.5, cirrhosis: 1.5 },
} as const;

/** What was measured: `true` = the Observation is in the bundle. */
export interface Orders {
  /** GCS total documented at triage (the other vitals always are). */
  readonly gcs: boolean;
  /** CBC and BMP: WBC, platelets, creatinine. */
  readonly bloodWork: boolean;
  readonly lactate: boolean;
  /** Liver function tests: total bilirubin. */
  readonly liver: boolean;
}

/** The four order uniforms, drawn for every patient. */
export interface OrderDraws {
  readonly gcs: number;
  readonly bloodWork: number;
  readonly lactate: number;
  readonly liver: number;
}

/** What the ordering decision may read: observed data only. */
export interface OrderingInput {
  readonly ageYears: number;
  /** Triage vitals as the bundle shows them; `gcs` is read only when documented. */
  readonly vitals: Vitals;
  readonly comorbidities: Comorbidities;
  /** The note's chief complaint is abdominal (complaint.ts). */
  readonly abdominalComplaint: boolean;
}

/** Probabilities of each decision (lactate and liver conditional on blood work). */
export interface OrderProbabilities {
  readonly gcsNotDocumented: number;
  readonly bloodWork: number;
  readonly lactateGivenBloodWork: number;
  readonly liverGivenBloodWork: number;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Triage flags from the vitals other than GCS, SIRS/qSOFA style (clinical-codes.md §3a):
 * temperature > 38 or < 36 °C, HR > 90, RR ≥ 22, SBP ≤ 100, SpO2 < 92 %.
 */
export function vitalFlags(v: Omit<Vitals, 'gcs'>): number {
  return (
    (v.temperature > 38 || v.temperature < 36 ? 1 : 0) +
    (v.heartRate > 90 ? 1 : 0) +
    (v.respiratoryRate >= 22 ? 1 : 0) +
    (v.systolicBp <= 100 ? 1 : 0) +
    (v.spo2 < 92 ? 1 : 0)
  );
}

/** The probabilities of the decisions; `gcsDocumented` decides whether GCS < 15 counts as a flag. */
export function orderProbabilities(input: OrderingInput, gcsDocumented: boolean): OrderProbabilities {
  const c = input.comorbidities;
  const older = input.ageYears >= ORDERING.olderAge ? 1 : 0;
  const k0 = vitalFlags(input.vitals);
  const k = k0 + (gcsDocumented && input.vitals.gcs < 15 ? 1 : 0);
  const chronic = c.diabetes || c.ckd || c.copd || c.chf || c.cancer || c.immunodeficiency || c.cirrhosis ? 1 : 0;
  const immunosuppressed = c.cancer || c.immunodeficiency ? 1 : 0;
  const g = ORDERING.gcsNotDocumented;
  const b = ORDERING.bloodWork;
  const l = ORDERING.lactate;
  const f = ORDERING.liver;
  return {
    gcsNotDocumented: logistic(g.intercept + g.perFlag * k0 + g.older * older),
    bloodWork: logistic(b.intercept + b.perFlag * k + b.older * older + b.chronic * chronic),
    lactateGivenBloodWork: logistic(l.intercept + l.perFlag * k + l.older * older + l.immunosuppressed * immunosuppressed),
    liverGivenBloodWork: logistic(
      f.intercept + f.perFlag * k + f.older * older + f.abdominal * (input.abdominalComplaint ? 1 : 0) + f.cirrhosis * (c.cirrhosis ? 1 : 0),
    ),
  };
}

/** The ordering decisions of a patient, from its observed data and its four order uniforms. */
export function orderLabs(input: OrderingInput, u: OrderDraws): Orders {
  const gcs = !(u.gcs < orderProbabilities(input, true).gcsNotDocumented);
  const p = orderProbabilities(input, gcs);
  const bloodWork = u.bloodWork < p.bloodWork;
  return {
    gcs,
    bloodWork,
    lactate: bloodWork && u.lactate < p.lactateGivenBloodWork,
    liver: bloodWork && u.liver < p.liverGivenBloodWork,
  };
}
