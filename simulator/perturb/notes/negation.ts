import { z } from 'zod';
import type { Truth } from '../../case.ts';
import {
  classOfNote,
  FINDINGS,
  findingSpans,
  flipFinding,
  readTriageNote,
  type FindingId,
  type FindingSpan,
  type FindingState,
} from '../../cohort/note-triage/index.ts';
import type { Change, PerturbationDefinition } from '../perturbation.ts';
import { applyEdits, capitalise, findNote, indexOf, withNote, type Edit } from './text.ts';

/**
 * notes.negation: one statement of the note is turned into its opposite.
 *
 * note-triage: one finding stated in the `from` state (default present) is flipped everywhere the
 * note states it that way, with the catalog phrases of the other state, and the truth is recomputed
 * from the new text (`classOfNote`, i.e. `triageClassOf` of the flipped record). The triage rule is
 * monotone in the findings, so negating a present finding can only lower the urgency (or keep it:
 * a level-0 finding, or one of several danger signs) and asserting a denied one can only raise it:
 * the expectation is directional, `decrease` from present and `increase` from absent.
 *
 * Other tasks (sepsis): a sentence of the note is negated by fixed sentence rules (below). Their
 * truth is computed from the structured data, which the note does not change, so it is recomputed
 * as itself; the note then contradicts the data and the declared direction is what the note now
 * suggests (a robust model may not move at all, but should not move the other way).
 */

const FINDING_IDS = Object.keys(FINDINGS) as FindingId[];
const KNOWN_FINDINGS: ReadonlySet<string> = new Set(FINDING_IDS);
// A string refined by a check (not an enum): zod 4 then reports the elements' own problems for a
// list (path finding[i]) instead of "matches neither a finding nor a list of findings".
const FindingIdSchema = z
  .string({ error: 'must be a finding id of the note-triage catalog, e.g. "chest-pain"' })
  .refine((s) => KNOWN_FINDINGS.has(s), {
    error: (iss) => `unknown finding ${JSON.stringify(iss.input)}; known findings: ${FINDING_IDS.join(', ')}`,
  }) as unknown as z.ZodType<FindingId>;

export type NotesNegationParams = {
  /** Finding id(s) of the note-triage catalog to choose from; any stated finding when omitted. */
  finding?: FindingId | FindingId[];
  /** Which statements are negated: asserted ones ('present', default) or denied ones ('absent'). */
  from?: FindingState;
};

const NotesNegationParams = z.strictObject({
  finding: z
    .union([FindingIdSchema, z.array(FindingIdSchema).min(1, 'give at least one finding')], {
      error: 'must be a finding id of the note-triage catalog or a non-empty list of them, e.g. "chest-pain"',
    })
    .optional(),
  from: z.enum(['present', 'absent'], { error: 'must be "present" (negate an asserted finding) or "absent" (assert a denied one)' }).optional(),
});

const opposite = (s: FindingState): FindingState => (s === 'present' ? 'absent' : 'present');

/**
 * The replacement phrase for a span: the first phrase of the other state (as `flipFinding` writes
 * it) when the phrase is a sentence of its own; inside a longer sentence (e.g. the complaint
 * "presenting with chest pain for 2 hours") a "no …" phrase of the other state when there is one,
 * which reads better than "denies …" mid-sentence. Both are catalog phrases, so the reader sees the
 * flipped state either way.
 */
function replacementOf(text: string, span: FindingSpan): string {
  const flipped = flipFinding(text, span);
  const whole = flipped.slice(span.start, flipped.length - (text.length - span.end));
  const before = text.slice(0, span.start);
  const after = text.slice(span.end);
  const ownSentence = (/(^|[.:!?]\s*)$/.test(before) || before.length === 0) && /^\s*[.!?]/.test(after);
  if (ownSentence) return whole;
  const noPhrase = FINDINGS[span.id][opposite(span.state)].find((p) => p.startsWith('no '));
  if (noPhrase === undefined) return whole;
  const first = text.charAt(span.start);
  return first !== first.toLowerCase() ? capitalise(noPhrase) : noPhrase;
}

/** Findings stated in `from` (and allowed by `finding`), in the order the note first states them. */
export function negatableFindings(text: string, params: NotesNegationParams): FindingId[] {
  const from = params.from ?? 'present';
  const allowed = params.finding === undefined ? undefined : new Set(typeof params.finding === 'string' ? [params.finding] : params.finding);
  const out: FindingId[] = [];
  for (const s of findingSpans(text)) {
    if (s.state === from && (!allowed || allowed.has(s.id)) && !out.includes(s.id)) out.push(s.id);
  }
  return out;
}

// --- Sentence rules for notes other than note-triage (the sepsis note's sentences) -------------

interface SentenceRule {
  readonly from: FindingState;
  readonly match: RegExp;
  readonly replace: (m: RegExpExecArray) => string;
}

const lastAndToOr = (list: string): string => list.replace(/ and (?!.* and )/, ' or ');

/** Whole-sentence rules, tried in order; a sentence is negated by the first rule that matches it. */
export const SENTENCE_RULES: readonly SentenceRule[] = [
  { from: 'present', match: /^Patient is (?!not )(.+)\.$/, replace: (m) => `Patient is not ${lastAndToOr(m[1]!)}.` },
  { from: 'present', match: /^History of (.+)\.$/, replace: (m) => `No history of ${m[1]}.` },
  { from: 'present', match: /^Confused\.$/, replace: () => 'Not confused.' },
  { from: 'present', match: /^Drowsy, responds to voice\.$/, replace: () => 'Not drowsy.' },
  { from: 'present', match: /^Responds to pain only\.$/, replace: () => 'Responds to voice.' },
  { from: 'absent', match: /^No abnormal vital signs flagged at triage\.$/, replace: () => 'Abnormal vital signs flagged at triage.' },
  { from: 'absent', match: /^Alert and oriented\.$/, replace: () => 'Not alert and oriented.' },
  { from: 'absent', match: /^No significant past medical history\.$/, replace: () => 'Significant past medical history.' },
];

/** Sentences of a non-triage note a rule negates, as edits, in text order. */
export function sentenceNegations(text: string, from: FindingState): Edit[] {
  const out: Edit[] = [];
  // Sentences end at '.', '!' or '?' followed by whitespace or the end; "37.0" does not end one.
  for (const m of text.matchAll(/[^\s.!?](?:[^.!?]|[.!?](?=\S))*[.!?](?=\s|$)/g)) {
    const sentence = m[0];
    for (const rule of SENTENCE_RULES) {
      if (rule.from !== from) continue;
      const hit = rule.match.exec(sentence);
      if (hit) {
        out.push({ start: m.index, end: m.index + sentence.length, text: rule.replace(hit) });
        break;
      }
    }
  }
  return out;
}

export const notesNegation: PerturbationDefinition<NotesNegationParams> = {
  family: 'notes',
  params: NotesNegationParams,
  example: { from: 'present' },
  describe: (p) => {
    const which = p.finding === undefined ? 'one' : `one of ${[p.finding].flat().join(', ')}`;
    return (p.from ?? 'present') === 'present' ? `${which} asserted finding negated in the note` : `${which} denied finding asserted in the note`;
  },
  expectation: (p) => ({ kind: 'directional', direction: (p.from ?? 'present') === 'present' ? 'decrease' : 'increase' }),
  truthEffect: 'recomputed',
  apply(c, params, ctx) {
    // Draws: one uniform (which finding or sentence), always.
    const u = ctx.rng();
    const note = findNote(c.bundle);
    if (!note) return { case: c, changes: [] };
    const from = params.from ?? 'present';
    const text = note.text;

    if (c.task !== 'note-triage') {
      if (params.finding !== undefined) return { case: c, changes: [] }; // finding ids name note-triage catalog findings
      const candidates = sentenceNegations(text, from);
      if (candidates.length === 0) return { case: c, changes: [] };
      const edit = applyEdits(text, [candidates[indexOf(u, candidates.length)]!]);
      return { case: withNote(c, note, edit.text), changes: edit.changes };
    }

    // note-triage: the truth is recomputed from the text, so it must be readable.
    if (readTriageNote(text) === undefined) return { case: c, changes: [] };
    const candidates = negatableFindings(text, params);
    if (candidates.length === 0) return { case: c, changes: [] };
    const id = candidates[indexOf(u, candidates.length)]!;
    const edits: Edit[] = findingSpans(text)
      .filter((s) => s.id === id && s.state === from)
      .map((s) => ({ start: s.start, end: s.end, text: replacementOf(text, s) }));
    const edit = applyEdits(text, edits);
    const cls = classOfNote(edit.text)!;
    const truth: Truth = { ...c.truth, class: cls, label: cls === 'emergent' ? 1 : 0 };
    const changes: Change[] = [...edit.changes, { path: 'note.finding', before: { id, state: from }, after: { id, state: opposite(from) } }];
    const truthChanged = truth.class !== c.truth.class || truth.label !== c.truth.label;
    if (truthChanged) changes.push({ path: 'truth', before: { class: c.truth.class, label: c.truth.label }, after: { class: cls, label: truth.label } });
    return { case: withNote(c, note, edit.text, truthChanged ? truth : c.truth), changes };
  },
};
