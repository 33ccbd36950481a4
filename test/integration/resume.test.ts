/**
 * Resume through the library (executeRun with `resume`): interrupted runs, torn and partial
 * journals, journals that do not belong to the run, and the report's independence from the order
 * of the journal's records. The model is the deterministic in-process one, so an interrupted and
 * resumed run must report exactly what an uninterrupted run reports.
 */
import { appendFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing, shift } from '../../simulator/perturb/families.ts';
import { Scenario, type ScenarioInput } from '../../simulator/scenario.ts';
import { executeRun, type LoadedScenario, type RunRequest } from '../../simulator/run/execute.ts';
import { readLoadFile } from '../../simulator/run/load-file.ts';
import { readManifest, writeManifest } from '../../simulator/run/manifest.ts';
import { readResumable, recoverJournal, ResumeRefusal } from '../../simulator/run/resume.ts';
import { renderRunReports } from '../../simulator/run/run-files.ts';
import { comparable, deterministicScore, journalCounts, readReport } from './resume-fixtures.ts';

const SIZE = 48;

function scenario(overrides: Partial<ScenarioInput> = {}): LoadedScenario {
  return {
    scenario: Scenario.parse({
      name: 'det',
      task: 'sepsis',
      cohort: { size: SIZE, seed: 5 },
      repeats: 2,
      target: { adapter: 'in-process', concurrency: 4, predict: deterministicScore },
      arms: {
        baseline: [],
        female: [shift.sex({ female: 0.9 })],
        'lactate-mg-dl': [shift.units({ loinc: '2524-7', to: 'mg/dL' })],
        'missing-lactate': [missing.mcar({ loinc: '2524-7', rate: 0.5 })],
      },
      gates: { 'auroc[baseline]': '>= 0.5' },
      ...overrides,
    }),
    file: null,
    contentHash: 'det-v1',
  };
}

const RECORDS_PER_CASE = 4 * 2;

function request(runDir: string, extra: Partial<RunRequest> = {}): RunRequest {
  return { scenarios: [scenario()], runId: 'resume-test', runDir, signal: new AbortController().signal, resamples: 100, ...extra };
}

/** Runs until `cases` cases are in the journal, then aborts (as Ctrl-C does). */
async function interruptedRun(runDir: string, cases: number): Promise<void> {
  const controller = new AbortController();
  const result = await executeRun(
    request(runDir, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.casesDone >= cases) controller.abort();
      },
    }),
  );
  expect(result.manifest.status).toBe('interrupted');
  expect(result.report).toBeNull();
}

async function resume(runDir: string, extra: Partial<RunRequest> = {}) {
  const manifest = await readManifest(join(runDir, 'manifest.json'));
  return executeRun(request(runDir, { resume: manifest, ...extra }));
}

describe('resuming a run', () => {
  let dir: string;
  let reference: unknown;
  let referenceHash: string | null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinsim-resume-'));
    const result = await executeRun(request(join(dir, 'reference')));
    reference = comparable(result.report!);
    referenceHash = result.manifest.scenarios[0]!.cohortHash;
    expect(referenceHash).toMatch(/^[0-9a-f]{64}$/);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('continues an interrupted run with only the missing cases and reports what an uninterrupted run reports', async () => {
    const runDir = join(dir, 'interrupted');
    await interruptedRun(runDir, 10);
    const before = await journalCounts(join(runDir, 'results.jsonl'));
    expect(before.total).toBeGreaterThanOrEqual(10 * RECORDS_PER_CASE);
    expect(before.total).toBeLessThan(SIZE * RECORDS_PER_CASE);
    expect((await readManifest(join(runDir, 'manifest.json'))).scenarios[0]!.cohortHash).toBeNull();

    const ran: number[] = [];
    const result = await resume(runDir, { onProgress: (e) => ran.push(e.casesDone) });
    // Progress starts from the cases already done, not from zero.
    expect(ran[0]).toBe(before.total / RECORDS_PER_CASE);
    expect(result.manifest.status).toBe('complete');
    expect(result.manifest.runId).toBe('resume-test');
    expect(result.manifest.resumedAt).toHaveLength(1);
    expect(result.manifest.scenarios[0]!.cases).toBe(SIZE);
    // The cohort hash covers every patient even though the resumed part ran only some of them.
    expect(result.manifest.scenarios[0]!.cohortHash).toBe(referenceHash);
    const after = await journalCounts(join(runDir, 'results.jsonl'));
    expect(after.duplicates).toEqual([]);
    expect(after.total).toBe(SIZE * RECORDS_PER_CASE);
    expect(comparable(result.report!)).toEqual(reference);
  });

  it('cuts a torn last line and removes a partly written case, then runs that case again whole', async () => {
    const runDir = join(dir, 'torn');
    await interruptedRun(runDir, 12);
    const journal = join(runDir, 'results.jsonl');
    const lines = (await readFile(journal, 'utf8')).split('\n').filter(Boolean);
    // A power cut mid-append: the first records of a case that is not in the journal, and half a line.
    const referenceLines = (await readFile(join(dir, 'reference', 'results.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const present = new Set(lines.map((l) => (JSON.parse(l) as { case: number }).case));
    const missingCase = referenceLines.filter((l) => !present.has((JSON.parse(l) as { case: number }).case));
    const partialCase = (JSON.parse(missingCase[0]!) as { case: number }).case;
    const firstRecords = missingCase.filter((l) => (JSON.parse(l) as { case: number }).case === partialCase).slice(0, 3);
    await appendFile(journal, firstRecords.join('\n') + '\n' + firstRecords[0]!.slice(0, 40));

    const progress = await recoverJournal(runDir, await readManifest(join(runDir, 'manifest.json')));
    expect(progress.tornBytes).toBe(40);
    expect(progress.droppedRecords).toBe(3);
    expect(progress.complete.get('det')![partialCase]).toBe(0);
    expect(progress.counts.get('det')).toBe(lines.length / RECORDS_PER_CASE);
    const repaired = (await readFile(journal, 'utf8')).split('\n').filter(Boolean);
    expect(repaired).toEqual(lines);

    const result = await resume(runDir);
    const after = await journalCounts(journal);
    expect(after.duplicates).toEqual([]);
    expect(after.total).toBe(SIZE * RECORDS_PER_CASE);
    expect(comparable(result.report!)).toEqual(reference);
  });

  it('recovers a journal cut in the middle of a line by a power cut (the case runs again)', async () => {
    const runDir = join(dir, 'cut');
    await interruptedRun(runDir, 8);
    const journal = join(runDir, 'results.jsonl');
    const text = await readFile(journal, 'utf8');
    // Keep 2.5 records of the last case: it is now partial, and the last line is torn.
    const lines = text.split('\n').filter(Boolean);
    const kept = lines.slice(0, -RECORDS_PER_CASE + 2).join('\n') + '\n';
    await truncate(journal, Buffer.byteLength(kept) + 30);
    const result = await resume(runDir);
    expect((await journalCounts(journal)).total).toBe(SIZE * RECORDS_PER_CASE);
    expect(comparable(result.report!)).toEqual(reference);
  });

  it('renders the reports of a run killed after its last case but before report.json', async () => {
    const runDir = join(dir, 'unrendered');
    const done = await executeRun(request(runDir));
    await rm(join(runDir, 'report.json'));
    const result = await resume(runDir);
    expect(result.manifest.status).toBe('complete');
    expect((await journalCounts(join(runDir, 'results.jsonl'))).total).toBe(SIZE * RECORDS_PER_CASE);
    expect(comparable(result.report!)).toEqual(comparable(done.report!));
  });

  it('refuses a scenario that changed since the run started, before touching the journal', async () => {
    const runDir = join(dir, 'changed');
    await interruptedRun(runDir, 5);
    const journal = await readFile(join(runDir, 'results.jsonl'), 'utf8');
    const changed = { ...scenario(), contentHash: 'det-v2' };
    await expect(resume(runDir, { scenarios: [changed] })).rejects.toThrow(/changed since the run started/);
    const reseeded = { ...scenario({ cohort: { size: SIZE, seed: 6 } }) };
    await expect(resume(runDir, { scenarios: [reseeded] })).rejects.toThrow(/seed was 5 when the run started and is 6 now/);
    expect(await readFile(join(runDir, 'results.jsonl'), 'utf8')).toBe(journal);
  });

  it('refuses journals that do not belong to the run', async () => {
    const runDir = join(dir, 'foreign');
    await interruptedRun(runDir, 5);
    const journal = join(runDir, 'results.jsonl');
    const manifest = await readManifest(join(runDir, 'manifest.json'));
    const first = (await readFile(journal, 'utf8')).split('\n')[0]!;
    await appendFile(journal, first + '\n');
    await expect(recoverJournal(runDir, manifest)).rejects.toThrow(/the same call is in the journal twice/);
    await writeFile(journal, first.replace('"scenario":"det"', '"scenario":"other"') + '\n');
    await expect(recoverJournal(runDir, manifest)).rejects.toThrow(/not a scenario and arm of this run/);
    await writeFile(journal, '{"scenario":"det"}\n');
    await expect(recoverJournal(runDir, manifest)).rejects.toBeInstanceOf(ResumeRefusal);
  });

  it('accepts only run folders that clinsim run started and that are not complete', async () => {
    await expect(readResumable(join(dir, 'nowhere'))).rejects.toThrow(/no such run folder/);
    await writeFile(join(dir, 'plain.txt'), 'x');
    await expect(readResumable(dir)).rejects.toThrow(/not a run folder \(no manifest.json\)/);
    // A run built in code records no invocation: nothing to load its scenarios from.
    await expect(readResumable(join(dir, 'reference'))).rejects.toThrow(/not started by `clinsim run`/);
    const manifestPath = join(dir, 'reference', 'manifest.json');
    const manifest = await readManifest(manifestPath);
    await writeManifest(manifestPath, { ...manifest, invocation: { files: [], seed: null, size: null, target: null, targetRedacted: false, resamples: 100 } });
    await expect(readResumable(join(dir, 'reference'))).rejects.toThrow(/already complete/);
  });

  it('keeps the load results of finished scenarios and runs the phases of the others again', async () => {
    const withLoad = (): LoadedScenario => {
      const base = scenario({ name: 'det-load', cohort: { size: 16, seed: 9 }, load: { name: 'steady', executor: 'constant-arrival-rate', rate: 40, duration: '250ms' } });
      return { ...base, contentHash: 'det-load-v1' };
    };
    const both = () => [withLoad(), scenario()];
    const loadOf = async (runDir: string) => (await readLoadFile(join(runDir, 'load.json'))).get('det-load');

    // Stopped in the second scenario: the first one's phases are done and on disk.
    const late = join(dir, 'load-late');
    const controller = new AbortController();
    const first = await executeRun(
      request(late, { scenarios: both(), signal: controller.signal, onProgress: (e) => e.scenario === 'det' && e.casesDone >= 5 && controller.abort() }),
    );
    expect(first.manifest.status).toBe('interrupted');
    const kept = await loadOf(late);
    expect(kept!.map((p) => [p.name, p.requests])).toEqual([['steady', 10]]);
    const resumed = await resume(late, { scenarios: both() });
    expect(resumed.manifest.status).toBe('complete');
    // Not run again: the very figures measured before the interruption.
    expect(await loadOf(late)).toEqual(kept);
    expect(resumed.report!.scenarios[0]!.load).toEqual(kept);

    // Stopped in the first scenario: its phases are cut short, not written, and run again.
    const early = join(dir, 'load-early');
    const stop = new AbortController();
    await executeRun(request(early, { scenarios: both(), signal: stop.signal, onProgress: (e) => e.casesDone >= 3 && stop.abort() }));
    expect(await loadOf(early)).toBeUndefined();
    await resume(early, { scenarios: both() });
    expect((await loadOf(early))!.map((p) => [p.name, p.requests])).toEqual([['steady', 10]]);
    expect((await journalCounts(join(early, 'results.jsonl'))).total).toBe((16 + SIZE) * RECORDS_PER_CASE);
  });

  it('reports the same figures whatever the order of the journal records', async () => {
    // Concurrency writes cases in completion order, and a resumed or merged journal in yet another.
    const runDir = join(dir, 'reference');
    const journal = join(runDir, 'results.jsonl');
    const lines = (await readFile(journal, 'utf8')).split('\n').filter(Boolean);
    const original = comparable(await renderRunReports(runDir, { resamples: 100 }));
    await writeFile(journal, [...lines].reverse().join('\n') + '\n');
    expect(comparable(await renderRunReports(runDir, { resamples: 100 }))).toEqual(original);
    expect(JSON.stringify(comparable(await readReport(join(runDir, 'report.json'))))).toBe(JSON.stringify(original));
    // Interleaved by arm: every arm's records first, then the next arm's.
    const byArm = [...lines].sort((a, b) => (JSON.parse(a) as { arm: string }).arm.localeCompare((JSON.parse(b) as { arm: string }).arm));
    await writeFile(journal, byArm.join('\n') + '\n');
    expect(JSON.stringify(comparable(await renderRunReports(runDir, { resamples: 100 })))).toBe(JSON.stringify(original));
  });
});
