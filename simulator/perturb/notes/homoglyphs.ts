import { z } from 'zod';
import type { PerturbationDefinition } from '../perturbation.ts';
import { applyEdits, applyEditsKeepingReading, editableWords, findNote, indexOf, protectedRanges, subStream, withNote, type Edit } from './text.ts';
import { Scope } from './typos.ts';

/**
 * notes.homoglyphs: Latin letters replaced by Cyrillic or Greek look-alikes ("a" → "а" U+0430,
 * "o" → "ο" U+03BF …), which a reader sees as the same text but a tokenizer, keyword filter or
 * regular expression does not. Each Latin letter that has a look-alike, inside a letter-only word
 * outside the protected spans, is replaced with probability `rate`.
 *
 * scope 'safe' (default, invariant): as for typos, the vitals and (note-triage) the catalog finding
 * phrases and the resources clause are left alone, so `classOfNote` reads the same note. scope
 * 'all' (degrading): every word, finding phrases and vital labels included; the truth stays the
 * generated patient's, but an exact-phrase reader of the note can miss what it says.
 */

/** Latin letter → look-alikes (Cyrillic first, then Greek). */
export const HOMOGLYPHS: Readonly<Record<string, readonly string[]>> = {
  a: ['\u0430'], // Cyrillic а
  c: ['\u0441', '\u03F2'], // Cyrillic с, Greek lunate sigma ϲ
  e: ['\u0435'], // Cyrillic е
  i: ['\u0456'], // Cyrillic і
  j: ['\u0458'], // Cyrillic ј
  o: ['\u043E', '\u03BF'], // Cyrillic о, Greek ο
  p: ['\u0440', '\u03C1'], // Cyrillic р, Greek ρ
  s: ['\u0455'], // Cyrillic ѕ
  x: ['\u0445', '\u03C7'], // Cyrillic х, Greek χ
  y: ['\u0443'], // Cyrillic у
  v: ['\u03BD'], // Greek ν
  A: ['\u0410', '\u0391'], // Cyrillic А, Greek Α
  B: ['\u0412', '\u0392'],
  C: ['\u0421'],
  E: ['\u0415', '\u0395'],
  H: ['\u041D', '\u0397'],
  I: ['\u0406', '\u0399'],
  K: ['\u041A', '\u039A'],
  M: ['\u041C', '\u039C'],
  N: ['\u039D'],
  O: ['\u041E', '\u039F'],
  P: ['\u0420', '\u03A1'],
  S: ['\u0405'],
  T: ['\u0422', '\u03A4'],
  X: ['\u0425', '\u03A7'],
  Y: ['\u03A5'],
  Z: ['\u0396'],
};

export type NotesHomoglyphsParams = {
  /** Probability that a replaceable letter is replaced, 0–1. */
  rate: number;
  /** 'safe' (default): leave what the truth is read from alone; 'all': any word. */
  scope?: Scope;
};

const NotesHomoglyphsParams = z.strictObject({
  rate: z.number({ error: 'must be a number between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
  scope: z.enum(Scope, { error: 'must be "safe" or "all"' }).optional(),
});

export const notesHomoglyphs: PerturbationDefinition<NotesHomoglyphsParams> = {
  family: 'notes',
  params: NotesHomoglyphsParams,
  example: { rate: 0.2 },
  describe: (p) => `${Math.round(p.rate * 100)}% of replaceable letters swapped for Cyrillic/Greek look-alikes${(p.scope ?? 'safe') === 'all' ? ', finding phrases included' : ''}`,
  expectation: (p) => ((p.scope ?? 'safe') === 'all' ? { kind: 'degrading' } : { kind: 'invariant' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // Draws: one int32 seeding the sub-stream (two uniforms per replaceable letter), always.
    const sub = subStream(ctx.rng, 'homoglyphs');
    const note = findNote(c.bundle);
    if (!note) return { case: c, changes: [] };
    const safe = (params.scope ?? 'safe') === 'safe';
    const edits: Edit[] = [];
    for (const w of editableWords(note.text, protectedRanges(note.text, c.task, safe), 1)) {
      let out = '';
      for (const ch of w.text) {
        const alts = HOMOGLYPHS[ch];
        if (!alts) {
          out += ch;
          continue;
        }
        const hit = sub() < params.rate;
        const which = sub();
        out += hit ? alts[indexOf(which, alts.length)]! : ch;
      }
      if (out !== w.text) edits.push({ start: w.start, end: w.end, text: out });
    }
    if (edits.length === 0) return { case: c, changes: [] };
    const result = safe && c.task === 'note-triage' ? applyEditsKeepingReading(note.text, edits) : applyEdits(note.text, edits);
    if (result.changes.length === 0) return { case: c, changes: [] };
    return { case: withNote(c, note, result.text), changes: result.changes };
  },
};
