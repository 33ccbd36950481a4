import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4.js';
import { LOINC } from '../../simulator/fhir/bundle-access.ts';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { LOCAL_LAB_SYSTEM, localCodeFor, shiftLocalCodes } from '../../simulator/perturb/shift/local-codes.ts';
import { UNIT_LOINCS } from '../../simulator/perturb/ucum.ts';
import { context, deepFreeze, sepsisCase } from './perturb-fixtures.ts';

const params = (v: unknown) => shiftLocalCodes.params.parse(v);

function observationsOf(bundle: { entry?: { resource?: unknown }[] }): Observation[] {
  return (bundle.entry ?? []).map((e) => e.resource as Observation).filter((r) => r?.resourceType === 'Observation');
}

/** An Observation without its code: what must not change. */
function withoutCode(obs: Observation): Omit<Observation, 'code'> {
  const { code: _code, ...rest } = obs;
  return rest;
}

describe('shift.localCodes', () => {
  it('replaces the targeted LOINC codings by site codes, keeping the display, text and everything else', () => {
    const c = deepFreeze(sepsisCase());
    const out = shiftLocalCodes.apply(c, params({ loinc: '2524-7' }), context(0));
    const before = observationsOf(c.bundle);
    const after = observationsOf(out.case.bundle);
    expect(after).toHaveLength(before.length);
    after.forEach((obs, i) => {
      expect(withoutCode(obs)).toEqual(withoutCode(before[i]!));
      if (before[i]!.code.coding![0]!.code !== '2524-7') {
        expect(obs).toBe(before[i]);
        return;
      }
      expect(obs.code).toEqual({ coding: [{ system: LOCAL_LAB_SYSTEM, code: localCodeFor('2524-7'), display: 'Lactate [Moles/volume] in Serum or Plasma' }] });
    });
    expect(out.changes).toEqual([{ path: 'Observation[2524-7].code', before: `${LOINC}|2524-7`, after: `${LOCAL_LAB_SYSTEM}|${localCodeFor('2524-7')}` }]);
    expect(out.case.truth).toBe(c.truth);
  });

  it('without `loinc`, replaces every LOINC coding (both codings of a pulse-oximetry SpO2) and leaves values untouched, on every task', () => {
    for (const task of Object.values(tasks)) {
      for (let i = 0; i < 100; i++) {
        const base = deepFreeze(task.generate({ seed: 12 }, i));
        const out = shiftLocalCodes.apply(base, params({}), context(i, 'local', task));
        const before = observationsOf(base.bundle);
        const after = observationsOf(out.case.bundle);
        expect(after.map(withoutCode)).toEqual(before.map(withoutCode));
        for (const obs of after) {
          expect(obs.code.coding!.some((cd) => cd.system === LOINC)).toBe(false);
          expect(obs.code.text).toBeDefined();
        }
        const spo2 = before.find((o) => o.code.coding?.[0]?.code === '59408-5');
        if (spo2) expect(out.changes.filter((ch) => ch.path === 'Observation[2708-6].code')).toHaveLength(1);
        expect(out.case.truth).toBe(base.truth);
        // Not an Observation: untouched (e.g. the note's LOINC document type).
        const others = (b: typeof base.bundle) => (b.entry ?? []).filter((e) => e.resource?.resourceType !== 'Observation');
        expect(others(out.case.bundle)).toEqual(others(base.bundle));
      }
    }
  });

  it('gives each LOINC code one site code: stable, distinct, opaque', () => {
    const codes = UNIT_LOINCS.map(localCodeFor);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^LAB\d{5}$/);
    expect(localCodeFor('2524-7')).toBe(localCodeFor('2524-7'));
  });

  it('is a no-op where no targeted code is present', () => {
    const c = sepsisCase();
    expect(shiftLocalCodes.apply(c, params({ loinc: ['2823-3', '6301-6'] }), context(0))).toEqual({ case: c, changes: [] });
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => shiftLocalCodes.params.safeParse(v).error?.issues ?? [];
    expect(issues({ loinc: 'lactate' })).toEqual([expect.objectContaining({ path: ['loinc'] })]);
    expect(issues({ loinc: ['2524-7', '2160-1'] })).toEqual([expect.objectContaining({ path: ['loinc', 1], message: expect.stringMatching(/2160-0/) })]);
    expect(issues({ system: 'x' })[0]?.message).toMatch(/"system"/);
    expect(issues({})).toEqual([]);
  });

  it('describes itself: invariant, truth preserved', () => {
    expect(shiftLocalCodes.describe(params({}))).toBe(`every LOINC code sent as local site codes (${LOCAL_LAB_SYSTEM})`);
    expect(shiftLocalCodes.describe(params({ loinc: ['6690-2', '2524-7'] }))).toBe(`lactate (2524-7), WBC (6690-2) sent as local site codes (${LOCAL_LAB_SYSTEM})`);
    expect(shiftLocalCodes.expectation(params({}))).toEqual({ kind: 'invariant' });
    expect(shiftLocalCodes.truthEffect).toBe('preserved');
  });
});
