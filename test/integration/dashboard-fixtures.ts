/** Run folders for the dashboard suites: real runs made by executeRun, and broken ones made by hand. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSepsisModel } from '../../models/sepsis/model.ts';
import { missing, shift } from '../../simulator/perturb/families.ts';
import { executeRun, newRunId } from '../../simulator/run/execute.ts';
import { MANIFEST_FILE, readManifest, writeManifest } from '../../simulator/run/manifest.ts';
import { renderRunReports } from '../../simulator/run/run-files.ts';
import { Scenario, type ScenarioInput } from '../../simulator/scenario.ts';

const LACTATE = '2524-7';
const DAY = 24 * 60 * 60 * 1000;
/** Nightly runs start at 02:00 UTC from this day on. */
export const FIRST_NIGHT = Date.parse('2026-03-01T02:00:00Z');

const model = createSepsisModel({ flawFree: false });

/** A small sepsis scenario against the flawed reference model, in process (no HTTP, no child process). */
export function sepsisScenario(name: string, seed: number, size: number): ScenarioInput {
  return {
    name,
    task: 'sepsis',
    cohort: { size, seed },
    target: { adapter: 'in-process', predict: (input) => ({ score: model.predict(input.bundle).score }) },
    arms: {
      baseline: [],
      'lactate-mg-dl': [shift.units({ loinc: LACTATE, to: 'mg/dL' })],
      'missing-lactate': [missing.mcar({ loinc: LACTATE, rate: 0.5 })],
    },
    gates: { 'auroc[baseline]': '>= 0.75', 'flipRate[lactate-mg-dl]': '<= 0.02' },
  };
}

/**
 * Runs scenarios as one run, then dates it to night `night` (its manifest's start and end) and
 * renders its reports again from the journal, as a run made that night would have them.
 */
export async function nightlyRun(runsDir: string, night: number, scenarios: readonly ScenarioInput[], options: { signal?: AbortSignal } = {}): Promise<string> {
  const started = new Date(FIRST_NIGHT + night * DAY);
  const runId = newRunId(started);
  const runDir = join(runsDir, runId);
  const result = await executeRun({
    runId,
    runDir,
    signal: options.signal ?? new AbortController().signal,
    resamples: 100,
    scenarios: scenarios.map((s) => ({ scenario: Scenario.parse(s), file: null, contentHash: `test:${s.name}` })),
  });
  const manifest = await readManifest(join(runDir, MANIFEST_FILE));
  await writeManifest(join(runDir, MANIFEST_FILE), {
    ...manifest,
    startedAt: started.toISOString(),
    finishedAt: manifest.finishedAt === null ? null : new Date(started.getTime() + 60_000).toISOString(),
  });
  if (result.report) await renderRunReports(runDir, { resamples: 100 });
  return runId;
}

/** A run folder with the given files (name → contents). */
export async function handMadeRun(runsDir: string, id: string, files: Readonly<Record<string, string>>): Promise<string> {
  const dir = join(runsDir, id);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

export async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}
