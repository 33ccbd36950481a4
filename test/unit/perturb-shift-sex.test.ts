import { describe, expect, it } from 'vitest';
import { tasks } from '../../simulator/cohort/tasks.ts';
import type { CohortOptions } from '../../simulator/cohort/task.ts';
import { demographicsOf } from '../../simulator/perturb/shift/regenerate.ts';
import { shiftSex } from '../../simulator/perturb/shift/sex.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { deepFreeze } from './perturb-fixtures.ts';

const cohort: CohortOptions = { seed: 5150 };
const ctx = (task: (typeof tasks)[keyof typeof tasks], i: number, arm = 'sex') => ({ rng: perturbationStream(cohort.seed, arm, 0, i), task, cohort });
const params = (female: number) => shiftSex.params.parse({ female });

describe('shift.sex', () => {
  it('realizes the asked share of female patients', () => {
    for (const [task, female, n] of [[tasks.sepsis, 0.8, 2000], [tasks['note-triage'], 0.25, 1000], [tasks['med-safety'], 0.6, 1000]] as const) {
      let k = 0;
      for (let i = 0; i < n; i++) {
        const out = shiftSex.apply(task.generate(cohort, i), params(female), ctx(task, i, `sex-${female}`));
        if (demographicsOf(out.case).sex === 'female') k++;
      }
      // Four standard errors (at most 0.016 for 1,000 cases).
      expect(Math.abs(k / n - female), `${task.name} ${female}`).toBeLessThan(4 * Math.sqrt((female * (1 - female)) / n));
    }
  });

  it('regenerates the patient with the drawn sex, the other demographics kept', () => {
    for (const task of Object.values(tasks)) {
      let differentRisk = 0;
      for (let i = 0; i < 100; i++) {
        const base = deepFreeze(task.generate(cohort, i));
        const out = shiftSex.apply(base, params(0.5), ctx(task, i));
        const before = demographicsOf(base);
        const after = demographicsOf(out.case);
        expect(out.case).toEqual(task.generate(cohort, i, { sex: after.sex! }));
        expect({ ...after, sex: before.sex }).toEqual(before);
        if (after.sex === before.sex) expect(out.case).toEqual(base);
        expect(out.changes[0]).toEqual({ path: 'sex', before: before.sex, after: after.sex });
        expect(out.changes.find((ch) => ch.path === 'truth.label')).toEqual({ path: 'truth.label', before: base.truth.label, after: out.case.truth.label });
        if (out.case.truth.risk !== base.truth.risk) differentRisk++;
      }
      // Sepsis creatinine depends on sex, so the recomputed risk moves for those whose sex changed.
      if (task.name === 'sepsis') expect(differentRisk).toBeGreaterThan(5);
    }
  });

  it('uses one uniform per case', () => {
    const task = tasks.sepsis;
    for (let i = 0; i < 50; i++) {
      const u = perturbationStream(cohort.seed, 'sex', 0, i)();
      const out = shiftSex.apply(task.generate(cohort, i), params(0.6), ctx(task, i));
      expect(demographicsOf(out.case).sex).toBe(u < 0.6 ? 'female' : 'male');
    }
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => shiftSex.params.safeParse(v).error?.issues ?? [];
    expect(issues({ female: 1.2 })).toEqual([expect.objectContaining({ path: ['female'], message: expect.stringMatching(/between 0 and 1/) })]);
    expect(issues({ female: -0.1 })).toEqual([expect.objectContaining({ path: ['female'] })]);
    expect(issues({ female: '50%' })).toEqual([expect.objectContaining({ path: ['female'] })]);
    expect(issues({})).toEqual([expect.objectContaining({ path: ['female'] })]);
    expect(issues({ female: 0.5, male: 0.5 })[0]?.message).toMatch(/"male"/);
    expect(issues({ female: 0 })).toEqual([]);
  });

  it('describes itself: degrading, truth recomputed, regenerates', () => {
    expect(shiftSex.describe(params(0.8))).toBe('share of female patients 0.8');
    expect(shiftSex.expectation(params(0.8))).toEqual({ kind: 'degrading' });
    expect(shiftSex.truthEffect).toBe('recomputed');
    expect(shiftSex.regenerates).toBe(true);
  });
});
