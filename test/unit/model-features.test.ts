import { describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, Observation } from 'fhir/r4.js';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { extractMeasurements } from '../../models/sepsis/features.ts';
import { fitLogistic, sigmoid } from '../../models/sepsis/logistic.ts';
import { createSepsisModel } from '../../models/sepsis/model.ts';
import { toTrainingUnit } from '../../models/sepsis/units.ts';

/** The first patient from index 5 on whose bundle has every measurement (labs are not ordered for everyone). */
const base = (() => {
  for (let i = 5; ; i++) {
    const b = tasks.sepsis.generate({ seed: 4242 }, i).bundle;
    if ((b.entry ?? []).filter((e) => e.resource?.resourceType === 'Observation').length === 11) return b;
  }
})();

/** A copy of `base` with the Observation coded `loinc` changed by `edit`. */
function withObservation(loinc: string, edit: (o: Observation) => Observation, bundle: Bundle = base): Bundle {
  return {
    ...bundle,
    entry: (bundle.entry ?? []).map((e): BundleEntry => {
      const r = e.resource;
      return r?.resourceType === 'Observation' && r.code.coding?.some((c) => c.code === loinc) ? { ...e, resource: edit(r) } : e;
    }),
  };
}
const quantity = (value: number, code: string) => ({ value, unit: code, system: 'http://unitsofmeasure.org', code });
const valueOf = (loinc: string): number => {
  for (const e of base.entry ?? []) {
    const r = e.resource;
    if (r?.resourceType === 'Observation' && r.code.coding?.some((c) => c.code === loinc)) return r.valueQuantity!.value!;
  }
  throw new Error(`no ${loinc}`);
};

describe('units', () => {
  it('converts to training units with the local UCUM table', () => {
    expect(toTrainingUnit('lactate', 18.016, 'mg/dL')).toBeCloseTo(2, 10);
    expect(toTrainingUnit('temp', 100.4, '[degF]')).toBeCloseTo(38, 10);
    expect(toTrainingUnit('creatinine', 88.4, 'umol/L')).toBeCloseTo(1, 2);
    expect(toTrainingUnit('spo2', 0.95, '1')).toBeCloseTo(95, 10);
    expect(toTrainingUnit('wbc', 12_000, '/uL')).toBeCloseTo(12, 10);
    expect(toTrainingUnit('lactate', 2, 'furlongs')).toBeUndefined();
    expect(toTrainingUnit('lactate', 2, undefined)).toBe(2);
  });
});

describe('feature extraction', () => {
  it('reads the generated bundle: age from the bundle timestamp, sex, every measure', () => {
    const { values, unreadable } = extractMeasurements(base, 'flawed');
    const patient = base.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as { gender: string; birthDate: string };
    const expectedAge = (Date.parse(base.timestamp!) - Date.parse(patient.birthDate)) / (365.2425 * 86_400_000);
    expect(values.ageYears).toBeCloseTo(expectedAge, 6);
    expect(values.male).toBe(patient.gender === 'male' ? 1 : 0);
    expect(values.lactate).toBe(valueOf('2524-7'));
    expect(values.hr).toBe(valueOf('8867-4'));
    expect(Object.keys(values)).toHaveLength(13);
    expect(unreadable.size).toBe(0);
  });

  it('converts vitals and other labs in both variants', () => {
    const f = withObservation('8310-5', (o) => ({ ...o, valueQuantity: quantity((valueOf('8310-5') * 9) / 5 + 32, '[degF]') }));
    for (const variant of ['flawed', 'flaw-free'] as const) {
      expect(extractMeasurements(f, variant).values.temp).toBeCloseTo(valueOf('8310-5'), 8);
    }
  });

  it('flaw (b): only the flaw-free variant converts lactate units', () => {
    const lactate = valueOf('2524-7');
    const mg = withObservation('2524-7', (o) => ({ ...o, valueQuantity: quantity(lactate * 9.008, 'mg/dL') }));
    expect(extractMeasurements(mg, 'flawed').values.lactate).toBeCloseTo(lactate * 9.008, 8);
    expect(extractMeasurements(mg, 'flaw-free').values.lactate).toBeCloseTo(lactate, 8);
  });

  it('flags a lactate with a unit it cannot convert, and scores it with the no-lactate fit', () => {
    const odd = withObservation('2524-7', (o) => ({ ...o, valueQuantity: quantity(2, 'g/L') }));
    const gone = { ...base, entry: base.entry!.filter((e) => !(e.resource?.resourceType === 'Observation' && e.resource.code.coding?.some((c) => c.code === '2524-7'))) };
    const model = createSepsisModel({ flawFree: true });
    const p = model.predict(odd);
    expect(p.flags).toEqual(['lactate-unit-unknown']);
    expect(p.score).toBe(model.predict(gone).score);
    expect(createSepsisModel().predict(odd).flags).toEqual([]);
  });

  it('ignores entered-in-error values and takes the most recent observation', () => {
    const wrong = withObservation('8867-4', (o) => ({ ...o, status: 'entered-in-error', valueQuantity: quantity(200, '/min') }));
    expect(extractMeasurements(wrong, 'flawed').values.hr).toBeUndefined();
    const hr = base.entry!.find((e) => e.resource?.resourceType === 'Observation' && e.resource.code.coding?.some((c) => c.code === '8867-4'))!;
    const obs = hr.resource as Observation;
    const later: BundleEntry = { resource: { ...obs, effectiveDateTime: new Date(Date.parse(obs.effectiveDateTime!) + 60_000).toISOString(), valueQuantity: quantity(133, '/min') } };
    const earlier: BundleEntry = { resource: { ...obs, effectiveDateTime: new Date(Date.parse(obs.effectiveDateTime!) - 60_000).toISOString(), valueQuantity: quantity(44, '/min') } };
    const both = { ...base, entry: [later, ...base.entry!, earlier] };
    expect(extractMeasurements(both, 'flaw-free').values.hr).toBe(133);
  });

  it('falls back to the encounter start for age when the bundle has no timestamp', () => {
    const { timestamp: _omit, ...rest } = base;
    const age = extractMeasurements(rest as Bundle, 'flawed').values.ageYears!;
    expect(age).toBeGreaterThan(extractMeasurements(base, 'flawed').values.ageYears! - 0.01);
    expect(age).toBeLessThanOrEqual(extractMeasurements(base, 'flawed').values.ageYears!);
  });
});

describe('robustness', () => {
  const junk: unknown[] = [
    null,
    42,
    'Bundle',
    [],
    {},
    { resourceType: 'Bundle' },
    { resourceType: 'Bundle', entry: 'x' },
    { resourceType: 'Bundle', entry: [null, 1, 'a', { resource: null }, { resource: { resourceType: 'Observation' } }] },
    { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Observation', code: { coding: 'x' } } }] },
    withObservation('8867-4', (o) => ({ ...o, valueQuantity: { value: 'abc' as unknown as number } })),
    withObservation('8867-4', (o) => ({ ...o, valueQuantity: quantity(1e308, '/min') })),
    withObservation('2524-7', (o) => ({ ...o, valueQuantity: quantity(-5, 'mmol/L') })),
    withObservation('2524-7', (o) => ({ ...o, valueQuantity: quantity(1e308, 'mg/dL') })),
    { ...base, timestamp: 'not a date' },
    { ...base, entry: base.entry!.map((e) => (e.resource?.resourceType === 'Patient' ? { resource: { ...e.resource, birthDate: '3000-01-01', gender: 7 } } : e)) },
  ];

  it.each(junk.map((j, i) => [i, j] as const))('scores junk input %i with a finite score in [0, 1]', (_i, input) => {
    for (const model of [createSepsisModel(), createSepsisModel({ flawFree: true })]) {
      const { score, label } = model.predict(input);
      expect(Number.isFinite(score)).toBe(true);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
      expect([0, 1]).toContain(label);
    }
  });
});

describe('logistic regression (IRLS)', () => {
  /** mulberry32: a small seeded PRNG, so the test data are fixed. */
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('recovers the coefficients that generated the data', () => {
    const u = rng(7);
    const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = [normal(), 10 + 5 * normal(), u() < 0.3 ? 1 : 0];
      X.push(x);
      y.push(u() < sigmoid(-1 + 0.8 * x[0]! - 0.05 * x[1]! + 1.2 * x[2]!) ? 1 : 0);
    }
    const fit = fitLogistic(X, y);
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.intercept + 1)).toBeLessThan(0.15);
    expect(Math.abs(fit.coefficients[0]! - 0.8)).toBeLessThan(0.06);
    expect(Math.abs(fit.coefficients[1]! + 0.05)).toBeLessThan(0.012);
    expect(Math.abs(fit.coefficients[2]! - 1.2)).toBeLessThan(0.1);
  });

  it('refuses a constant column', () => {
    expect(() => fitLogistic([[1], [1], [1]], [0, 1, 0])).toThrow(/constant/);
  });
});
