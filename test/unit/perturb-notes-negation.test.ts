/** notes.negation: the truth is recomputed correctly, in the declared direction; other tasks keep theirs. */
import { describe, expect, it } from 'vitest';
import type { Case } from '../../simulator/case.ts';
import {
  classOfNote,
  FINDINGS,
  findingSpans,
  readTriageNote,
  triageClassOf,
  type FindingId,
  type FindingState,
} from '../../simulator/cohort/note-triage/index.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { noteText } from '../../simulator/fhir/bundle-access.ts';
import { notesNegation, sentenceNegations } from '../../simulator/perturb/notes/negation.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { deepFreeze } from './perturb-fixtures.ts';

const cohort = { seed: 98765 };
const ctx = (task: 'sepsis' | 'note-triage' | 'med-safety', i: number) => ({ rng: perturbationStream(cohort.seed, 'neg', 0, i), task: tasks[task], cohort });
const RANK = { 'non-urgent': 0, urgent: 1, emergent: 2 } as const;
const params = (p: unknown) => notesNegation.params.parse(p);

describe('notes.negation on note-triage', () => {
  it.each(['present', 'absent'] as const)('from %s: the truth is triageClassOf of the flipped record (500 cases)', (from) => {
    let changedClass = 0;
    let negated = 0;
    for (let i = 0; i < 500; i++) {
      const base: Case = deepFreeze(tasks['note-triage'].generate(cohort, i));
      const original = noteText(base.bundle)!;
      const read = readTriageNote(original)!;
      const out = notesNegation.apply(base, params({ from }), ctx('note-triage', i));
      const stated = Object.entries(read.findings.findings).filter(([, s]) => s === from);
      if (stated.length === 0) {
        expect(out).toEqual({ case: base, changes: [] });
        continue;
      }
      negated++;
      const flip = out.changes.find((c) => c.path === 'note.finding')!;
      const { id } = flip.before as { id: FindingId; state: FindingState };
      expect(flip.before).toEqual({ id, state: from });
      expect(flip.after).toEqual({ id, state: from === 'present' ? 'absent' : 'present' });
      // The expected record: the original one with that finding toggled.
      const flipped = { ...read.findings, findings: { ...read.findings.findings, [id]: from === 'present' ? 'absent' : 'present' } };
      const expected = triageClassOf(flipped, read.vitals);
      const text = noteText(out.case.bundle)!;
      expect(readTriageNote(text)!.findings).toEqual(flipped);
      expect(readTriageNote(text)!.vitals).toEqual(read.vitals);
      expect(out.case.truth.class, `case ${i}: ${text}`).toBe(expected);
      expect(classOfNote(text)).toBe(expected);
      expect(out.case.truth.label).toBe(expected === 'emergent' ? 1 : 0);
      // Directional: the urgency moves only the declared way.
      const move = RANK[expected] - RANK[base.truth.class as keyof typeof RANK];
      if (from === 'present') expect(move).toBeLessThanOrEqual(0);
      else expect(move).toBeGreaterThanOrEqual(0);
      const truthChange = out.changes.find((c) => c.path === 'truth');
      if (expected !== base.truth.class) {
        changedClass++;
        expect(truthChange).toEqual({ path: 'truth', before: { class: base.truth.class, label: base.truth.label }, after: { class: expected, label: out.case.truth.label } });
      } else {
        expect(truthChange).toBeUndefined();
        expect(out.case.truth).toBe(base.truth);
      }
      // Every statement of the finding in the negated state was rewritten, nothing else.
      expect(findingSpans(text).filter((s) => s.id === id).every((s) => s.state !== from)).toBe(true);
    }
    expect(negated).toBeGreaterThan(from === 'present' ? 300 : 400);
    // Most asserted findings are level 0 or one of several reasons to be emergent; most denied ones are danger signs.
    expect(changedClass).toBeGreaterThan(from === 'present' ? 10 : 40);
  });

  it('the draw picks uniformly among the stated findings', () => {
    const picks = new Map<string, number>();
    const base = deepFreeze(tasks['note-triage'].generate(cohort, 0));
    const text = noteText(base.bundle)!;
    const candidates = new Set(findingSpans(text).filter((s) => s.state === 'absent').map((s) => s.id));
    for (let k = 0; k < 600; k++) {
      const out = notesNegation.apply(base, params({ from: 'absent' }), { ...ctx('note-triage', 0), rng: perturbationStream(cohort.seed, `k${k}`, 0, 0) });
      const id = (out.changes.find((c) => c.path === 'note.finding')!.before as { id: string }).id;
      picks.set(id, (picks.get(id) ?? 0) + 1);
    }
    expect(new Set(picks.keys())).toEqual(candidates);
    for (const n of picks.values()) expect(Math.abs(n / 600 - 1 / candidates.size)).toBeLessThan(0.08);
  });

  it('finding restricts the choice; a finding the note does not state in that state is a no-op', () => {
    for (let i = 0; i < 300; i++) {
      const base = tasks['note-triage'].generate(cohort, i);
      const read = readTriageNote(noteText(base.bundle)!)!;
      const out = notesNegation.apply(base, params({ finding: 'chest-pain' }), ctx('note-triage', i));
      if (read.findings.findings['chest-pain'] === 'present') {
        expect(out.changes.find((c) => c.path === 'note.finding')!.before).toEqual({ id: 'chest-pain', state: 'present' });
        expect(out.case.truth.class).not.toBe('emergent' === base.truth.class ? 'impossible' : 'emergent');
      } else expect(out.changes).toEqual([]);
    }
  });

  it('a phrase inside a sentence is replaced by a "no …" phrase; a sentence by the first phrase of the other state', () => {
    const base = tasks['note-triage'].generate(cohort, 0);
    const doc = base.bundle.entry!.find((e) => e.resource?.resourceType === 'DocumentReference')!;
    const make = (text: string): Case => {
      const entry = base.bundle.entry!.map((e) =>
        e === doc ? { ...e, resource: { ...doc.resource!, content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(text).toString('base64') } }] } } : e,
      ) as typeof base.bundle.entry;
      return { ...base, bundle: { ...base.bundle, entry } };
    };
    const vitals = 'Triage vitals: HR 80, RR 16, SBP 130, Temp 36.8 C, SpO2 98% on room air.';
    const inSentence = make(`55-year-old man presenting with chest pain for 2 hours. ${vitals} Assessment: anticipated resources: labs and chest x-ray.`);
    const a = notesNegation.apply(inSentence, params({}), ctx('note-triage', 0));
    expect(noteText(a.case.bundle)).toContain('presenting with no chest pain for 2 hours.');
    expect(a.case.truth.class).toBe('urgent');
    const own = make(`55-year-old man presenting with dizziness for 2 hours. ${vitals} Left-sided facial droop. Assessment: anticipated resources: labs and CT head.`);
    const b = notesNegation.apply(own, params({}), ctx('note-triage', 0));
    expect(noteText(b.case.bundle)).toContain(' No facial droop. ');
    expect(b.changes[0]).toEqual({ path: 'note.text', before: { offset: expect.any(Number), text: 'Left-sided facial droop' }, after: { offset: expect.any(Number), text: 'No facial droop' } });
    expect(b.case.truth).toEqual({ ...own.truth, class: 'urgent', label: 0 });
    const bothWays = make(`Chest pain. ${vitals} Denies chest pain. Assessment: anticipated resources: labs.`);
    const c = notesNegation.apply(bothWays, params({}), ctx('note-triage', 0));
    expect(readTriageNote(noteText(c.case.bundle)!)!.findings.findings['chest-pain']).toBe('absent');
  });

  it('every catalog finding can be negated both ways', () => {
    for (const id of Object.keys(FINDINGS) as FindingId[]) {
      for (const phrase of [...FINDINGS[id].present, ...FINDINGS[id].absent]) {
        const sentence = phrase.charAt(0).toUpperCase() + phrase.slice(1);
        const text = `40-year-old woman presenting with a problem for 1 day. ${sentence}. Triage vitals: HR 80, RR 16, SBP 130, Temp 36.8 C, SpO2 98% on room air. Assessment: anticipated resources: labs and IV fluids.`;
        const state: FindingState = (FINDINGS[id].present as readonly string[]).includes(phrase) ? 'present' : 'absent';
        const base = tasks['note-triage'].generate(cohort, 1);
        const doc = base.bundle.entry!.findIndex((e) => e.resource?.resourceType === 'DocumentReference');
        const entry = [...base.bundle.entry!];
        const resource = entry[doc]!.resource as { content: { attachment: object }[] };
        entry[doc] = { ...entry[doc]!, resource: { ...resource, content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(text).toString('base64') } }] } as never };
        const c: Case = { ...base, bundle: { ...base.bundle, entry }, truth: { class: classOfNote(text), label: classOfNote(text) === 'emergent' ? 1 : 0 } };
        const out = notesNegation.apply(c, params({ from: state }), ctx('note-triage', 1));
        const after = readTriageNote(noteText(out.case.bundle)!)!;
        expect(after.findings.findings[id], phrase).toBe(state === 'present' ? 'absent' : 'present');
        expect(out.case.truth.class).toBe(triageClassOf(after.findings, after.vitals));
      }
    }
  });
});

describe('notes.negation on other tasks', () => {
  it('sepsis: a sentence is negated by the rules; the truth (from the structured data) is unchanged', () => {
    let negated = 0;
    for (const from of ['present', 'absent'] as const) {
      for (let i = 0; i < 300; i++) {
        const base = deepFreeze(tasks.sepsis.generate(cohort, i));
        const out = notesNegation.apply(base, params({ from }), ctx('sepsis', i));
        expect(out.case.truth).toBe(base.truth);
        const candidates = sentenceNegations(noteText(base.bundle)!, from);
        expect(out.changes).toHaveLength(candidates.length > 0 ? 1 : 0);
        if (out.changes.length > 0) negated++;
      }
    }
    expect(negated).toBeGreaterThan(300);
  });

  it('sentence rules', () => {
    const text =
      'Pt is a 70 y/o F c/o cough x 2 days. History of COPD and cancer. VS: HR 112, RR 24, SBP 98, Temp 38.4 C, SpO2 90% on room air, GCS 14. Confused. Patient is febrile, tachycardic and tachypneic.';
    const present = sentenceNegations(text, 'present').map((e) => [text.slice(e.start, e.end), e.text]);
    expect(present).toEqual([
      ['History of COPD and cancer.', 'No history of COPD and cancer.'],
      ['Confused.', 'Not confused.'],
      ['Patient is febrile, tachycardic and tachypneic.', 'Patient is not febrile, tachycardic or tachypneic.'],
    ]);
    const calm = 'Chief complaint: headache, 6 hours. 36 yo female. No significant past medical history. Vitals at triage: HR 91, RR 20, SBP 140, Temp 37.0 C, SpO2 98% on room air, GCS 15. No abnormal vital signs flagged at triage. Alert and oriented.';
    expect(sentenceNegations(calm, 'absent').map((e) => e.text)).toEqual([
      'Significant past medical history.',
      'Abnormal vital signs flagged at triage.',
      'Not alert and oriented.',
    ]);
  });

  it('finding (a note-triage catalog id) and med-safety (no note) are no-ops elsewhere', () => {
    const s = tasks.sepsis.generate(cohort, 3);
    expect(notesNegation.apply(s, params({ finding: 'confusion', from: 'absent' }), ctx('sepsis', 3))).toEqual({ case: s, changes: [] });
    const m = tasks['med-safety'].generate(cohort, 3);
    expect(notesNegation.apply(m, params({}), ctx('med-safety', 3))).toEqual({ case: m, changes: [] });
  });
});

describe('notes.negation params', () => {
  it('validates and names the field', () => {
    const issues = (v: unknown) => notesNegation.params.safeParse(v).error?.issues ?? [];
    expect(issues({ finding: 'chest-ache' })).toEqual([expect.objectContaining({ path: ['finding'], message: expect.stringMatching(/unknown finding "chest-ache"/) })]);
    expect(issues({ finding: 3 })).toEqual([expect.objectContaining({ path: ['finding'] })]);
    expect(issues({ finding: ['chest-pain', 'x'] })).toEqual([expect.objectContaining({ path: ['finding', 1], message: expect.stringMatching(/unknown finding "x".*chest-pain/) })]);
    expect(issues({ finding: [] })).toEqual([expect.objectContaining({ path: ['finding'] })]);
    expect(issues({ from: 'both' })).toEqual([expect.objectContaining({ path: ['from'] })]);
    expect(issues({ direction: 'up' })[0]?.message).toMatch(/"direction"/);
    expect(issues({})).toEqual([]);
    expect(notesNegation.describe(params({ finding: ['chest-pain', 'stridor'], from: 'absent' }))).toBe('one of chest-pain, stridor denied finding asserted in the note');
  });
});
