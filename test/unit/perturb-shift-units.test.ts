import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4.js';
import { observations, UCUM } from '../../simulator/fhir/bundle-access.ts';
import { shiftUnits } from '../../simulator/perturb/shift/units.ts';
import { convert, convertRounded, decimalsOf, inputDecimals, outputDecimals, roundTo, UnitConversionError, unitsFor } from '../../simulator/perturb/ucum.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { stream } from '../../simulator/random.ts';
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

/** Codes added for the med-safety and note-triage bundles (and their siblings), with their units. */
const NEW_CODES: Record<string, string[]> = {
  '2823-3': ['mmol/L', 'meq/L'],
  '6298-4': ['mmol/L', 'meq/L'],
  '2951-2': ['mmol/L', 'meq/L'],
  '2947-0': ['mmol/L', 'meq/L'],
  '98979-8': ['mL/min/{1.73_m2}', 'mL/s/{1.73_m2}'],
  '62238-1': ['mL/min/{1.73_m2}', 'mL/s/{1.73_m2}'],
  '33914-3': ['mL/min/{1.73_m2}', 'mL/s/{1.73_m2}'],
  '6301-6': ['{INR}', '{ratio}', '1'],
  '34714-6': ['{INR}', '{ratio}', '1'],
  '2708-6': ['%', '1'],
};

describe('shift.units on every task’s labs', () => {
  it('knows the units of the new codes, the generators’ unit first', () => {
    for (const [loinc, units] of Object.entries(NEW_CODES)) expect(unitsFor(loinc), loinc).toEqual(units);
  });

  it('converts the new pairs to the known values', () => {
    expect(convertRounded(4.2, 'mmol/L', 'meq/L', '2823-3')).toBe(4.2); // monovalent: ×1
    expect(convertRounded(5.9, 'meq/L', 'mmol/L', '2823-3')).toBe(5.9);
    expect(convertRounded(138, 'mmol/L', 'meq/L', '2951-2')).toBe(138);
    expect(convertRounded(90, 'mL/min/{1.73_m2}', 'mL/s/{1.73_m2}', '98979-8')).toBe(1.5); // ÷60
    expect(convertRounded(1.5, 'mL/s/{1.73_m2}', 'mL/min/{1.73_m2}', '98979-8')).toBe(90);
    expect(convertRounded(27, 'mL/min/{1.73_m2}', 'mL/s/{1.73_m2}', '98979-8')).toBe(0.45);
    expect(convertRounded(2.4, '{INR}', '1', '6301-6')).toBe(2.4);
    expect(convertRounded(94, '%', '1', '2708-6')).toBe(0.94);
  });

  it('round-trips every new pair exactly at the original precision', () => {
    const rng = stream('test', 'new-unit-pairs');
    const failures: string[] = [];
    let checked = 0;
    for (const [loinc, units] of Object.entries(NEW_CODES)) {
      for (const a of units) {
        for (const b of units) {
          if (a === b) continue;
          for (let i = 0; i < 1000; i++) {
            const d = inputDecimals(1, a, loinc) + (i % 4);
            const x = roundTo(10 ** (3.5 * rng() - 1), d);
            if (x === 0) continue;
            const k = outputDecimals(x, a, b, loinc, d);
            const y = convertRounded(x, a, b, loinc, d);
            const trip = `${loinc}: ${x} ${a} -> ${y} ${b}`;
            if (decimalsOf(y) > k) failures.push(`${trip} has more than ${k} decimals`);
            if (roundTo(convert(y, b, a, loinc), d) !== x) failures.push(`${trip} (exact back)`);
            if (roundTo(convertRounded(y, b, a, loinc, k), d) !== x) failures.push(`${trip} (rounded back)`);
            checked++;
          }
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(20_000);
  });

  it('re-expresses med-safety labs and note-triage vitals reversibly, truth untouched', () => {
    const cases: [keyof typeof tasks, string][] = [
      ['med-safety', '2823-3'],
      ['med-safety', '98979-8'],
      ['med-safety', '6301-6'],
      ['med-safety', '2160-0'],
      ['note-triage', '8310-5'],
      ['note-triage', '59408-5'],
      ['note-triage', '2708-6'],
    ];
    for (const [name, loinc] of cases) {
      const task = tasks[name];
      let converted = 0;
      for (let i = 0; i < 80; i++) {
        const base = deepFreeze(task.generate({ seed: 4 }, i));
        const [original] = observations(base.bundle, loinc);
        if (!original) continue;
        const from = original.valueQuantity!.code!;
        const x = original.valueQuantity!.value!;
        for (const to of unitsFor(loinc)) {
          const out = shiftUnits.apply(base, shiftUnits.params.parse({ loinc, to }), context(i, 'units', task));
          const [after] = observations(out.case.bundle, loinc);
          expect(after!.valueQuantity!.code).toBe(to);
          expect(out.case.truth).toBe(base.truth);
          const back = roundTo(convert(after!.valueQuantity!.value!, to, from, loinc), inputDecimals(x, from, loinc));
          expect(back, `${name} ${loinc}: ${x} ${from} -> ${after!.valueQuantity!.value} ${to}`).toBe(x);
          if (to !== from) converted++;
        }
      }
      expect(converted, `${name} ${loinc}`).toBeGreaterThan(10);
    }
  });
});
