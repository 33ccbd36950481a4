import { FINDINGS, type FindingId, type TriageFindings } from './findings.ts';

/**
 * The truth of the note-triage task: an ESI level (clinical-codes.md §8) computed from what the
 * note asserts, mapped to three urgency classes. Pure and total, so a perturbation that changes a
 * finding or a vital can recompute the truth of the changed note.
 *
 * Algorithm (the ESI decision points, operationalised so the answer is unique):
 * A. any level-1 finding present (immediate life-saving intervention)        → ESI 1
 * B. any level-2 finding present (high risk, new confusion/disorientation)   → ESI 2
 * C. count the distinct resource kinds the note anticipates: ≥ 2 → ESI 3, 1 → ESI 4, 0 → ESI 5
 * D. ESI 3 with a danger-zone vital (adult HR > 100, RR > 20, SpO2 < 92 %)   → ESI 2
 *
 * The handbook says "consider" at D; here it always applies. Danger-zone vitals do not move ESI 4
 * or 5 (the handbook applies them at decision point D only). Classes: ESI 1–2 emergent, ESI 3
 * urgent, ESI 4–5 non-urgent.
 */

export const TRIAGE_CLASSES = ['emergent', 'urgent', 'non-urgent'] as const;
export type TriageClass = (typeof TRIAGE_CLASSES)[number];
export type EsiLevel = 1 | 2 | 3 | 4 | 5;

/** Triage vital signs as the note states them. Temperature does not enter the algorithm. */
export interface TriageVitals {
  /** /min */
  readonly heartRate: number;
  /** /min */
  readonly respiratoryRate: number;
  /** °C (a note written in °F is converted) */
  readonly temperatureC: number;
  /** mm[Hg] */
  readonly systolicBp: number;
  /** % */
  readonly spo2: number;
}

/** ESI danger-zone thresholds for adults (AHRQ ESI ch. 6, Fig 6-1; clinical-codes.md §3a, §8). */
export const DANGER_ZONE = { heartRateAbove: 100, respiratoryRateAbove: 20, spo2Below: 92 } as const;

/** True when any vital is in the adult ESI danger zone. */
export function inDangerZone(v: Pick<TriageVitals, 'heartRate' | 'respiratoryRate' | 'spo2'>): boolean {
  return (
    v.heartRate > DANGER_ZONE.heartRateAbove || v.respiratoryRate > DANGER_ZONE.respiratoryRateAbove || v.spo2 < DANGER_ZONE.spo2Below
  );
}

/** ESI level before the danger-zone rule: from findings and resources only. */
export function baseLevelOf(findings: TriageFindings): EsiLevel {
  let highest = 0;
  for (const id of Object.keys(findings.findings) as FindingId[]) {
    if (findings.findings[id] !== 'present') continue;
    const level = FINDINGS[id].level;
    if (level === 1) return 1;
    if (level === 2) highest = 2;
  }
  if (highest === 2) return 2;
  const kinds = new Set(findings.resources).size;
  return kinds >= 2 ? 3 : kinds === 1 ? 4 : 5;
}

/** ESI level of a note's findings and vitals. */
export function triageLevelOf(findings: TriageFindings, vitals: TriageVitals): EsiLevel {
  const base = baseLevelOf(findings);
  return base === 3 && inDangerZone(vitals) ? 2 : base;
}

export function classOfLevel(level: EsiLevel): TriageClass {
  return level <= 2 ? 'emergent' : level === 3 ? 'urgent' : 'non-urgent';
}

/** The true urgency class of a note: emergent (ESI 1–2), urgent (ESI 3) or non-urgent (ESI 4–5). */
export function triageClassOf(findings: TriageFindings, vitals: TriageVitals): TriageClass {
  return classOfLevel(triageLevelOf(findings, vitals));
}
