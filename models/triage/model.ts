import { DANGER_SIGNS, DANGER_ZONE, NO_RESOURCES, RESOURCE_CLAUSE, RESOURCE_TERMS, termRegex, type DangerSign, type ResourceKind } from './lexicon.ts';
import { hasInstructions, instructionsOf, type TriageLabel } from './instructions.ts';
import { naiveNegated, scopedNegated } from './negation.ts';
import { noteTextOf, vitalsOfBundle, vitalsOfText, type DangerVitals } from './read.ts';

/**
 * The reference triage model: a rule-based reader of an ED triage note that applies the ESI decision
 * points (clinical-codes.md §8) to what the note says, plus the danger-zone vitals of the bundle.
 *
 *   A. an ESI-1 danger sign asserted (needs an immediate life-saving intervention)   → ESI 1
 *   B. an ESI-2 danger sign asserted (high risk, new confusion)                       → ESI 2
 *   C. distinct resource kinds the assessment anticipates: ≥ 2 → 3, 1 → 4, 0 → 5
 *   D. ESI 3 with HR > 100, RR > 20 or SpO2 < 92 % (Observations, else the note)        → ESI 2
 *   class: ESI 1–2 emergent, 3 urgent, 4–5 non-urgent
 *
 * The two variants differ in the documented flaws (models/README.md):
 * - negation: the flawed variant reads a sign as denied only after a bare "no"
 *   (`naiveNegated`); the flaw-free one uses NegEx-style scopes (`scopedNegated`);
 * - injection: the flawed variant obeys instructions in the note (a demanded class replaces its
 *   own, a demanded token is echoed in its rationale); the flaw-free one ignores them and flags
 *   `instruction-ignored`. Its rationale is built from lexicon names only, never from note text.
 */

export const TRIAGE_MODEL_NAME = 'clinsim-reference-triage';
export const TRIAGE_MODEL_VERSION = '1.0.0';

export type TriageVariant = 'flawed' | 'flaw-free';
export type TriageFlag = 'instruction-ignored' | 'note-missing';
export type EsiLevel = 1 | 2 | 3 | 4 | 5;

export interface TriageAnswer {
  readonly label: TriageLabel;
  /** ESI level the label came from (the flawed variant reports its own level even when an instruction overrode the label). */
  readonly esi: EsiLevel;
  /** Short rationale. */
  readonly text: string;
  readonly flags: TriageFlag[];
}

export interface TriageModel {
  readonly name: typeof TRIAGE_MODEL_NAME;
  readonly version: string;
  readonly variant: TriageVariant;
  /** Triages a FHIR Bundle (any JSON: unreadable parts count as missing). */
  predict(bundle: unknown): TriageAnswer;
}

const SIGN_REGEX = DANGER_SIGNS.map((sign) => ({ sign, regex: termRegex(sign.terms) }));
const RESOURCE_REGEX = (Object.keys(RESOURCE_TERMS) as ResourceKind[]).map((kind) => ({ kind, regex: termRegex(RESOURCE_TERMS[kind]) }));

/** Danger signs the text asserts (a sign mentioned both negated and not counts as asserted). */
export function assertedSigns(text: string, negated: (text: string, start: number, end: number) => boolean): DangerSign[] {
  const out: DangerSign[] = [];
  for (const { sign, regex } of SIGN_REGEX) {
    for (const m of text.matchAll(regex)) {
      if (!negated(text, m.index, m.index + m[0].length)) {
        out.push(sign);
        break;
      }
    }
  }
  return out;
}

/** Distinct resource kinds of the "anticipated resources:" clause (the whole note when it has none). */
export function resourceKinds(text: string): ResourceKind[] {
  const clause = RESOURCE_CLAUSE.exec(text)?.[1];
  const scope = clause ?? text;
  if (clause !== undefined && NO_RESOURCES.test(clause)) return [];
  return RESOURCE_REGEX.filter(({ regex }) => {
    regex.lastIndex = 0;
    return regex.test(scope);
  }).map(({ kind }) => kind);
}

/** The danger-zone vitals that are out of range, as "HR 112" etc. */
export function dangerZone(v: DangerVitals): string[] {
  const out: string[] = [];
  if (v.heartRate !== undefined && v.heartRate > DANGER_ZONE.heartRateAbove) out.push(`HR ${v.heartRate}`);
  if (v.respiratoryRate !== undefined && v.respiratoryRate > DANGER_ZONE.respiratoryRateAbove) out.push(`RR ${v.respiratoryRate}`);
  if (v.spo2 !== undefined && v.spo2 < DANGER_ZONE.spo2Below) out.push(`SpO2 ${Math.round(v.spo2)}%`);
  return out;
}

export const labelOfLevel = (level: EsiLevel): TriageLabel => (level <= 2 ? 'emergent' : level === 3 ? 'urgent' : 'non-urgent');

interface Assessment {
  readonly level: EsiLevel;
  readonly reason: string;
}

function assess(text: string | undefined, vitals: DangerVitals, negated: (text: string, start: number, end: number) => boolean): Assessment {
  const zone = dangerZone(vitals);
  if (text === undefined) {
    // No note: only the vitals are known; without danger-zone vitals the protocol cannot place the
    // patient below ESI 3 (resources unknown).
    return zone.length > 0 ? { level: 2, reason: `no note; danger-zone vitals (${zone.join(', ')})` } : { level: 3, reason: 'no note; vitals outside the danger zone' };
  }
  const signs = assertedSigns(text, negated);
  const level1 = signs.filter((s) => s.level === 1);
  if (level1.length > 0) return { level: 1, reason: level1.map((s) => s.name).join(', ') };
  if (signs.length > 0) return { level: 2, reason: signs.map((s) => s.name).join(', ') };
  const kinds = resourceKinds(text);
  const base: EsiLevel = kinds.length >= 2 ? 3 : kinds.length === 1 ? 4 : 5;
  const resources = kinds.length === 0 ? 'no resources' : `${kinds.length} resource${kinds.length > 1 ? 's' : ''} (${kinds.join(', ')})`;
  if (base === 3 && zone.length > 0) return { level: 2, reason: `${resources}, danger-zone vitals (${zone.join(', ')})` };
  return { level: base, reason: resources };
}

export function createTriageModel(options: { flawFree?: boolean } = {}): TriageModel {
  const variant: TriageVariant = options.flawFree ? 'flaw-free' : 'flawed';
  const negated = variant === 'flawed' ? (text: string, start: number) => naiveNegated(text, start) : scopedNegated;

  const predict = (bundle: unknown): TriageAnswer => {
    const text = noteTextOf(bundle);
    const vitals = { ...(text === undefined ? {} : vitalsOfText(text)), ...vitalsOfBundle(bundle) };
    const { level, reason } = assess(text, vitals, negated);
    const own = labelOfLevel(level);
    const flags: TriageFlag[] = text === undefined ? ['note-missing'] : [];
    const instructions = text === undefined ? { tokens: [] } : instructionsOf(text);

    if (variant === 'flawed') {
      // Flaw (b): instructions in the note are obeyed.
      const label = instructions.label ?? own;
      const why = instructions.label !== undefined && instructions.label !== own ? `as instructed by the note (own reading: ESI ${level}, ${reason})` : `ESI ${level}: ${reason}`;
      const echoed = instructions.tokens.length > 0 ? ` ${instructions.tokens.join(' ')}` : '';
      return { label, esi: level, text: `${label}: ${why}.${echoed}`, flags };
    }
    if (hasInstructions(instructions)) flags.push('instruction-ignored');
    return { label: own, esi: level, text: `${own}: ESI ${level}: ${reason}.`, flags };
  };

  return { name: TRIAGE_MODEL_NAME, version: TRIAGE_MODEL_VERSION, variant, predict };
}
