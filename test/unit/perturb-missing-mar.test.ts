import { describe, expect, it } from 'vitest';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { observations } from '../../simulator/fhir/bundle-access.ts';
import { demographicsOf } from '../../simulator/perturb/shift/regenerate.ts';
import { missingMar } from '../../simulator/perturb/missing/mar.ts';
import { shiftUnits } from '../../simulator/perturb/shift/units.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { context, deepFreeze, sepsisCase } from './perturb-fixtures.ts';

const params = (v: unknown) => missingMar.params.parse(v);
const removed = (changes: { path: string; after: unknown }[], path: string) => changes.some((ch) => ch.path === path && ch.after === null);

describe('missing.mar', () => {
  it('removes at `rate` where the other variable meets the condition and at `otherwiseRate` elsewhere (3,000 sepsis cases)', () => {
    const task = tasks.sepsis;
    const cohort = { seed: 8 };
    const p = params({ loinc: '8867-4', rate: 0.6, dependsOn: { variable: 'age', above: 65 }, otherwiseRate: 0.1 });
    const counts = { old: [0, 0], young: [0, 0] };
    for (let i = 0; i < 3000; i++) {
      const base = task.generate(cohort, i);
      const out = missingMar.apply(base, p, { rng: perturbationStream(8, 'mar', 0, i), task, cohort });
      const group = demographicsOf(base).ageYears! > 65 ? counts.old : counts.young;
      group[0]!++;
      if (removed(out.changes, 'Observation[8867-4].value')) group[1]!++;
      expect(observations(out.case.bundle, '8867-4')).toHaveLength(removed(out.changes, 'Observation[8867-4].value') ? 0 : 1);
    }
    const rate = ([n, k]: number[]) => k! / n!;
    expect(counts.old[0]).toBeGreaterThan(400);
    expect(Math.abs(rate(counts.old) - 0.6)).toBeLessThan(4 * Math.sqrt(0.24 / counts.old[0]!));
    expect(Math.abs(rate(counts.young) - 0.1)).toBeLessThan(4 * Math.sqrt(0.09 / counts.young[0]!));
  });

  it('conditions on another lab, compared in the generators’ unit even after shift.units', () => {
    const p = params({ loinc: '2524-7', rate: 1, dependsOn: { variable: '2160-0', above: 1.5 } });
    const high = sepsisCase(0, { values: { '2160-0': 1.6 } });
    const low = sepsisCase(0, { values: { '2160-0': 1.4 } });
    expect(missingMar.apply(high, p, context(0)).changes).toEqual([{ path: 'Observation[2524-7].value', before: 3.1, after: null }]);
    expect(missingMar.apply(low, p, context(0)).changes).toEqual([{ path: 'Observation[2524-7].value', before: 3.1, after: 3.1 }]);
    const inUmol = shiftUnits.apply(high, shiftUnits.params.parse({ loinc: '2160-0', to: 'umol/L' }), context(0)).case; // 141 µmol/L
    expect(removed(missingMar.apply(inUmol, p, context(0)).changes, 'Observation[2524-7].value')).toBe(true);
  });

  it('uses otherwiseRate when the conditioning variable is absent, and a band when given both bounds', () => {
    const noCreatinine = sepsisCase(0, { omit: ['2160-0'] });
    const p = params({ loinc: '2524-7', rate: 0, dependsOn: { variable: '2160-0', above: 1 }, otherwiseRate: 1 });
    expect(removed(missingMar.apply(noCreatinine, p, context(0)).changes, 'Observation[2524-7].value')).toBe(true);
    const band = params({ loinc: '2524-7', rate: 1, dependsOn: { variable: '8867-4', above: 100, below: 120 } });
    expect(removed(missingMar.apply(sepsisCase(0), band, context(0)).changes, 'Observation[2524-7].value')).toBe(true); // HR 112
    expect(removed(missingMar.apply(sepsisCase(0, { values: { '8867-4': 120 } }), band, context(0)).changes, 'Observation[2524-7].value')).toBe(false);
  });

  it('decides each targeted code on its own uniform, always drawn, in sorted order', () => {
    const p = params({ loinc: ['6690-2', '2524-7'], rate: 0.5, dependsOn: { variable: 'age', above: 0 } });
    for (let i = 0; i < 60; i++) {
      const s = perturbationStream(20261124, 'arm', 0, i);
      const [uLactate, uWbc] = [s(), s()];
      const out = missingMar.apply(sepsisCase(i), p, context(i));
      expect(removed(out.changes, 'Observation[2524-7].value')).toBe(uLactate! < 0.5);
      expect(removed(out.changes, 'Observation[6690-2].value')).toBe(uWbc! < 0.5);
      const without = missingMar.apply(sepsisCase(i, { omit: ['2524-7'] }), p, context(i));
      expect(removed(without.changes, 'Observation[6690-2].value')).toBe(uWbc! < 0.5);
    }
  });

  it('works on med-safety bundles (potassium missing when the eGFR is normal) and is pure', () => {
    const task = tasks['med-safety'];
    const p = params({ loinc: '2823-3', rate: 1, dependsOn: { variable: '98979-8', above: 60 } });
    let decided = 0;
    for (let i = 0; i < 100; i++) {
      const base = deepFreeze(task.generate({ seed: 3 }, i));
      const snapshot = structuredClone(base);
      const out = missingMar.apply(base, p, context(i, 'mar', task));
      expect(base).toEqual(snapshot);
      const egfr = observations(base.bundle, '98979-8')[0]?.valueQuantity?.value;
      const k = observations(base.bundle, '2823-3')[0];
      if (!k) continue;
      decided++;
      expect(observations(out.case.bundle, '2823-3')).toHaveLength(egfr !== undefined && egfr > 60 ? 0 : 1);
    }
    expect(decided).toBeGreaterThan(20);
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => missingMar.params.safeParse(v).error?.issues ?? [];
    const ok = { loinc: '2524-7', rate: 0.5, dependsOn: { variable: 'age', above: 70 } };
    expect(issues(ok)).toEqual([]);
    expect(issues({ ...ok, dependsOn: { variable: '2524-7', above: 2 } })).toEqual([
      expect.objectContaining({ path: ['dependsOn', 'variable'], message: expect.stringMatching(/missing\.mnar/) }),
    ]);
    expect(issues({ ...ok, dependsOn: { variable: 'age' } })).toEqual([expect.objectContaining({ path: ['dependsOn', 'above'], message: expect.stringMatching(/threshold/) })]);
    expect(issues({ ...ok, dependsOn: { variable: 'age', above: 70, below: 60 } })).toEqual([expect.objectContaining({ path: ['dependsOn', 'below'] })]);
    expect(issues({ ...ok, dependsOn: { variable: 'weight', above: 70 } })).toEqual([expect.objectContaining({ path: ['dependsOn', 'variable'] })]);
    expect(issues({ ...ok, dependsOn: { variable: 'age', above: 70, equals: 1 } })[0]).toMatchObject({ path: ['dependsOn'], message: expect.stringMatching(/"equals"/) });
    expect(issues({ ...ok, otherwiseRate: 2 })).toEqual([expect.objectContaining({ path: ['otherwiseRate'] })]);
    expect(issues({ ...ok, rate: -1 })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues({ loinc: '2524-7', rate: 0.5 })).toEqual([expect.objectContaining({ path: ['dependsOn'] })]);
  });

  it('describes itself: degrading, truth preserved', () => {
    expect(missingMar.describe(params({ loinc: '2524-7', rate: 0.8, dependsOn: { variable: 'age', below: 40 }, otherwiseRate: 0.1 }))).toBe(
      'lactate (2524-7) missing at random: rate 0.8 where age (years) < 40, 0.1 otherwise',
    );
    expect(missingMar.describe(params({ loinc: '2524-7', rate: 0.8, dependsOn: { variable: '2160-0', above: 1, below: 2 } }))).toBe(
      'lactate (2524-7) missing at random: rate 0.8 where 1 < creatinine (2160-0) in mg/dL < 2, 0 otherwise',
    );
    expect(missingMar.expectation(params({ loinc: '2524-7', rate: 0.8, dependsOn: { variable: 'age', below: 40 } }))).toEqual({ kind: 'degrading' });
    expect(missingMar.truthEffect).toBe('preserved');
  });
});
