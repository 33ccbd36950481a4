import { bernoulli, categorical, clamp, normal, type Rng } from '../../random.ts';
import { drawDemographics, type Demographics } from '../demographics.ts';
import type { PatientOverrides } from '../task.ts';
import { chiefComplaint, isAbdominalComplaint } from './complaint.ts';
import { orderLabs, type OrderDraws, type Orders } from './ordering.ts';

/**
 * The sepsis generative model, in numbers only (no FHIR). Documented in docs/cohorts.md.
 *
 * Stream discipline: every variable consumes a fixed number of uniforms whatever its value or
 * branch (a normal draw is two uniforms, a categorical or Bernoulli one), so demographic overrides,
 * which replace drawn values, leave every later draw on the same uniforms. DRAWS_PER_PATIENT is the
 * total; the unit tests check it.
 *
 * Physiology and measurement are kept apart: `physiology` holds every vital and lab as it would be
 * measured (the true risk reads it, ordered or not); `vitals` and `labs` hold what the bundle shows,
 * `null` where the GCS was not documented or the lab was not ordered (ordering.ts).
 */

/** Comorbidities, in the order their Conditions appear in a bundle. */
export const COMORBIDITIES = ['diabetes', 'ckd', 'copd', 'chf', 'cancer', 'immunodeficiency', 'cirrhosis'] as const;
export type Comorbidity = (typeof COMORBIDITIES)[number];
export type Comorbidities = Readonly<Record<Comorbidity, boolean>>;

/** Sites of the latent infection. */
export const INFECTION_SOURCES = ['pneumonia', 'urinary', 'skin', 'abdominal', 'unspecified'] as const;
export type InfectionSource = (typeof INFECTION_SOURCES)[number];

/** Prediction times are spread over this (non-leap) reference year, never the wall clock. */
export const REFERENCE_YEAR = 2025;
const YEAR_START_MS = Date.UTC(REFERENCE_YEAR, 0, 1);
const YEAR_SECONDS = 365 * 86_400;

/** Vitals as they would be measured, rounded as reported (the true risk is computed from these values). */
export interface Vitals {
  /** /min, integer */
  readonly heartRate: number;
  /** /min, integer */
  readonly respiratoryRate: number;
  /** Cel, 1 decimal */
  readonly temperature: number;
  /** mm[Hg], integer */
  readonly systolicBp: number;
  /** %, integer */
  readonly spo2: number;
  /** {score}, integer 3–15 */
  readonly gcs: number;
}

/** Labs as they would be measured, rounded as reported, whether ordered or not. */
export interface Labs {
  /** mmol/L, 1 decimal */
  readonly lactate: number;
  /** 10*3/uL, 1 decimal */
  readonly wbc: number;
  /** mg/dL, 2 decimals */
  readonly creatinine: number;
  /** 10*3/uL, integer */
  readonly platelets: number;
  /** mg/dL, 1 decimal */
  readonly bilirubin: number;
}

/** Vitals as the bundle shows them: the GCS may be undocumented (null). */
export type ReportedVitals = Omit<Vitals, 'gcs'> & { readonly gcs: number | null };
/** Labs as the bundle shows them: null when not ordered. */
export type ReportedLabs = { readonly [K in keyof Labs]: number | null };

export interface SepsisPatient {
  /** Four int32 draws: the root of every resource uuid in the bundle. */
  readonly uuidWords: readonly [number, number, number, number];
  readonly demographics: Demographics;
  /** Epoch ms (whole seconds): prediction time, arrival, triage vitals, lab collection. */
  readonly predictionMs: number;
  readonly arrivalMs: number;
  readonly vitalsMs: number;
  readonly labsMs: number;
  readonly comorbidities: Comorbidities;
  /** Latent: not in the bundle. */
  readonly latent: {
    readonly infected: boolean;
    readonly source: InfectionSource;
    /** Infection severity, 0 when not infected. */
    readonly severity: number;
    /** Non-infectious acute illness (sepsis mimics: dehydration, pain, heart failure, ...), ≥ 0. */
    readonly otherIllness: number;
  };
  /** Every vital and lab as it would be measured (rounded): what the true risk reads. */
  readonly physiology: { readonly vitals: Vitals; readonly labs: Labs };
  /** What was measured (ordering.ts), decided from observed data and the order uniforms. */
  readonly orders: Orders;
  /** The four order uniforms (drawn for every patient, last in the stream). */
  readonly orderDraws: OrderDraws;
  /** Vitals as the bundle shows them (GCS null when not documented). */
  readonly vitals: ReportedVitals;
  /** Labs as the bundle shows them (null when not ordered). */
  readonly labs: ReportedLabs;
  /** The note's chief complaint (complaint.ts), chosen by the first note uniform. */
  readonly complaint: string;
  /** Uniforms for the triage note wording (complaint, duration, template). */
  readonly noteDraws: readonly [number, number, number];
  /** Uniform for the label: label = labelDraw < risk. */
  readonly labelDraw: number;
}

export const DRAWS_PER_PATIENT = 4 + 8 + 4 + 7 + 6 + 13 + 11 + 3 + 1 + 4;

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Infection source weights; COPD shifts infections towards the lungs. Modelling assumption. */
const SOURCE_WEIGHTS: readonly number[] = [0.33, 0.28, 0.13, 0.12, 0.14];
const SOURCE_WEIGHTS_COPD: readonly number[] = [0.55, 0.2, 0.08, 0.08, 0.09];

/** Draws one patient from its stream. Consumes exactly DRAWS_PER_PATIENT uniforms. */
export function drawSepsisPatient(rng: Rng, overrides?: PatientOverrides): SepsisPatient {
  // Identity (4)
  const uuidWords = [rng.int32(), rng.int32(), rng.int32(), rng.int32()] as const;

  // Demographics (8); overrides replace drawn values.
  const demographics = drawDemographics(rng, overrides);
  const age = demographics.ageYears;
  const male = demographics.sex === 'male' ? 1 : 0;
  const a = (age - 65) / 10;

  // Times (4): prediction time over the reference year; 1–6 h after arrival; vitals at triage
  // (first 2–10% of the stay), labs collected at 25–75% of it.
  const predictionMs = YEAR_START_MS + Math.floor(rng() * YEAR_SECONDS) * 1000;
  const staySeconds = 3600 + Math.floor(rng() * 5 * 3600);
  const arrivalMs = predictionMs - staySeconds * 1000;
  const vitalsMs = arrivalMs + Math.round((0.02 + 0.08 * rng()) * staySeconds) * 1000;
  const labsMs = arrivalMs + Math.round((0.25 + 0.5 * rng()) * staySeconds) * 1000;

  // Comorbidities (7): log-odds rising with age (a = decades from 65).
  const diabetes = bernoulli(rng, logistic(-1.55 + 0.38 * a + 0.15 * male));
  const ckd = bernoulli(rng, logistic(-2.3 + 0.55 * a + 0.9 * +diabetes));
  const copd = bernoulli(rng, logistic(-2.6 + 0.45 * a));
  const chf = bernoulli(rng, logistic(-3.0 + 0.65 * a + 0.4 * +diabetes + 0.5 * +ckd));
  const cancer = bernoulli(rng, logistic(-2.8 + 0.45 * a));
  const immunodeficiency = bernoulli(rng, logistic(-3.3 + 0.1 * a + 1.0 * +cancer));
  const cirrhosis = bernoulli(rng, logistic(-3.6 + 0.1 * a - 0.08 * a * a + 0.5 * male));
  const immunosuppressed = cancer || immunodeficiency ? 1 : 0;

  // Latent infection and acute illness (6).
  const infected = bernoulli(
    rng,
    logistic(
      -1.75 + 0.25 * a + 0.4 * +diabetes + 0.5 * +copd + 0.3 * +ckd + 0.3 * +chf + 0.9 * immunosuppressed + 0.5 * +cirrhosis,
    ),
  );
  const source = INFECTION_SOURCES[categorical(rng, copd ? SOURCE_WEIGHTS_COPD : SOURCE_WEIGHTS)]!;
  const severityDraw = normal(rng, -0.25 + 0.12 * a + 0.35 * immunosuppressed + 0.25 * +cirrhosis + 0.2 * +ckd, 0.8);
  const severity = infected ? Math.exp(severityDraw) : 0;
  const other = Math.max(0, normal(rng, -0.6 + 0.15 * a + 0.3 * +chf + 0.3 * +copd, 1));
  const pneumonia = infected && source === 'pneumonia' ? 1 : 0;
  const s = severity;

  // Vitals (1 + 6 normals = 13).
  const hypothermic = rng() < 0.08 + (age >= 75 ? 0.12 : 0);
  const tempShift = infected ? (hypothermic ? -(0.4 + 0.5 * s) : 0.5 + 0.7 * s) : 0.15 * other;
  const temperature = round1(clamp(normal(rng, 36.85 + tempShift, 0.35), 33, 42));
  const fever = Math.max(0, temperature - 37);
  const heartRate = Math.round(clamp(normal(rng, 78 + 16 * s + 9 * other + 9 * fever - (age >= 75 ? 3 : 0), 11), 35, 190));
  const respiratoryRate = Math.round(
    clamp(normal(rng, 15.5 + 3.5 * s + 1.5 * pneumonia * s + 2.5 * other + 3 * +copd + 1.5 * +chf, 2.2), 8, 45),
  );
  const systolicBp = Math.round(clamp(normal(rng, 128 + 0.35 * (age - 50) - 12 * s - 5 * other, 17), 55, 230));
  const spo2 = Math.round(
    clamp(
      normal(rng, 98 - 0.025 * (age - 40) - 3 * +copd - 1.2 * +chf - (pneumonia ? 2.8 : 0.8) * s - 0.8 * other, 1.4),
      70,
      100,
    ),
  );
  const mentation = normal(rng, -2 + 0.8 * s + 0.45 * other + 0.04 * Math.max(0, age - 65), 1);
  const gcs = clamp(15 - (mentation > 0 ? Math.round(mentation * 2.5) : 0), 3, 15);

  // Labs (1 + 5 normals = 11), log-normal.
  const leukopeniaDraw = rng(); // drawn whatever `infected` is: fixed stream position
  const leukopenic = infected && leukopeniaDraw < 0.1 + 0.15 * immunosuppressed;
  const lactate = Math.max(
    0.3,
    round1(
      clamp(
        Math.exp(normal(rng, Math.log(1.15) + 0.33 * s + 0.18 * other + 0.25 * +cirrhosis + (age >= 70 ? 0.1 : 0), 0.42)),
        0.3,
        20,
      ),
    ),
  );
  const wbcShift = infected ? (leukopenic ? -0.35 - 0.2 * s : 0.22 + 0.18 * s) : 0;
  const wbc = Math.max(
    0.1,
    round1(clamp(Math.exp(normal(rng, Math.log(7.8) + wbcShift + 0.12 * other - 0.25 * immunosuppressed, 0.28)), 0.1, 60)),
  );
  const creatinine = Math.max(
    0.2,
    round2(
      clamp(
        Math.exp(
          normal(
            rng,
            Math.log(male ? 0.95 : 0.75) + 0.004 * (age - 50) + 0.85 * +ckd + 0.2 * +chf + 0.1 * +diabetes + 0.18 * s + 0.12 * other,
            0.22,
          ),
        ),
        0.2,
        15,
      ),
    ),
  );
  const platelets = Math.round(
    clamp(Math.exp(normal(rng, Math.log(245) + 0.05 * (1 - male) - 0.14 * s - 0.65 * +cirrhosis - 0.2 * +cancer, 0.27)), 3, 1000),
  );
  const bilirubin = Math.max(
    0.1,
    round1(clamp(Math.exp(normal(rng, Math.log(0.55) + 0.16 * s + 1.1 * +cirrhosis + 0.05 * other, 0.42)), 0.1, 35)),
  );

  // Note wording (3) and label (1).
  const noteDraws = [rng(), rng(), rng()] as const;
  const labelDraw = rng();

  // Ordering (4): GCS documentation, blood work, lactate, liver tests. Drawn last, so the
  // physiology, the truth and the note wording of a patient do not depend on what was ordered.
  const orderDraws: OrderDraws = { gcs: rng(), bloodWork: rng(), lactate: rng(), liver: rng() };
  const comorbidities = { diabetes, ckd, copd, chf, cancer, immunodeficiency, cirrhosis };
  const vitals: Vitals = { heartRate, respiratoryRate, temperature, systolicBp, spo2, gcs };
  const labs: Labs = { lactate, wbc, creatinine, platelets, bilirubin };
  const complaint = chiefComplaint(infected, source, noteDraws[0]);
  const orders = orderLabs({ ageYears: age, vitals, comorbidities, abdominalComplaint: isAbdominalComplaint(complaint) }, orderDraws);

  return {
    uuidWords,
    demographics,
    predictionMs,
    arrivalMs,
    vitalsMs,
    labsMs,
    comorbidities,
    latent: { infected, source, severity, otherIllness: other },
    physiology: { vitals, labs },
    orders,
    orderDraws,
    vitals: { heartRate, respiratoryRate, temperature, systolicBp, spo2, gcs: orders.gcs ? gcs : null },
    labs: {
      lactate: orders.lactate ? lactate : null,
      wbc: orders.bloodWork ? wbc : null,
      creatinine: orders.bloodWork ? creatinine : null,
      platelets: orders.bloodWork ? platelets : null,
      bilirubin: orders.liver ? bilirubin : null,
    },
    complaint,
    noteDraws,
    labelDraw,
  };
}
