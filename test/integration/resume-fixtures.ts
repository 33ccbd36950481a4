/**
 * Shared by the resume and shard/merge tests: a deterministic in-process model (its score is a
 * fixed function of the case's features, so two runs of a scenario give the same answers), scenario
 * files that use it, and the parts of report.json that may differ between two runs of the same
 * scenario.
 */
import { readFile } from 'node:fs/promises';
import type { ModelInput, Prediction } from '../../adapters/adapter.ts';
import type { Report } from '../../simulator/metrics/report-types.ts';
import { JournalRecord } from '../../simulator/run/journal-record.ts';

function value(input: ModelInput, column: string, fallback: number): number {
  const row = input.features;
  if (!row) return fallback;
  const v = row.values[row.columns.indexOf(column)];
  return typeof v === 'number' ? v : fallback;
}

/** A sepsis score from heart rate, respiratory rate, lactate and blood pressure. */
export function deterministicScore(input: ModelInput): Prediction {
  const z = -9 + 0.04 * value(input, 'heart_rate', 80) + 0.12 * value(input, 'resp_rate', 16) + 0.8 * value(input, 'lactate_mmol_l', 1) - 0.01 * value(input, 'sbp_mmhg', 120);
  return { score: 1 / (1 + Math.exp(-z)) };
}

export interface ScenarioFileOptions {
  readonly name: string;
  readonly size: number;
  readonly seed: number;
  readonly repeats?: number;
  /** Delay of every call, so a run lasts long enough to be killed part way. */
  readonly delayMs: number;
  /** Arms besides the baseline, as TypeScript source (`'lactate-mg-dl': [shift.units(…)]`). */
  readonly arms?: readonly string[];
  /** A `load` entry as TypeScript source. */
  readonly load?: string;
}

/** Source of a scenario file calling the deterministic model in process. */
export function scenarioFile(options: ScenarioFileOptions): string {
  const arms = ['baseline: []', ...(options.arms ?? [])].join(',\n    ');
  return `import { defineScenario, missing, shift } from 'clinsim';

function value(input, column, fallback) {
  const row = input.features;
  if (!row) return fallback;
  const v = row.values[row.columns.indexOf(column)];
  return typeof v === 'number' ? v : fallback;
}

export default defineScenario({
  name: '${options.name}',
  task: 'sepsis',
  cohort: { size: ${options.size}, seed: ${options.seed} },
  repeats: ${options.repeats ?? 1},
  target: {
    adapter: 'in-process',
    concurrency: 4,
    predict: async (input) => {
      await new Promise((resolve) => setTimeout(resolve, ${options.delayMs}));
      const z = -9 + 0.04 * value(input, 'heart_rate', 80) + 0.12 * value(input, 'resp_rate', 16) + 0.8 * value(input, 'lactate_mmol_l', 1) - 0.01 * value(input, 'sbp_mmhg', 120);
      return { score: 1 / (1 + Math.exp(-z)) };
    },
  },
  arms: {
    ${arms},
  },${options.load ? `\n  load: ${options.load},` : ''}
  gates: { 'auroc[baseline]': '>= 0.5', 'safety.critical': '== 0' },
});
`;
}

/** Arms that exercise every kind of figure: a regenerating shift (categorical), units (invariance), missingness. */
export const ARMS = [
  "female: [shift.sex({ female: 0.9 })]",
  "'lactate-mg-dl': [shift.units({ loinc: '2524-7', to: 'mg/dL' })]",
  "'missing-lactate': [missing.mcar({ loinc: '2524-7', rate: 0.5 })]",
];

/**
 * report.json without what legitimately differs between two runs of the same scenarios against the
 * same deterministic model: the run's id and start and end times, the measured latency of the calls
 * (wall-clock time, not a function of the journal's answers), and the load phases' measured figures
 * (compared on their own where they are exact). Everything else (every metric with its CI, every
 * count, safety, fairness, drift, gates, verdict) must be identical.
 */
export function comparable(report: Report): unknown {
  const copy = structuredClone(report);
  const { id: _id, startedAt: _startedAt, finishedAt: _finishedAt, ...run } = copy.run;
  (copy as { run: unknown }).run = run;
  for (const scenario of copy.scenarios) {
    for (const arm of scenario.arms) (arm as { latency: unknown }).latency = 'excluded: wall-clock';
    (scenario as { load: unknown }).load = scenario.load.map((p) => ({ name: p.name, executor: p.executor, config: p.config }));
  }
  return copy;
}

export async function readReport(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

/** Records per "scenario/arm", and the calls found more than once. */
export async function journalCounts(path: string): Promise<{ perArm: Record<string, number>; duplicates: string[]; total: number }> {
  const perArm: Record<string, number> = {};
  const seen = new Set<string>();
  const duplicates: string[] = [];
  let total = 0;
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (line === '') continue;
    const r = JournalRecord.parse(JSON.parse(line));
    const key = `${r.scenario}/${r.arm}/${r.case}/${r.repeat}`;
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
    perArm[`${r.scenario}/${r.arm}`] = (perArm[`${r.scenario}/${r.arm}`] ?? 0) + 1;
    total++;
  }
  return { perArm, duplicates, total };
}
