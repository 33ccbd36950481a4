import { describe, expect, it } from 'vitest';
import { HISPANIC, HISPANIC_GIVEN_RACE, RACE_WEIGHTS, RACES } from '../../simulator/cohort/demographics.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import type { CohortOptions } from '../../simulator/cohort/task.ts';
import { OMB_RACE_CODES, shiftRaceEthnicity } from '../../simulator/perturb/shift/race-ethnicity.ts';
import { demographicsOf } from '../../simulator/perturb/shift/regenerate.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { deepFreeze } from './perturb-fixtures.ts';

const cohort: CohortOptions = { seed: 77 };
const ctx = (task: (typeof tasks)[keyof typeof tasks], i: number, arm = 'race') => ({ rng: perturbationStream(cohort.seed, arm, 0, i), task, cohort });
const params = (v: unknown) => shiftRaceEthnicity.params.parse(v);
const WHITE = '2106-3';
const BLACK = '2054-5';
const ASIAN = '2028-9';

describe('shift.raceEthnicity', () => {
  it('realizes the asked mix and Hispanic share (3,000 cases)', () => {
    const task = tasks['note-triage'];
    const p = params({ mix: { [BLACK]: 2, [ASIAN]: 1, [WHITE]: 1 }, hispanic: 0.4 });
    const counts = new Map<string, number>();
    let hispanic = 0;
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const d = demographicsOf(shiftRaceEthnicity.apply(task.generate(cohort, i), p, ctx(task, i)).case);
      counts.set(d.race!, (counts.get(d.race!) ?? 0) + 1);
      if (d.ethnicity === HISPANIC.code) hispanic++;
    }
    expect([...counts.keys()].sort()).toEqual([BLACK, ASIAN, WHITE].sort());
    expect(Math.abs(counts.get(BLACK)! / n - 0.5)).toBeLessThan(0.035);
    expect(Math.abs(counts.get(ASIAN)! / n - 0.25)).toBeLessThan(0.03);
    expect(Math.abs(hispanic / n - 0.4)).toBeLessThan(0.035);
  });

  it('without `hispanic`, draws the ethnicity as the generators do for the drawn race', () => {
    const task = tasks.sepsis;
    const p = params({ mix: { '1002-5': 1 } }); // American Indian or Alaska Native: P(Hispanic) = 0.30
    let hispanic = 0;
    const n = 3000;
    for (let i = 0; i < n; i++) if (demographicsOf(shiftRaceEthnicity.apply(task.generate(cohort, i), p, ctx(task, i)).case).ethnicity === HISPANIC.code) hispanic++;
    expect(Math.abs(hispanic / n - HISPANIC_GIVEN_RACE[3]!)).toBeLessThan(0.035);
  });

  it('regenerates with race and ethnicity overrides, age and sex kept, and records them', () => {
    for (const task of Object.values(tasks)) {
      for (let i = 0; i < 60; i++) {
        const base = deepFreeze(task.generate(cohort, i));
        const out = shiftRaceEthnicity.apply(base, params({ mix: { [BLACK]: 1, [WHITE]: 1 } }), ctx(task, i));
        const before = demographicsOf(base);
        const after = demographicsOf(out.case);
        expect(out.case).toEqual(task.generate(cohort, i, { race: after.race!, ethnicity: after.ethnicity! }));
        expect([after.ageYears, after.sex]).toEqual([before.ageYears, before.sex]);
        expect(out.changes.slice(0, 2)).toEqual([
          { path: 'race', before: before.race, after: after.race },
          { path: 'ethnicity', before: before.ethnicity, after: after.ethnicity },
        ]);
        expect(task.groupOf(out.case.bundle).race).toBe(RACES.find((r) => r.code === after.race)!.display);
        // Race and ethnicity do not enter any generator's truth.
        expect(out.case.truth).toEqual(base.truth);
      }
    }
  });

  it('with the base weights and no hispanic share, leaves the population as it was in distribution', () => {
    const task = tasks.sepsis;
    const p = params({ mix: Object.fromEntries(OMB_RACE_CODES.map((c, k) => [c, RACE_WEIGHTS[k]!])) });
    let white = 0;
    for (let i = 0; i < 3000; i++) if (demographicsOf(shiftRaceEthnicity.apply(task.generate(cohort, i), p, ctx(task, i)).case).race === WHITE) white++;
    expect(Math.abs(white / 3000 - RACE_WEIGHTS[0]!)).toBeLessThan(0.03);
  });

  it('never draws a category of weight 0', () => {
    const task = tasks['med-safety'];
    for (let i = 0; i < 300; i++) {
      const out = shiftRaceEthnicity.apply(task.generate(cohort, i), params({ mix: { [ASIAN]: 1, '2076-8': 0 } }), ctx(task, i));
      expect(demographicsOf(out.case).race).toBe(ASIAN);
    }
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => shiftRaceEthnicity.params.safeParse(v).error?.issues ?? [];
    expect(issues({ mix: { '2131-1': 1 } })).toEqual([
      expect.objectContaining({ path: ['mix', '2131-1'], message: expect.stringMatching(/not an OMB race category code.*2106-3 \(White\)/) }),
    ]);
    expect(issues({ mix: { [WHITE]: -1 } })).toEqual([expect.objectContaining({ path: ['mix', WHITE] })]);
    expect(issues({ mix: { [WHITE]: 0 } })).toEqual([expect.objectContaining({ path: ['mix'], message: expect.stringMatching(/positive weight/) })]);
    expect(issues({ mix: 'white' })).toEqual([expect.objectContaining({ path: ['mix'] })]);
    expect(issues({ mix: { [WHITE]: 1 }, hispanic: 2 })).toEqual([expect.objectContaining({ path: ['hispanic'] })]);
    expect(issues({ mix: { [WHITE]: 1 }, latino: 0.2 })[0]?.message).toMatch(/"latino"/);
    expect(issues({ hispanic: 0.2 })).toEqual([expect.objectContaining({ path: ['mix'] })]);
  });

  it('describes itself: degrading, truth recomputed, regenerates', () => {
    expect(shiftRaceEthnicity.describe(params({ mix: { [WHITE]: 1, [BLACK]: 3 }, hispanic: 0.3 }))).toBe(
      'race mix White 25%, Black or African American 75%; Hispanic or Latino 0.3',
    );
    expect(shiftRaceEthnicity.describe(params({ mix: { [ASIAN]: 1 } }))).toBe('race mix Asian 100%; Hispanic or Latino share as generated for each race');
    expect(shiftRaceEthnicity.expectation(params({ mix: { [ASIAN]: 1 } }))).toEqual({ kind: 'degrading' });
    expect(shiftRaceEthnicity.truthEffect).toBe('recomputed');
    expect(shiftRaceEthnicity.regenerates).toBe(true);
  });
});
