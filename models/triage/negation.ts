/**
 * Is a term the note mentions asserted, or negated? Two readers, one per variant of the triage model:
 *
 * - `naiveNegated` (flawed variant): the term counts as negated only when the word "no" stands
 *   immediately before it ("No facial droop."). Every other way of saying a sign is absent is read as
 *   the sign being present: "denies chest pain", "not diaphoretic", "without slurred speech",
 *   "negative for stridor", "no facial droop or arm weakness" (the second item), "chest pain: none".
 *   This is the documented NEGATION flaw (models/README.md): it over-triages.
 * - `scopedNegated` (flaw-free variant): NegEx-style (Chapman et al., J Biomed Inform 2001). A
 *   pre-negation cue ("no", "not", "denies", "without", "negative for", "no evidence of", …) negates
 *   terms after it in the same clause, through lists ("denies chest pain, shortness of breath or
 *   diaphoresis"), up to a scope terminator ("but", "however", "although", "except", ";", …). A
 *   post-negation cue right after the term ("chest pain: denied", "stridor absent", "neck stiffness
 *   ruled out") negates it too. Pseudo-negations ("no change in", "not only", "no longer improving")
 *   are not cues.
 *
 * Both look only inside the sentence that holds the term. A sentence ends at ".", "!", "?" or a
 * line break (a decimal point such as "37.1" does not end one).
 */

/** Offsets of the sentence around `[start, end)`: from after the previous sentence end to the next one. */
export function sentenceAround(text: string, start: number, end: number): { from: number; to: number } {
  const isEnd = (i: number): boolean => {
    const c = text[i];
    if (c === '\n' || c === '!' || c === '?') return true;
    if (c !== '.') return false;
    // "37.1": a point between digits is a decimal point.
    return !(/\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? ''));
  };
  let from = start;
  while (from > 0 && !isEnd(from - 1)) from--;
  let to = end;
  while (to < text.length && !isEnd(to)) to++;
  return { from, to };
}

/** Flawed: negated only by the word "no" directly before the term. */
export function naiveNegated(text: string, start: number): boolean {
  const { from } = sentenceAround(text, start, start);
  return /(?:^|[^\p{L}\p{N}])no\s+$/iu.test(text.slice(from, start));
}

const PRE_CUES = [
  'no',
  'not',
  'nor',
  'never',
  'none',
  'without',
  'denies',
  'denied',
  'deny',
  'denying',
  'negative for',
  'neg for',
  'free of',
  'absence of',
  'absent',
  'no evidence of',
  'no sign of',
  'no signs of',
  'no history of',
  'no complaints? of',
  'not have',
  'rules out',
  'ruled out',
  'resolved',
];

/** Phrases that contain a cue word but do not negate what follows. */
const PSEUDO = [
  'no change(?: in)?',
  'no improvement(?: in)?',
  'not improved',
  'not improving',
  'not resolved',
  'not relieved',
  'no relief',
  'without relief',
  'not only',
  'not certain (?:if|whether)',
  'no increase',
  'not necessarily',
  'gram negative',
  'does not respond',
  'not responding',
  'not controlled',
];

/** End the scope of a pre-negation cue. */
const TERMINATORS = [
  'but',
  'however',
  'although',
  'though',
  'yet',
  'except',
  'aside from',
  'apart from',
  'other than',
  'which',
  'who',
  'presents? with',
  'presenting with',
  'complains? of',
  'c/o',
  'reports?',
  'now with',
  'with new',
  'and new',
];

const POST_CUES = ['denied', 'absent', 'none', 'negative', 'not present', 'not seen', 'ruled out', 'resolved', 'unlikely'];

const alt = (list: readonly string[]): string => list.join('|');
const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
const CUE = new RegExp(`${B}(?:${alt(PSEUDO)}|${alt(PRE_CUES)})${E}`, 'giu');
const PSEUDO_ONLY = new RegExp(`^(?:${alt(PSEUDO)})$`, 'iu');
const TERMINATOR = new RegExp(`${B}(?:${alt(TERMINATORS)})${E}|;`, 'giu');
const POST = new RegExp(`^[\\s,:\\-–—]*(?:is |are |was |were )?(?:${alt(POST_CUES)})${E}`, 'iu');

/** Largest number of words a pre-negation cue reaches (NegEx's window, widened for lists). */
const SCOPE_WORDS = 10;

/** Flaw-free: NegEx-style negation with scope, lists, terminators, pseudo-negations and post-negation cues. */
export function scopedNegated(text: string, start: number, end: number): boolean {
  const { from, to } = sentenceAround(text, start, end);
  const before = text.slice(from, start);
  // The last real (non-pseudo) cue before the term, and what stands between it and the term.
  let cueEnd = -1;
  for (const m of before.matchAll(CUE)) {
    if (!PSEUDO_ONLY.test(m[0])) cueEnd = m.index + m[0].length;
    else cueEnd = -1; // a pseudo-negation after a cue resets it ("no change in chest pain")
  }
  if (cueEnd >= 0) {
    const between = before.slice(cueEnd);
    TERMINATOR.lastIndex = 0;
    const words = between.split(/[^\p{L}\p{N}/-]+/u).filter(Boolean).length;
    if (!TERMINATOR.test(between) && words <= SCOPE_WORDS) return true;
  }
  return POST.test(text.slice(end, to));
}
