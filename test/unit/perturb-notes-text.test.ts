/** notes.typos, notes.abbreviations, notes.homoglyphs, notes.bloat, notes.contradiction. */
import { describe, expect, it } from 'vitest';
import type { Case, TaskName } from '../../simulator/case.ts';
import { classOfNote, findingSpans, readTriageNote, vitalsOfNote } from '../../simulator/cohort/note-triage/index.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { noteText } from '../../simulator/fhir/bundle-access.ts';
import { ABBREVIATIONS, notesAbbreviations } from '../../simulator/perturb/notes/abbreviations.ts';
import { notesBloat } from '../../simulator/perturb/notes/bloat.ts';
import { contradictable, notesContradiction } from '../../simulator/perturb/notes/contradiction.ts';
import { HOMOGLYPHS, notesHomoglyphs } from '../../simulator/perturb/notes/homoglyphs.ts';
import { applyEditsKeepingReading, findNote, protectedRanges, sentenceStarts, withNote } from '../../simulator/perturb/notes/text.ts';
import { notesTypos, typo } from '../../simulator/perturb/notes/typos.ts';
import type { PerturbationDefinition } from '../../simulator/perturb/perturbation.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { deepFreeze } from './perturb-fixtures.ts';

const cohort = { seed: 2468 };
const gen = (task: TaskName, i: number): Case => deepFreeze(tasks[task].generate(cohort, i));
const ctx = (task: TaskName, i: number, arm = 'arm') => ({ rng: perturbationStream(cohort.seed, arm, 0, i), task: tasks[task], cohort });
const issues = <P>(def: PerturbationDefinition<P>, v: unknown) => def.params.safeParse(v).error?.issues ?? [];
const digits = (s: string) => s.match(/\d+(?:\.\d+)?/g) ?? [];

/** A case whose note is `text` (the note-triage case 0's bundle otherwise). */
function withText(text: string, task: TaskName = 'note-triage'): Case {
  const base = tasks[task].generate(cohort, 0);
  return withNote(base, findNote(base.bundle)!, text);
}

describe('protection of what the triage truth reads', () => {
  const text =
    'Pt is a 50 y/o M c/o dizziness x 1 day. Knot facial droop. VS: HR 80, RR 16, SBP 130, Temp 36.8 C, SpO2 98% on room air. Denies chest pain. A/P: anticipated resources: labs, CT head.';

  it('protected ranges cover the vitals, the catalog phrases and the resources clause (note-triage)', () => {
    const covered = (s: string, task: TaskName) => protectedRanges(text, task).some((r) => text.slice(r.start, r.end).includes(s));
    for (const s of ['HR 80', 'Temp 36.8 C', 'SpO2 98%', 'Denies chest pain', 'anticipated resources: labs, CT head.']) expect(covered(s, 'note-triage'), s).toBe(true);
    expect(covered('Denies chest pain', 'sepsis')).toBe(false);
    expect(covered('HR 80', 'sepsis')).toBe(true);
    expect(protectedRanges(text, 'note-triage', false)).toEqual([]);
  });

  it('an edit that would form a catalog phrase with its neighbours is dropped, the others kept', () => {
    const knot = text.indexOf('Knot');
    const dizzy = text.indexOf('dizziness');
    const out = applyEditsKeepingReading(text, [
      { start: dizzy, end: dizzy + 9, text: 'dizzinses' },
      { start: knot, end: knot + 4, text: 'No' }, // "No facial droop" would be read as a denied finding
    ]);
    expect(out.text).toBe(text.replace('dizziness', 'dizzinses'));
    expect(readTriageNote(out.text)).toEqual(readTriageNote(text));
    expect(out.changes).toHaveLength(1);
  });
});

describe('notes.typos', () => {
  it('typo() always changes the word and keeps its first letter', () => {
    for (const word of ['pain', 'history', 'presenting', 'aaaa', 'Triage', 'oooo']) {
      for (let k = 0; k < 200; k++) {
        const out = typo(word, (k % 4) / 4 + 0.01, ((k * 7) % 13) / 13, ((k * 3) % 11) / 11);
        expect(out, `${word} ${k}`).not.toBe(word);
        expect(out.charAt(0)).toBe(word.charAt(0));
        expect(Math.abs(out.length - word.length)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('never changes a number, and (safe scope) never a finding phrase, the vitals or the resources', () => {
    let words = 0;
    for (let i = 0; i < 300; i++) {
      for (const task of ['sepsis', 'note-triage'] as const) {
        const base = gen(task, i);
        const before = noteText(base.bundle)!;
        const out = notesTypos.apply(base, notesTypos.params.parse({ rate: 0.5 }), ctx(task, i));
        const after = noteText(out.case.bundle)!;
        expect(digits(after)).toEqual(digits(before));
        if (task === 'note-triage') {
          expect(readTriageNote(after)).toEqual(readTriageNote(before));
          expect(findingSpans(after).map((s) => after.slice(s.start, s.end))).toEqual(findingSpans(before).map((s) => before.slice(s.start, s.end)));
        }
        for (const ch of out.changes) {
          const b = (ch.before as { text: string }).text;
          expect(b).toMatch(/^\p{L}{4,}$/u);
          words++;
        }
      }
    }
    expect(words).toBeGreaterThan(2000);
  });

  it('rate is the share of eligible words that get a typo', () => {
    let edited = 0;
    let eligible = 0;
    for (let i = 0; i < 400; i++) {
      const base = gen('sepsis', i);
      const all = notesTypos.apply(base, notesTypos.params.parse({ rate: 1 }), ctx('sepsis', i));
      const some = notesTypos.apply(base, notesTypos.params.parse({ rate: 0.2 }), ctx('sepsis', i));
      eligible += all.changes.length;
      edited += some.changes.length;
      // The same stream: the words of rate 0.2 are among those of rate 1, with the same typo.
      for (const ch of some.changes) expect(all.changes.map((c) => JSON.stringify(c.before))).toContain(JSON.stringify(ch.before));
    }
    expect(Math.abs(edited / eligible - 0.2)).toBeLessThan(0.02);
  });

  it("scope 'all' reaches finding phrases (degrading)", () => {
    let findingsHit = 0;
    for (let i = 0; i < 100; i++) {
      const base = gen('note-triage', i);
      const before = noteText(base.bundle)!;
      const out = notesTypos.apply(base, notesTypos.params.parse({ rate: 1, scope: 'all' }), ctx('note-triage', i));
      if (findingSpans(noteText(out.case.bundle)!).length < findingSpans(before).length) findingsHit++;
      expect(out.case.truth).toBe(base.truth);
    }
    expect(findingsHit).toBeGreaterThan(80);
  });

  it('validates params and names the field', () => {
    expect(issues(notesTypos, {})).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues(notesTypos, { rate: 2 })).toEqual([expect.objectContaining({ path: ['rate'], message: 'must be between 0 and 1' })]);
    expect(issues(notesTypos, { rate: 0.1, scope: 'most' })).toEqual([expect.objectContaining({ path: ['scope'] })]);
    expect(issues(notesTypos, { rate: 0.1, seed: 3 })[0]?.message).toMatch(/"seed"/);
  });
});

describe('notes.abbreviations', () => {
  it('abbreviates the usual phrases', () => {
    const text =
      '72-year-old woman presenting with shortness of breath for 2 days. History of hypertension, type 2 diabetes and chronic kidney disease. Blood pressure medication ran out. HR 88, RR 18, SBP 150, Temp 37.1 C, SpO2 97% on room air.';
    const out = notesAbbreviations.apply(withText(text, 'sepsis'), {}, ctx('sepsis', 0));
    expect(noteText(out.case.bundle)).toBe('72 y/o F p/w SOB for 2 days. H/o HTN, T2DM and CKD. BP med ran out. HR 88, RR 18, SBP 150, Temp 37.1 C, SpO2 97% on RA.');
  });

  it('in note-triage, leaves the catalog phrases and the resources clause as written', () => {
    const text =
      '60-year-old man presenting with chest pain for 1 hour. Denies shortness of breath. History of hypertension. Triage vitals: HR 90, RR 18, SBP 140, Temp 37.0 C, SpO2 97% on room air. Alert and oriented. Assessment: anticipated resources: labs and chest x-ray.';
    const out = notesAbbreviations.apply(withText(text), {}, ctx('note-triage', 0));
    expect(noteText(out.case.bundle)).toBe(
      '60 y/o M p/w chest pain for 1 hour. Denies shortness of breath. H/o HTN. Triage vitals: HR 90, RR 18, SBP 140, Temp 37.0 C, SpO2 97% on RA. Alert and oriented. Assessment: anticipated resources: labs and chest x-ray.',
    );
  });

  it('rate thins the occurrences; every abbreviation is shorter than its phrase', () => {
    let all = 0;
    let half = 0;
    for (let i = 0; i < 300; i++) {
      const base = gen('note-triage', i);
      all += notesAbbreviations.apply(base, {}, ctx('note-triage', i)).changes.length;
      half += notesAbbreviations.apply(base, { rate: 0.5 }, ctx('note-triage', i)).changes.length;
    }
    expect(Math.abs(half / all - 0.5)).toBeLessThan(0.05);
    for (const [phrase, abbr] of Object.entries(ABBREVIATIONS)) expect(abbr.length, phrase).toBeLessThan(phrase.length);
  });

  it('validates params and names the field', () => {
    expect(issues(notesAbbreviations, { rate: -1 })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues(notesAbbreviations, { rate: 'all' })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues(notesAbbreviations, { list: [] })[0]?.message).toMatch(/"list"/);
  });
});

describe('notes.homoglyphs', () => {
  const REVERSE = new Map(Object.entries(HOMOGLYPHS).flatMap(([latin, alts]) => alts.map((a) => [a, latin] as const)));
  const unconfuse = (s: string) => [...s].map((ch) => REVERSE.get(ch) ?? ch).join('');

  it('replaces Latin letters by look-alikes only: mapping them back gives the original note', () => {
    let replaced = 0;
    for (let i = 0; i < 200; i++) {
      for (const task of ['sepsis', 'note-triage'] as const) {
        const base = gen(task, i);
        const before = noteText(base.bundle)!;
        const out = notesHomoglyphs.apply(base, notesHomoglyphs.params.parse({ rate: 0.3 }), ctx(task, i));
        const after = noteText(out.case.bundle)!;
        expect(after.length).toBe(before.length);
        expect(unconfuse(after)).toBe(before);
        replaced += [...after].filter((ch) => REVERSE.has(ch)).length;
        if (task === 'note-triage') expect(readTriageNote(after)).toEqual(readTriageNote(before));
        expect(vitalsOfNote(after)).toEqual(vitalsOfNote(before));
      }
    }
    expect(replaced).toBeGreaterThan(3000);
    for (const alts of Object.values(HOMOGLYPHS)) for (const a of alts) expect(a).toMatch(/^[\u0370-\u03FF\u0400-\u04FF]$/);
  });

  it("scope 'all' breaks what an exact reader sees (degrading)", () => {
    let unreadable = 0;
    for (let i = 0; i < 100; i++) {
      const out = notesHomoglyphs.apply(gen('note-triage', i), notesHomoglyphs.params.parse({ rate: 1, scope: 'all' }), ctx('note-triage', i));
      if (classOfNote(noteText(out.case.bundle)!) === undefined) unreadable++;
    }
    expect(unreadable).toBe(100);
  });

  it('validates params and names the field', () => {
    expect(issues(notesHomoglyphs, {})).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues(notesHomoglyphs, { rate: 1.5 })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues(notesHomoglyphs, { rate: 1, scope: 1 })).toEqual([expect.objectContaining({ path: ['scope'] })]);
  });
});

describe('notes.bloat', () => {
  it('prepends copies of the note, oldest first, with dated headers', () => {
    const base = gen('note-triage', 7);
    const text = noteText(base.bundle)!;
    const out = notesBloat.apply(base, notesBloat.params.parse({ copies: 4 }), ctx('note-triage', 7));
    const after = noteText(out.case.bundle)!;
    expect(after.endsWith(`\n\n${text}`)).toBe(true);
    const blocks = after.split('\n\n');
    expect(blocks).toHaveLength(5);
    const dates = blocks.slice(0, 4).map((b) => /^\[Copied forward from note of (\d{4}-\d{2}-\d{2})\] /.exec(b)![1]!);
    expect([...dates].sort()).toEqual(dates);
    expect(dates[3]! < base.bundle.timestamp!.slice(0, 10)).toBe(true);
    for (const b of blocks.slice(0, 4)) expect(b.slice(b.indexOf('] ') + 2)).toBe(text);
    expect(out.changes).toEqual([{ path: 'note.bloat', before: { chars: text.length }, after: { chars: after.length, copies: 4, offset: 0, inserted: after.length - text.length } }]);
  });

  it('chars: whole copies until the note is at least that long', () => {
    for (let i = 0; i < 50; i++) {
      const base = gen('sepsis', i);
      const text = noteText(base.bundle)!;
      const out = notesBloat.apply(base, notesBloat.params.parse({ chars: 10_000 }), ctx('sepsis', i));
      const after = noteText(out.case.bundle)!;
      expect(after.length).toBeGreaterThanOrEqual(10_000);
      const copies = (out.changes[0]!.after as { copies: number }).copies;
      expect(after.length - (text.length + 2 + text.length + 41)).toBeLessThan(10_000); // one copy fewer would be short
      expect(after.split('[Copied forward').length - 1).toBe(copies);
    }
    const short = gen('sepsis', 0);
    expect(notesBloat.apply(short, { chars: 10 }, ctx('sepsis', 0))).toEqual({ case: short, changes: [] });
  });

  it('validates params and names the field', () => {
    expect(issues(notesBloat, { copies: 0 })).toEqual([expect.objectContaining({ path: ['copies'] })]);
    expect(issues(notesBloat, { copies: 1.5 })).toEqual([expect.objectContaining({ path: ['copies'] })]);
    expect(issues(notesBloat, { chars: 10_000_000 })).toEqual([expect.objectContaining({ path: ['chars'] })]);
    expect(issues(notesBloat, { copies: 2, chars: 100 })).toEqual([expect.objectContaining({ path: ['chars'], message: expect.stringMatching(/not both/) })]);
  });
});

describe('notes.contradiction', () => {
  it('adds a sentence stating the opposite of a finding or another value of a vital, after it', () => {
    const kinds = { finding: 0, vital: 0 };
    for (let i = 0; i < 300; i++) {
      for (const task of ['sepsis', 'note-triage'] as const) {
        const base = gen(task, i);
        const before = noteText(base.bundle)!;
        const out = notesContradiction.apply(base, {}, ctx(task, i));
        const after = noteText(out.case.bundle)!;
        const ins = out.changes.find((c) => c.path === 'note.text')!;
        const added = (ins.after as { text: string }).text.trim();
        const what = out.changes.find((c) => c.path === 'note.contradiction')!;
        const b = what.before as { finding?: string; state?: string; vital?: string };
        const a = what.after as { finding?: string; state?: string; vital?: string };
        if (b.finding !== undefined) {
          kinds.finding++;
          expect(a.finding).toBe(b.finding);
          expect(a.state).not.toBe(b.state);
          // The added sentence states the finding in the other state.
          expect(findingSpans(added)).toEqual([expect.objectContaining({ id: b.finding, state: a.state })]);
        } else {
          kinds.vital++;
          expect(added).toContain(a.vital);
          expect(before).toContain(b.vital);
          const [label] = b.vital!.split(' ');
          expect(a.vital!.split(' ')[0]).toBe(label);
          expect(a.vital).not.toBe(b.vital);
          expect(vitalsOfNote(after)).toEqual(vitalsOfNote(before)); // the vitals sentence is untouched
        }
        // After the contradicted statement.
        const offset = (ins.before as { offset: number }).offset;
        expect(offset === before.length || sentenceStarts(before).includes(offset)).toBe(true);
        if (task === 'note-triage') expect(out.case.truth.class).toBe(classOfNote(after));
        else expect(out.case.truth).toBe(base.truth);
      }
    }
    expect(kinds.finding).toBeGreaterThan(100);
    expect(kinds.vital).toBeGreaterThan(100);
  });

  it('a contradicted vital crosses its clinical threshold', () => {
    const text = 'Triage vitals: HR 118, RR 14, SBP 85, Temp 101.3 F, SpO2 97% on room air, GCS 15.';
    const c = withText(text, 'sepsis');
    const seen = new Set<string>();
    for (let k = 0; k < 200; k++) {
      const out = notesContradiction.apply(c, { target: 'vital' }, { ...ctx('sepsis', 0), rng: perturbationStream(1, `k${k}`, 0, 0) });
      const v = (out.changes.find((ch) => ch.path === 'note.contradiction')!.after as { vital: string }).vital;
      const [label, raw] = v.split(' ');
      const n = Number.parseFloat(raw!);
      seen.add(label!);
      if (label === 'HR') expect(n).toBeLessThanOrEqual(100);
      if (label === 'RR') expect(n).toBeGreaterThan(20);
      if (label === 'SBP') expect(n).toBeGreaterThanOrEqual(100);
      if (label === 'Temp') expect(n).toBeLessThan(100.4);
      if (label === 'SpO2') expect(n).toBeLessThan(92);
      if (label === 'GCS') expect(n).toBeLessThan(15);
    }
    expect(seen).toEqual(new Set(['HR', 'RR', 'SBP', 'Temp', 'SpO2', 'GCS']));
  });

  it('note-triage: contradicting a denied danger sign makes the note emergent (a finding stated both ways is present)', () => {
    const text =
      '50-year-old man presenting with dizziness for 1 hour. Triage vitals: HR 80, RR 16, SBP 130, Temp 36.8 C, SpO2 98% on room air. No facial droop. Assessment: anticipated resources: labs and CT head.';
    const c = { ...withText(text), truth: { class: 'urgent', label: 0 as const } };
    expect(contradictable(text, 'finding')).toEqual([expect.objectContaining({ kind: 'finding', id: 'facial-droop', state: 'absent' })]);
    const out = notesContradiction.apply(c, { target: 'finding' }, ctx('note-triage', 0));
    expect(noteText(out.case.bundle)).toMatch(/No facial droop\. (Assessment: .*)?Left-sided facial droop\./);
    expect(out.case.truth).toEqual({ class: 'emergent', label: 1 });
    expect(out.changes.at(-1)).toEqual({ path: 'truth', before: { class: 'urgent', label: 0 }, after: { class: 'emergent', label: 1 } });
  });

  it('validates params and names the field', () => {
    expect(issues(notesContradiction, { target: 'lab' })).toEqual([expect.objectContaining({ path: ['target'], message: expect.stringMatching(/finding/) })]);
    expect(issues(notesContradiction, { target: 'vital', rate: 1 })[0]?.message).toMatch(/"rate"/);
    expect(issues(notesContradiction, {})).toEqual([]);
  });
});
