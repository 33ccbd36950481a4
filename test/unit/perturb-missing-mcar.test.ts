import { describe, expect, it } from 'vitest';
import { observations } from '../../simulator/fhir/bundle-access.ts';
import { loincCheckDigit, missingMcar, targetCodes } from '../../simulator/perturb/missing/mcar.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { COHORT, context, deepFreeze, sepsisCase } from './perturb-fixtures.ts';

const params = (loinc: string | string[], rate: number) => missingMcar.params.parse({ loinc, rate });

describe('missing.mcar', () => {
  it('removes the targeted Observations and records what was removed', () => {
    const c = deepFreeze(sepsisCase());
    const out = missingMcar.apply(c, params('2524-7', 1), context(0));
    expect(observations(out.case.bundle, '2524-7')).toEqual([]);
    expect(out.case.bundle.entry).toHaveLength(c.bundle.entry!.length - 1);
    expect(out.changes).toEqual([{ path: 'Observation[2524-7].value', before: 3.1, after: null }]);
    expect(out.case.truth).toBe(c.truth);
  });

  it('is pure: a frozen input is left unchanged and the kept entries are shared', () => {
    const c = deepFreeze(sepsisCase());
    const snapshot = structuredClone(c);
    const out = missingMcar.apply(c, params(['2524-7', '6690-2'], 1), context(0));
    expect(c).toEqual(snapshot);
    const kept = new Set(c.bundle.entry);
    for (const e of out.case.bundle.entry!) expect(kept.has(e)).toBe(true);
    expect(out.changes).toEqual([
      { path: 'Observation[2524-7].value', before: 3.1, after: null },
      { path: 'Observation[6690-2].value', before: 15.2, after: null },
    ]);
  });

  it('keeps everything at rate 0, returns the case itself, and records the kept values', () => {
    const c = sepsisCase();
    const out = missingMcar.apply(c, params('2524-7', 0), context(0));
    expect(out.case).toBe(c);
    expect(out.changes).toEqual([{ path: 'Observation[2524-7].value', before: 3.1, after: 3.1 }]);
  });

  it('records no change when the case has none of the targeted codes', () => {
    const c = sepsisCase(0, { omit: ['2524-7'] });
    for (const rate of [0, 1]) {
      const out = missingMcar.apply(c, params('2524-7', rate), context(0));
      expect(out).toEqual({ case: c, changes: [] });
      expect(out.case).toBe(c);
    }
  });

  it('is deterministic for the same stream and varies across cases', () => {
    const p = params(['2524-7', '6690-2', '777-3'], 0.5);
    const outcomes = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const a = missingMcar.apply(sepsisCase(i), p, context(i));
      const b = missingMcar.apply(sepsisCase(i), p, context(i));
      expect(a).toEqual(b);
      outcomes.add(a.changes.map((ch) => `${ch.path}:${ch.after}`).join());
    }
    expect(outcomes.size).toBeGreaterThan(4);
  });

  it('removes each code at the given rate, independently (5,000 cases)', () => {
    const n = 5000;
    for (const rate of [0.1, 0.5, 0.83]) {
      const p = params(['2524-7', '6690-2'], rate);
      let lactate = 0;
      let wbc = 0;
      let both = 0;
      for (let i = 0; i < n; i++) {
        const out = missingMcar.apply(sepsisCase(i), p, { ...context(i), rng: perturbationStream(COHORT.seed, `mcar-${rate}`, 0, i) });
        const removed = out.changes.filter((ch) => ch.after === null).map((ch) => ch.path);
        const l = removed.includes('Observation[2524-7].value');
        const w = removed.includes('Observation[6690-2].value');
        lactate += l ? 1 : 0;
        wbc += w ? 1 : 0;
        both += l && w ? 1 : 0;
      }
      expect(Math.abs(lactate / n - rate)).toBeLessThan(0.02);
      expect(Math.abs(wbc / n - rate)).toBeLessThan(0.02);
      expect(Math.abs(both / n - rate * rate)).toBeLessThan(0.02);
    }
  });

  it('draws one uniform per code in sorted order, whatever the case holds or the author wrote', () => {
    const p1 = params(['6690-2', '2524-7'], 0.5);
    const p2 = params(['2524-7', '6690-2', '2524-7'], 0.5);
    expect(targetCodes(p1.loinc)).toEqual(['2524-7', '6690-2']);
    for (let i = 0; i < 50; i++) {
      const full = sepsisCase(i);
      const a = missingMcar.apply(full, p1, context(i));
      const b = missingMcar.apply(full, p2, context(i));
      expect(a.changes).toEqual(b.changes);
      // Without lactate in the case, the WBC decision is the same: the lactate draw is still made.
      const noLactate = missingMcar.apply(sepsisCase(i, { omit: ['2524-7'] }), p1, context(i));
      const wbc = (r: typeof a) => r.changes.some((ch) => ch.path === 'Observation[6690-2].value' && ch.after === null);
      expect(wbc(noLactate)).toBe(wbc(a));
    }
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => missingMcar.params.safeParse(v).error?.issues ?? [];
    expect(issues({ loinc: '2524-7', rate: 1.5 })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues({ loinc: '2524-7', rate: -0.1 })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues({ loinc: [], rate: 0.5 })).toEqual([expect.objectContaining({ path: ['loinc'] })]);
    expect(issues({ loinc: 7, rate: 0.5 })).toEqual([expect.objectContaining({ path: ['loinc'] })]);
    expect(issues({ loinc: '2524-8', rate: 0.5 })).toEqual([
      expect.objectContaining({ path: ['loinc'], message: expect.stringMatching(/check digit.*2524-7/) }),
    ]);
    expect(issues({ loinc: ['2524-7', 'lactate'], rate: 0.5 })).toEqual([expect.objectContaining({ path: ['loinc', 1] })]);
    expect(issues({ loinc: '2524-7' })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues({ loinc: '2524-7', rate: 0.5, seed: 1 })[0]?.message).toMatch(/"seed"/);
  });

  it('computes LOINC check digits', () => {
    for (const code of ['8867-4', '9279-1', '8310-5', '8480-6', '59408-5', '9269-2', '2524-7', '6690-2', '2160-0', '777-3', '1975-2']) {
      const [body = '', check] = code.split('-');
      expect(loincCheckDigit(body), code).toBe(Number(check));
    }
  });

  it('describes itself and declares a degrading, truth-preserving perturbation', () => {
    expect(missingMcar.describe(params('2524-7', 0.5))).toBe('lactate (2524-7) missing completely at random (rate 0.5)');
    expect(missingMcar.describe(params(['6690-2', '2823-3'], 0.2))).toBe(
      'potassium (2823-3), WBC (6690-2), each independently, missing completely at random (rate 0.2)',
    );
    expect(missingMcar.expectation(params('2524-7', 0.5))).toEqual({ kind: 'degrading' });
    expect(missingMcar.truthEffect).toBe('preserved');
    expect(missingMcar.family).toBe('missing');
  });
});
