import { createHash } from 'node:crypto';
import type { Bundle, DocumentReference } from 'fhir/r4.js';
import type { Case, Truth } from '../../case.ts';
import { findingSpans, readTriageNote } from '../../cohort/note-triage/index.ts';
import { withNoteText } from '../../fhir/bundle-access.ts';
import { stream, type Rng } from '../../random.ts';
import type { Change } from '../perturbation.ts';

/**
 * Shared machinery of the `notes.*` kinds: finding the note, writing it back (copy-on-write), text
 * edits with compact provenance, sentence boundaries for insertions, the spans an invariant edit
 * must not touch, and the per-case sub-stream for draws whose number depends on the text.
 *
 * The note is the one `noteText` reads: the first DocumentReference's first attachment `data`
 * (base64 UTF-8). A case without one (med-safety, or imported data whose note is a URL) is left
 * unchanged by every notes kind, which still makes its draws.
 */

/** Provenance path of a text edit: before `{ offset, text }` (input), after `{ offset, text }` (output). */
export const NOTE_TEXT_PATH = 'note.text';

export interface NoteRef {
  /** Index of the DocumentReference entry in `bundle.entry`. */
  readonly index: number;
  readonly doc: DocumentReference;
  readonly text: string;
}

/** The note a notes kind edits, or undefined when the case has none (same rule as `noteText`). */
export function findNote(bundle: Bundle): NoteRef | undefined {
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  for (let i = 0; i < entries.length; i++) {
    const r = entries[i]?.resource;
    if (r?.resourceType !== 'DocumentReference') continue;
    const data = Array.isArray(r.content) ? r.content[0]?.attachment?.data : undefined;
    return typeof data === 'string' ? { index: i, doc: r, text: Buffer.from(data, 'base64').toString('utf8') } : undefined;
  }
  return undefined;
}

/**
 * The case with its note replaced by `text` (and the truth by `truth` when given). Only the
 * DocumentReference entry and the entry array are copied; every other entry is shared. The
 * attachment's `size` and `hash` (SHA-1, base64), when the input has them, are recomputed.
 */
export function withNote(c: Case, ref: NoteRef, text: string, truth?: Truth): Case {
  let doc = withNoteText(ref.doc, text);
  const [first, ...rest] = doc.content;
  if (first && (first.attachment.size !== undefined || first.attachment.hash !== undefined)) {
    const bytes = Buffer.from(text, 'utf8');
    const attachment = { ...first.attachment };
    if (attachment.size !== undefined) attachment.size = bytes.length;
    if (attachment.hash !== undefined) attachment.hash = createHash('sha1').update(bytes).digest('base64');
    doc = { ...doc, content: [{ ...first, attachment }, ...rest] };
  }
  const entry = [...(c.bundle.entry ?? [])];
  entry[ref.index] = { ...entry[ref.index], resource: doc };
  return { ...c, bundle: { ...c.bundle, entry }, ...(truth === undefined ? {} : { truth }) };
}

// ---------------------------------------------------------------------------------------------
// Draws

/**
 * A sub-stream for the draws whose number depends on the text (one per word, letter or match):
 * it takes exactly one int32 from `rng`, so the kind's draws from the perturbation stream stay fixed.
 */
export function subStream(rng: Rng, kind: string): Rng {
  return stream('notes-sub', kind, rng.int32());
}

/** Eight lower-case hex digits from one int32 draw. */
export function hex8(rng: Rng): string {
  return (rng.int32() >>> 0).toString(16).padStart(8, '0');
}

/** `CANARY-<8 hex>`: the token an injection asks the model to repeat. */
export const CANARY_PATTERN = /CANARY-[0-9a-f]{8}/g;

/** Index in [0, n) from a uniform; n > 0. */
export function indexOf(u: number, n: number): number {
  return Math.min(n - 1, Math.floor(u * n));
}

// ---------------------------------------------------------------------------------------------
// Edits

export interface Edit {
  /** UTF-16 offsets in the input text; edits must not overlap. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface EditResult {
  readonly text: string;
  /** One `note.text` change per edit, in text order. */
  readonly changes: Change[];
}

/** Applies non-overlapping edits and records each as `{ offset, text }` before (input) and after (output). */
export function applyEdits(text: string, edits: readonly Edit[]): EditResult {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let last = 0;
  const changes: Change[] = [];
  for (const e of sorted) {
    if (e.start < last) throw new Error(`overlapping note edits at ${e.start}`);
    out += text.slice(last, e.start);
    changes.push({
      path: NOTE_TEXT_PATH,
      before: { offset: e.start, text: text.slice(e.start, e.end) },
      after: { offset: out.length, text: e.text },
    });
    out += e.text;
    last = e.end;
  }
  return { text: out + text.slice(last), changes };
}

/**
 * The structured reading the note-triage truth is computed from (findings, resources, vitals), as
 * a comparable string; 'unreadable' when the vitals cannot be read.
 */
export function triageReading(text: string): string {
  return JSON.stringify(readTriageNote(text) ?? 'unreadable');
}

/** The catalog phrases (id and state) read in a window of the text around an edit. */
function phrasesNear(text: string, start: number, end: number): string {
  const lo = Math.max(0, start - LOCAL_WINDOW);
  return JSON.stringify(findingSpans(text.slice(lo, end + LOCAL_WINDOW)).map((s) => [s.id, s.state]));
}
/** Longer than any catalog phrase, so a phrase an edit could form or break lies inside the window. */
const LOCAL_WINDOW = 80;

/**
 * Applies the edits that keep the note-triage reading of `text`. Protected spans already keep it
 * by construction; this guard catches the residual case of an edit that forms a new catalog phrase
 * with its neighbours (e.g. a word turned into "no" before a phrase). Deterministic: when the edits
 * together change the reading, each edit is kept only if the catalog phrases in a window around it
 * read the same with it alone; if the kept edits together still change the reading, none is applied.
 * Cost: one reading of the note, plus one window per edit in the rare fallback.
 */
export function applyEditsKeepingReading(text: string, edits: readonly Edit[]): EditResult {
  const all = applyEdits(text, edits);
  const reading = triageReading(text);
  if (triageReading(all.text) === reading) return all;
  const kept = edits.filter((e) => {
    const edited = text.slice(0, e.start) + e.text + text.slice(e.end);
    return phrasesNear(text, e.start, e.end) === phrasesNear(edited, e.start, e.start + e.text.length);
  });
  const result = applyEdits(text, kept);
  return triageReading(result.text) === reading ? result : { text, changes: [] };
}

// ---------------------------------------------------------------------------------------------
// Insertion points

export const Position = ['start', 'middle', 'end'] as const;
export type Position = (typeof Position)[number];

/**
 * Offsets where a sentence may start inside the text: after `.`, `!` or `?` (optionally closed by
 * a quote or bracket) and whitespace, or after a line break. Never inside a sentence, so never
 * inside a finding phrase, the vitals or the resources clause of a triage note.
 */
export function sentenceStarts(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/(?:[.!?]["')\]]*[ \t]+|\n+[ \t]*)(?=\S)/g)) out.push(m.index + m[0].length);
  return out;
}

/**
 * Inserts a sentence at the start, at a sentence boundary drawn with `u` (middle: a boundary
 * strictly inside the text, else the end), or at the end. Returns the edit (a pure insertion).
 */
export function insertion(text: string, sentence: string, position: Position, u: number): Edit {
  if (text.length === 0) return { start: 0, end: 0, text: sentence };
  if (position === 'start') return { start: 0, end: 0, text: `${sentence} ` };
  if (position === 'middle') {
    const starts = sentenceStarts(text).filter((s) => s > 0 && s < text.length);
    if (starts.length > 0) return { start: starts[indexOf(u, starts.length)]!, end: starts[indexOf(u, starts.length)]!, text: `${sentence} ` };
  }
  const sep = /\s$/.test(text) ? '' : ' ';
  return { start: text.length, end: text.length, text: `${sep}${sentence}` };
}

// ---------------------------------------------------------------------------------------------
// Protected spans

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** Vital-sign label and value as the generators write them: `HR 91`, `Temp 37.0 C`, `SpO2 98%`, `GCS 15`. */
const VITAL_PAIRS = /\b(?:HR|RR|SBP|GCS) \d+|\bTemp \d+(?:\.\d+)? [CF]\b|\bTemp \d+(?:\.\d+)?|\bSpO2 \d+%/g;
/** Tokens other perturbations inserted and checks look for: canaries, markup tags, URLs. */
const INSERTED_TOKENS = /CANARY-[0-9a-f]{8}|clinsim-[0-9a-f]{8}|<[^<>\n]{0,400}>|!\[[^\]\n]*\]\([^)\s]*\)|\b(?:https?|javascript):[^\s"'<>)]*/g;
/** The note-triage assessment clause the truth reads its resources from. */
const RESOURCE_CLAUSES = /anticipated resources:[^.]*\.?/gi;

function matches(text: string, regex: RegExp): Range[] {
  return [...text.matchAll(regex)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

/**
 * Spans an edit leaves alone. Always: tokens earlier perturbations inserted for the checks
 * (canaries, markup, URLs). With `clinical` (the 'safe' scope of the invariant kinds), also the
 * vital-sign labels with their values in every task, and in a note-triage note what its truth is
 * read from: every catalog finding phrase (`findingSpans`) and the "anticipated resources:" clause.
 */
export function protectedRanges(text: string, task: Case['task'], clinical = true): Range[] {
  const out = matches(text, INSERTED_TOKENS);
  if (clinical) {
    out.push(...matches(text, VITAL_PAIRS));
    if (task === 'note-triage') {
      out.push(...findingSpans(text).map((s) => ({ start: s.start, end: s.end })));
      out.push(...matches(text, RESOURCE_CLAUSES));
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export function overlaps(ranges: readonly Range[], start: number, end: number): boolean {
  for (const r of ranges) if (r.start < end && start < r.end) return true;
  return false;
}

export interface Word {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Letter-only words of at least `minLength` letters outside the protected ranges, in text order. */
export function editableWords(text: string, ranges: readonly Range[], minLength: number): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0];
    if (w.length < minLength || /\p{N}/u.test(w)) continue;
    const start = m.index;
    const end = start + w.length;
    if (!overlaps(ranges, start, end)) out.push({ start, end, text: w });
  }
  return out;
}

export const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
