import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createAdapter } from '../../adapters/create.ts';
import type { ReferenceModels } from '../../models/server.ts';
import { TRIAGE_MODEL_NAME } from '../../models/triage/model.ts';
import { spawnReferenceModels } from '../../models/spawn.ts';
import { cohortHasher } from '../cohort/export.ts';
import { tasks } from '../cohort/tasks.ts';
import { generatedSource, importedSource, type CaseSource } from '../cohort/source.ts';
import type { TaskName } from '../case.ts';
import type { Report } from '../metrics/report-types.ts';
import { Target, type Scenario, type TargetInput } from '../scenario.ts';
import { TOOL_VERSION } from '../version.ts';
import { JOURNAL_FILE, JournalWriter } from './journal.ts';
import type { JournalRecord } from './journal-record.ts';
import { MANIFEST_FILE, writeManifest, type Invocation, type Manifest, type ScenarioLineage } from './manifest.ts';
import { redactUrl } from './redact.ts';
import { renderRunReports } from './run-files.ts';
import { runScenario } from './run-scenario.ts';
import { startScenarioLoad } from './scenario-load.ts';
import { LOAD_FILE, readLoadFile, writeLoadFile } from './load-file.ts';
import type { LoadPhaseReport } from '../load/index.ts';
import { recoverJournal, verifyScenarios, type JournalProgress } from './resume.ts';
import { inShard, shardPhase, shardPhaseReport, shareOf, type Shard } from './shard.ts';

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The file it came from, or null when built in code. */
  readonly file: string | null;
  readonly contentHash: string;
}

export interface RunRequest {
  readonly scenarios: readonly LoadedScenario[];
  readonly runId: string;
  readonly runDir: string;
  /** Replaces every scenario's target (the CLI's --target). */
  readonly target?: Target;
  readonly signal: AbortSignal;
  /** Key of the pseudonyms of imported patients (CLINSIM_PSEUDONYM_SALT); needed only to import. */
  readonly pseudonymSalt?: string;
  /** Bootstrap resamples for the report's intervals. */
  readonly resamples?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** One-line notes on what the run is doing beyond cases (e.g. a load phase starting). */
  readonly onNote?: (line: string) => void;
  /** Run only this slice of every scenario's cases (and this share of every load rate). */
  readonly shard?: Shard | null;
  /** How the CLI was asked to run, recorded in the manifest so the run can be resumed. */
  readonly invocation?: Invocation | null;
  /**
   * Carry on with the run already in runDir (its manifest, as `readResumable` gave it): the same
   * run id and shard, only the cases not yet complete, and the load phases not yet in load.json.
   */
  readonly resume?: Manifest;
}

export interface ProgressEvent {
  readonly scenario: string;
  readonly casesDone: number;
  readonly casesTotal: number;
  readonly failedCalls: number;
}

export interface RunResult {
  readonly runDir: string;
  readonly manifest: Manifest;
  /**
   * Null when the run was interrupted (no report is written for a partial run) and for a shard,
   * whose report comes from `clinsim merge` with the other shards.
   */
  readonly report: Report | null;
}

/** Thrown when a run cannot be carried out (exit code 3), as opposed to bad input (exit code 2). */
export class RunFailure extends Error {
  override readonly name = 'RunFailure';
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Each task's bundled reference endpoint, as the target a scenario would write. The text task goes
 * through the OpenAI-compatible chat endpoint, as a hosted LLM would be called; the sepsis model
 * takes the raw Bundle (http-json), since a tabular row would hide its unit flaw (models/README.md).
 */
const REFERENCE_TARGET: Record<TaskName, (models: ReferenceModels) => TargetInput> = {
  sepsis: (models) => ({ adapter: 'http-json', url: models.sepsisUrl }),
  'note-triage': (models) => ({ adapter: 'openai', url: models.openaiUrl, model: TRIAGE_MODEL_NAME }),
  'med-safety': (models) => ({ adapter: 'cds-hooks', url: `${models.cdsUrl}/med-safety` }),
};

function referenceTarget(task: TaskName, models: ReferenceModels): Target {
  return Target.parse(REFERENCE_TARGET[task](models));
}

/**
 * Carries out a run: every scenario's cases through its arms and target, into one journal, then
 * the reports computed from that journal. The bundled reference models are started on an
 * ephemeral loopback port when a scenario has no target of its own, and stopped at the end.
 * The manifest and load.json are brought up to date as each scenario ends, so a run killed at any
 * point can be resumed (resume.ts).
 */
export async function executeRun(request: RunRequest): Promise<RunResult> {
  const { runDir, resume } = request;
  if (!resume && (await stat(join(runDir, JOURNAL_FILE)).catch(() => null))) {
    throw new RunFailure(`${runDir} already holds a run (${JOURNAL_FILE} exists); choose another --out, or continue it with --resume ${runDir}`);
  }
  const shard = (resume ? resume.shard : request.shard) ?? null;

  // Imported data are read (and any malformed line reported) before anything starts, even the
  // run folder: bad data leaves nothing behind.
  const sources: CaseSource[] = [];
  for (const { scenario } of request.scenarios) sources.push(await sourceOf(scenario, request));
  await mkdir(runDir, { recursive: true });
  const needsReference = !request.target && request.scenarios.some((s) => !s.scenario.target);
  const models = needsReference ? await spawnReferenceModels() : undefined;
  // Everything after the models start is in one try: whatever fails (the journal's open, a write
  // or its final sync, the manifest), the models' child process is stopped, or it would keep the
  // event loop (and the CLI) alive, and a manifest already written says `failed`.
  let journal: JournalWriter | null = null;
  let manifest: Manifest | null = null;
  const manifestPath = join(runDir, MANIFEST_FILE);
  let interrupted = false;
  try {
    const resolved = request.scenarios.map((loaded, i) => {
      const explicit = request.target ?? loaded.scenario.target;
      const target = explicit ?? referenceTarget(loaded.scenario.task, models!);
      const source = sources[i]!;
      return { loaded, target, source, lineage: lineageOf(loaded, target, !explicit, source.size) };
    });
    let progress: JournalProgress | null = null;
    const loadResults = new Map<string, LoadPhaseReport[]>();
    if (resume) {
      verifyScenarios(
        resume,
        resolved.map((r) => r.lineage),
      );
      // Files are reloaded by absolute path; the manifest keeps them as they were first given.
      resolved.forEach((r, i) => (r.lineage.file = resume.scenarios[i]!.file));
      progress = await recoverJournal(runDir, resume);
      for (const [name, phases] of await readLoadFile(join(runDir, LOAD_FILE))) loadResults.set(name, phases);
      if (progress.tornBytes > 0 || progress.droppedRecords > 0) {
        request.onNote?.(`resume: removed ${progress.tornBytes} bytes of a torn last line and ${progress.droppedRecords} records of partly written cases`);
      }
    }
    journal = await JournalWriter.open(join(runDir, JOURNAL_FILE));
    const now = new Date().toISOString();
    manifest = resume
      ? { ...resume, status: 'running', finishedAt: null, scenarios: resolved.map((r) => r.lineage), resumedAt: [...(resume.resumedAt ?? []), now] }
      : {
          runId: request.runId,
          toolVersion: TOOL_VERSION,
          nodeVersion: process.version,
          status: 'running',
          startedAt: now,
          finishedAt: null,
          scenarios: resolved.map((r) => r.lineage),
          invocation: request.invocation ?? null,
          shard,
        };
    await writeManifest(manifestPath, manifest);

    for (const [i, { loaded, target, source, lineage }] of resolved.entries()) {
      if (request.signal.aborted) break;
      const { scenario } = loaded;
      const done = progress?.complete.get(scenario.name);
      const doneBefore = progress?.counts.get(scenario.name) ?? 0;
      const casesTotal = shareOf(shard, source.size);
      const storedHash = resume?.scenarios[i]!.cohortHash ?? null;
      const phases = scenario.load ?? [];
      const loadDone = phases.length === 0 || loadResults.has(scenario.name);
      lineage.cases = doneBefore;
      if (doneBefore === casesTotal && storedHash !== null && loadDone) {
        lineage.cohortHash = storedHash;
        continue;
      }
      const task = tasks[scenario.task];
      const adapter = createAdapter(target);
      const hasher = cohortHasher();
      let casesDone = doneBefore;
      let failedCalls = 0;
      request.onProgress?.({ scenario: scenario.name, casesDone, casesTotal, failedCalls });
      // Load phases stop with the run, and with this scenario should it fail.
      const loadAbort = new AbortController();
      const loadSignal = AbortSignal.any([request.signal, loadAbort.signal]);
      const load = loadDone
        ? undefined
        : await startScenarioLoad(
            phases.map((p) => shardPhase(p, shard)),
            adapter,
            target,
            source,
            loadSignal,
            (phase) => request.onNote?.(`${scenario.name}: load phase "${phase.name}" (${phase.executor}${phase.background ? ', in the background of the arms' : ''})`),
          );
      try {
        const result = await runScenario({
          scenario,
          task,
          adapter,
          policy: target,
          threshold: lineage.threshold,
          journal,
          source,
          signal: request.signal,
          include: (index) => inShard(shard, index) && done?.[index] !== 1,
          onBaseCase: (base) => hasher.add(base.bundle),
          onCaseDone: (records: readonly JournalRecord[]) => {
            casesDone++;
            failedCalls += records.filter((r) => r.outcome !== 'ok').length;
            request.onProgress?.({ scenario: scenario.name, casesDone, casesTotal, failedCalls });
          },
        });
        lineage.cases = doneBefore + result.cases;
        interrupted ||= result.interrupted;
        // A partial cohort has no meaningful hash; an interrupted scenario keeps the field empty.
        lineage.cohortHash = result.interrupted ? null : hasher.digest();
        if (load) {
          const reports = await load.finish();
          // Phases cut short by an interruption are left out of load.json, so a resume runs them again.
          if (!request.signal.aborted) {
            const byName = new Map(phases.map((p) => [p.name, p]));
            loadResults.set(
              scenario.name,
              reports.map((r) => shardPhaseReport(r, byName.get(r.name)!, shard)),
            );
            await writeLoadFile(join(runDir, LOAD_FILE), loadResults);
          }
        }
      } finally {
        loadAbort.abort();
        await adapter.close?.();
      }
      await writeManifest(manifestPath, manifest);
    }
    // Closed inside the try: a failed last write or sync (ENOSPC, EIO) fails the run like any other.
    const closing = journal;
    journal = null;
    await closing.close();
    await models?.close();
  } catch (error) {
    // Each step is guarded so that one failing does not skip the others; the original error is
    // the one reported.
    if (journal) await journal.close().catch(() => undefined);
    await models?.close().catch(() => undefined);
    if (manifest) await writeManifest(manifestPath, { ...manifest, status: 'failed', finishedAt: new Date().toISOString() }).catch(() => undefined);
    throw error;
  }

  interrupted ||= request.signal.aborted;
  // Set before anything in the try could complete without throwing.
  const finished: Manifest = { ...manifest!, status: interrupted ? 'interrupted' : 'complete', finishedAt: new Date().toISOString() };
  await writeManifest(manifestPath, finished);
  // report.json is written last: a run killed before it has none, and resume writes it.
  const report = interrupted || shard ? null : await renderRunReports(runDir, { resamples: request.resamples });
  return { runDir, manifest: finished, report };
}

async function sourceOf(scenario: Scenario, request: RunRequest): Promise<CaseSource> {
  const task = tasks[scenario.task];
  const { source, seed, prevalence, size } = scenario.cohort;
  if (!source) return generatedSource(task, { seed, prevalence }, size!);
  if (!request.pseudonymSalt) {
    throw new RunFailure(`${scenario.name}: importing patients needs a pseudonym key: set CLINSIM_PSEUDONYM_SALT to a secret`);
  }
  return importedSource(task, { ...source, salt: request.pseudonymSalt, limit: size }, request.signal);
}

function lineageOf(loaded: LoadedScenario, target: Target, reference: boolean, size: number): ScenarioLineage {
  const { scenario } = loaded;
  return {
    name: scenario.name,
    task: scenario.task,
    file: loaded.file,
    contentHash: loaded.contentHash,
    seed: scenario.cohort.seed,
    size,
    prevalence: scenario.cohort.prevalence ?? null,
    source: scenario.cohort.source ?? null,
    threshold: scenario.threshold ?? tasks[scenario.task].defaultThreshold,
    repeats: scenario.repeats,
    target: lineageTarget(target, reference),
    arms: Object.entries(scenario.arms).map(([name, perturbations]) => ({ name, perturbations: [...perturbations] })),
    gates: scenario.gates,
    cohortHash: null,
    cases: 0,
  };
}

/** The target as the manifest records it: no credentials, but every field that picks the endpoint. */
function lineageTarget(target: Target, reference: boolean): ScenarioLineage['target'] {
  const base = { adapter: target.adapter, url: 'url' in target ? redactUrl(target.url) : null, reference };
  switch (target.adapter) {
    case 'openai':
      return { ...base, model: target.model };
    case 'fhir':
      return { ...base, ...(target.operation === undefined ? {} : { operation: target.operation }) };
    case 'kserve':
      return { ...base, ...(target.output === undefined ? {} : { output: target.output }) };
    case 'cds-hooks':
      return { ...base, hook: target.hook, ...(target.fhirServer === undefined ? {} : { fhirServer: redactUrl(target.fhirServer) }) };
    default:
      return base;
  }
}
