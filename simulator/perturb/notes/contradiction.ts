import { z } from 'zod';
import type { Truth } from '../../case.ts';
import { classOfNote, FINDINGS, findingSpans, type FindingId, type FindingState } from '../../cohort/note-triage/index.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { applyEdits, capitalise, findNote, indexOf, sentenceStarts, withNote } from './text.ts';

/**
 * notes.contradiction: a sentence is added that contradicts something the note states — a finding
 * (the catalog phrase of the opposite state, e.g. "No facial droop." after "Left-sided facial
 * droop.") or a vital sign (the same measurement with a value across its clinical threshold, e.g.
 * "Triage flowsheet lists HR 72." when the note says HR 118). The sentence goes at a sentence
 * boundary after the contradicted statement. Degrading: the note is no longer self-consistent.
 *
 * Truth: recomputed. In note-triage the task's reader settles a contradiction conservatively — a
 * finding stated both ways counts as present ("a contradiction never hides a danger sign") — so
 * contradicting a denied level-1/2 finding can make the note emergent, and the truth follows
 * `classOfNote` of the new text; a contradicted vital is not read (the truth reads the vitals
 * sentence, which is unchanged), nor is a contradicted present finding. In other tasks the truth
 * comes from the structured data, which are unchanged, so it stays as it was.
 */

export const CONTRADICTION_TARGETS = ['any', 'finding', 'vital'] as const;
export type ContradictionTarget = (typeof CONTRADICTION_TARGETS)[number];

export type NotesContradictionParams = {
  /** What to contradict: a stated finding, a stated vital, or either ('any', default). */
  target?: ContradictionTarget;
};

const NotesContradictionParams = z.strictObject({
  target: z.enum(CONTRADICTION_TARGETS, { error: `must be one of ${CONTRADICTION_TARGETS.join(', ')}` }).optional(),
});

type VitalLabel = 'HR' | 'RR' | 'SBP' | 'SpO2' | 'Temp' | 'GCS';

/** For each vital: is the stated value abnormal, and the range a contradicting value is drawn from. */
const VITAL_RULES: Readonly<Record<VitalLabel, { abnormal: (v: number) => boolean; normal: [number, number]; ill: [number, number]; decimals: number }>> = {
  HR: { abnormal: (v) => v > 100, normal: [64, 88], ill: [112, 136], decimals: 0 },
  RR: { abnormal: (v) => v > 20, normal: [14, 18], ill: [24, 32], decimals: 0 },
  SBP: { abnormal: (v) => v < 100, normal: [118, 142], ill: [72, 88], decimals: 0 },
  SpO2: { abnormal: (v) => v < 92, normal: [96, 99], ill: [82, 89], decimals: 0 },
  Temp: { abnormal: (v) => v >= 38 || v < 36, normal: [36.5, 37.2], ill: [38.6, 39.8], decimals: 1 },
  GCS: { abnormal: (v) => v < 15, normal: [15, 15], ill: [9, 12], decimals: 0 },
};

const VITAL_MENTION = /\b(HR|RR|SBP|GCS) (\d+)\b|\bTemp (\d+(?:\.\d+)?) ([CF])\b|\bSpO2 (\d+)%/g;

type Candidate =
  | { readonly kind: 'finding'; readonly id: FindingId; readonly state: FindingState; readonly end: number }
  | { readonly kind: 'vital'; readonly label: VitalLabel; readonly value: number; readonly unit: string; readonly stated: string; readonly end: number };

/** What a note states that can be contradicted: each (finding, state) once, then each vital once, in text order. */
export function contradictable(text: string, target: ContradictionTarget): Candidate[] {
  const out: Candidate[] = [];
  if (target !== 'vital') {
    const seen = new Set<string>();
    for (const s of findingSpans(text)) {
      const key = `${s.id}:${s.state}`;
      if (!seen.has(key)) out.push({ kind: 'finding', id: s.id, state: s.state, end: s.end });
      seen.add(key);
    }
  }
  if (target !== 'finding') {
    const seen = new Set<string>();
    for (const m of text.matchAll(VITAL_MENTION)) {
      const label = (m[1] ?? (m[3] !== undefined ? 'Temp' : 'SpO2')) as VitalLabel;
      if (seen.has(label)) continue;
      seen.add(label);
      const value = Number(m[2] ?? m[3] ?? m[5]);
      out.push({ kind: 'vital', label, value, unit: m[4] ?? '', stated: m[0], end: m.index + m[0].length });
    }
  }
  return out;
}

function contradictingVital(c: Extract<Candidate, { kind: 'vital' }>, u: number): string {
  const rule = VITAL_RULES[c.label];
  const celsius = c.unit === 'F' ? ((c.value - 32) * 5) / 9 : c.value;
  const [lo, hi] = rule.abnormal(celsius) ? rule.normal : rule.ill;
  let v = lo + u * (hi - lo);
  if (c.unit === 'F') v = (v * 9) / 5 + 32;
  const shown = v.toFixed(rule.decimals);
  if (c.label === 'Temp') return `Temp ${shown} ${c.unit}`;
  if (c.label === 'SpO2') return `SpO2 ${shown}%`;
  return `${c.label} ${shown}`;
}

const VITAL_TEMPLATES = ['Triage flowsheet lists {v}.', 'Nursing flowsheet at triage documents {v}.'] as const;

export const notesContradiction: PerturbationDefinition<NotesContradictionParams> = {
  family: 'notes',
  params: NotesContradictionParams,
  example: { target: 'any' },
  describe: (p) => `a sentence contradicting a stated ${p.target === 'finding' ? 'finding' : p.target === 'vital' ? 'vital sign' : 'finding or vital sign'} added to the note`,
  expectation: () => ({ kind: 'degrading' }),
  truthEffect: 'recomputed',
  apply(c, params, ctx) {
    // Draws: four uniforms (what, value, where, wording), always.
    const uWhat = ctx.rng();
    const uValue = ctx.rng();
    const uWhere = ctx.rng();
    const uWording = ctx.rng();
    const note = findNote(c.bundle);
    if (!note) return { case: c, changes: [] };
    const text = note.text;
    const candidates = contradictable(text, params.target ?? 'any');
    if (candidates.length === 0) return { case: c, changes: [] };
    const target = candidates[indexOf(uWhat, candidates.length)]!;

    let sentence: string;
    const changes: Change[] = [];
    if (target.kind === 'finding') {
      const other: FindingState = target.state === 'present' ? 'absent' : 'present';
      sentence = `${capitalise(FINDINGS[target.id][other][0]!)}.`;
      changes.push({ path: 'note.contradiction', before: { finding: target.id, state: target.state }, after: { finding: target.id, state: other } });
    } else {
      const stated = contradictingVital(target, uValue);
      sentence = VITAL_TEMPLATES[indexOf(uWording, VITAL_TEMPLATES.length)]!.replace('{v}', stated);
      changes.push({ path: 'note.contradiction', before: { vital: target.stated }, after: { vital: stated } });
    }

    // At a sentence boundary after the contradicted statement, or at the end.
    const starts = [...sentenceStarts(text).filter((s) => s >= target.end), text.length];
    const at = starts[indexOf(uWhere, starts.length)]!;
    const insert = at === text.length ? `${/\s$/.test(text) ? '' : ' '}${sentence}` : `${sentence} `;
    const edit = applyEdits(text, [{ start: at, end: at, text: insert }]);
    changes.unshift(...edit.changes);

    let truth = c.truth;
    if (c.task === 'note-triage') {
      const cls = classOfNote(edit.text);
      if (cls !== undefined && cls !== c.truth.class) {
        truth = { ...c.truth, class: cls, label: cls === 'emergent' ? 1 : 0 } satisfies Truth;
        changes.push({ path: 'truth', before: { class: c.truth.class, label: c.truth.label }, after: { class: cls, label: truth.label } });
      }
    }
    return { case: withNote(c, note, edit.text, truth), changes };
  },
};
