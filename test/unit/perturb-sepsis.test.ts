/** The three perturbations on the real sepsis generator's bundles, alone and through applyArm. */
import { describe, expect, it } from 'vitest';
import type { Case } from '../../simulator/case.ts';
import { ageAt } from '../../simulator/cohort/group.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import type { CohortOptions } from '../../simulator/cohort/task.ts';
import { observations, patientOf } from '../../simulator/fhir/bundle-access.ts';
import { applyArm, type ResolvedPerturbation } from '../../simulator/perturb/apply.ts';
import { missingMcar } from '../../simulator/perturb/missing/mcar.ts';
import { shiftAge } from '../../simulator/perturb/shift/age.ts';
import { shiftUnits } from '../../simulator/perturb/shift/units.ts';
import { convert, inputDecimals, roundTo, unitsFor } from '../../simulator/perturb/ucum.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { deepFreeze } from './perturb-fixtures.ts';

const sepsis = tasks.sepsis;
const cohort: CohortOptions = { seed: 424242 };
const MEASURED = ['8867-4', '9279-1', '8310-5', '8480-6', '59408-5', '9269-2', '2524-7', '6690-2', '2160-0', '777-3', '1975-2'] as const;

function ctx(arm: string, index: number) {
  return { rng: perturbationStream(cohort.seed, arm, 0, index), task: sepsis, cohort };
}

function age(c: Case): number {
  return ageAt(patientOf(c.bundle)?.birthDate, c.bundle.timestamp)!;
}

describe('perturbations on sepsis bundles', () => {
  it('shift.age regenerates a coherent sepsis patient with the drawn age', () => {
    const older = shiftAge.params.parse({ mean: 85, sd: 5 });
    const ages: number[] = [];
    let riskChanged = 0;
    for (let i = 0; i < 400; i++) {
      const base = deepFreeze(sepsis.generate(cohort, i));
      const out = shiftAge.apply(base, older, ctx('older', i));
      const a = age(out.case);
      ages.push(a);
      expect(out.case).toEqual(sepsis.generate(cohort, i, { ageYears: a }));
      expect(out.changes.find((ch) => ch.path === 'age')).toEqual({ path: 'age', before: age(base), after: a });
      if (out.case.truth.risk !== base.truth.risk) riskChanged++;
      expect(sepsis.groupOf(out.case.bundle).ageBand).toBe(a >= 80 ? '80+' : '65-79');
    }
    const mean = ages.reduce((s, x) => s + x, 0) / ages.length;
    expect(Math.abs(mean - 84.5)).toBeLessThan(1); // completed years: the target mean minus half a year
    expect(riskChanged).toBeGreaterThan(200);
  });

  /** The first patient whose lactate was ordered (not every patient has one). */
  function firstWithLactate(): number {
    for (let i = 0; ; i++) if (observations(sepsis.generate(cohort, i).bundle, '2524-7').length > 0) return i;
  }

  it('shift.units converts every measurement to every unit its table allows, reversibly', () => {
    for (let i = 0; i < 60; i++) {
      const base = deepFreeze(sepsis.generate(cohort, i));
      for (const loinc of MEASURED) {
        // Labs not ordered for this patient (baseline missingness) have nothing to convert.
        const [original] = observations(base.bundle, loinc);
        if (!original) continue;
        const from = original!.valueQuantity!.code!;
        const x = original!.valueQuantity!.value!;
        for (const to of unitsFor(loinc)) {
          const out = shiftUnits.apply(base, shiftUnits.params.parse({ loinc, to }), ctx('units', i));
          const [converted] = observations(out.case.bundle, loinc);
          expect(converted!.valueQuantity!.code).toBe(to);
          expect(converted!.code).toBe(original!.code);
          expect(out.changes).toHaveLength(to === from ? 0 : 1);
          const back = roundTo(convert(converted!.valueQuantity!.value!, to, from, loinc), inputDecimals(x, from, loinc));
          expect(back, `${x} ${from} -> ${converted!.valueQuantity!.value} ${to}`).toBe(x);
          expect(out.case.truth).toBe(base.truth);
        }
      }
    }
  });

  it('missing.mcar removes lactate from a sepsis bundle and nothing else', () => {
    const index = firstWithLactate();
    const base = deepFreeze(sepsis.generate(cohort, index));
    const out = missingMcar.apply(base, missingMcar.params.parse({ loinc: '2524-7', rate: 1 }), ctx('mcar', index));
    expect(observations(out.case.bundle, '2524-7')).toEqual([]);
    expect(out.case.bundle.entry).toHaveLength(base.bundle.entry!.length - 1);
    expect(out.changes).toEqual([
      { path: 'Observation[2524-7].value', before: observations(base.bundle, '2524-7')[0]!.valueQuantity!.value, after: null },
    ]);
  });

  it('runs through applyArm deterministically, with provenance', () => {
    const arm: ResolvedPerturbation[] = [
      { kind: 'shift.age', params: shiftAge.params.parse({ mean: 75, sd: 10 }) },
      { kind: 'shift.units', params: shiftUnits.params.parse({ loinc: '2524-7', to: 'mg/dL' }) },
      { kind: 'missing.mcar', params: missingMcar.params.parse({ loinc: ['6690-2', '777-3'], rate: 0.5 }) },
    ];
    for (let i = 0; i < 20; i++) {
      const base = deepFreeze(sepsis.generate(cohort, i));
      const a = applyArm(base, 'mixed', arm, sepsis, cohort);
      const b = applyArm(sepsis.generate(cohort, i), 'mixed', arm, sepsis, cohort);
      expect(a).toEqual(b);
      expect(a.provenance.map((p) => [p.kind, p.truthEffect, p.expectation.kind])).toEqual([
        ['shift.age', 'recomputed', 'degrading'],
        ['shift.units', 'preserved', 'invariant'],
        ['missing.mcar', 'preserved', 'degrading'],
      ]);
      const lactate = observations(a.case.bundle, '2524-7')[0];
      if (lactate) expect(lactate.valueQuantity!.code).toBe('mg/dL');
    }
  });
});
