import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4.js';
import { observations, UCUM } from '../../simulator/fhir/bundle-access.ts';
import { shiftUnits } from '../../simulator/perturb/shift/units.ts';
import { UnitConversionError } from '../../simulator/perturb/ucum.ts';
import { context, deepFreeze, observation, sepsisCase } from './perturb-fixtures.ts';

const lactateMgDl = shiftUnits.params.parse({ loinc: '2524-7', to: 'mg/dL' });

function only(obs: Observation[]): Observation {
  expect(obs).toHaveLength(1);
  return obs[0]!;
}

describe('shift.units', () => {
  it('re-expresses the value in the new unit and keeps the LOINC code', () => {
    const c = sepsisCase();
    const out = shiftUnits.apply(c, lactateMgDl, context(0));
    const lactate = only(observations(out.case.bundle, '2524-7'));
    expect(lactate.code.coding?.[0]?.code).toBe('2524-7');
    expect(lactate.valueQuantity).toEqual({ value: 27.9, unit: 'mg/dL', system: UCUM, code: 'mg/dL' }); // 3.1 × 9.008
    expect(out.changes).toEqual([
      { path: 'Observation[2524-7].valueQuantity', before: { value: 3.1, code: 'mmol/L' }, after: { value: 27.9, code: 'mg/dL' } },
    ]);
    expect(out.case.truth).toBe(c.truth);
  });

  it('is pure: a frozen input is left unchanged and untouched entries are shared', () => {
    const c = deepFreeze(sepsisCase());
    const snapshot = structuredClone(c);
    const out = shiftUnits.apply(c, lactateMgDl, context(0));
    expect(c).toEqual(snapshot);
    expect(out.case).not.toBe(c);
    const before = c.bundle.entry!;
    const after = out.case.bundle.entry!;
    expect(after).toHaveLength(before.length);
    after.forEach((e, i) => {
      const isLactate = e.resource?.resourceType === 'Observation' && e.resource.code.coding?.[0]?.code === '2524-7';
      if (isLactate) expect(e).not.toBe(before[i]);
      else expect(e).toBe(before[i]);
    });
  });

  it('is deterministic', () => {
    const a = shiftUnits.apply(sepsisCase(3), lactateMgDl, context(3));
    const b = shiftUnits.apply(sepsisCase(3), lactateMgDl, context(3));
    expect(a).toEqual(b);
  });

  it('converts temperature (affine), creatinine and counts', () => {
    const c = sepsisCase();
    const temp = shiftUnits.apply(c, shiftUnits.params.parse({ loinc: '8310-5', to: '[degF]' }), context(0));
    expect(only(observations(temp.case.bundle, '8310-5')).valueQuantity?.value).toBe(101.5); // 38.6 °C
    const creat = shiftUnits.apply(c, shiftUnits.params.parse({ loinc: '2160-0', to: 'umol/L' }), context(0));
    expect(only(observations(creat.case.bundle, '2160-0')).valueQuantity?.value).toBe(141); // 1.6 × 88.40
    const wbc = shiftUnits.apply(c, shiftUnits.params.parse({ loinc: '6690-2', to: '/uL' }), context(0));
    expect(only(observations(wbc.case.bundle, '6690-2')).valueQuantity).toMatchObject({ value: 15_200, code: '/uL' });
  });

  it('records no change when the case has no such Observation, or it is already in that unit', () => {
    const missing = sepsisCase(0, { omit: ['2524-7'] });
    const none = shiftUnits.apply(missing, lactateMgDl, context(0));
    expect(none.changes).toEqual([]);
    expect(none.case).toBe(missing);

    const already = sepsisCase();
    const mmol = shiftUnits.apply(already, shiftUnits.params.parse({ loinc: '2524-7', to: 'mmol/L' }), context(0));
    expect(mmol.changes).toEqual([]);
    expect(mmol.case).toBe(already);
  });

  it('converts every Observation with the code, and its reference range', () => {
    const second = observation('obs-x', '2524-7', 'Lactate', 'mmol/L', 1.0);
    second.referenceRange = [{ low: { value: 0.5, unit: 'mmol/L', system: UCUM, code: 'mmol/L' }, high: { value: 2.2, unit: 'mmol/L', system: UCUM, code: 'mmol/L' } }];
    const c = deepFreeze(sepsisCase(0, { extra: [{ fullUrl: 'urn:uuid:obs-x', resource: second }] }));
    const out = shiftUnits.apply(c, lactateMgDl, context(0));
    expect(out.changes.map((ch) => ch.after)).toEqual([
      { value: 27.9, code: 'mg/dL' },
      { value: 9, code: 'mg/dL' }, // 1.0 mmol/L = 9.008 mg/dL
    ]);
    const range = observations(out.case.bundle, '2524-7')[1]!.referenceRange![0]!;
    expect(range.low).toMatchObject({ value: 4.5, code: 'mg/dL' });
    expect(range.high).toMatchObject({ value: 19.8, code: 'mg/dL' });
  });

  it('fails loudly on a source unit the table does not know', () => {
    const odd = sepsisCase(0, { omit: ['2524-7'], extra: [{ resource: observation('o', '2524-7', 'Lactate', 'mmol/l', 2) }] });
    expect(() => shiftUnits.apply(odd, lactateMgDl, context(0))).toThrow(UnitConversionError);
  });

  it('validates params: the unit must have a conversion for the LOINC code', () => {
    const bad = shiftUnits.params.safeParse({ loinc: '2524-7', to: 'umol/L' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues).toEqual([
      expect.objectContaining({ path: ['to'], message: expect.stringMatching(/allowed units: mmol\/L, mg\/dL/) }),
    ]);
    const unknownCode = shiftUnits.params.safeParse({ loinc: '1234-5', to: 'mg/dL' });
    expect(unknownCode.error!.issues[0]).toMatchObject({ path: ['loinc'], message: expect.stringMatching(/1234-5.*2524-7/) });
    const extra = shiftUnits.params.safeParse({ loinc: '2524-7', to: 'mg/dL', from: 'mmol/L' });
    expect(extra.error!.issues[0]!.message).toMatch(/"from"/);
    expect(shiftUnits.params.safeParse({ loinc: '2524-7', to: 5 }).error!.issues[0]!.path).toEqual(['to']);
  });

  it('describes itself and declares an invariant, truth-preserving perturbation', () => {
    expect(shiftUnits.describe(lactateMgDl)).toBe('lactate (2524-7) reported in mg/dL');
    expect(shiftUnits.expectation(lactateMgDl)).toEqual({ kind: 'invariant' });
    expect(shiftUnits.truthEffect).toBe('preserved');
    expect(shiftUnits.family).toBe('shift');
  });
});
