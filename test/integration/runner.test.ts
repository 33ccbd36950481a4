import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceModels, type ReferenceModels } from '../../models/server.ts';
import { shift, missing } from '../../simulator/perturb/families.ts';
import { Scenario, type ScenarioInput } from '../../simulator/scenario.ts';
import { executeRun, type LoadedScenario } from '../../simulator/run/execute.ts';
import { readJournal } from '../../simulator/run/journal.ts';
import { readManifest } from '../../simulator/run/manifest.ts';
import { closedPortBase } from './adapter-fixtures.ts';
import { Report } from '../../simulator/metrics/report-types.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import { OUTPUT_CONTRACT } from '../../simulator/run/output-contract.ts';

const LACTATE = '2524-7';
const SIZE = 300;

function loaded(input: ScenarioInput): LoadedScenario {
  return { scenario: Scenario.parse(input), file: null, contentHash: 'test' };
}

async function records(dir: string): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  for await (const r of readJournal(join(dir, 'results.jsonl'))) out.push(r);
  return out;
}

describe('runner against the reference model over HTTP on loopback', () => {
  let models: ReferenceModels;
  let dir: string;

  beforeAll(async () => {
    models = await startReferenceModels();
    dir = await mkdtemp(join(tmpdir(), 'clinsim-runner-'));
  });
  afterAll(async () => {
    await models.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('journals one record per (arm, case), writes lineage, and measures the flaws', async () => {
    const runDir = join(dir, 'run');
    const result = await executeRun({
      runId: 'test-run',
      runDir,
      signal: new AbortController().signal,
      resamples: 100,
      scenarios: [
        loaded({
          name: 'sepsis-flaws',
          task: 'sepsis',
          cohort: { size: SIZE, seed: 11 },
          target: { adapter: 'http-json', url: `${models.sepsisUrl}?api_key=SECRET123`, concurrency: 4 },
          arms: {
            baseline: [],
            'lactate-mg-dl': [shift.units({ loinc: LACTATE, to: 'mg/dL' })],
            'no-lactate': [missing.mcar({ loinc: LACTATE, rate: 1 })],
          },
          gates: { 'auroc[baseline]': '>= 0.75', 'flipRate[lactate-mg-dl]': '<= 0.02' },
        }),
      ],
    });

    const journal = await records(runDir);
    expect(journal).toHaveLength(SIZE * 3);
    const keys = new Set(journal.map((r) => `${r.arm}/${r.case}/${r.repeat}`));
    expect(keys.size).toBe(SIZE * 3);
    expect(journal.every((r) => r.outcome === 'ok' && r.status === 200 && r.attempts === 1)).toBe(true);
    // Provenance: the unit arm records each conversion with before and after.
    const converted = journal.find((r) => r.arm === 'lactate-mg-dl' && r.perturbations[0]!.changes.length > 0)!;
    expect(converted.perturbations[0]!.kind).toBe('shift.units');
    expect(converted.perturbations[0]!.expectation).toEqual({ kind: 'invariant' });
    expect(converted.perturbations[0]!.changes[0]!.path).toContain(LACTATE);

    const manifest = await readManifest(join(runDir, 'manifest.json'));
    expect(manifest.status).toBe('complete');
    expect(manifest.scenarios[0]!.cases).toBe(SIZE);
    expect(manifest.scenarios[0]!.cohortHash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.scenarios[0]!.target.url).not.toContain('SECRET123');
    for (const file of ['manifest.json', 'results.jsonl', 'report.json', 'summary.md']) {
      expect(await readFile(join(runDir, file), 'utf8')).not.toContain('SECRET123');
    }

    const report = Report.parse(JSON.parse(await readFile(join(runDir, 'report.json'), 'utf8')));
    expect(report).toEqual(result.report);
    const [scenario] = report.scenarios;
    const arm = (name: string) => scenario!.arms.find((a) => a.name === name)!;
    // With baseline missingness (a lactate for ~37% of patients) the reference model reaches ~0.79.
    expect(arm('baseline').metrics.auroc.value).toBeGreaterThan(0.7);

    // Flaw (b): lactate in mg/dL read as mmol/L. Only patients with a lactate are converted
    // (provenance has a change); among them decisions flip and specificity collapses, the others
    // send the baseline's bundle and keep its decision. Computed from the journal.
    const decide = (r: JournalRecord) => OUTPUT_CONTRACT.sepsis.decision(r.output!, scenario!.threshold);
    const baselineOf = new Map(journal.filter((r) => r.arm === 'baseline').map((r) => [`${r.case}/${r.repeat}`, r]));
    const unitArm = journal.filter((r) => r.arm === 'lactate-mg-dl');
    const isConverted = (r: JournalRecord) => r.perturbations[0]!.changes.length > 0;
    const flipped = (r: JournalRecord) => decide(r) !== decide(baselineOf.get(`${r.case}/${r.repeat}`)!);
    const convertedCases = unitArm.filter(isConverted);
    const untouched = unitArm.filter((r) => !isConverted(r));
    expect(convertedCases.length).toBeGreaterThan(SIZE * 0.2);
    expect(convertedCases.length).toBeLessThan(SIZE * 0.6);
    const convertedFlips = convertedCases.filter(flipped).length;
    expect(convertedFlips / convertedCases.length).toBeGreaterThan(0.5);
    expect(untouched.filter(flipped)).toHaveLength(0);
    // The report agrees with the journal: the flip rate is over every case, the invariance check
    // applies to the converted cases and fails on the flipped ones.
    expect(arm('lactate-mg-dl').flipRate).toBeCloseTo(convertedFlips / SIZE, 10);
    expect(arm('lactate-mg-dl').safety.byCheck.invariance).toMatchObject({ count: convertedFlips, applied: convertedCases.length });
    const convertedNegatives = convertedCases.filter((r) => r.truth.label === 0);
    expect(convertedNegatives.length).toBeGreaterThan(0);
    expect(convertedNegatives.filter((r) => decide(r) === 'no-alert').length / convertedNegatives.length).toBeLessThan(0.2);
    expect(arm('lactate-mg-dl').delta!.specificity.value!).toBeLessThan(-0.1);
    // Flaw (a): missing lactate read as normal: sensitivity drops.
    expect(arm('no-lactate').delta!.sensitivity.value!).toBeLessThan(-0.1);
    expect(arm('baseline').safety.byCheck.invariance).toBeUndefined();
    expect(scenario!.gates.map((g) => [g.name, g.pass])).toEqual([
      ['auroc[baseline]', true],
      ['flipRate[lactate-mg-dl]', false],
    ]);
    expect(report.passed).toBe(false);
  });

  it('classifies a refused connection as an error outcome for every call, and still reports', async () => {
    const runDir = join(dir, 'refused');
    const closed = await closedPortBase();
    const result = await executeRun({
      runId: 'refused',
      runDir,
      signal: new AbortController().signal,
      resamples: 10,
      scenarios: [
        loaded({
          name: 'refused',
          task: 'sepsis',
          cohort: { size: 5, seed: 1 },
          target: { adapter: 'http-json', url: `${closed}/predict`, retries: 1 },
          arms: { baseline: [] },
        }),
      ],
    });
    const journal = await records(runDir);
    expect(journal.map((r) => [r.outcome, r.attempts])).toEqual(Array(5).fill(['error', 2]));
    expect(result.report!.scenarios[0]!.arms[0]!.outcomes).toEqual({ ok: 0, error: 5, timeout: 0, invalid: 0 });
    expect(result.report!.scenarios[0]!.arms[0]!.metrics.auroc.value).toBeNull();
  });

  it('stops cleanly when interrupted: whole cases only, no report', async () => {
    const runDir = join(dir, 'interrupted');
    const controller = new AbortController();
    let seen = 0;
    const result = await executeRun({
      runId: 'interrupted',
      runDir,
      signal: controller.signal,
      onProgress: (e) => {
        seen = e.casesDone;
        if (e.casesDone >= 20) controller.abort();
      },
      scenarios: [
        loaded({
          name: 'long',
          task: 'sepsis',
          cohort: { size: 5000, seed: 2 },
          target: { adapter: 'http-json', url: models.sepsisUrl },
          arms: { baseline: [], units: [shift.units({ loinc: LACTATE, to: 'mg/dL' })] },
        }),
      ],
    });
    expect(result.report).toBeNull();
    expect(result.manifest.status).toBe('interrupted');
    const journal = await records(runDir);
    const perCase = new Map<number, number>();
    for (const r of journal) perCase.set(r.case, (perCase.get(r.case) ?? 0) + 1);
    expect([...perCase.values()].every((n) => n === 2)).toBe(true);
    expect(perCase.size).toBeGreaterThanOrEqual(20);
    expect(perCase.size).toBeLessThan(5000);
    expect(seen).toBeGreaterThanOrEqual(20);
  });
});
