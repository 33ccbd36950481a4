import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4.js';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { observations } from '../../simulator/fhir/bundle-access.ts';
import { formatProblems, validateResource } from '../../simulator/fhir/validate.ts';
import { LATE_MAX_MINUTES, LATE_MIN_MINUTES, missingNotYetResulted, TEMP_UNKNOWN } from '../../simulator/perturb/missing/not-yet-resulted.ts';
import { perturbationStream } from '../../simulator/random.ts';
import { context, deepFreeze, PREDICTION_TIME, sepsisCase } from './perturb-fixtures.ts';

const params = (v: unknown) => missingNotYetResulted.params.parse(v);
const only = (obs: Observation[]): Observation => {
  expect(obs).toHaveLength(1);
  return obs[0]!;
};

describe('missing.notYetResulted', () => {
  it("'pending': the Observation stays, registered, without a value — the FHIR snapshot at prediction time", () => {
    const c = deepFreeze(sepsisCase());
    const snapshot = structuredClone(c);
    const out = missingNotYetResulted.apply(c, params({ loinc: '2524-7' }), context(0));
    expect(c).toEqual(snapshot);
    const before = only(observations(c.bundle, '2524-7'));
    const after = only(observations(out.case.bundle, '2524-7'));
    const { valueQuantity: _v, status: _s, ...unchanged } = before;
    expect(after).toEqual({ ...unchanged, status: 'registered', dataAbsentReason: TEMP_UNKNOWN });
    expect(after.effectiveDateTime).toBe(before.effectiveDateTime); // the specimen was collected before the prediction
    expect(out.changes).toEqual([{ path: 'Observation[2524-7].value', before: 3.1, after: null }]);
    expect(out.case.truth).toBe(c.truth);
    expect(formatProblems(validateResource(after))).toBe('');
  });

  it('is read as missing by the tabular view, and the pending bundles stay valid FHIR R4 on every task', () => {
    const cases: [keyof typeof tasks, string[]][] = [
      ['sepsis', ['2524-7', '6690-2']],
      ['med-safety', ['2823-3', '6301-6', '98979-8']],
      ['note-triage', ['8867-4']],
    ];
    for (const [name, loinc] of cases) {
      const task = tasks[name];
      for (let i = 0; i < 8; i++) {
        const base = task.generate({ seed: 44 }, i);
        const out = missingNotYetResulted.apply(base, params({ loinc }), context(i, 'nyr', task));
        expect(formatProblems(validateResource(out.case.bundle)), `${name} ${i}`).toBe('');
        for (const code of loinc) for (const obs of observations(out.case.bundle, code)) expect(obs.status).toBe('registered');
      }
    }
    const sepsis = tasks.sepsis;
    const lactateColumn = sepsis.table.features.indexOf('lactate_mmol_l');
    expect(lactateColumn).toBeGreaterThanOrEqual(0);
    const out = missingNotYetResulted.apply(sepsisCase(), params({ loinc: '2524-7' }), context(0));
    expect(sepsis.table.featuresOf(out.case.bundle)[lactateColumn]).toBeNull();
  });

  it("'late': the value stays, issued 10–120 minutes after the prediction time (a leak a model must not use)", () => {
    const predictionMs = Date.parse(PREDICTION_TIME);
    const delays: number[] = [];
    for (let i = 0; i < 500; i++) {
      const c = sepsisCase(i);
      const out = missingNotYetResulted.apply(c, params({ loinc: '2524-7', mode: 'late' }), context(i));
      const obs = only(observations(out.case.bundle, '2524-7'));
      expect(obs.valueQuantity).toEqual(only(observations(c.bundle, '2524-7')).valueQuantity);
      expect(obs.status).toBe('final');
      const issued = Date.parse(obs.issued!);
      delays.push((issued - predictionMs) / 60_000);
      expect(out.changes).toEqual([{ path: 'Observation[2524-7].issued', before: null, after: obs.issued }]);
    }
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(LATE_MIN_MINUTES);
    expect(Math.max(...delays)).toBeLessThanOrEqual(LATE_MAX_MINUTES);
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(90);
  });

  it('affects each code at `rate`, two uniforms per code in sorted order, and records the kept values too', () => {
    const p = params({ loinc: ['6690-2', '2524-7'], rate: 0.4 });
    let lactate = 0;
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const s = perturbationStream(20261124, 'arm', 0, i);
      const uLactate = s();
      s();
      const uWbc = s();
      const out = missingNotYetResulted.apply(sepsisCase(i), p, context(i));
      const pending = (code: string) => out.changes.find((ch) => ch.path === `Observation[${code}].value`)!.after === null;
      expect(pending('2524-7')).toBe(uLactate < 0.4);
      expect(pending('6690-2')).toBe(uWbc < 0.4);
      lactate += pending('2524-7') ? 1 : 0;
    }
    expect(Math.abs(lactate / n - 0.4)).toBeLessThan(0.035);
  });

  it('is a no-op without the code, and leaves Observations without a value alone', () => {
    const none = sepsisCase(0, { omit: ['2524-7'] });
    expect(missingNotYetResulted.apply(none, params({ loinc: '2524-7' }), context(0))).toEqual({ case: none, changes: [] });
    const once = missingNotYetResulted.apply(sepsisCase(), params({ loinc: '2524-7' }), context(0)).case;
    expect(missingNotYetResulted.apply(once, params({ loinc: '2524-7' }), context(0))).toEqual({ case: once, changes: [] });
  });

  it('validates params and names the field', () => {
    const issues = (v: unknown) => missingNotYetResulted.params.safeParse(v).error?.issues ?? [];
    expect(issues({ loinc: '2524-7' })).toEqual([]);
    expect(issues({ loinc: '2524-7', mode: 'future' })).toEqual([expect.objectContaining({ path: ['mode'], message: expect.stringMatching(/"pending".*"late"/) })]);
    expect(issues({ loinc: '2524-7', rate: 2 })).toEqual([expect.objectContaining({ path: ['rate'] })]);
    expect(issues({ rate: 0.5 })).toEqual([expect.objectContaining({ path: ['loinc'] })]);
    expect(issues({ loinc: '2524-7', delay: 30 })[0]?.message).toMatch(/"delay"/);
  });

  it('describes itself: degrading, truth preserved', () => {
    expect(missingNotYetResulted.describe(params({ loinc: '2524-7', rate: 0.4 }))).toBe('lactate (2524-7) not yet resulted at prediction time (rate 0.4)');
    expect(missingNotYetResulted.describe(params({ loinc: '2524-7', mode: 'late' }))).toBe(
      'lactate (2524-7) not yet resulted at prediction time (rate 1; value kept, issued after the prediction time)',
    );
    expect(missingNotYetResulted.expectation(params({ loinc: '2524-7' }))).toEqual({ kind: 'degrading' });
    expect(missingNotYetResulted.truthEffect).toBe('preserved');
  });
});
