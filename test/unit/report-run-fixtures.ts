/** Builders for the report-*.test.ts suites: a manifest around hand-built journal records, aggregated. */
import { RunAggregator } from '../../simulator/metrics/aggregate.ts';
import type { ScenarioReport } from '../../simulator/metrics/report-types.ts';
import type { JournalRecord } from '../../simulator/run/journal-record.ts';
import type { Manifest, ScenarioLineage } from '../../simulator/run/manifest.ts';

export function lineage(overrides: Partial<ScenarioLineage> & { armNames?: readonly string[] } = {}): ScenarioLineage {
  const { armNames = ['baseline', 'shifted'], ...rest } = overrides;
  return {
    name: 'demo',
    task: 'sepsis',
    file: null,
    contentHash: 'sha256:test',
    seed: 7,
    size: 10,
    prevalence: null,
    source: null,
    threshold: 0.5,
    repeats: 1,
    target: { adapter: 'in-process', url: null, reference: false },
    arms: armNames.map((name) => ({ name, perturbations: [] })),
    gates: {},
    cohortHash: null,
    cases: rest.size ?? 10,
    ...rest,
  };
}

export function manifest(scenario: ScenarioLineage): Manifest {
  return {
    runId: 'run-test',
    toolVersion: '0.1.0',
    nodeVersion: 'v20.19.0',
    status: 'complete',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    scenarios: [scenario],
  };
}

/** The scenario report of the records under the lineage. */
export function aggregate(records: readonly JournalRecord[], scenario: ScenarioLineage, resamples = 200): ScenarioReport {
  const aggregator = new RunAggregator(manifest(scenario));
  for (const r of records) aggregator.add(r);
  return aggregator.report({ manifestFile: 'manifest.json', resamples }).scenarios[0]!;
}

/** A small seeded generator (mulberry32) for test data that must not change between runs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
