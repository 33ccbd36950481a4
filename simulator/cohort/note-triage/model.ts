import type { Rng } from '../../random.ts';
import { drawDemographics, type Demographics } from '../demographics.ts';
import type { PatientOverrides } from '../task.ts';
import { HISTORY, type HistoryCondition } from './codes.ts';
import { FAMILIES, MAX_FINDINGS, type Family } from './families.ts';
import { FINDINGS, type FindingId, type FindingSection, type FindingState, type TriageFindings } from './findings.ts';
import { baseLevelOf, type TriageClass, type TriageVitals } from './triage.ts';
import { drawVitals, toFahrenheit, VITAL_DRAWS, type DrawnVitals, type VitalMode } from './vitals.ts';

/**
 * The note-triage generative model, in numbers and structured findings only (no text, no FHIR).
 * Documented in docs/cohorts.md ("note-triage").
 *
 * A patient is built to a target class: the class is drawn first (emergent with the prevalence,
 * otherwise urgent 60 : non-urgent 40), then a vignette family that occurs in that class, then the
 * path that makes the class true (a key finding or a danger-zone vital for emergent notes), the
 * findings, the history, the vitals and the wording. The truth is not the target but
 * `triageClassOf(findings, vitals)` of what was built; the tests check they agree.
 *
 * Stream discipline: every step consumes a fixed number of uniforms whatever its outcome, so
 * overrides (which replace drawn demographics) and the prevalence leave later draws where they were.
 */

/** Prediction (triage) times are spread over this reference year, never the wall clock. */
export const REFERENCE_YEAR = 2025;
const YEAR_START_MS = Date.UTC(REFERENCE_YEAR, 0, 1);
const YEAR_SECONDS = 365 * 86_400;

/** Share of emergent notes when CohortOptions.prevalence is not given (assumption). */
export const DEFAULT_EMERGENT_SHARE = 0.25;
/** Share of urgent notes among the non-emergent ones: 0.45 / 0.75 at the default (assumption). */
export const URGENT_SHARE_OF_REST = 0.6;
/** Share of notes charted in °F (assumption: US EDs chart both). */
export const FAHRENHEIT_SHARE = 0.25;

/** How an emergent note is made emergent; `none` for urgent and non-urgent notes. */
export type TriagePath = 'key' | 'danger' | 'none';

/** One finding as the note states it, in note order. */
export interface StatedFinding {
  readonly id: FindingId;
  readonly state: FindingState;
  readonly phrase: string;
  readonly section: FindingSection;
}

export interface NoteTriagePatient {
  readonly uuidWords: readonly [number, number, number, number];
  readonly demographics: Demographics;
  /** Epoch ms (whole seconds): triage (the prediction time) and arrival. */
  readonly triageMs: number;
  readonly arrivalMs: number;
  /** The class the patient was built to; equal to the truth by construction. */
  readonly targetClass: TriageClass;
  readonly family: Family;
  readonly path: TriagePath;
  /** Chief complaint as written (for a family with a complaint finding, one of its present phrases). */
  readonly complaint: string;
  readonly duration: string;
  /** Findings stated in the note's HPI and exam, in note order (the complaint finding is not here). */
  readonly stated: readonly StatedFinding[];
  /** The structured record the truth is computed from (includes the complaint finding). */
  readonly findings: TriageFindings;
  readonly conditions: Readonly<Record<HistoryCondition, boolean>>;
  readonly vitals: DrawnVitals;
  /** Temperature as charted: the unit, and the value in it (°F values are converted from °C, 1 decimal). */
  readonly temperatureUnit: 'Cel' | '[degF]';
  readonly temperatureValue: number;
  /** 2–6, or undefined when the family's note states no pain score. */
  readonly painScore: number | undefined;
  /** Template of the note text (0, 1 or 2). */
  readonly style: number;
}

export const DRAWS_PER_PATIENT = 4 + 8 + 2 + 2 + 1 + 2 + 2 * MAX_FINDINGS + HISTORY.length + VITAL_DRAWS + 1 + 4;

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** Families that occur in each class (weight > 0), precomputed. */
const BY_CLASS: Readonly<Record<TriageClass, readonly Family[]>> = {
  emergent: FAMILIES.filter((f) => f.weights.emergent > 0),
  urgent: FAMILIES.filter((f) => f.weights.urgent > 0),
  'non-urgent': FAMILIES.filter((f) => f.weights['non-urgent'] > 0),
};
const scratch = new Float64Array(FAMILIES.length);

/** One uniform → a family of the class, weights tilted by age and sex. */
function pickFamily(u: number, cls: TriageClass, d: Demographics): Family {
  const families = BY_CLASS[cls];
  const decades = (d.ageYears - 50) / 20;
  const female = d.sex === 'female' ? 1 : -1;
  let total = 0;
  for (let i = 0; i < families.length; i++) {
    const fam = families[i]!;
    const w = fam.weights[cls] * Math.exp(fam.ageTilt * decades + (fam.femaleTilt ?? 0) * female);
    scratch[i] = w;
    total += w;
  }
  let v = u * total;
  for (let i = 0; i < families.length; i++) {
    v -= scratch[i]!;
    if (v < 0) return families[i]!;
  }
  return families[families.length - 1]!;
}

const choose = <T>(items: readonly T[], u: number): T => items[Math.min(items.length - 1, Math.floor(u * items.length))]!;

/** Whether a family's resources alone give ESI 3 (so an emergent note may come from the danger zone). */
const ESI3_BY_RESOURCES = new Map<Family, boolean>(
  FAMILIES.map((f) => [f, baseLevelOf({ findings: {}, resources: f.resources.map((r) => r.id) }) === 3]),
);
const KEYS = new Map<Family, readonly FindingId[]>(FAMILIES.map((f) => [f, f.findings.filter((x) => x.key).map((x) => x.id)]));
const RESOURCE_IDS = new Map(FAMILIES.map((f) => [f, f.resources.map((r) => r.id)]));

/** Draws one patient. Consumes exactly DRAWS_PER_PATIENT uniforms. */
export function drawNoteTriagePatient(rng: Rng, emergentShare: number, overrides?: PatientOverrides): NoteTriagePatient {
  // Identity (4) and demographics (8).
  const uuidWords = [rng.int32(), rng.int32(), rng.int32(), rng.int32()] as const;
  const demographics = drawDemographics(rng, overrides);
  const age = demographics.ageYears;
  const female = demographics.sex === 'female';

  // Times (2): triage over the reference year, arrival 3–25 minutes before.
  const triageMs = YEAR_START_MS + Math.floor(rng() * YEAR_SECONDS) * 1000;
  const arrivalMs = triageMs - (180 + Math.floor(rng() * 1320)) * 1000;

  // Class (2): two uniforms, so raising the prevalence only turns non-emergent notes emergent.
  const uEmergent = rng();
  const uUrgent = rng();
  const targetClass: TriageClass = uEmergent < emergentShare ? 'emergent' : uUrgent < URGENT_SHARE_OF_REST ? 'urgent' : 'non-urgent';

  // Family (1), path and key (2).
  const family = pickFamily(rng(), targetClass, demographics);
  const uPath = rng();
  const uKey = rng();
  const keys = KEYS.get(family)!;
  let path: TriagePath = 'none';
  if (targetClass === 'emergent') {
    // The complaint finding makes every note of its family emergent; otherwise a key finding does,
    // or (for a family whose resources give ESI 3) a danger-zone vital with probability 1 − pKey.
    const byFinding =
      family.complaintFinding !== undefined || (keys.length > 0 && (!ESI3_BY_RESOURCES.get(family) || uPath < family.pKey));
    path = byFinding ? 'key' : 'danger';
  }
  const forced = path === 'key' && family.complaintFinding === undefined ? choose(keys, uKey) : undefined;

  // Findings (2 per slot).
  const record: Partial<Record<FindingId, FindingState>> = {};
  if (family.complaintFinding) record[family.complaintFinding] = 'present';
  const stated: StatedFinding[] = [];
  for (let slot = 0; slot < MAX_FINDINGS; slot++) {
    const uState = rng();
    const uPhrase = rng();
    const ff = family.findings[slot];
    if (!ff || (ff.femaleOnly && !female)) continue;
    const def = FINDINGS[ff.id];
    let state: FindingState | undefined;
    if (ff.id === forced) state = 'present';
    else {
      const pPresent = def.level === 0 || path === 'key' ? ff.present : 0;
      if (uState < pPresent) state = 'present';
      else if (uState < pPresent + (1 - pPresent) * ff.absent) state = 'absent';
    }
    if (!state) continue;
    record[ff.id] = state;
    stated.push({ id: ff.id, state, phrase: choose(def[state], uPhrase), section: def.section });
  }

  // History (1 per condition): log-odds rising with age (a = decades from 65), plus family boosts.
  const a = (age - 65) / 10;
  const boost = family.conditionBoost ?? {};
  const baseLogOdds: Record<HistoryCondition, number> = {
    hypertension: -0.5 + 0.5 * a,
    diabetes: -1.55 + 0.38 * a,
    copd: -2.6 + 0.45 * a,
    chf: -3.0 + 0.65 * a,
    ckd: -2.3 + 0.55 * a,
    cancer: -2.8 + 0.45 * a,
  };
  const conditions = {} as Record<HistoryCondition, boolean>;
  for (const c of HISTORY) {
    const u = rng();
    conditions[c] = family.forcedCondition === c || u < logistic(baseLogOdds[c] + (boost[c] ?? 0));
  }

  // Vitals (11) and the temperature unit (1).
  const mode: VitalMode = path === 'none' ? 'safe' : path === 'danger' ? 'danger' : 'free';
  const vitals = drawVitals(rng, family.vitals, age, mode, family.danger);
  const fahrenheit = rng() < FAHRENHEIT_SHARE;

  // Wording (4): complaint, duration, template, pain score.
  const complaint = choose(family.complaints, rng());
  const duration = choose(family.durations, rng());
  const style = Math.min(2, Math.floor(rng() * 3));
  const uPain = rng();

  return {
    uuidWords,
    demographics,
    triageMs,
    arrivalMs,
    targetClass,
    family,
    path,
    complaint,
    duration,
    stated,
    findings: { findings: record, resources: RESOURCE_IDS.get(family)! },
    conditions,
    vitals,
    temperatureUnit: fahrenheit ? '[degF]' : 'Cel',
    temperatureValue: fahrenheit ? toFahrenheit(vitals.temperature) : vitals.temperature,
    painScore: family.pain ? 2 + Math.min(4, Math.floor(uPain * 5)) : undefined,
    style,
  };
}

/** The vitals the truth reads, as the note states them (°F converted back to °C). */
export function triageVitalsOf(p: NoteTriagePatient): TriageVitals {
  return {
    heartRate: p.vitals.heartRate,
    respiratoryRate: p.vitals.respiratoryRate,
    temperatureC: p.temperatureUnit === '[degF]' ? ((p.temperatureValue - 32) * 5) / 9 : p.vitals.temperature,
    systolicBp: p.vitals.systolicBp,
    spo2: p.vitals.spo2,
  };
}
