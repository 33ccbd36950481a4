import { describe, expect, it } from 'vitest';
import { observations, UCUM } from '../../simulator/fhir/bundle-access.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { shiftLabBias } from '../../simulator/perturb/shift/lab-bias.ts';
import { shiftUnits } from '../../simulator/perturb/shift/units.ts';
import { context, deepFreeze, observation, sepsisCase } from './perturb-fixtures.ts';

const params = (v: unknown) => shiftLabBias.params.parse(v);

describe('shift.labBias', () => {
  it('reports value · factor + offset in the Observation’s own unit, at its precision', () => {
    const c = deepFreeze(sepsisCase());
    const out = shiftLabBias.apply(c, params({ loinc: '2524-7', factor: 1.1, offset: 0.2 }), context(0));
    expect(observations(out.case.bundle, '2524-7')[0]!.valueQuantity).toEqual({ value: 3.6, unit: 'mmol/L', system: UCUM, code: 'mmol/L' }); // 3.1 × 1.1 + 0.2 = 3.61
    expect(out.changes).toEqual([{ path: 'Observation[2524-7].value', before: 3.1, after: 3.6 }]);
    expect(out.case.truth).toBe(c.truth);
    const platelets = shiftLabBias.apply(c, params({ loinc: '777-3', factor: 0.93 }), context(0));
    expect(observations(platelets.case.bundle, '777-3')[0]!.valueQuantity!.value).toBe(130); // 140 × 0.93 = 130.2
  });

  it('is pure and shares every entry it does not change', () => {
    const c = deepFreeze(sepsisCase());
    const snapshot = structuredClone(c);
    const out = shiftLabBias.apply(c, params({ loinc: '2160-0', offset: 0.3 }), context(0));
    expect(c).toEqual(snapshot);
    out.case.bundle.entry!.forEach((e, i) => {
      const isCreatinine = e.resource?.resourceType === 'Observation' && e.resource.code.coding?.[0]?.code === '2160-0';
      if (isCreatinine) expect(e).not.toBe(c.bundle.entry![i]);
      else expect(e).toBe(c.bundle.entry![i]);
    });
  });

  it('applies the offset in the unit the Observation is in (after shift.units)', () => {
    const c = sepsisCase();
    const mgdl = shiftUnits.apply(c, shiftUnits.params.parse({ loinc: '2524-7', to: 'mg/dL' }), context(0)).case; // 27.9 mg/dL
    const out = shiftLabBias.apply(mgdl, params({ loinc: '2524-7', offset: 2 }), context(0));
    expect(observations(out.case.bundle, '2524-7')[0]!.valueQuantity).toMatchObject({ value: 29.9, code: 'mg/dL' });
  });

  it('never reports below zero, nor a percentage above 100', () => {
    const c = sepsisCase(0, { values: { '2524-7': 0.4 } });
    const low = shiftLabBias.apply(c, params({ loinc: '2524-7', offset: -1 }), context(0));
    expect(low.changes).toEqual([{ path: 'Observation[2524-7].value', before: 0.4, after: 0 }]);
    const high = shiftLabBias.apply(c, params({ loinc: '59408-5', offset: 9 }), context(0));
    expect(high.changes).toEqual([{ path: 'Observation[59408-5].value', before: 93, after: 100 }]);
  });

  it('biases every Observation with the code; records a no-op where there is none', () => {
    const second = observation('obs-x', '2524-7', 'Lactate', 'mmol/L', 1.0);
    const c = sepsisCase(0, { extra: [{ fullUrl: 'urn:uuid:obs-x', resource: second }] });
    const out = shiftLabBias.apply(c, params({ loinc: '2524-7', factor: 2 }), context(0));
    expect(out.changes.map((ch) => ch.after)).toEqual([6.2, 2]);
    const none = sepsisCase(0, { omit: ['2524-7'] });
    expect(shiftLabBias.apply(none, params({ loinc: '2524-7', factor: 2 }), context(0))).toEqual({ case: none, changes: [] });
  });

  it('works on med-safety labs (potassium, eGFR)', () => {
    const task = tasks['med-safety'];
    let biased = 0;
    for (let i = 0; i < 100; i++) {
      const base = deepFreeze(task.generate({ seed: 9 }, i));
      const [k] = observations(base.bundle, '2823-3');
      const out = shiftLabBias.apply(base, params({ loinc: '2823-3', offset: 0.5 }), context(i, 'bias', task));
      if (!k) {
        expect(out.changes).toEqual([]);
        continue;
      }
      biased++;
      expect(out.changes).toEqual([{ path: 'Observation[2823-3].value', before: k.valueQuantity!.value, after: Math.round((k.valueQuantity!.value! + 0.5) * 10) / 10 }]);
      expect(out.case.truth).toBe(base.truth);
    }
    expect(biased).toBeGreaterThan(20);
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => shiftLabBias.params.safeParse(v).error?.issues ?? [];
    expect(issues({ loinc: '2524-7' })).toEqual([expect.objectContaining({ path: ['offset'], message: expect.stringMatching(/non-zero offset or a factor/) })]);
    expect(issues({ loinc: '2524-7', factor: 1, offset: 0 })).toEqual([expect.objectContaining({ path: ['offset'] })]);
    expect(issues({ loinc: '2524-7', factor: 0 })).toEqual([expect.objectContaining({ path: ['factor'], message: expect.stringMatching(/greater than 0/) })]);
    expect(issues({ loinc: '2524-7', offset: '1' })).toEqual([expect.objectContaining({ path: ['offset'] })]);
    expect(issues({ loinc: '2524-8', offset: 1 })).toEqual([expect.objectContaining({ path: ['loinc'], message: expect.stringMatching(/did you mean 2524-7/) })]);
    expect(issues({ offset: 1 })).toEqual([expect.objectContaining({ path: ['loinc'] })]);
    expect(issues({ loinc: '2524-7', offset: 1, unit: 'mmol/L' })[0]?.message).toMatch(/"unit"/);
    expect(issues({ loinc: '2524-7', factor: 1.05 })).toEqual([]);
  });

  it('describes itself: degrading, truth preserved', () => {
    expect(shiftLabBias.describe(params({ loinc: '2524-7', factor: 1.1, offset: -0.2 }))).toBe('lactate (2524-7) reported as value × 1.1 − 0.2 (site calibration bias)');
    expect(shiftLabBias.describe(params({ loinc: '2823-3', offset: 0.3 }))).toBe('potassium (2823-3) reported as value + 0.3 (site calibration bias)');
    expect(shiftLabBias.expectation(params({ loinc: '2524-7', factor: 1.1 }))).toEqual({ kind: 'degrading' });
    expect(shiftLabBias.truthEffect).toBe('preserved');
  });
});
