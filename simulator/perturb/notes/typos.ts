import { z } from 'zod';
import type { Rng } from '../../random.ts';
import type { PerturbationDefinition } from '../perturbation.ts';
import {
  applyEdits,
  applyEditsKeepingReading,
  editableWords,
  findNote,
  indexOf,
  protectedRanges,
  subStream,
  withNote,
  type Edit,
} from './text.ts';

/**
 * notes.typos: keyboard typos in words of the note. Each eligible word (letters only, at least 4
 * of them, outside the protected spans) gets one typo with probability `rate`: a transposition of
 * two neighbouring letters, a dropped letter, a doubled letter, or a QWERTY-neighbour substitution.
 * The first letter is never touched. Numbers are never changed.
 *
 * scope 'safe' (default, invariant): the protected spans of `protectedRanges` are left alone — in
 * every task the vital signs, and in note-triage also the catalog finding phrases and the
 * resources clause the truth is read from — so `classOfNote` reads the same note. scope 'all'
 * (degrading): every eligible word may get a typo, finding phrases and vital labels included
 * (canaries and markup other perturbations inserted are still left alone); the truth stays the
 * generated patient's (a typo does not change the patient), but a reader of exact phrases can miss
 * a danger sign.
 */

export const Scope = ['safe', 'all'] as const;
export type Scope = (typeof Scope)[number];

export type NotesTyposParams = {
  /** Probability that an eligible word gets a typo, 0–1. */
  rate: number;
  /** 'safe' (default): leave what the truth is read from alone; 'all': any word. */
  scope?: Scope;
};

const rateSchema = z.number({ error: 'must be a number between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const NotesTyposParams = z.strictObject({
  rate: rateSchema,
  scope: z.enum(Scope, { error: 'must be "safe" or "all"' }).optional(),
});

const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** Letters next to `ch` on a QWERTY keyboard (same row and the rows above and below). */
function neighbours(ch: string): string {
  const lower = ch.toLowerCase();
  for (let r = 0; r < KEYBOARD_ROWS.length; r++) {
    const c = KEYBOARD_ROWS[r]!.indexOf(lower);
    if (c < 0) continue;
    let out = '';
    for (const rr of [r - 1, r, r + 1]) {
      const row = KEYBOARD_ROWS[rr];
      if (!row) continue;
      for (const cc of [c - 1, c, c + 1]) {
        const n = row[cc];
        if (n && n !== lower) out += n;
      }
    }
    return ch === lower ? out : out.toUpperCase();
  }
  return '';
}

export const TYPO_OPS = ['transpose', 'drop', 'double', 'substitute'] as const;
export type TypoOp = (typeof TYPO_OPS)[number];

/**
 * One typo in `word` (length ≥ 4), from three uniforms: operation, position (never the first
 * letter), neighbour key. A result equal to the word (transposing two equal letters, or a letter
 * without neighbours) falls back to doubling the letter, so the word always changes.
 */
export function typo(word: string, uOp: number, uPos: number, uKey: number): string {
  const op = TYPO_OPS[indexOf(uOp, TYPO_OPS.length)]!;
  const chars = [...word];
  // Positions 1..n-1 (n-2 for a transposition, which needs a right neighbour).
  const last = op === 'transpose' ? chars.length - 2 : chars.length - 1;
  const p = 1 + indexOf(uPos, last);
  const at = chars[p]!;
  let out: string;
  if (op === 'transpose') out = [...chars.slice(0, p), chars[p + 1]!, at, ...chars.slice(p + 2)].join('');
  else if (op === 'drop') out = [...chars.slice(0, p), ...chars.slice(p + 1)].join('');
  else if (op === 'double') out = [...chars.slice(0, p), at, ...chars.slice(p)].join('');
  else {
    const keys = neighbours(at);
    out = keys.length === 0 ? word : [...chars.slice(0, p), keys[indexOf(uKey, keys.length)]!, ...chars.slice(p + 1)].join('');
  }
  return out === word ? [...chars.slice(0, p), at, ...chars.slice(p)].join('') : out;
}

/** The typo edits for a text: four sub-stream uniforms per eligible word, whether or not it gets one. */
export function typoEdits(text: string, rate: number, protect: boolean, task: Parameters<typeof protectedRanges>[1], sub: Rng): Edit[] {
  const ranges = protectedRanges(text, task, protect);
  const edits: Edit[] = [];
  for (const w of editableWords(text, ranges, 4)) {
    const hit = sub() < rate;
    const uOp = sub();
    const uPos = sub();
    const uKey = sub();
    if (hit) edits.push({ start: w.start, end: w.end, text: typo(w.text, uOp, uPos, uKey) });
  }
  return edits;
}

export const notesTypos: PerturbationDefinition<NotesTyposParams> = {
  family: 'notes',
  params: NotesTyposParams,
  example: { rate: 0.1 },
  describe: (p) => `typos in ${Math.round(p.rate * 100)}% of the note's words${(p.scope ?? 'safe') === 'all' ? ', finding phrases included' : ''}`,
  expectation: (p) => ((p.scope ?? 'safe') === 'all' ? { kind: 'degrading' } : { kind: 'invariant' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // Draws: one int32 seeding the sub-stream (4 uniforms per eligible word), always.
    const sub = subStream(ctx.rng, 'typos');
    const note = findNote(c.bundle);
    if (!note) return { case: c, changes: [] };
    const safe = (params.scope ?? 'safe') === 'safe';
    const edits = typoEdits(note.text, params.rate, safe, c.task, sub);
    if (edits.length === 0) return { case: c, changes: [] };
    const result = safe && c.task === 'note-triage' ? applyEditsKeepingReading(note.text, edits) : applyEdits(note.text, edits);
    if (result.changes.length === 0) return { case: c, changes: [] };
    return { case: withNote(c, note, result.text), changes: result.changes };
  },
};
