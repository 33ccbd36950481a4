import { describe, expect, it } from 'vitest';
import { observations } from '../../simulator/fhir/bundle-access.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { realizedShift } from '../../simulator/metrics/realized-shift.ts';
import { missingMnar } from '../../simulator/perturb/missing/mnar.ts';
import type { Change } from '../../simulator/perturb/perturbation.ts';
import { shiftUnits } from '../../simulator/perturb/shift/units.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { COHORT, context, deepFreeze, observation, sepsisCase } from './perturb-fixtures.ts';

const params = (v: unknown) => missingMnar.params.parse(v);
const PATH = 'Observation[2524-7].value';
/** Lactate spread over 0.5..4.4 mmol/L across cases. */
const lactateOf = (i: number) => Math.round((0.5 + (i % 40) / 10) * 10) / 10;

describe('missing.mnar', () => {
  it('removes values on the `when` side of the threshold at `rate`, the others at `otherwiseRate` (4,000 cases)', () => {
    const p = params({ loinc: '2524-7', rate: 0.7, when: 'high', threshold: 2, otherwiseRate: 0.05 });
    const tally = { high: [0, 0], rest: [0, 0] };
    const arm: Change[][] = [];
    for (let i = 0; i < 4000; i++) {
      const value = lactateOf(i);
      const out = missingMnar.apply(sepsisCase(i, { values: { '2524-7': value } }), p, { ...context(i), rng: perturbationStream(COHORT.seed, 'mnar', 0, i) });
      const t = value > 2 ? tally.high : tally.rest;
      t[0]!++;
      if (out.changes[0]!.after === null) t[1]!++;
      arm.push(out.changes);
    }
    const rate = ([n, k]: number[]) => k! / n!;
    expect(Math.abs(rate(tally.high) - 0.7)).toBeLessThan(4 * Math.sqrt(0.21 / tally.high[0]!));
    expect(Math.abs(rate(tally.rest) - 0.05)).toBeLessThan(4 * Math.sqrt(0.0475 / tally.rest[0]!));
    // What a model sees: the observed lactate distribution moves down.
    const [shift] = realizedShift(arm);
    expect(shift!.path).toBe(PATH);
    expect(shift!.after.mean!).toBeLessThan(shift!.before.mean! - 0.4);
    expect(shift!.missingRate).toBeCloseTo((tally.high[1]! + tally.rest[1]!) / 4000, 12);
  });

  it('compares strictly, per Observation, in the generators’ unit (after shift.units too)', () => {
    const low = params({ loinc: '2524-7', rate: 1, when: 'low', threshold: 2 });
    const second = observation('obs-x', '2524-7', 'Lactate', 'mmol/L', 1.5);
    const c = deepFreeze(sepsisCase(0, { values: { '2524-7': 2 }, extra: [{ fullUrl: 'urn:uuid:obs-x', resource: second }] }));
    const out = missingMnar.apply(c, low, context(0));
    expect(out.changes).toEqual([
      { path: PATH, before: 2, after: 2 },
      { path: PATH, before: 1.5, after: null },
    ]);
    expect(observations(out.case.bundle, '2524-7').map((o) => o.valueQuantity!.value)).toEqual([2]);
    const mgdl = shiftUnits.apply(sepsisCase(0, { values: { '2524-7': 1.5 } }), shiftUnits.params.parse({ loinc: '2524-7', to: 'mg/dL' }), context(0)).case; // 13.5 mg/dL
    expect(missingMnar.apply(mgdl, low, context(0)).changes).toEqual([{ path: PATH, before: 13.5, after: null }]);
  });

  it('is deterministic, pure, one uniform per case, and a no-op without the code', () => {
    const p = params({ loinc: '2524-7', rate: 0.5, when: 'high', threshold: 0 });
    for (let i = 0; i < 50; i++) {
      const c = deepFreeze(sepsisCase(i));
      const snapshot = structuredClone(c);
      const u = perturbationStream(COHORT.seed, 'arm', 0, i)();
      const out = missingMnar.apply(c, p, context(i));
      expect(c).toEqual(snapshot);
      expect(out).toEqual(missingMnar.apply(c, p, context(i)));
      expect(out.changes[0]!.after === null).toBe(u < 0.5);
    }
    const none = sepsisCase(0, { omit: ['2524-7'] });
    expect(missingMnar.apply(none, p, context(0))).toEqual({ case: none, changes: [] });
  });

  it('works on med-safety potassium (hyperkalemia results lost)', () => {
    const task = tasks['med-safety'];
    const p = params({ loinc: '2823-3', rate: 1, when: 'high', threshold: 5 });
    for (let i = 0; i < 150; i++) {
      const base = task.generate({ seed: 2 }, i);
      const out = missingMnar.apply(base, p, context(i, 'mnar', task));
      for (const obs of observations(out.case.bundle, '2823-3')) expect(obs.valueQuantity!.value!).toBeLessThanOrEqual(5);
      expect(out.case.truth).toBe(base.truth);
    }
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => missingMnar.params.safeParse(v).error?.issues ?? [];
    const ok = { loinc: '2524-7', rate: 0.5, when: 'high', threshold: 4 };
    expect(issues(ok)).toEqual([]);
    expect(issues({ ...ok, when: 'above' })).toEqual([expect.objectContaining({ path: ['when'], message: expect.stringMatching(/"high".*"low"/) })]);
    expect(issues({ ...ok, threshold: '4' })).toEqual([expect.objectContaining({ path: ['threshold'] })]);
    expect(issues({ ...ok, loinc: ['2524-7'] })).toEqual([expect.objectContaining({ path: ['loinc'] })]);
    expect(issues({ ...ok, rate: 3 })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues({ ...ok, otherwiseRate: -1 })).toEqual([expect.objectContaining({ path: ['otherwiseRate'] })]);
    expect(issues({ loinc: '2524-7', rate: 0.5, when: 'high' })).toEqual([expect.objectContaining({ path: ['threshold'] })]);
  });

  it('describes itself: degrading, truth preserved', () => {
    expect(missingMnar.describe(params({ loinc: '2524-7', rate: 0.7, when: 'low', threshold: 2 }))).toBe(
      'lactate (2524-7) missing not at random: rate 0.7 when below 2 mmol/L, 0 otherwise',
    );
    expect(missingMnar.expectation(params({ loinc: '2524-7', rate: 0.7, when: 'low', threshold: 2 }))).toEqual({ kind: 'degrading' });
    expect(missingMnar.truthEffect).toBe('preserved');
  });
});
