import { describe, expect, it } from 'vitest';
import type { Change } from '../../simulator/perturb/perturbation.ts';
import { observations } from '../../simulator/fhir/bundle-access.ts';
import { shiftNoise } from '../../simulator/perturb/shift/noise.ts';
import { decimalsOf } from '../../simulator/perturb/ucum.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { COHORT, context, deepFreeze, sepsisCase, SEPSIS_MEASUREMENTS } from './perturb-fixtures.ts';

const params = (v: unknown) => shiftNoise.params.parse(v);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

function deltas(p: ReturnType<typeof params>, path: string, n = 4000, arm = 'noise'): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = shiftNoise.apply(sepsisCase(i), p, { ...context(i), rng: perturbationStream(COHORT.seed, arm, 0, i) });
    const ch = r.changes.find((c: Change) => c.path === path)!;
    out.push((ch.after as number) - (ch.before as number));
  }
  return out;
}

describe('shift.noise', () => {
  it('adds Gaussian noise of the asked absolute sd (4,000 cases)', () => {
    const d = deltas(params({ loinc: '2524-7', sd: 0.5 }), 'Observation[2524-7].value');
    expect(Math.abs(mean(d))).toBeLessThan(0.03);
    expect(Math.abs(sd(d) - 0.5)).toBeLessThan(0.025); // rounding to 0.1 adds 0.0008
  });

  it('adds relative noise (cv), and combines sd and cv as independent errors', () => {
    const hr = SEPSIS_MEASUREMENTS['8867-4'][2]; // 112
    const relative = deltas(params({ loinc: '8867-4', cv: 0.1 }), 'Observation[8867-4].value');
    expect(Math.abs(sd(relative) - 0.1 * hr) / (0.1 * hr)).toBeLessThan(0.05);
    const both = deltas(params({ loinc: '8867-4', cv: 0.1, sd: 8 }), 'Observation[8867-4].value', 4000, 'both');
    const expected = Math.sqrt(8 ** 2 + (0.1 * hr) ** 2);
    expect(Math.abs(sd(both) - expected) / expected).toBeLessThan(0.05);
  });

  it('rounds to the value’s reported precision and keeps values within physical bounds', () => {
    for (let i = 0; i < 300; i++) {
      const out = shiftNoise.apply(sepsisCase(i, { values: { '2524-7': 0.4 } }), params({ cv: 0.5 }), context(i));
      for (const ch of out.changes) {
        const after = ch.after as number;
        expect(decimalsOf(after)).toBeLessThanOrEqual(Math.max(1, decimalsOf(ch.before as number)));
        expect(after).toBeGreaterThanOrEqual(0);
        if (ch.path === 'Observation[59408-5].value') expect(after).toBeLessThanOrEqual(100);
        if (ch.path === 'Observation[9269-2].value') expect(after).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('without `loinc`, perturbs every numeric Observation and records each', () => {
    const c = deepFreeze(sepsisCase());
    const out = shiftNoise.apply(c, params({ cv: 0.05 }), context(0));
    expect(out.changes.map((ch) => ch.path)).toEqual(Object.keys(SEPSIS_MEASUREMENTS).map((l) => `Observation[${l}].value`));
    for (const ch of out.changes) {
      const loinc = /\[(.+)\]/.exec(ch.path)![1]!;
      expect(observations(out.case.bundle, loinc)[0]!.valueQuantity!.value).toBe(ch.after);
    }
    expect(out.case.truth).toBe(c.truth);
  });

  it('draws the noise of a code independently of what else the case holds or targets', () => {
    for (let i = 0; i < 100; i++) {
      const lactate = (r: { changes: Change[] }) => r.changes.find((ch) => ch.path === 'Observation[2524-7].value');
      const full = shiftNoise.apply(sepsisCase(i), params({ cv: 0.2 }), context(i));
      const fewer = shiftNoise.apply(sepsisCase(i, { omit: ['6690-2', '8867-4'] }), params({ cv: 0.2 }), context(i));
      const targeted = shiftNoise.apply(sepsisCase(i), params({ loinc: ['2524-7', '777-3'], cv: 0.2 }), context(i));
      expect(lactate(fewer)).toEqual(lactate(full));
      expect(lactate(targeted)).toEqual(lactate(full));
    }
  });

  it('is deterministic, pure, and a no-op on a case without the code', () => {
    const c = deepFreeze(sepsisCase(3));
    const snapshot = structuredClone(c);
    const a = shiftNoise.apply(c, params({ loinc: '2524-7', cv: 0.1 }), context(3));
    expect(a).toEqual(shiftNoise.apply(c, params({ loinc: '2524-7', cv: 0.1 }), context(3)));
    expect(c).toEqual(snapshot);
    const none = sepsisCase(0, { omit: ['2524-7'] });
    expect(shiftNoise.apply(none, params({ loinc: '2524-7', cv: 0.1 }), context(0))).toEqual({ case: none, changes: [] });
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => shiftNoise.params.safeParse(v).error?.issues ?? [];
    expect(issues({ loinc: '2524-7' })).toEqual([expect.objectContaining({ path: ['sd'], message: expect.stringMatching(/give sd .* or cv/) })]);
    expect(issues({ sd: 0.3 })).toEqual([expect.objectContaining({ path: ['loinc'], message: expect.stringMatching(/unit of one analyte/) })]);
    expect(issues({ cv: 1.5 })).toEqual([expect.objectContaining({ path: ['cv'] })]);
    expect(issues({ loinc: '2524-7', sd: 0 })).toEqual([expect.objectContaining({ path: ['sd'], message: expect.stringMatching(/greater than 0/) })]);
    expect(issues({ loinc: '2524-7', cv: 0.1, seed: 1 })[0]?.message).toMatch(/"seed"/);
    expect(issues({ cv: 0.1 })).toEqual([]);
  });

  it('describes itself: degrading, truth preserved', () => {
    expect(shiftNoise.describe(params({ loinc: '2524-7', sd: 0.2, cv: 0.05 }))).toBe('lactate (2524-7) with Gaussian measurement noise (sd 0.2 + cv 0.05)');
    expect(shiftNoise.describe(params({ cv: 0.05 }))).toBe('every measurement with Gaussian measurement noise (cv 0.05)');
    expect(shiftNoise.expectation(params({ cv: 0.05 }))).toEqual({ kind: 'degrading' });
    expect(shiftNoise.truthEffect).toBe('preserved');
  });
});
