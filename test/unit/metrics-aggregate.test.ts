/**
 * RunAggregator and renderRunReports over a hand-built run: 2 arms × 6 cases, figures computed by
 * hand below.
 *
 * case | label risk | baseline: score outcome latency  | lactate-mg-dl: score outcome latency
 *   0  |   1   0.8  |   0.9  ok      10   (cm)        |   0.7   ok       12  (cm, inv)
 *   1  |   1   0.6  |   0.4  ok      20   (cm FAIL)   |   0.55  ok       14  (cm, inv FAIL)
 *   2  |   0   0.1  |   0.3  ok      30               |   0.2   ok       16  (inv)
 *   3  |   0   0.2  |   0.6  ok      40               |   —     timeout  —
 *   4  |   0   0.1  |   0.4  ok      50               |   0.6   ok       18  (inv FAIL)
 *   5  |   1   0.9  |   —    error   5    (503)       |   0.8   ok       20  (cm)
 * (cm = critical-miss applied, inv = invariance applied; FAIL = the check failed)
 *
 * Threshold 0.5. Answered slots: baseline {0,1,2,3,4}, lactate {0,1,2,4,5}; paired {0,1,2,4}.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunAggregator } from '../../simulator/metrics/aggregate.ts';
import { Report } from '../../simulator/metrics/report-types.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import { JournalWriter } from '../../simulator/run/journal.ts';
import { writeManifest, type Manifest, type ScenarioLineage } from '../../simulator/run/manifest.ts';
import { renderRunReports } from '../../simulator/run/run-files.ts';
import { record } from './journal-fixtures.ts';

const UNITS = 'lactate-mg-dl';

function lineage(overrides: Partial<ScenarioLineage> = {}): ScenarioLineage {
  return {
    name: 'demo',
    task: 'sepsis',
    file: 'demo.scenario.ts',
    contentHash: 'sha256:abc',
    seed: 42,
    size: 6,
    prevalence: null,
    source: null,
    threshold: 0.5,
    repeats: 1,
    target: { adapter: 'http-json', url: 'http://127.0.0.1:9/predict', reference: false },
    arms: [
      { name: 'baseline', perturbations: [] },
      { name: UNITS, perturbations: [{ kind: 'shift.units', params: { loinc: '2524-7', to: 'mg/dL' } }] },
    ],
    gates: {
      'auroc[baseline]': '>= 0.7',
      'auroc.drop[*]': '<= 0.05',
      'safety.critical': '== 0',
      'latency.p95[baseline]': '< 100',
      [`safety.invariance[${UNITS}]`]: '<= 2',
      flipRate: '<= 0.5',
    },
    cohortHash: 'sha256:def',
    cases: 6,
    ...overrides,
  };
}

function manifest(scenario: ScenarioLineage = lineage()): Manifest {
  return {
    runId: 'run-20260101-abc',
    toolVersion: '0.1.0',
    nodeVersion: 'v20.19.0',
    status: 'complete',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:05:00.000Z',
    scenarios: [scenario],
  };
}

const TRUTH = [
  { label: 1, risk: 0.8 },
  { label: 1, risk: 0.6 },
  { label: 0, risk: 0.1 },
  { label: 0, risk: 0.2 },
  { label: 0, risk: 0.1 },
  { label: 1, risk: 0.9 },
] as const;

const SHIFT_PROVENANCE = [
  {
    kind: 'shift.units',
    params: { loinc: '2524-7', to: 'mg/dL' },
    expectation: { kind: 'invariant' as const },
    truthEffect: 'preserved' as const,
    changes: [],
  },
];

function call(arm: string, c: number, fields: Partial<JournalRecord>): JournalRecord {
  return record({
    scenario: 'demo',
    arm,
    case: c,
    truth: { ...TRUTH[c]! },
    perturbations: arm === 'baseline' ? [] : SHIFT_PROVENANCE,
    ...fields,
  });
}
const ok = (score: number, latencyMs: number) => ({ outcome: 'ok' as const, output: { score }, latencyMs, status: 200 });
const criticalMiss = { check: 'critical-miss', severity: 'critical' as const, detail: 'true sepsis scored below threshold' };
const invariance = { check: 'invariance', severity: 'major' as const, detail: 'decision flipped' };

const RECORDS: JournalRecord[] = [
  call('baseline', 0, { ...ok(0.9, 10), checks: ['critical-miss'] }),
  call('baseline', 1, { ...ok(0.4, 20), checks: ['critical-miss'], safety: [criticalMiss] }),
  call('baseline', 2, ok(0.3, 30)),
  call('baseline', 3, ok(0.6, 40)),
  call('baseline', 4, ok(0.4, 50)),
  call('baseline', 5, { outcome: 'error', output: null, latencyMs: 5, status: 503, attempts: 3, error: 'http-status: HTTP 503' }),
  call(UNITS, 0, { ...ok(0.7, 12), checks: ['critical-miss', 'invariance'] }),
  call(UNITS, 1, { ...ok(0.55, 14), checks: ['critical-miss', 'invariance'], safety: [invariance] }),
  call(UNITS, 2, { ...ok(0.2, 16), checks: ['invariance'] }),
  call(UNITS, 3, { outcome: 'timeout', output: null, latencyMs: null, status: null, error: 'timeout: late' }),
  call(UNITS, 4, { ...ok(0.6, 18), checks: ['invariance'], safety: [invariance] }),
  call(UNITS, 5, { ...ok(0.8, 20), checks: ['critical-miss'] }),
];

function aggregate(records: readonly JournalRecord[] = RECORDS, m: Manifest = manifest()): Report {
  const aggregator = new RunAggregator(m);
  for (const r of records) aggregator.add(r);
  return aggregator.report({ manifestFile: 'manifest.json', resamples: 200 });
}

describe('RunAggregator', () => {
  const report = aggregate();
  const scenario = report.scenarios[0]!;
  const [baseline, units] = scenario.arms as [(typeof scenario.arms)[number], (typeof scenario.arms)[number]];

  it('is a valid report naming its run and manifest', () => {
    expect(Report.safeParse(report).success).toBe(true);
    expect(report.schemaVersion).toBe(1);
    expect(report.run).toEqual({
      id: 'run-20260101-abc',
      manifest: 'manifest.json',
      toolVersion: '0.1.0',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:05:00.000Z',
    });
    expect(scenario).toMatchObject({
      name: 'demo',
      task: 'sepsis',
      target: { adapter: 'http-json', url: 'http://127.0.0.1:9/predict' },
      seed: 42,
      size: 6,
      threshold: 0.5,
      repeats: 1,
    });
    expect(scenario.arms.map((a) => a.name)).toEqual(['baseline', UNITS]);
  });

  it('counts cases, calls and outcomes', () => {
    expect(baseline).toMatchObject({ cases: 6, calls: 6, outcomes: { ok: 5, error: 1, timeout: 0, invalid: 0 } });
    expect(units).toMatchObject({ cases: 6, calls: 6, outcomes: { ok: 5, error: 0, timeout: 1, invalid: 0 } });
  });

  it('computes prevalence over answered calls only', () => {
    expect(baseline.prevalence).toBe(2 / 5);
    expect(units.prevalence).toBe(3 / 5);
  });

  it('computes AUROC by Mann–Whitney with ties counting half', () => {
    // baseline: positives 0.9, 0.4; negatives 0.3, 0.6, 0.4 → 1+1+1 + 1+0+0.5 = 4.5 of 6 pairs.
    expect(baseline.metrics.auroc.value).toBe(4.5 / 6);
    // lactate: positives 0.7, 0.55, 0.8; negatives 0.2, 0.6 → 5 of 6 pairs.
    expect(units.metrics.auroc.value).toBe(5 / 6);
  });

  it('computes Brier, sensitivity and specificity at the threshold', () => {
    expect(baseline.metrics.brier.value).toBeCloseTo((0.01 + 0.36 + 0.09 + 0.36 + 0.16) / 5, 12);
    expect(baseline.metrics.sensitivity.value).toBe(1 / 2);
    expect(baseline.metrics.specificity.value).toBe(2 / 3);
    expect(units.metrics.brier.value).toBeCloseTo((0.09 + 0.2025 + 0.04 + 0.36 + 0.04) / 5, 12);
    expect(units.metrics.sensitivity.value).toBe(1);
    expect(units.metrics.specificity.value).toBe(1 / 2);
  });

  it('gives each estimate an ordered bootstrap interval', () => {
    for (const arm of [baseline, units]) {
      for (const m of ['auroc', 'brier', 'sensitivity', 'specificity'] as const) {
        const ci = arm.metrics[m].ci;
        expect(ci, `${arm.name} ${m}`).not.toBeNull();
        expect(ci![0]).toBeLessThanOrEqual(ci![1]);
        expect(ci![0]).toBeGreaterThanOrEqual(0);
        expect(ci![1]).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is deterministic: the same journal gives the same report', () => {
    expect(aggregate()).toEqual(report);
    expect(aggregate([...RECORDS].reverse())).toEqual(report);
  });

  it('has no delta or flip rate for the baseline arm', () => {
    expect(baseline.delta).toBeNull();
    expect(baseline.flipRate).toBeNull();
  });

  it('computes delta = arm − baseline on the cases both answered', () => {
    // Paired cases {0,1,2,4}. lactate: pos 0.7, 0.55 vs neg 0.2, 0.6 → 3/4; baseline: pos 0.9, 0.4
    // vs neg 0.3, 0.4 → 3.5/4. (Unpaired, the difference would be 5/6 − 3/4.)
    expect(units.delta!.auroc.value).toBe(3 / 4 - 3.5 / 4);
    expect(units.delta!.brier.value).toBeCloseTo((0.09 + 0.2025 + 0.04 + 0.36) / 4 - (0.01 + 0.36 + 0.09 + 0.16) / 4, 12);
    expect(units.delta!.sensitivity.value).toBe(1 - 1 / 2);
    expect(units.delta!.specificity.value).toBe(1 / 2 - 1);
    const ci = units.delta!.auroc.ci!;
    expect(ci[0]).toBeLessThanOrEqual(ci[1]);
    expect(ci[0]).toBeGreaterThanOrEqual(-1);
    expect(ci[1]).toBeLessThanOrEqual(1);
  });

  it('computes the flip rate over paired cases', () => {
    // Decisions at 0.5 on {0,1,2,4}: case 1 (0.4 → 0.55) and case 4 (0.4 → 0.6) flip.
    expect(units.flipRate).toBe(2 / 4);
  });

  it('summarises latency of answered calls with numpy-linear percentiles', () => {
    // baseline sorted, without the 5 ms 503 error: 10 20 30 40 50 (n = 5): h = 2, 3.6, 3.8, 3.96.
    expect(baseline.latency).not.toBeNull();
    expect(baseline.latency!.p50).toBe(30);
    expect(baseline.latency!.p90).toBeCloseTo(46, 9);
    expect(baseline.latency!.p95).toBeCloseTo(48, 9);
    expect(baseline.latency!.p99).toBeCloseTo(49.6, 9);
    expect(baseline.latency!.max).toBe(50);
    // lactate sorted: 12 14 16 18 20 (the timeout has no latency): h = 2, 3.6, 3.8, 3.96.
    expect(units.latency!.p50).toBe(16);
    expect(units.latency!.p90).toBeCloseTo(19.2, 9);
    expect(units.latency!.p95).toBeCloseTo(19.6, 9);
    expect(units.latency!.p99).toBeCloseTo(19.92, 9);
    expect(units.latency!.max).toBe(20);
  });

  it('counts safety failures by severity and by check, with rates over the calls each check applied to', () => {
    // Wilson 95% intervals (z = 1.959964): 1 of 2 → [0.0945, 0.9055]; 0 of 3 → [0, 0.5615]; 2 of 4 → [0.1500, 0.8500].
    const rate = (count: number, applied: number, lo: number, hi: number) => ({ count, applied, rate: count / applied, ci: [lo, hi] });
    const close = (actual: typeof baseline.safety.byCheck, expected: Record<string, ReturnType<typeof rate>>) => {
      expect(Object.keys(actual)).toEqual(Object.keys(expected));
      for (const [check, e] of Object.entries(expected)) {
        const a = actual[check]!;
        expect([a.count, a.applied, a.rate]).toEqual([e.count, e.applied, e.rate]);
        expect(a.ci![0]).toBeCloseTo(e.ci[0]!, 4);
        expect(a.ci![1]).toBeCloseTo(e.ci[1]!, 4);
      }
    };
    expect(baseline.safety.failures).toBe(1);
    expect(baseline.safety.bySeverity).toEqual({ critical: 1, major: 0, minor: 0 });
    close(baseline.safety.byCheck, { 'critical-miss': rate(1, 2, 0.0945, 0.9055) });
    expect(units.safety.failures).toBe(2);
    expect(units.safety.bySeverity).toEqual({ critical: 0, major: 2, minor: 0 });
    close(units.safety.byCheck, { 'critical-miss': rate(0, 3, 0, 0.5615), invariance: rate(2, 4, 0.15, 0.85) });
  });

  it('describes each arm\'s perturbations from the manifest', () => {
    expect(baseline.perturbations).toEqual([]);
    expect(units.perturbations).toEqual([
      {
        kind: 'shift.units',
        params: { loinc: '2524-7', to: 'mg/dL' },
        description: 'lactate (2524-7) reported in mg/dL',
        expectation: { kind: 'invariant' },
      },
    ]);
  });

  it('evaluates every gate per selected arm, and fails the run when one fails', () => {
    expect(scenario.gates).toEqual([
      { name: 'auroc[baseline]', expression: '>= 0.7', actual: 0.75, pass: true },
      { name: `auroc.drop[${UNITS}]`, expression: '<= 0.05', actual: 0.125, pass: false },
      { name: 'safety.critical[baseline]', expression: '== 0', actual: 1, pass: false },
      { name: `safety.critical[${UNITS}]`, expression: '== 0', actual: 0, pass: true },
      { name: 'latency.p95[baseline]', expression: '< 100', actual: 48, pass: true },
      { name: `safety.invariance[${UNITS}]`, expression: '<= 2', actual: 2, pass: true },
      { name: `flipRate[${UNITS}]`, expression: '<= 0.5', actual: 0.5, pass: true },
    ]);
    expect(scenario.passed).toBe(false);
    expect(report.passed).toBe(false);
  });

  it('passes when every gate passes, and with no gates at all', () => {
    const lenient = aggregate(RECORDS, manifest(lineage({ gates: { 'auroc[*]': '>= 0.7', 'safety.critical[lactate-mg-dl]': '== 0' } })));
    expect(lenient.scenarios[0]!.gates.map((g) => g.pass)).toEqual([true, true, true]);
    expect(lenient.scenarios[0]!.passed).toBe(true);
    expect(lenient.passed).toBe(true);
    const none = aggregate(RECORDS, manifest(lineage({ gates: {} })));
    expect(none.scenarios[0]!.gates).toEqual([]);
    expect(none.passed).toBe(true);
  });

  it('fails a gate in the manifest that does not parse, rather than dropping it', () => {
    const r = aggregate(RECORDS, manifest(lineage({ gates: { 'aucroc[baseline]': '>= 0.7' } })));
    expect(r.scenarios[0]!.gates).toEqual([{ name: 'aucroc[baseline]', expression: '>= 0.7', actual: null, pass: false }]);
    expect(r.passed).toBe(false);
  });

  it('reports figures it cannot compute as null: one class, no answers', () => {
    const onlyNegatives = RECORDS.filter((r) => r.arm === 'baseline' && r.truth.label === 0);
    const r = aggregate(onlyNegatives, manifest(lineage({ gates: { auroc: '>= 0' } })));
    const [b, u] = r.scenarios[0]!.arms;
    expect(b!.metrics.auroc).toEqual({ value: null, ci: null });
    expect(b!.metrics.sensitivity).toEqual({ value: null, ci: null });
    expect(b!.prevalence).toBe(0);
    expect(b!.cases).toBe(3);
    expect(u).toMatchObject({ cases: 0, calls: 0, prevalence: null, latency: null, flipRate: null });
    expect(u!.metrics.auroc.value).toBeNull();
    expect(r.scenarios[0]!.gates.map((g) => [g.name, g.actual, g.pass])).toEqual([
      ['auroc[baseline]', null, false],
      [`auroc[${UNITS}]`, null, false],
    ]);
  });

  it('scores only ok calls with both a score and a label', () => {
    const records = [
      call('baseline', 0, ok(0.9, 1)),
      call('baseline', 2, ok(0.1, 1)),
      // None of these may enter the metrics: not ok, no score, no label.
      call('baseline', 1, { outcome: 'invalid', output: { score: 0.05 }, latencyMs: 1 }),
      call('baseline', 3, { outcome: 'ok', output: { text: 'sepsis unlikely' }, latencyMs: 1 }),
      call('baseline', 4, { ...ok(0.99, 1), truth: {} }),
    ];
    const [b] = aggregate(records, manifest(lineage({ gates: {} }))).scenarios[0]!.arms;
    expect(b).toMatchObject({ cases: 5, calls: 5, prevalence: 1 / 2, outcomes: { ok: 4, error: 0, timeout: 0, invalid: 1 } });
    expect(b!.metrics.auroc.value).toBe(1);
    expect(b!.metrics.brier.value).toBeCloseTo((0.01 + 0.01) / 2, 12);
  });

  it('rejects a record for an arm or scenario the manifest does not name', () => {
    const aggregator = new RunAggregator(manifest());
    expect(() => aggregator.add(call('older', 0, {}))).toThrow('record for scenario "demo" arm "older" is not in the manifest');
    expect(() => aggregator.add({ ...call('baseline', 0, {}), scenario: 'other' })).toThrow(
      'record for scenario "other" arm "baseline" is not in the manifest',
    );
  });

  it('rejects a record outside the cohort of the manifest', () => {
    const aggregator = new RunAggregator(manifest());
    expect(() => aggregator.add(call('baseline', 6, {}))).toThrow(RangeError);
  });

  // KNOWN BUG (reported, not fixed here): ArmAccumulator.add only checks the slot
  // case * repeats + repeat against the array length, so with repeats 1 a record for case 0
  // repeat 1 lands silently in case 1's slot. Remove `.fails` once `repeat >= repeats` throws.
  it('rejects a repeat beyond the manifest\'s repeats', () => {
    const aggregator = new RunAggregator(manifest());
    expect(() => aggregator.add(call('baseline', 0, { repeat: 1 }))).toThrow(RangeError);
  });
});

describe('renderRunReports', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-run-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeRun(): Promise<void> {
    await writeManifest(join(dir, 'manifest.json'), manifest());
    const journal = await JournalWriter.open(join(dir, 'results.jsonl'));
    for (let c = 0; c < 6; c++) await journal.append(RECORDS.filter((r) => r.case === c));
    await journal.close();
  }

  it('writes report.json (valid per the Report schema) and summary.md from the run folder alone', async () => {
    await writeRun();
    const returned = await renderRunReports(dir, { resamples: 200 });
    expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'manifest.json', 'report.html', 'report.json', 'results.jsonl', 'summary.md']);

    const json = await readFile(join(dir, 'report.json'), 'utf8');
    expect(json.endsWith('\n')).toBe(true);
    const parsed = Report.safeParse(JSON.parse(json));
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(returned);
    expect(returned).toEqual(aggregate());

    const summary = await readFile(join(dir, 'summary.md'), 'utf8');
    expect(summary.startsWith('# clinsim run run-20260101-abc: ❌ failed\n')).toBe(true);
    expect(summary).toContain('## demo (sepsis): failed');
    expect(summary).toContain('| safety.critical[baseline] | == 0 | 1.0000 | **FAIL** |');
    expect(summary).toContain(`- **${UNITS}**: lactate (2524-7) reported in mg/dL (invariant)`);
  });

  it('renders the same bytes again from the same run folder', async () => {
    await writeRun();
    await renderRunReports(dir, { resamples: 200 });
    const first = await readFile(join(dir, 'report.json'), 'utf8');
    await renderRunReports(dir, { resamples: 200 });
    expect(await readFile(join(dir, 'report.json'), 'utf8')).toBe(first);
  });

  it('fails without a manifest, naming it', async () => {
    await expect(renderRunReports(dir)).rejects.toThrow(`${join(dir, 'manifest.json')}: cannot read manifest`);
  });
});
