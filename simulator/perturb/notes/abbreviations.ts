import { z } from 'zod';
import type { PerturbationDefinition } from '../perturbation.ts';
import { applyEdits, applyEditsKeepingReading, findNote, overlaps, protectedRanges, subStream, withNote, type Edit } from './text.ts';

/**
 * notes.abbreviations: phrases rewritten with the clinical abbreviations clinicians use
 * ("shortness of breath" → "SOB", "blood pressure" → "BP", "history of" → "h/o", "34-year-old
 * woman" → "34 y/o F" …). Each occurrence is abbreviated with probability `rate` (default 1: all).
 *
 * Invariant, truth preserved: an abbreviation does not change what the note says. In a note-triage
 * note the protected spans (catalog finding phrases, the resources clause, the vitals) are left as
 * written, because the truth is read from those exact phrases — so "denies shortness of breath"
 * stays, while the complaint, history, demographics and connecting words are abbreviated. In other
 * tasks only the vitals are protected, and "shortness of breath" in a sepsis complaint becomes "SOB".
 */

/** Phrase (matched case-insensitively at word boundaries) → abbreviation. Longest phrases win. */
export const ABBREVIATIONS: Readonly<Record<string, string>> = {
  'chronic obstructive pulmonary disease': 'COPD',
  'congestive heart failure': 'CHF',
  'chronic kidney disease': 'CKD',
  'coronary artery disease': 'CAD',
  'urinary tract infection': 'UTI',
  'myocardial infarction': 'MI',
  'atrial fibrillation': 'AF',
  'shortness of breath': 'SOB',
  'nausea and vomiting': 'N/V',
  'past medical history': 'PMH',
  'emergency department': 'ED',
  'right lower quadrant': 'RLQ',
  'left lower quadrant': 'LLQ',
  'alert and oriented': 'A&O',
  'diabetes mellitus': 'DM',
  'type 2 diabetes': 'T2DM',
  'blood pressure': 'BP',
  'chief complaint': 'CC',
  'presenting with': 'p/w',
  'complains of': 'c/o',
  'secondary to': '2/2',
  'twice daily': 'BID',
  'on room air': 'on RA',
  'history of': 'h/o',
  'as needed': 'PRN',
  'follow-up': 'f/u',
  'follow up': 'f/u',
  hypertension: 'HTN',
  intravenous: 'IV',
  abdominal: 'abd',
  bilateral: 'b/l',
  medications: 'meds',
  medication: 'med',
  temperature: 'temp',
  treatment: 'tx',
  diagnosis: 'dx',
  fracture: 'fx',
  symptoms: 'sx',
  history: 'hx',
  patient: 'pt',
  without: 'w/o',
  'x-ray': 'XR',
  hours: 'hrs',
  right: 'R',
  left: 'L',
  with: 'w/',
};

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const PHRASES = Object.keys(ABBREVIATIONS).sort((a, b) => b.length - a.length);
/** Age and sex ("34-year-old woman", "36 yo female") → "34 y/o F"; then the phrase table. */
const AGE_SEX = String.raw`(\d{1,3})(?:-year-old| y/o| yo) (woman|man|female|male)`;
const PATTERN = new RegExp(`(?<![\\p{L}\\p{N}])(?:${AGE_SEX}|${PHRASES.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu');

/** The abbreviation of one match of PATTERN, keeping a capital first letter for lower-case abbreviations. */
function abbreviate(m: RegExpMatchArray): string {
  if (m[1] !== undefined) return `${m[1]} y/o ${/^(woman|female)$/i.test(m[2]!) ? 'F' : 'M'}`;
  const abbr = ABBREVIATIONS[m[0].toLowerCase()]!;
  const first = m[0].charAt(0);
  const lowerAbbr = abbr.charAt(0) !== abbr.charAt(0).toUpperCase();
  return first !== first.toLowerCase() && lowerAbbr ? abbr.charAt(0).toUpperCase() + abbr.slice(1) : abbr;
}

export type NotesAbbreviationsParams = {
  /** Probability that an occurrence is abbreviated, 0–1 (default 1). */
  rate?: number;
};

const NotesAbbreviationsParams = z.strictObject({
  rate: z.number({ error: 'must be a number between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
});

export const notesAbbreviations: PerturbationDefinition<NotesAbbreviationsParams> = {
  family: 'notes',
  params: NotesAbbreviationsParams,
  example: { rate: 1 },
  describe: (p) => `clinical abbreviations in the note (${p.rate === undefined || p.rate === 1 ? 'every occurrence' : `rate ${p.rate}`})`,
  expectation: () => ({ kind: 'invariant' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // Draws: one int32 seeding the sub-stream (one uniform per occurrence outside the protected spans), always.
    const sub = subStream(ctx.rng, 'abbreviations');
    const note = findNote(c.bundle);
    if (!note) return { case: c, changes: [] };
    const rate = params.rate ?? 1;
    const ranges = protectedRanges(note.text, c.task);
    const edits: Edit[] = [];
    for (const m of note.text.matchAll(PATTERN)) {
      const start = m.index;
      const end = start + m[0].length;
      if (overlaps(ranges, start, end)) continue;
      if (sub() < rate) edits.push({ start, end, text: abbreviate(m) });
    }
    if (edits.length === 0) return { case: c, changes: [] };
    const result = c.task === 'note-triage' ? applyEditsKeepingReading(note.text, edits) : applyEdits(note.text, edits);
    if (result.changes.length === 0) return { case: c, changes: [] };
    return { case: withNote(c, note, result.text), changes: result.changes };
  },
};
