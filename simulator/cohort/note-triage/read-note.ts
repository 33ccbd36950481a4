import {
  FINDINGS,
  FINDING_IDS,
  RESOURCES,
  RESOURCE_IDS,
  type FindingId,
  type FindingState,
  type ResourceId,
  type TriageFindings,
} from './findings.ts';
import { triageClassOf, type TriageClass, type TriageVitals } from './triage.ts';

/**
 * Reads a triage note back into the structured record its truth is computed from: the findings it
 * asserts or denies (by the catalog phrases), the resources its assessment anticipates, and its
 * vitals. For every generated note, `readTriageNote(text)` equals the generator's record and
 * `classOfNote(text)` equals the truth (tested on thousands of notes), so a perturbation that edits
 * the text can recompute the truth from the edited text alone, e.g.
 *
 *   const span = findingSpans(text).find((s) => s.id === 'facial-droop');
 *   const negated = flipFinding(text, span);           // "Left-sided facial droop." → "No facial droop."
 *   const truth = classOfNote(negated);                 // recomputed class
 *
 * Matching is case-insensitive, at word boundaries, leftmost then longest (so "no facial droop" is
 * read as absent, not as "facial droop" present). A finding stated both ways counts as present
 * (conservative: a contradiction never hides a danger sign).
 */

export interface FindingSpan {
  readonly id: FindingId;
  readonly state: FindingState;
  /** UTF-16 offsets in the text: text.slice(start, end) is the phrase as written. */
  readonly start: number;
  readonly end: number;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface Phrase {
  readonly text: string;
  readonly id: string;
  readonly state: FindingState;
}

function alternation(phrases: readonly Phrase[]): { regex: RegExp; lookup: Map<string, Phrase> } {
  const sorted = [...phrases].sort((a, b) => b.text.length - a.text.length);
  const lookup = new Map(sorted.map((p) => [p.text.toLowerCase(), p]));
  const body = sorted.map((p) => escape(p.text)).join('|');
  return { regex: new RegExp(`(?<![\\p{L}\\p{N}])(?:${body})(?![\\p{L}\\p{N}])`, 'giu'), lookup };
}

const FINDING_PHRASES = alternation(
  FINDING_IDS.flatMap((id) => [
    ...FINDINGS[id].present.map((text) => ({ text, id, state: 'present' as const })),
    ...FINDINGS[id].absent.map((text) => ({ text, id, state: 'absent' as const })),
  ]),
);
const RESOURCE_PHRASES = alternation(
  RESOURCE_IDS.flatMap((id) => RESOURCES[id].map((text) => ({ text, id, state: 'present' as const }))),
);

/** Every catalog phrase in the text, in text order, non-overlapping. */
export function findingSpans(text: string): FindingSpan[] {
  const out: FindingSpan[] = [];
  for (const m of text.matchAll(FINDING_PHRASES.regex)) {
    const p = FINDING_PHRASES.lookup.get(m[0].toLowerCase())!;
    out.push({ id: p.id as FindingId, state: p.state, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** The findings a text states; present wins over absent when a finding is stated both ways. */
export function findingsOfNote(text: string): Partial<Record<FindingId, FindingState>> {
  const out: Partial<Record<FindingId, FindingState>> = {};
  for (const s of findingSpans(text)) if (out[s.id] !== 'present') out[s.id] = s.state;
  return out;
}

const RESOURCE_CLAUSE = /anticipated resources:([^.]*)/i;

/** Distinct resource kinds named in the first "anticipated resources:" clause, in order. */
export function resourcesOfNote(text: string): ResourceId[] {
  const clause = RESOURCE_CLAUSE.exec(text)?.[1] ?? '';
  const out: ResourceId[] = [];
  for (const m of clause.matchAll(RESOURCE_PHRASES.regex)) {
    const id = RESOURCE_PHRASES.lookup.get(m[0].toLowerCase())!.id as ResourceId;
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

export interface NoteVitals extends TriageVitals {
  /** Temperature as written, and its unit. */
  readonly temperature: number;
  readonly temperatureUnit: 'Cel' | '[degF]';
}

const VITALS = /HR (\d+), RR (\d+), SBP (\d+), Temp (\d+(?:\.\d+)?) ([CF]), SpO2 (\d+)%/;

/** The vitals sentence of a note; undefined when the note has none in the generator's format. */
export function vitalsOfNote(text: string): NoteVitals | undefined {
  const m = VITALS.exec(text);
  if (!m) return undefined;
  const temperature = Number(m[4]);
  const fahrenheit = m[5] === 'F';
  return {
    heartRate: Number(m[1]),
    respiratoryRate: Number(m[2]),
    systolicBp: Number(m[3]),
    temperature,
    temperatureUnit: fahrenheit ? '[degF]' : 'Cel',
    temperatureC: fahrenheit ? ((temperature - 32) * 5) / 9 : temperature,
    spo2: Number(m[6]),
  };
}

export interface ReadNote {
  readonly findings: TriageFindings;
  readonly vitals: NoteVitals;
}

/** The structured record of a note; undefined when its vitals cannot be read. */
export function readTriageNote(text: string): ReadNote | undefined {
  const vitals = vitalsOfNote(text);
  if (!vitals) return undefined;
  return { findings: { findings: findingsOfNote(text), resources: resourcesOfNote(text) }, vitals };
}

/** The class a note's text implies (triage.ts rules); undefined when its vitals cannot be read. */
export function classOfNote(text: string): TriageClass | undefined {
  const read = readTriageNote(text);
  return read && triageClassOf(read.findings, read.vitals);
}

/**
 * The text with one stated finding turned into its opposite (present ↔ absent), using the first
 * phrase of the other state and keeping the case of the first letter. Pure.
 */
export function flipFinding(text: string, span: FindingSpan): string {
  const def = FINDINGS[span.id];
  const replacement = (span.state === 'present' ? def.absent : def.present)[0]!;
  const first = text.charAt(span.start);
  const cased = first !== first.toLowerCase() ? replacement.charAt(0).toUpperCase() + replacement.slice(1) : replacement;
  return text.slice(0, span.start) + cased + text.slice(span.end);
}
