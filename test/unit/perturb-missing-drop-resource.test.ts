import { describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4.js';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { draftOrderOf } from '../../simulator/cohort/med-safety/index.ts';
import { missingDropResource } from '../../simulator/perturb/missing/drop-resource.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { context, deepFreeze, sepsisCase } from './perturb-fixtures.ts';

const params = (v: unknown) => missingDropResource.params.parse(v);
const countOf = (bundle: Bundle, type: string) => (bundle.entry ?? []).filter((e) => e.resource?.resourceType === type).length;

describe('missing.dropResource', () => {
  it('drops every resource of the type and records the count before and after', () => {
    const c = deepFreeze(sepsisCase());
    const snapshot = structuredClone(c);
    const out = missingDropResource.apply(c, params({ type: 'Condition' }), context(0));
    expect(countOf(out.case.bundle, 'Condition')).toBe(0);
    expect(out.case.bundle.entry).toHaveLength(c.bundle.entry!.length - 1);
    expect(out.changes).toEqual([{ path: 'count(Condition)', before: 1, after: 0 }]);
    expect(out.case.truth).toBe(c.truth);
    expect(c).toEqual(snapshot);
    const kept = new Set(c.bundle.entry);
    for (const e of out.case.bundle.entry!) expect(kept.has(e)).toBe(true);
  });

  it('drops the triage note (DocumentReference) of note-triage and sepsis bundles', () => {
    for (const task of [tasks.sepsis, tasks['note-triage']]) {
      const base = deepFreeze(task.generate({ seed: 1 }, 0));
      const out = missingDropResource.apply(base, params({ type: 'DocumentReference' }), context(0, 'drop', task));
      expect(countOf(out.case.bundle, 'DocumentReference')).toBe(0);
      expect(out.changes).toEqual([{ path: 'count(DocumentReference)', before: 1, after: 0 }]);
    }
  });

  it('never drops the med-safety draft order: it is the question, not its context', () => {
    const task = tasks['med-safety'];
    let active = 0;
    for (let i = 0; i < 100; i++) {
      const base = deepFreeze(task.generate({ seed: 6 }, i));
      const out = missingDropResource.apply(base, params({ type: ['MedicationRequest', 'MedicationStatement', 'AllergyIntolerance'] }), context(i, 'drop', task));
      expect(draftOrderOf(out.case.bundle)).toBe(draftOrderOf(base.bundle));
      expect(countOf(out.case.bundle, 'MedicationRequest')).toBe(1);
      expect(countOf(out.case.bundle, 'MedicationStatement') + countOf(out.case.bundle, 'AllergyIntolerance')).toBe(0);
      const requests = out.changes.find((ch) => ch.path === 'count(MedicationRequest)');
      if (requests) {
        active++;
        expect(requests.before).toBe(countOf(base.bundle, 'MedicationRequest') - 1);
      }
    }
    expect(active).toBeGreaterThan(10);
  });

  it('drops each type independently at `rate`, one uniform per type in sorted order', () => {
    const p = params({ type: ['DocumentReference', 'Condition'], rate: 0.3 });
    let notes = 0;
    let conditions = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const s = perturbationStream(20261124, 'arm', 0, i);
      const [uCondition, uNote] = [s(), s()];
      const out = missingDropResource.apply(sepsisCase(i), p, context(i));
      const dropped = (t: string) => out.changes.find((ch) => ch.path === `count(${t})`)!.after === 0;
      expect(dropped('Condition')).toBe(uCondition! < 0.3);
      expect(dropped('DocumentReference')).toBe(uNote! < 0.3);
      conditions += dropped('Condition') ? 1 : 0;
      notes += dropped('DocumentReference') ? 1 : 0;
    }
    expect(Math.abs(conditions / n - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(notes / n - 0.3)).toBeLessThan(0.03);
  });

  it('drops the Patient only when asked explicitly', () => {
    const issues = (v: unknown) => missingDropResource.params.safeParse(v).error?.issues ?? [];
    expect(issues({ type: 'Patient' })).toEqual([expect.objectContaining({ path: ['type'], message: expect.stringMatching(/allowPatient: true/) })]);
    expect(issues({ type: ['Condition', 'Patient'], allowPatient: false })).toEqual([expect.objectContaining({ path: ['type'] })]);
    const out = missingDropResource.apply(sepsisCase(), params({ type: 'Patient', allowPatient: true }), context(0));
    expect(countOf(out.case.bundle, 'Patient')).toBe(0);
    expect(out.changes).toEqual([{ path: 'count(Patient)', before: 1, after: 0 }]);
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => missingDropResource.params.safeParse(v).error?.issues ?? [];
    expect(issues({ type: 'Conditon' })).toEqual([expect.objectContaining({ path: ['type'], message: expect.stringMatching(/Condition/) })]);
    expect(issues({ type: [] })).toEqual([expect.objectContaining({ path: ['type'] })]);
    expect(issues({ type: 'Condition', rate: 1.1 })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues({ type: 'Condition', allowPatient: 'yes' })).toEqual([expect.objectContaining({ path: ['allowPatient'] })]);
    expect(issues({ type: 'Condition', all: true })[0]?.message).toMatch(/"all"/);
    expect(issues({ type: ['Condition', 'DocumentReference'], rate: 0.2 })).toEqual([]);
  });

  it('describes itself: degrading, truth preserved', () => {
    expect(missingDropResource.describe(params({ type: 'Condition' }))).toBe('Condition resources dropped (every case)');
    expect(missingDropResource.describe(params({ type: ['DocumentReference', 'Condition'], rate: 0.2 }))).toBe(
      'Condition, DocumentReference resources dropped (rate 0.2 each, independently)',
    );
    expect(missingDropResource.expectation(params({ type: 'Condition' }))).toEqual({ kind: 'degrading' });
    expect(missingDropResource.truthEffect).toBe('preserved');
  });
});
