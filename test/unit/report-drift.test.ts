/**
 * Input drift: the journal's `features` (the task's tabular view of the perturbed bundle, on the
 * repeat-0 record of each case), and report.json `drift` of each arm against the baseline arm.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../../simulator/cohort/tasks.ts';
import { columnDrift, tableDrift } from '../../simulator/metrics/arm-drift.ts';
import { DRIFT_SAMPLE_CASES, FeatureColumns } from '../../simulator/metrics/feature-columns.ts';
import { missing, shift } from '../../simulator/perturb/families.ts';
import { executeRun } from '../../simulator/run/execute.ts';
import { JournalRecord } from '../../simulator/run/journal-record.ts';
import { readJournal } from '../../simulator/run/journal.ts';
import { Scenario } from '../../simulator/scenario.ts';
import { record } from './journal-fixtures.ts';
import { aggregate, lineage, rng } from './report-run-fixtures.ts';

describe('journal features', () => {
  it('are optional in the journal schema, so journals written before them still parse', () => {
    const old = record();
    expect(JournalRecord.safeParse(old).success).toBe(true);
    const withFeatures = { ...old, features: { age_years: 70, sex_female: 1, lactate_mmol_l: null, draft_rxnorm: '5640' } };
    expect(JournalRecord.parse(withFeatures).features).toEqual(withFeatures.features);
    expect(JournalRecord.safeParse({ ...old, features: { age_years: [70] } }).success).toBe(false);
  });
});

describe('drift of an arm against the baseline arm', () => {
  const N = 200;
  const random = rng(5);
  const age = Array.from({ length: N }, () => Math.round(40 + 30 * random()));
  const lactate = Array.from({ length: N }, () => Math.round(10 * (0.8 + 2 * random())) / 10);
  const code = Array.from({ length: N }, () => (random() < 0.5 ? '5640' : '197361'));
  const records = (arm: string, features: (c: number) => Record<string, number | string | null>) =>
    Array.from({ length: N }, (_, c) => record({ arm, case: c, output: { score: 0.3 }, features: features(c) }));
  const base = (c: number) => ({ age_years: age[c]!, lactate_mmol_l: lactate[c]!, draft_rxnorm: code[c]! });
  const older = (c: number) => ({ ...base(c), age_years: age[c]! + 20 });
  const fewer = (c: number) => ({ ...base(c), lactate_mmol_l: c % 2 === 0 ? null : lactate[c]! });
  const report = aggregate(
    [...records('baseline', base), ...records('older', older), ...records('fewer', fewer)],
    lineage({ size: N, armNames: ['baseline', 'older', 'fewer'] }),
  );
  const [baseline, olderArm, fewerArm] = report.arms;

  it('is null for the baseline arm itself', () => {
    expect(baseline!.drift).toBeNull();
  });

  it('flags the shifted feature only, and gives the drift share', () => {
    const drift = olderArm!.drift!;
    expect(drift.reference).toBe('baseline');
    expect(drift.features.map((f) => [f.name, f.kind, f.drift])).toEqual([
      ['age_years', 'numeric', true],
      ['lactate_mmol_l', 'numeric', false],
      ['draft_rxnorm', 'categorical', false],
    ]);
    expect(drift).toMatchObject({ driftShare: 1 / 3, drifted: 1, decided: 3, notAvailable: 0, datasetDrift: false });
    const ageDrift = drift.features[0]!;
    // 200 reference values: Evidently's small-sample test for a numeric feature is KS.
    expect(ageDrift.test).toBe('ks');
    expect(ageDrift.ks!.pValue!).toBeLessThan(0.05);
    expect(ageDrift.wasserstein!).toBeGreaterThan(0.1);
    expect(ageDrift.psi!).toBeGreaterThan(0.2);
  });

  it('gives categorical features Jensen–Shannon but no KS or Wasserstein', () => {
    const cat = olderArm!.drift!.features[2]!;
    expect(cat.ks).toBeNull();
    expect(cat.wasserstein).toBeNull();
    expect(cat.jensenShannon).toBe(0);
    expect(cat.test).toBe('z');
  });

  it('counts missing values apart: MCAR missingness drops values without drifting them', () => {
    const lact = fewerArm!.drift!.features[1]!;
    expect(lact.n).toEqual({ reference: N, current: N / 2 });
    expect(lact.missing).toEqual({ reference: 0, current: N / 2 });
  });

  it('is null for journals written without features', () => {
    const old = aggregate(
      [...records('baseline', base), ...records('older', older)].map(({ features: _features, ...r }) => r),
      lineage({ size: N, armNames: ['baseline', 'older'] }),
    );
    expect(old.arms[1]!.drift).toBeNull();
  });

  it('marks a feature with no value on a side as not available, outside the share', () => {
    const d = tableDrift(['x', 'y'], (n) => (n === 'x' ? [1, 2, 3] : [null, null]), (n) => (n === 'x' ? [1, 2, 3] : [4, 5]));
    expect(d.features[1]).toMatchObject({ name: 'y', test: null, drift: null, psi: null, n: { reference: 0, current: 2 } });
    expect(d).toMatchObject({ driftShare: 0, drifted: 0, decided: 1, notAvailable: 1 });
    expect(columnDrift('z', ['a', 5], ['5']).kind).toBe('categorical');
  });
});

describe('FeatureColumns', () => {
  it('keeps the first record of each case, in case order, and only cases below the cap', () => {
    const columns = new FeatureColumns(10, 3);
    columns.add(2, { x: 2, c: 'b' });
    columns.add(0, { x: 0, c: null });
    columns.add(0, { x: 99, c: 'z' }); // another repeat of case 0: ignored
    columns.add(5, { x: 5, c: 'e' }); // beyond the cap of 3 cases
    columns.add(1, { c: 'a' }); // no x: missing
    expect(columns.cases).toBe(3);
    expect(columns.names).toEqual(['x', 'c']);
    expect(columns.values('x')).toEqual([0, null, 2]);
    expect(columns.values('c')).toEqual([null, 'a', 'b']);
    expect(columns.values('never')).toEqual([null, null, null]);
    expect(DRIFT_SAMPLE_CASES).toBe(100_000);
  });
});

describe('features through a real run (in-process model)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-drift-run-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('journals the tabular view of the perturbed bundle on repeat 0, and reports its drift', async () => {
    const SIZE = 80;
    const scenario = Scenario.parse({
      name: 'drift-run',
      task: 'sepsis',
      cohort: { size: SIZE, seed: 31 },
      repeats: 2,
      target: { adapter: 'in-process', predict: () => ({ score: 0.3 }) },
      arms: {
        baseline: [],
        older: [shift.age({ mean: 85, sd: 3 })],
        'no-lactate': [missing.mcar({ loinc: '2524-7', rate: 1 })],
      },
      gates: { 'driftShare[no-lactate]': '== 0', 'stochasticity[baseline]': '== 0' },
    });
    const result = await executeRun({ scenarios: [{ scenario, file: null, contentHash: 'test' }], runId: 'drift', runDir: dir, signal: new AbortController().signal, resamples: 50 });
    const journal: JournalRecord[] = [];
    for await (const r of readJournal(join(dir, 'results.jsonl'))) journal.push(r);
    expect(journal).toHaveLength(SIZE * 3 * 2);
    const view = tasks.sepsis.table;
    for (const r of journal) {
      if (r.repeat === 1) {
        expect(r.features).toBeUndefined();
        continue;
      }
      expect(Object.keys(r.features!)).toEqual([...view.features]);
      if (r.arm === 'baseline') {
        const cells = view.featuresOf(tasks.sepsis.generate({ seed: 31 }, r.case).bundle);
        expect(Object.values(r.features!)).toEqual(cells);
      }
      if (r.arm === 'no-lactate') expect(r.features!.lactate_mmol_l).toBeNull();
    }
    const arms = result.report!.scenarios[0]!.arms;
    const older = arms.find((a) => a.name === 'older')!.drift!;
    expect(older.features.find((f) => f.name === 'age_years')!.drift).toBe(true);
    const noLactate = arms.find((a) => a.name === 'no-lactate')!.drift!;
    expect(noLactate.features.find((f) => f.name === 'lactate_mmol_l')).toMatchObject({ drift: null, n: { current: 0 } });
    expect(arms[0]!.stochasticity).toBe(0);
    expect(result.report!.scenarios[0]!.gates.map((g) => [g.name, g.actual, g.pass])).toEqual([
      ['driftShare[no-lactate]', 0, true],
      ['stochasticity[baseline]', 0, true],
    ]);
  });
});
