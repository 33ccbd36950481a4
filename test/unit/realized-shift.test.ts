import { describe, expect, it } from 'vitest';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { psi } from '../../simulator/metrics/drift.ts';
import { ks2Samp } from '../../simulator/metrics/ks.ts';
import { armChanges, changesOfRecord, realizedPrevalence, realizedShift, variablesOf } from '../../simulator/metrics/realized-shift.ts';
import { applyArm, type ResolvedPerturbation } from '../../simulator/perturb/apply.ts';
import type { Change } from '../../simulator/perturb/perturbation.ts';
import { registry } from '../../simulator/perturb/registry.ts';

const ch = (path: string, before: unknown, after: unknown): Change => ({ path, before, after });

describe('variablesOf', () => {
  it('reads scalars, missing values, quantities and one level of objects', () => {
    expect([...variablesOf(ch('age', 30, 80))]).toEqual([['age', [30, 80]]]);
    expect([...variablesOf(ch('sex', 'male', 'female'))]).toEqual([['sex', ['male', 'female']]]);
    expect([...variablesOf(ch('Observation[2524-7].value', 3.1, null))]).toEqual([['Observation[2524-7].value', [3.1, null]]]);
    expect([...variablesOf(ch('x', Number.NaN, true))]).toEqual([['x', [null, 'true']]]);
    // shift.units records quantities; an older mcar journal recorded the whole valueQuantity.
    expect([...variablesOf(ch('Observation[2524-7].valueQuantity', { value: 1.4, code: 'mmol/L' }, { value: 12.6, code: 'mg/dL' }))]).toEqual([
      ['Observation[2524-7].value', [1.4, 12.6]],
    ]);
    expect([...variablesOf(ch('Observation[2524-7]', { value: 1.1, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' }, null))]).toEqual([
      ['Observation[2524-7].value', [1.1, null]],
    ]);
    // An older shift.age journal recorded the truth object.
    expect([...variablesOf(ch('truth', { label: 0, risk: 0.1, conflicts: [] }, { label: 1, risk: 0.4, conflicts: [] }))]).toEqual([
      ['truth.label', [0, 1]],
      ['truth.risk', [0.1, 0.4]],
    ]);
    expect([...variablesOf(ch('x', null, null))]).toEqual([['x', [null, null]]]);
    expect([...variablesOf(ch('list', [1], [2]))]).toEqual([]);
  });
});

describe('realizedShift', () => {
  it('summarises before and after per variable, with PSI and KS from drift.ts and ks.ts', () => {
    const before = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const after = before.map((x) => x + 3);
    const arm = before.map((b, i) => [ch('Observation[1-8].value', b, after[i])]);
    const [r] = realizedShift(arm);
    expect(r).toEqual({
      path: 'Observation[1-8].value',
      kind: 'numeric',
      n: 10,
      coverage: 1,
      before: { present: 10, missing: 0, mean: 5.5, sd: Math.sqrt(55 / 6), min: 1, median: 5.5, max: 10 },
      after: { present: 10, missing: 0, mean: 8.5, sd: Math.sqrt(55 / 6), min: 4, median: 8.5, max: 13 },
      psi: psi(before, after, 'numeric'),
      ks: { statistic: ks2Samp(before, after).statistic, pValue: ks2Samp(before, after).pValue },
    });
    expect(r!.ks!.statistic).toBeCloseTo(0.3, 12);
  });

  it('gives no shift for values that did not move, and a missing rate for values that went missing', () => {
    const arm: Change[][] = [];
    for (let i = 0; i < 100; i++) arm.push([ch('v', i % 7, i % 4 === 0 ? null : i % 7)]);
    arm.push([]); // a case nothing touched
    const [r] = realizedShift(arm);
    expect(r!.n).toBe(100);
    expect(r!.coverage).toBeCloseTo(100 / 101, 12);
    expect(r!.missingRate).toBe(0.25);
    expect(r!.after.missing).toBe(25);
    const same = realizedShift(Array.from({ length: 50 }, (_, i) => [ch('v', i, i)]));
    expect(same[0]!.psi).toBeCloseTo(0, 12);
    expect(same[0]!.ks).toEqual({ statistic: 0, pValue: 1 });
    expect(same[0]!.missingRate).toBeUndefined();
  });

  it('composes changes of one variable within a case: the first before, the last after', () => {
    const arm = [[ch('Observation[2524-7].valueQuantity', { value: 1.4, code: 'mmol/L' }, { value: 12.6, code: 'mg/dL' }), ch('Observation[2524-7].value', 12.6, 13.1)]];
    const [r] = realizedShift(arm);
    expect([r!.before.mean, r!.after.mean, r!.n]).toEqual([1.4, 13.1, 1]);
  });

  it('reports categorical variables as shares, and leaves out high-cardinality ones', () => {
    const arm = Array.from({ length: 40 }, (_, i) => [
      ch('sex', i % 2 === 0 ? 'male' : 'female', i % 4 === 0 ? 'male' : 'female'),
      ch('Patient.birthDate', `19${10 + i}-01-01`, `19${60 + (i % 30)}-01-01`),
    ]);
    const rs = realizedShift(arm);
    expect(rs.map((r) => r.path)).toEqual(['sex']);
    expect(rs[0]).toMatchObject({ kind: 'categorical', ks: null, before: { shares: { female: 0.5, male: 0.5 }, mean: null }, after: { shares: { female: 0.75, male: 0.25 } } });
    expect(rs[0]!.psi).toBeCloseTo(psi(arm.map((c) => c[0]!.before as string), arm.map((c) => c[0]!.after as string), 'categorical'), 12);
    expect(realizedShift(arm, { maxCategories: 100 }).map((r) => r.path)).toEqual(['Patient.birthDate', 'sex']);
    expect(realizedShift(arm, { include: (p) => p !== 'sex' })).toEqual([]);
  });

  it('is null where a side has no value, and empty for an empty arm', () => {
    const [r] = realizedShift([[ch('v', 1, null)], [ch('v', 2, null)]]);
    expect([r!.psi, r!.ks, r!.missingRate, r!.after.mean]).toEqual([null, null, 1, null]);
    expect(realizedShift([])).toEqual([]);
  });
});

describe('from journal records', () => {
  const record = (arm: string, c: number, repeat: number, label: 0 | 1 | undefined, changes: Change[]) => ({
    arm,
    case: c,
    repeat,
    truth: label === undefined ? {} : { label },
    perturbations: [{ changes: changes.slice(0, 1) }, { changes: changes.slice(1) }],
  });

  it('armChanges takes one list per distinct case of the arm, perturbations in order', () => {
    const records = [
      record('a', 0, 0, 1, [ch('x', 1, 2), ch('y', 3, 4)]),
      record('a', 0, 1, 1, [ch('x', 1, 2), ch('y', 3, 4)]),
      record('b', 0, 0, 0, [ch('x', 9, 9)]),
      record('a', 1, 0, 0, []),
    ];
    expect(changesOfRecord(records[0]!)).toEqual([ch('x', 1, 2), ch('y', 3, 4)]);
    expect(armChanges(records, 'a')).toEqual([[ch('x', 1, 2), ch('y', 3, 4)], []]);
    expect(realizedPrevalence(records, 'a')).toEqual({ cases: 2, positives: 1, prevalence: 0.5 });
    expect(realizedPrevalence(records.filter((r) => r.arm === 'b'))).toEqual({ cases: 1, positives: 0, prevalence: 0 });
    expect(realizedPrevalence([record('a', 0, 0, undefined, [])])).toEqual({ cases: 0, positives: 0, prevalence: null });
  });

  it('shows a prevalence arm’s label shift and the covariate shift it brings (2,000 sepsis cases)', () => {
    const task = tasks.sepsis;
    const cohort = { seed: 99 };
    const arm: ResolvedPerturbation[] = [{ kind: 'shift.prevalence', params: registry['shift.prevalence'].params.parse({ rate: 0.4 }) }];
    const records = Array.from({ length: 2000 }, (_, i) => {
      const out = applyArm(task.generate(cohort, i), 'prevalence', arm, task, cohort);
      return { arm: 'prevalence', case: i, truth: out.case.truth, perturbations: out.provenance };
    });
    const rs = realizedShift(armChanges(records, 'prevalence'));
    const label = rs.find((r) => r.path === 'truth.label')!;
    expect(label.before.mean!).toBeLessThan(0.1);
    expect(Math.abs(label.after.mean! - 0.4)).toBeLessThan(0.03);
    expect(label.after.mean).toBeCloseTo(realizedPrevalence(records).prevalence!, 12);
    expect(rs.find((r) => r.path === 'truth.risk')!.after.mean!).toBeGreaterThan(rs.find((r) => r.path === 'truth.risk')!.before.mean! + 0.1);
    // Sepsis is commoner in older patients: resampling towards positives makes the arm older.
    const age = rs.find((r) => r.path === 'age')!;
    expect(age.after.mean!).toBeGreaterThan(age.before.mean! + 2);
    expect(age.ks!.pValue).toBeLessThan(0.01);
  });
});
