import { notesAbbreviations } from './abbreviations.ts';
import { notesBloat } from './bloat.ts';
import { notesContradiction } from './contradiction.ts';
import { notesHomoglyphs } from './homoglyphs.ts';
import { notesInjection } from './injection.ts';
import { notesMarkup } from './markup.ts';
import { notesNegation } from './negation.ts';
import { notesPhiBait } from './phi-bait.ts';
import { notesTypos } from './typos.ts';

/** Adversarial clinical text: the note a model reads is changed. */
export const notesKinds = {
  'notes.injection': notesInjection,
  'notes.negation': notesNegation,
  'notes.typos': notesTypos,
  'notes.abbreviations': notesAbbreviations,
  'notes.contradiction': notesContradiction,
  'notes.bloat': notesBloat,
  'notes.phiBait': notesPhiBait,
  'notes.homoglyphs': notesHomoglyphs,
  'notes.markup': notesMarkup,
} as const;
