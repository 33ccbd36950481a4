import { opendir, readdir, stat } from 'node:fs/promises';
import type { z } from 'zod';
import { join } from 'node:path';
import { headlineMetric, readMetric, type MetricName, type MetricPoint } from './trend-metrics.ts';
import { readJsonFile, type JsonRead, type ParsedFileCache } from './read-json.ts';
import { isRunFileName, isRunId, realRunsRoot, resolveRunDir, resolveRunFile, type RunFileName } from './run-paths.ts';
import { ManifestView, ReportView, type RunStatus, type ScenarioView } from './run-view.ts';

/** Runs read per request unless told otherwise: the newest ones. */
export const DEFAULT_RUN_LIMIT = 200;
/** Run folders read at the same time. */
const READ_CONCURRENCY = 8;

export interface Headline {
  readonly metric: MetricName;
  readonly arm: string;
  readonly point: MetricPoint | null;
}

export interface ScenarioSummary {
  readonly name: string;
  readonly task: string;
  /** Null when the run has no readable report (running, interrupted, failed, corrupt). */
  readonly passed: boolean | null;
  readonly gates: number;
  readonly failedGates: number;
  readonly headline: Headline | null;
}

export interface RunEntry {
  readonly id: string;
  /** The manifest's status, or `unreadable` when manifest.json is missing or corrupt. */
  readonly status: RunStatus | 'unreadable';
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly passed: boolean | null;
  readonly scenarios: readonly ScenarioSummary[];
  readonly report: ReportView | null;
  /** What could not be read, one line each (e.g. `report.json: scenarios.0.arms: …`). */
  readonly problems: readonly string[];
  /** The allow-listed files present in the folder. */
  readonly files: readonly RunFileName[];
}

export interface RunIndex {
  /** The real path of the runs folder; null when it does not exist (yet). */
  readonly root: string | null;
  /** Newest first, at most `limit`. */
  readonly runs: readonly RunEntry[];
  /** Run folders found, including those beyond the limit. */
  readonly total: number;
  readonly limit: number;
}

/** `clinsim run` ids start with their UTC start time: 20260101T020000-a1b2c3. */
const STAMPED_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/;

function stampOf(id: string): number | null {
  const m = STAMPED_ID.exec(id);
  if (!m) return null;
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(t) ? null : t;
}

/** Cheap recency of a folder before anything in it is read: the id's stamp, else its mtime. */
async function recency(root: string, id: string): Promise<number> {
  const stamp = stampOf(id);
  if (stamp !== null) return stamp;
  try {
    return (await stat(join(root, id))).mtimeMs;
  } catch {
    return 0;
  }
}

async function candidates(root: string): Promise<string[]> {
  const names: string[] = [];
  // opendir streams the folder: a runs folder of nightly history can hold many thousands of entries.
  for await (const entry of await opendir(root)) {
    if ((entry.isDirectory() || entry.isSymbolicLink()) && isRunId(entry.name)) names.push(entry.name);
  }
  return names;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function summarize(scenario: ScenarioView): ScenarioSummary {
  const metric = headlineMetric(scenario.task);
  const arm = scenario.arms.find((a) => a.name === 'baseline') ?? scenario.arms[0];
  return {
    name: scenario.name,
    task: scenario.task,
    passed: scenario.passed,
    gates: scenario.gates.length,
    failedGates: scenario.gates.filter((g) => !g.pass).length,
    headline: arm ? { metric, arm: arm.name, point: readMetric(metric, arm) } : null,
  };
}

async function presentFiles(dir: string): Promise<RunFileName[]> {
  try {
    return (await readdir(dir)).filter(isRunFileName).sort();
  } catch {
    return [];
  }
}

async function readJsonOf<S extends z.ZodType>(root: string, dir: string, name: RunFileName, schema: S, cache?: ParsedFileCache): Promise<JsonRead<z.output<S>>> {
  // Resolved like a served file, so a manifest.json linking out of the folder is never parsed (and
  // a parse error never quotes another file's first bytes).
  const path = await resolveRunFile(root, dir, name);
  if (path === null) {
    const exists = await stat(join(dir, name)).then(() => true, () => false);
    return exists ? { kind: 'problem', problem: `${name}: not a file inside the run folder` } : { kind: 'absent' };
  }
  return readJsonFile(path, schema, name, cache);
}

/** Reads one run folder (manifest.json and report.json only); never throws. */
export async function readRun(root: string, id: string, cache?: ParsedFileCache): Promise<RunEntry | null> {
  const dir = await resolveRunDir(root, id);
  if (dir === null) return null;
  const [manifest, report, files] = await Promise.all([
    readJsonOf(root, dir, 'manifest.json', ManifestView, cache),
    readJsonOf(root, dir, 'report.json', ReportView, cache),
    presentFiles(dir),
  ]);
  const problems: string[] = [];
  if (manifest.kind === 'problem') problems.push(manifest.problem);
  if (manifest.kind === 'absent') problems.push('manifest.json: missing');
  if (report.kind === 'problem') problems.push(report.problem);
  const m = manifest.kind === 'ok' ? manifest.data : null;
  const r = report.kind === 'ok' ? report.data : null;
  const scenarios: ScenarioSummary[] = r
    ? r.scenarios.map(summarize)
    : (m?.scenarios ?? []).map((s) => ({ name: s.name, task: s.task, passed: null, gates: 0, failedGates: 0, headline: null }));
  return {
    id,
    status: m?.status ?? 'unreadable',
    startedAt: m?.startedAt ?? r?.run.startedAt ?? null,
    finishedAt: m?.finishedAt ?? r?.run.finishedAt ?? null,
    passed: r?.passed ?? null,
    scenarios,
    report: r,
    problems,
    files,
  };
}

const startedMs = (run: RunEntry): number => {
  const t = run.startedAt === null ? NaN : Date.parse(run.startedAt);
  return Number.isNaN(t) ? (stampOf(run.id) ?? 0) : t;
};

/**
 * The newest `limit` runs of the runs folder, read fresh on each call: new runs appear without a
 * restart, and memory stays bounded by the limit whatever the history holds.
 */
export async function indexRuns(runsDir: string, limit = DEFAULT_RUN_LIMIT, cache?: ParsedFileCache): Promise<RunIndex> {
  const root = await realRunsRoot(runsDir);
  if (root === null) return { root, runs: [], total: 0, limit };
  const names = await candidates(root);
  const ranked = await mapLimit(names, READ_CONCURRENCY * 4, async (id) => ({ id, at: await recency(root, id) }));
  ranked.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  const read = await mapLimit(ranked.slice(0, limit), READ_CONCURRENCY, ({ id }) => readRun(root, id, cache));
  const runs = read.filter((r): r is RunEntry => r !== null);
  runs.sort((a, b) => startedMs(b) - startedMs(a) || (a.id < b.id ? 1 : -1));
  return { root, runs, total: names.length, limit };
}
