import { z } from 'zod';
import type { PerturbationDefinition } from '../perturbation.ts';
import { findNote, subStream, withNote } from './text.ts';

/**
 * notes.bloat: copy-forward padding. Earlier notes copied into the current one are the usual
 * source of bloated clinical notes; here the "earlier notes" are copies of the current note (as
 * copy-forward produces them), each under a header with an earlier date, placed before the current
 * text (oldest first). Either a number of copies (`copies`, default 3) or a target length (`chars`:
 * whole copies are added until the note has at least that many characters; a copy is never cut,
 * so that no phrase is cut in half).
 *
 * Invariant, truth preserved: the copies repeat exactly what the note says. In a note-triage note
 * the reader's first vitals sentence and first resources clause are then a copy's, which are
 * identical, and the findings are the same set, so `classOfNote` is unchanged.
 */

export const MAX_COPIES = 500;
export const MAX_CHARS = 2_000_000;

export type NotesBloatParams = {
  /** Number of copied-forward notes (1–500); default 3 when `chars` is not given. */
  copies?: number;
  /** Pad with whole copies until the note has at least this many characters (1–2,000,000). */
  chars?: number;
};

const NotesBloatParams = z
  .strictObject({
    copies: z.int({ error: 'must be a whole number' }).min(1, 'must be at least 1').max(MAX_COPIES, `must be at most ${MAX_COPIES}`).optional(),
    chars: z.int({ error: 'must be a whole number' }).min(1, 'must be at least 1').max(MAX_CHARS, `must be at most ${MAX_CHARS}`).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.copies !== undefined && p.chars !== undefined) ctx.addIssue({ code: 'custom', path: ['chars'], message: 'give either copies or chars, not both' });
  });

const DAY_MS = 86_400_000;

/** `[Copied forward from note of 2025-03-02]`, or without a date when the bundle has no timestamp. */
function header(timestamp: string | undefined, daysBack: number): string {
  const t = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  if (Number.isNaN(t)) return '[Copied forward from prior note]';
  return `[Copied forward from note of ${new Date(t - daysBack * DAY_MS).toISOString().slice(0, 10)}]`;
}

export const notesBloat: PerturbationDefinition<NotesBloatParams> = {
  family: 'notes',
  params: NotesBloatParams,
  example: { copies: 3 },
  describe: (p) => (p.chars !== undefined ? `note padded with copied-forward notes to at least ${p.chars} characters` : `${p.copies ?? 3} copied-forward notes prepended to the note`),
  expectation: () => ({ kind: 'invariant' }),
  truthEffect: 'preserved',
  apply(c, params, ctx) {
    // Draws: one int32 seeding the sub-stream (one uniform per copy, for its date), always.
    const sub = subStream(ctx.rng, 'bloat');
    const note = findNote(c.bundle);
    if (!note) return { case: c, changes: [] };
    const text = note.text;
    let copies = params.copies ?? 3;
    if (params.chars !== undefined) {
      // Each copy adds at most header + text + separator; count whole copies until the target is reached.
      copies = 0;
      let length = text.length;
      const per = header(c.bundle.timestamp, 0).length + 1 + text.length + 2;
      while (length < params.chars && copies < MAX_COPIES * 100) {
        length += per;
        copies++;
      }
    }
    if (copies === 0) return { case: c, changes: [] };
    // Gaps of 1–30 days between copies, going back from the prediction time; the oldest comes first.
    const days: number[] = [];
    let back = 0;
    for (let i = 0; i < copies; i++) {
      back += 1 + Math.floor(sub() * 30);
      days.push(back);
    }
    const blocks = days.reverse().map((d) => `${header(c.bundle.timestamp, d)} ${text}`);
    const padding = `${blocks.join('\n\n')}\n\n`;
    const after = padding + text;
    return {
      case: withNote(c, note, after),
      changes: [{ path: 'note.bloat', before: { chars: text.length }, after: { chars: after.length, copies, offset: 0, inserted: padding.length } }],
    };
  },
};
