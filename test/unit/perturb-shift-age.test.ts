import { describe, expect, it } from 'vitest';
import { cumulativeStdNormalProbability } from 'simple-statistics';
import { ageAt } from '../../simulator/cohort/group.ts';
import { patientOf } from '../../simulator/fhir/bundle-access.ts';
import { missingMcar } from '../../simulator/perturb/missing/mcar.ts';
import { drawAge, shiftAge } from '../../simulator/perturb/shift/age.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { COHORT, context, continuousAge, deepFreeze, fakeTask, PREDICTION_TIME } from './perturb-fixtures.ts';

const older = shiftAge.params.parse({ mean: 80, sd: 8 });

function birthDate(c: { bundle: Parameters<typeof patientOf>[0] }): string {
  return patientOf(c.bundle)!.birthDate!;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Mean of N(mu, sigma) truncated to [lo, hi). */
function truncatedMean(mu: number, sigma: number, lo: number, hi: number): number {
  const a = (lo - mu) / sigma;
  const b = (hi - mu) / sigma;
  const phi = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
  return mu + (sigma * (phi(a) - phi(b))) / (cumulativeStdNormalProbability(b) - cumulativeStdNormalProbability(a));
}

describe('shift.age', () => {
  it('regenerates the patient with the drawn age: coherent case, truth recomputed', () => {
    for (let i = 0; i < 50; i++) {
      const base = fakeTask.generate(COHORT, i);
      const out = shiftAge.apply(base, older, context(i));
      const age = ageAt(birthDate(out.case), PREDICTION_TIME)!;
      // Exactly the generator's patient for that age: every downstream variable and the truth follow it.
      expect(out.case).toEqual(fakeTask.generate(COHORT, i, { ageYears: age }));
      expect(out.changes).toEqual([
        { path: 'Patient.birthDate', before: birthDate(base), after: birthDate(out.case) },
        { path: 'age', before: ageAt(birthDate(base), PREDICTION_TIME), after: age },
        { path: 'truth.label', before: base.truth.label, after: out.case.truth.label },
        { path: 'truth.risk', before: base.truth.risk, after: out.case.truth.risk },
      ]);
      expect(out.case.index).toBe(i);
    }
  });

  it('moves the age distribution to the target (2,000 cases)', () => {
    const ages: number[] = [];
    const completed: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const out = shiftAge.apply(fakeTask.generate(COHORT, i), older, context(i));
      ages.push(continuousAge(birthDate(out.case)));
      completed.push(ageAt(birthDate(out.case), PREDICTION_TIME)!);
    }
    // SE of the mean is 8/sqrt(2000) ≈ 0.18.
    expect(Math.abs(mean(ages) - 80)).toBeLessThan(0.6);
    expect(Math.abs(sd(ages) - 8)).toBeLessThan(0.5);
    expect(Math.abs(mean(completed) - 79.5)).toBeLessThan(0.6);
    expect(Math.min(...completed)).toBeGreaterThanOrEqual(18);
    expect(Math.max(...completed)).toBeLessThanOrEqual(100);
    // The base cohort's ages (18..77 in the fake task) are far from it.
    expect(mean(Array.from({ length: 200 }, (_, i) => continuousAge(birthDate(fakeTask.generate(COHORT, i)))))).toBeLessThan(55);
  });

  it('truncates to 18..100 without piling up at the bounds', () => {
    for (const [mu, sigma] of [[20, 15], [98, 10], [18, 40]] as const) {
      const draws = Array.from({ length: 4000 }, (_, i) => drawAge(perturbationStream(COHORT.seed, 'trunc', 0, i), { mean: mu, sd: sigma }));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(18);
      expect(Math.max(...draws)).toBeLessThan(101);
      const expected = truncatedMean(mu, sigma, 18, 101);
      expect(Math.abs(mean(draws) - expected), `N(${mu}, ${sigma})`).toBeLessThan((4 * sigma) / Math.sqrt(draws.length));
      expect(draws.filter((x) => x === 18).length).toBe(0);
    }
  });

  it('is pure and deterministic', () => {
    const base = deepFreeze(fakeTask.generate(COHORT, 7));
    const snapshot = structuredClone(base);
    const a = shiftAge.apply(base, older, context(7));
    const b = shiftAge.apply(base, older, context(7));
    expect(base).toEqual(snapshot);
    expect(a).toEqual(b);
    const other = shiftAge.apply(base, older, context(7, 'another-arm'));
    expect(other.changes[0]!.after).not.toEqual(a.changes[0]!.after);
  });

  it('discards earlier perturbations of the arm, and says so with `regenerates`', () => {
    const base = fakeTask.generate(COHORT, 1);
    const without = missingMcar.apply(base, missingMcar.params.parse({ loinc: '2524-7', rate: 1 }), context(1));
    const out = shiftAge.apply(without.case, older, context(1));
    expect(out.case).toEqual(shiftAge.apply(base, older, context(1)).case);
    expect(shiftAge.regenerates).toBe(true);
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => shiftAge.params.safeParse(v).error?.issues ?? [];
    expect(issues({ mean: 10, sd: 5 })).toEqual([expect.objectContaining({ path: ['mean'] })]);
    expect(issues({ mean: 101, sd: 5 })).toEqual([expect.objectContaining({ path: ['mean'] })]);
    expect(issues({ mean: 60, sd: 0 })).toEqual([expect.objectContaining({ path: ['sd'] })]);
    expect(issues({ mean: 60, sd: 41 })).toEqual([expect.objectContaining({ path: ['sd'] })]);
    expect(issues({ mean: 60 })).toEqual([expect.objectContaining({ path: ['sd'] })]);
    expect(issues({ mean: 60, sd: 5, min: 18 })[0]?.message).toMatch(/"min"/);
    expect(issues({ mean: 60, sd: 5 })).toEqual([]);
  });

  it('describes itself and declares a degrading perturbation with recomputed truth', () => {
    expect(shiftAge.describe(older)).toBe('age drawn from N(80, 8) years, truncated to 18-100');
    expect(shiftAge.expectation(older)).toEqual({ kind: 'degrading' });
    expect(shiftAge.truthEffect).toBe('recomputed');
    expect(shiftAge.family).toBe('shift');
  });
});
