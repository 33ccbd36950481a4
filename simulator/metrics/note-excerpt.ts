/**
 * The part of a perturbed note the report shows: the text around the spans the notes perturbations
 * wrote, with those spans marked. Span positions come from the provenance (`note.text`:
 * `{ offset, text }` before and after, UTF-16 offsets; `note.bloat`: text inserted at the start),
 * carried forward through the later perturbations of the arm to the final note.
 */
import { z } from 'zod';
import type { Provenance } from '../perturb/perturbation.ts';

export const NOTE_TEXT_PATH = 'note.text';
export const NOTE_BLOAT_PATH = 'note.bloat';

const NoteSpan = z.object({ offset: z.number().int().nonnegative(), text: z.string() });
const Bloat = z.object({ offset: z.number().int().nonnegative(), inserted: z.number().int().nonnegative() });

export interface NoteSegment {
  readonly text: string;
  /** `mark`: written by a perturbation; `gap`: text left out between two windows. */
  readonly kind: 'text' | 'mark' | 'gap';
}

export interface NoteExcerpt {
  readonly segments: NoteSegment[];
  /** Characters of the whole note. */
  readonly length: number;
  readonly clippedStart: boolean;
  readonly clippedEnd: boolean;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

interface Edit {
  /** Offset in the perturbation's input, characters removed there, and the offset in its output. */
  readonly at: number;
  readonly removed: number;
  readonly inserted: number;
  readonly to: number;
  /** Whether the inserted text is marked (copy-forward padding is not: it repeats the note). */
  readonly mark: boolean;
}

function editsOf(p: Provenance): Edit[] {
  const edits: Edit[] = [];
  for (const c of p.changes) {
    if (c.path === NOTE_TEXT_PATH) {
      const before = NoteSpan.safeParse(c.before);
      const after = NoteSpan.safeParse(c.after);
      if (before.success && after.success) {
        edits.push({ at: before.data.offset, removed: before.data.text.length, inserted: after.data.text.length, to: after.data.offset, mark: true });
      }
    } else if (c.path === NOTE_BLOAT_PATH) {
      const after = Bloat.safeParse(c.after);
      if (after.success) edits.push({ at: after.data.offset, removed: 0, inserted: after.data.inserted, to: after.data.offset, mark: false });
    }
  }
  return edits.sort((a, b) => a.at - b.at);
}

/**
 * The spans of the final note that the perturbations wrote, in order and merged where they touch.
 * A span that a later edit overwrites in part is dropped (the later edit's own span is marked).
 */
export function perturbedSpans(perturbations: readonly Provenance[]): Span[] {
  let spans: Span[] = [];
  for (const p of perturbations) {
    const edits = editsOf(p);
    if (edits.length === 0) continue;
    const next: Span[] = [];
    for (const s of spans) {
      let shift = 0;
      let overwritten = false;
      for (const e of edits) {
        if (e.at + e.removed <= s.start) shift += e.inserted - e.removed;
        else if (e.at < s.end) overwritten = true;
      }
      if (!overwritten) next.push({ start: s.start + shift, end: s.end + shift });
    }
    for (const e of edits) if (e.mark && e.inserted > 0) next.push({ start: e.to, end: e.to + e.inserted });
    spans = next.sort((a, b) => a.start - b.start);
  }
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, s.end) };
    else merged.push(s);
  }
  return merged;
}

/** A note up to this length is shown whole. */
const WHOLE_NOTE = 1500;
/** Context shown on each side of a marked span in a longer note. */
const CONTEXT = 240;
const MAX_WINDOWS = 3;
/** A marked span longer than this is shown as its head and tail. */
const MAX_MARK = 600;

/** Moves an index off the middle of a surrogate pair (towards `direction`). */
function boundary(text: string, i: number, direction: -1 | 1): number {
  const clamped = Math.min(Math.max(i, 0), text.length);
  const code = text.charCodeAt(clamped);
  return clamped > 0 && clamped < text.length && code >= 0xdc00 && code <= 0xdfff ? clamped + direction : clamped;
}

function markText(text: string): string {
  if (text.length <= MAX_MARK) return text;
  const half = MAX_MARK / 2;
  return `${text.slice(0, boundary(text, half, 1))} […] ${text.slice(boundary(text, text.length - half, -1))}`;
}

/** The excerpt of `note` around the perturbed spans (the start of the note when there are none). */
export function noteExcerpt(note: string, perturbations: readonly Provenance[]): NoteExcerpt {
  const spans = perturbedSpans(perturbations)
    .map((s) => ({ start: Math.min(s.start, note.length), end: Math.min(s.end, note.length) }))
    .filter((s) => s.end > s.start);
  let windows: Span[];
  if (note.length <= WHOLE_NOTE) windows = [{ start: 0, end: note.length }];
  else if (spans.length === 0) windows = [{ start: 0, end: boundary(note, WHOLE_NOTE, -1) }];
  else {
    windows = [];
    for (const s of spans) {
      const w = { start: boundary(note, s.start - CONTEXT, -1), end: boundary(note, s.end + CONTEXT, 1) };
      const last = windows[windows.length - 1];
      if (last && w.start <= last.end) windows[windows.length - 1] = { start: last.start, end: Math.max(last.end, w.end) };
      else windows.push(w);
    }
    windows = windows.slice(0, MAX_WINDOWS);
  }

  const segments: NoteSegment[] = [];
  windows.forEach((w, i) => {
    if (i > 0) segments.push({ text: ' … ', kind: 'gap' });
    let at = w.start;
    for (const s of spans) {
      if (s.end <= w.start || s.start >= w.end) continue;
      const start = Math.max(s.start, w.start);
      const end = Math.min(s.end, w.end);
      if (start > at) segments.push({ text: note.slice(at, start), kind: 'text' });
      segments.push({ text: markText(note.slice(start, end)), kind: 'mark' });
      at = end;
    }
    if (w.end > at) segments.push({ text: note.slice(at, w.end), kind: 'text' });
  });
  return {
    segments,
    length: note.length,
    clippedStart: windows[0]!.start > 0,
    clippedEnd: windows[windows.length - 1]!.end < note.length,
  };
}
