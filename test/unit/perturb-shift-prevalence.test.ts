import { describe, expect, it } from 'vitest';
import type { Case } from '../../simulator/case.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import type { CohortOptions, TaskDefinition } from '../../simulator/cohort/task.ts';
import { candidateIndex, CANDIDATE_BASE, PREVALENCE_MAX_TRIES, shiftPrevalence } from '../../simulator/perturb/shift/prevalence.ts';
import { demographicsOf } from '../../simulator/perturb/shift/regenerate.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { deepFreeze } from './perturb-fixtures.ts';

const cohort: CohortOptions = { seed: 31337 };
const ctx = (task: TaskDefinition, i: number, arm = 'prev') => ({ rng: perturbationStream(cohort.seed, arm, 0, i), task, cohort });
const params = (rate: number) => shiftPrevalence.params.parse({ rate });

function shifted(task: TaskDefinition, rate: number, n: number, arm = `prev-${rate}`): Case[] {
  return Array.from({ length: n }, (_, i) => shiftPrevalence.apply(task.generate(cohort, i), params(rate), ctx(task, i, arm)).case);
}

const labelRate = (cases: readonly Case[]) => cases.filter((c) => c.truth.label === 1).length / cases.length;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('shift.prevalence', () => {
  it.each([
    ['sepsis', 0.3],
    ['note-triage', 0.6],
    ['med-safety', 0.1],
  ] as const)('%s: reaches the asked rate %s within ±0.02 over 2,000 cases', (name, rate) => {
    const cases = shifted(tasks[name], rate, 2000);
    expect(Math.abs(labelRate(cases) - rate)).toBeLessThanOrEqual(0.02);
  });

  it('keeps P(x | label): positives of the shifted arm look like the cohort’s positives', () => {
    const task = tasks['note-triage'];
    const base = Array.from({ length: 3000 }, (_, i) => task.generate(cohort, i));
    const arm = shifted(task, 0.7, 1500);
    for (const label of [0, 1] as const) {
      const ageOf = (cs: readonly Case[]) => cs.filter((c) => c.truth.label === label).map((c) => demographicsOf(c).ageYears!);
      const a = ageOf(base);
      const b = ageOf(arm);
      const sd = Math.sqrt(mean(a.map((x) => (x - mean(a)) ** 2)));
      // Four standard errors of the difference of means.
      expect(Math.abs(mean(a) - mean(b)), `label ${label}`).toBeLessThan(4 * sd * Math.sqrt(1 / a.length + 1 / b.length));
    }
    // The class mix within emergent notes is a property of P(x | label) too.
    expect(new Set(arm.filter((c) => c.truth.label === 1).map((c) => c.truth.class))).toEqual(new Set(['emergent']));
  });

  it('keeps a case that has the wanted label, and replaces one that does not with a candidate of its own block', () => {
    const task = tasks['med-safety'];
    let kept = 0;
    let replaced = 0;
    for (let i = 0; i < 200; i++) {
      const base = deepFreeze(task.generate(cohort, i));
      const stream = perturbationStream(cohort.seed, 'prev', 0, i);
      const u = stream();
      const hash = stream.int32() >>> 0;
      const wanted = u < 0.5 ? 1 : 0;
      const out = shiftPrevalence.apply(base, params(0.5), ctx(task, i));
      expect(out.case.truth.label).toBe(wanted);
      expect(out.case.index).toBe(i);
      if (base.truth.label === wanted) {
        kept++;
        expect(out.case).toBe(base);
        expect(out.changes).toEqual([
          { path: 'truth.label', before: wanted, after: wanted },
          { path: 'age', before: demographicsOf(base).ageYears, after: demographicsOf(base).ageYears },
          { path: 'sex', before: demographicsOf(base).sex, after: demographicsOf(base).sex },
        ]);
      } else {
        replaced++;
        let k = 0;
        while (task.generate(cohort, candidateIndex(hash, k)).truth.label !== wanted) k++;
        expect(out.case).toEqual({ ...task.generate(cohort, candidateIndex(hash, k)), index: i });
        expect(out.changes[0]).toEqual({ path: 'truth.label', before: base.truth.label, after: wanted });
      }
    }
    expect(kept).toBeGreaterThan(50);
    expect(replaced).toBeGreaterThan(50);
  });

  it('draws candidates far from the cohort’s indices, each case in its own block of exact integers', () => {
    expect(candidateIndex(0, 0)).toBe(CANDIDATE_BASE);
    expect(candidateIndex(1, 0) - candidateIndex(0, PREVALENCE_MAX_TRIES - 1)).toBe(1);
    const largest = candidateIndex(2 ** 32 - 1, PREVALENCE_MAX_TRIES - 1);
    expect(Number.isSafeInteger(largest)).toBe(true);
  });

  it('records the truth (and risk where the task has one) for every case, so the realized prevalence is in the provenance', () => {
    const task = tasks.sepsis;
    let labels = 0;
    for (let i = 0; i < 300; i++) {
      const out = shiftPrevalence.apply(task.generate(cohort, i), params(0.25), ctx(task, i, 'prov'));
      const label = out.changes.find((ch) => ch.path === 'truth.label')!;
      expect(label.after).toBe(out.case.truth.label);
      expect(out.changes.find((ch) => ch.path === 'truth.risk')!.after).toBe(out.case.truth.risk);
      labels += label.after as number;
    }
    expect(labels / 300).toBeGreaterThan(0.15);
  });

  it('leaves a case without a label unchanged, and gives up (keeping the case) when the label cannot be found', () => {
    const task = tasks.sepsis;
    const unlabelled: Case = { ...task.generate(cohort, 0), truth: {} };
    expect(shiftPrevalence.apply(unlabelled, params(1), ctx(task, 0))).toEqual({ case: unlabelled, changes: [] });

    const neverPositive: TaskDefinition = { ...task, generate: (o, i, ov) => ({ ...task.generate(o, i, ov), truth: { label: 0, risk: 0 } }) };
    const base = neverPositive.generate(cohort, 3);
    const out = shiftPrevalence.apply(base, params(1), ctx(neverPositive, 3));
    expect(out.case).toBe(base);
    expect(out.changes[0]).toEqual({ path: 'truth.label', before: 0, after: 0 });
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => shiftPrevalence.params.safeParse(v).error?.issues ?? [];
    expect(issues({ rate: 1.5 })).toEqual([expect.objectContaining({ path: ['rate'], message: expect.stringMatching(/between 0 and 1/) })]);
    expect(issues({})).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues({ rate: 0.2, prevalence: 0.2 })[0]?.message).toMatch(/"prevalence"/);
  });

  it('describes itself: degrading, truth recomputed, regenerates', () => {
    expect(shiftPrevalence.describe(params(0.3))).toBe('label shift: prevalence of label 1 resampled to 0.3');
    expect(shiftPrevalence.expectation(params(0.3))).toEqual({ kind: 'degrading' });
    expect(shiftPrevalence.truthEffect).toBe('recomputed');
    expect(shiftPrevalence.regenerates).toBe(true);
  });
});
